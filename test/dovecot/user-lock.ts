import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DovecotConnectionInfo } from './server.js';

/**
 * For integration tests that share one test user across files (vitest runs files in parallel): an
 * exclusive lock per Dovecot instance and user, a directory made atomically. Resolves with the
 * release function.
 */
export async function withUserLock(server: Pick<DovecotConnectionInfo, 'imapsPort'>, user: string): Promise<() => void> {
  const dir = path.join(os.tmpdir(), `tegami-lock-${server.imapsPort}-${user}`);
  for (;;) {
    try {
      mkdirSync(dir);
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
