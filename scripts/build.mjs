// npm run build: renderer (Vite), Electron main (tsc, with the engine and shared/ it imports) and
// preload (Vite, one CommonJS file) into dist/. With --package, also the installers (electron-builder;
// needs a network that can download Electron, so it runs on the release runners, not here).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { bin, buildRenderer, must, root } from './lib.mjs';

rmSync(path.join(root, 'dist', 'electron'), { recursive: true, force: true });
await buildRenderer({ force: true });
await must(bin('tsc'), ['-p', 'electron/tsconfig.build.json']);
await must(bin('vite'), ['build', '--config', 'electron/preload/vite.config.ts', '--logLevel', 'warn']);
if (process.argv.includes('--package')) {
  await must(bin('electron-builder'), ['--config', 'electron-builder.yml', '--publish', 'never']);
}
