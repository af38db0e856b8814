/**
 * The preload of every Tegami window (sandboxed: its only runtime import is 'electron'; the rest is
 * bundled into dist/electron/preload/preload.cjs by ./vite.config.ts). Exposes exactly
 * `window.tegami` — the contract's two verbs — and never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('tegami', createBridge(ipcRenderer));
