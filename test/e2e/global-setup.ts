// Builds the renderer once before the end-to-end tests, so `npm run test:e2e` works on its own.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { appRoot } from '../../electron/engine/paths.js';

export default function setup(): void {
  const root = appRoot();
  const r = spawnSync(
    path.join(root, 'node_modules', '.bin', 'vite'),
    ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error('Building the renderer failed');
}
