// Installing a Debian package the tests or benchmarks need (Dovecot, isync), when running as root.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** True when this process may install packages itself: root on a machine with apt-get. */
export const canAptInstall = (): boolean =>
  typeof process.getuid === 'function' && process.getuid() === 0 && existsSync('/usr/bin/apt-get');

/**
 * apt-get install -y --no-install-recommends `pkg`, non-interactive; when that fails (the package
 * lists may be missing in a fresh container), refreshes them once and retries. Throws if both fail.
 */
export async function aptInstall(pkg: string): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => execFileAsync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env, maxBuffer: 64 << 20 });
  try {
    await install();
  } catch {
    await execFileAsync('apt-get', ['update'], { env, maxBuffer: 64 << 20 });
    await install();
  }
}
