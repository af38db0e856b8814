/**
 * Bundles the preload into one CommonJS file: a sandboxed preload can only `require('electron')`
 * and a few Node built-ins, so shared/ (and zod) must be inside it.
 *   vite build --config electron/preload/vite.config.ts  →  dist/electron/preload/preload.cjs
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: repoRoot,
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/electron/preload', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome140', // Electron 45's Chromium
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: fileURLToPath(new URL('./preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: {
      external: ['electron'],
    },
  },
});
