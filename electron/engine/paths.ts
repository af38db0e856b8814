import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';

/**
 * The profile directory of the plain-Node hosts (browser mode and CLI) when --data is not given:
 * $TEGAMI_DATA, else the platform's per-user data folder. The desktop app uses Electron's userData.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = os.homedir()): string {
  if (env.TEGAMI_DATA) return path.resolve(env.TEGAMI_DATA);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Tegami');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Tegami');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'tegami');
}

/** The repository (or app) root: the folder holding package.json, two levels above this file's folder. */
export function appRoot(from: string = import.meta.dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'tegami') return dir;
    } catch {
      // keep looking upwards
    }
    dir = path.dirname(dir);
  }
  throw new Error(`Could not find Tegami's package.json above ${from}`);
}

export function appVersion(root = appRoot()): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
