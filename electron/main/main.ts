/**
 * The Electron main process: a thin shell. It owns windows and security, keeps passwords with
 * safeStorage, hosts the engine in-process and relays checked IPC calls to it. Every decision lives
 * in ./security.ts, ./protocol.ts, ./ipc-relay.ts and ./credentials.ts, where it is unit-tested.
 */
import path from 'node:path';
import { BrowserWindow, app, ipcMain, protocol, safeStorage, session, shell, type Session, type WebContents } from 'electron';
import { openEngine, type Engine } from '../engine/index.js';
import { SafeStorageCredentialStore } from './credentials.js';
import { installIpcRelay } from './ipc-relay.js';
import { appSchemePrivileges, createAppProtocolHandler } from './protocol.js';
import {
  appEntryUrl,
  appScheme,
  denyPermissionCheck,
  denyPermissionRequest,
  handleWillFrameNavigate,
  handleWillNavigate,
  handleWindowOpen,
  isTrustedSender,
  preventWebviewAttach,
  rendererRequestAllowed,
  webPreferences,
  withCspHeader,
} from './security.js';

/** dist/electron/main/main.js → dist/electron/preload/preload.cjs */
const preloadPath = path.join(import.meta.dirname, '..', 'preload', 'preload.cjs');

const windows = new Set<BrowserWindow>();
let engine: Engine | null = null;
let shuttingDown = false;

function openExternal(url: string): Promise<void> {
  return shell.openExternal(url, { activate: true });
}

/** Applied to every webContents the app ever creates (windows, devtools, anything unforeseen). */
function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler((details) => handleWindowOpen(details, openExternal));
  contents.on('will-navigate', (event) => handleWillNavigate(event, contents.getURL()));
  contents.on('will-redirect', (event) => handleWillNavigate(event, contents.getURL()));
  contents.on('will-frame-navigate', (event) => handleWillFrameNavigate(event, contents.getURL()));
  contents.on('will-attach-webview', (event) => preventWebviewAttach(event));
}

function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler(denyPermissionRequest);
  ses.setPermissionCheckHandler(denyPermissionCheck);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    callback({ cancel: !rendererRequestAllowed(details.url) });
  });
  ses.webRequest.onHeadersReceived({ urls: ['<all_urls>'] }, (details, callback) => {
    callback({ responseHeaders: withCspHeader(details.responseHeaders) });
  });
  ses.protocol.handle(appScheme, createAppProtocolHandler({ root: path.join(app.getAppPath(), 'dist', 'renderer') }));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 640,
    minHeight: 400,
    title: 'Tegami',
    show: false,
    webPreferences: webPreferences(preloadPath),
  });
  windows.add(window);
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => windows.delete(window));
  void window.loadURL(appEntryUrl);
  return window;
}

function focusWindow(): void {
  const [window] = windows;
  if (window === undefined) {
    if (engine !== null) createWindow();
    return;
  }
  if (window.isMinimized()) window.restore();
  window.focus();
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  const dataDir = app.getPath('userData');
  const credentials = new SafeStorageCredentialStore({ safeStorage, file: path.join(dataDir, 'credentials.json') });
  engine = await openEngine({ dataDir, host: 'electron', credentials, version: app.getVersion(), background: true });
  installIpcRelay({
    ipcMain,
    engine,
    isTrustedSender: (frame) => isTrustedSender(frame, windows),
    eventSinks: () => [...windows].map((w) => w.webContents),
  });
  createWindow();
}

/** Closes the engine (SQLite, IMAP connections) before the process exits, once. */
async function shutdown(): Promise<void> {
  const open = engine;
  engine = null;
  if (open !== null) await open.close();
}

function fatal(error: unknown): void {
  console.error('Tegami could not start:', error);
  app.exit(1);
}

// Before ready: the renderer of every window is sandboxed, and app:// is a privileged scheme.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([appSchemePrivileges]);

if (!app.requestSingleInstanceLock()) {
  // Another Tegami owns this profile (its SQLite store must have one writer): hand over and leave.
  app.quit();
} else {
  app.on('second-instance', focusWindow);
  app.on('activate', focusWindow);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    if (engine === null || shuttingDown) return;
    // Wait for the engine to close (the store flushed, connections logged out), then quit again.
    event.preventDefault();
    shuttingDown = true;
    shutdown()
      .catch((error: unknown) => console.error('Tegami: closing the engine failed:', error))
      .finally(() => app.quit());
  });
  app.whenReady().then(start).catch(fatal);
}
