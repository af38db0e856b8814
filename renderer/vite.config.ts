import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The renderer is a plain web page served from Electron's `app://tegami/` protocol or from the
 * browser-mode HTTP server, both under `script-src 'self'`: relative asset URLs (base './') and no
 * inline code in the output.
 */
export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2023',
    // Chromium supports <link rel="modulepreload">; the polyfill is dead weight.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs for scripts; small images as data: are allowed by img-src.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: { host: '127.0.0.1', strictPort: true },
});
