/**
 * The Electron main process: a thin shell. It owns windows, menus, the tray and security, keeps
 * passwords with safeStorage, hosts the engine in a utilityProcess and relays checked IPC calls to
 * it. Every decision lives in a module beside this one, where it is unit-tested: ./security.ts,
 * ./protocol.ts, ./ipc-relay.ts, ./credentials.ts, ./engine-host.ts, ./menu.ts, ./new-mail.ts,
 * ./window-state.ts, ./desktop.ts and ./files.ts.
 */
import path from 'node:path';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  dialog,
  ipcMain,
  nativeImage,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  utilityProcess,
  type Session,
  type WebContents,
} from 'electron';
import { engineUtilityProcessExecArgv } from '../engine-host/v8-flags.js';
import { BADGE_SIZE, showUnreadCount } from './badge.js';
import { plainTextConsentAccept, plainTextConsentDialog, SafeStorageCredentialStore } from './credentials.js';
import { composeUnavailableDialog, debounce, findMailtoUrl, sendAppEvent, trayTooltip } from './desktop.js';
import { EngineHost, type EngineHostStatus } from './engine-host.js';
import { createFileHandlers, electronFileDeps, sweepOpenedFiles, withFileHandlers } from './files.js';
import { installIpcRelay } from './ipc-relay.js';
import { buildMenuTemplate, buildTrayTemplate, workOfflineItemId, type AppCommand } from './menu.js';
import { MailWatcher, type NewMailNotice } from './new-mail.js';
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
import { loadWindowState, minimumWindowSize, restoreBounds, saveWindowState } from './window-state.js';

/** dist/electron/main/main.js → dist/electron/preload/preload.cjs */
const preloadPath = path.join(import.meta.dirname, '..', 'preload', 'preload.cjs');
/** dist/electron/main/main.js → dist/electron/engine-host/main.js (the engine's utilityProcess) */
const engineEntry = path.join(import.meta.dirname, '..', 'engine-host', 'main.js');

const windows = new Set<BrowserWindow>();
let engine: EngineHost | null = null;
let watcher: MailWatcher | null = null;
let tray: Tray | null = null;
let shuttingDown = false;
let ready = false;
/** A mailto: link that arrived before the window existed. */
let pendingMailto: string | null = null;
/** Electron drops a Notification's click handler once the object is garbage collected: keep them. */
const shownNotifications = new Set<Notification>();

function openExternal(url: string): Promise<void> {
  // Only ever called by handleWindowOpen, after externalUrlAllowed (http, https, mailto).
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

function iconPath(size: 16 | 32 | 256): string {
  return path.join(app.getAppPath(), 'resources', 'icons', `${size}x${size}.png`);
}

const windowStateFile = () => path.join(app.getPath('userData'), 'window-state.json');

async function createWindow(): Promise<BrowserWindow> {
  const saved = await loadWindowState(windowStateFile());
  const bounds = restoreBounds(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const window = new BrowserWindow({
    ...bounds,
    minWidth: minimumWindowSize.width,
    minHeight: minimumWindowSize.height,
    title: 'Tegami',
    show: false,
    ...(process.platform === 'linux' ? { icon: iconPath(256) } : {}),
    webPreferences: webPreferences(preloadPath),
  });
  windows.add(window);
  window.once('ready-to-show', () => {
    if (saved?.maximized === true) window.maximize();
    window.show();
    if (pendingMailto !== null) showComposeNotice(pendingMailto);
    pendingMailto = null;
  });
  window.on('close', () => {
    saveWindowState(windowStateFile(), { bounds: window.getNormalBounds(), maximized: window.isMaximized() }).catch((error: unknown) =>
      console.error('tegami: could not remember the window size:', error),
    );
  });
  window.on('closed', () => windows.delete(window));
  void window.loadURL(appEntryUrl);
  return window;
}

function focusWindow(): void {
  const [window] = windows;
  if (window === undefined) {
    if (engine !== null && !shuttingDown) void createWindow();
    return;
  }
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

const eventSinks = () => [...windows].map((w) => w.webContents);

/** Menu commands for the renderer (proposed contract event `app.command`). */
function sendCommand(payload: { command: AppCommand } | { command: 'openMessage'; mailboxId: number; messageId: number | null }): void {
  if (!sendAppEvent(eventSinks(), 'app.command', payload)) {
    console.warn(`tegami: the renderer cannot receive "${payload.command}" yet (no app.command event in the contract)`);
  }
}

function showNotice(title: string, body: string, onClick?: () => void): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title, body, silent: false });
  shownNotifications.add(notification);
  const forget = () => shownNotifications.delete(notification);
  notification.on('click', () => {
    forget();
    onClick?.();
  });
  notification.on('close', forget);
  notification.show();
}

function showNewMail(notice: NewMailNotice): void {
  showNotice(notice.title, notice.body, () => {
    focusWindow();
    sendCommand({ command: 'openMessage', mailboxId: notice.mailboxId, messageId: notice.messageId });
  });
}

/** Until compose exists, a mailto: link or "New Message" explains that plainly. */
function showComposeNotice(url: string | null): void {
  const [window] = windows;
  const notice = composeUnavailableDialog(url);
  const options = { ...notice, buttons: [...notice.buttons] };
  void (window === undefined ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
}

function handleMailto(url: string): void {
  if (windows.size === 0) {
    pendingMailto = url;
    focusWindow();
    return;
  }
  focusWindow();
  showComposeNotice(url);
}

/** The engine's restarts and failures, for the user (proposed contract event `app.engine`). */
function tellEngineState(status: EngineHostStatus): void {
  if (sendAppEvent(eventSinks(), 'app.engine', status)) return;
  // Until the contract has app.engine: a desktop notification, so the user is not left guessing.
  if (status.state !== 'running') showNotice('Tegami', status.detail, focusWindow);
}

function setUnreadCount(count: number): void {
  // macOS dock and Linux launchers (Unity API); on Windows an overlay icon on the taskbar button.
  showUnreadCount(count, process.platform, {
    setBadgeCount: (n) => app.setBadgeCount(n),
    setOverlay: (bitmap, description) => {
      const image = bitmap === null ? null : nativeImage.createFromBitmap(bitmap, { width: BADGE_SIZE, height: BADGE_SIZE });
      for (const window of windows) window.setOverlayIcon(image, description);
    },
  });
  if (tray !== null) {
    tray.setToolTip(trayTooltip(count));
    if (process.platform === 'darwin') tray.setTitle(count > 0 ? String(count) : '');
  }
}

function checkMail(): void {
  void engine?.invoke('sync.run', {}).then((result) => {
    if (!result.ok) console.error(`tegami: check mail failed (${result.error.code})`);
  });
}

function setOffline(offline: boolean): void {
  void engine?.invoke('sync.setOffline', { offline }).then((result) => {
    if (!result.ok) console.error(`tegami: work offline failed (${result.error.code})`);
  });
}

/** The tray's menu, its Work Offline check box showing `offline` (built again when that changes). */
function trayMenu(offline: boolean): Menu {
  return Menu.buildFromTemplate(buildTrayTemplate({ open: focusWindow, checkMail, setOffline }, offline));
}

function createTray(): Tray | null {
  const image = nativeImage.createFromPath(iconPath(process.platform === 'darwin' ? 16 : 32));
  if (image.isEmpty()) return null;
  const created = new Tray(image);
  created.setToolTip(trayTooltip(0));
  created.setContextMenu(trayMenu(false));
  created.on('click', focusWindow);
  return created;
}

async function askPlainTextConsent(): Promise<boolean> {
  const [window] = windows;
  const options = { ...plainTextConsentDialog, buttons: [...plainTextConsentDialog.buttons] };
  const answer = await (window === undefined ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
  return answer.response === plainTextConsentAccept;
}

async function start(): Promise<void> {
  ready = true;
  hardenSession(session.defaultSession);
  const dataDir = app.getPath('userData');
  const credentials = new SafeStorageCredentialStore({
    safeStorage,
    file: path.join(dataDir, 'credentials.json'),
    confirmPlainTextBackend: askPlainTextConsent,
  });
  const host = new EngineHost({
    // No secrets in argv or env: passwords are asked for over the message port (credentials.get).
    // execArgv carries the engine's V8 flags (a smaller young generation: see v8-flags.ts).
    fork: () =>
      utilityProcess.fork(engineEntry, [], {
        serviceName: 'Tegami mail engine',
        stdio: 'inherit',
        execArgv: engineUtilityProcessExecArgv(),
      }),
    init: { dataDir, version: app.getVersion(), background: true },
    credentials,
  });
  host.onState(tellEngineState);
  await host.start();
  engine = host;
  // files.save / files.open are answered here (save dialog, shell); everything else goes to the engine.
  const files = createFileHandlers(
    electronFileDeps(
      (name, input) => host.invoke(name, input),
      () => BrowserWindow.getFocusedWindow() ?? [...windows][0] ?? null,
    ),
  );
  void sweepOpenedFiles(app.getPath('temp'));
  installIpcRelay({
    ipcMain,
    engine: withFileHandlers(host, files),
    isTrustedSender: (frame) => isTrustedSender(frame, windows),
    eventSinks,
  });

  const mail = new MailWatcher({
    invoke: (name, input) => host.invoke(name, input),
    isAppFocused: () => BrowserWindow.getFocusedWindow() !== null,
    notify: showNewMail,
    onUnreadCount: setUnreadCount,
  });
  watcher = mail;
  host.onEvent((name, payload) => mail.handleEvent(name, payload));

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate(
        {
          checkMail,
          compose: () => showComposeNotice(null),
          command: (command) => {
            focusWindow();
            sendCommand({ command });
          },
          setOffline,
        },
        { platform: process.platform, isPackaged: app.isPackaged },
      ),
    ),
  );
  // The check mark follows the engine, whoever changed it (the status bar's button, the menu, a restart).
  const showOffline = (offline: boolean) => {
    const item = Menu.getApplicationMenu()?.getMenuItemById(workOfflineItemId);
    if (item) item.checked = offline;
    tray?.setContextMenu(trayMenu(offline));
  };
  host.onEvent((name, payload) => {
    if (name === 'sync.offline') showOffline((payload as { offline: boolean }).offline);
  });
  tray = createTray();
  void host.invoke('sync.offline', {}).then((result) => result.ok && showOffline((result.value as { offline: boolean }).offline));

  // After sleep or a locked screen the IMAP connections are dead: reconnect every account once.
  const wake = debounce(() => void host.invoke('sync.wake', {}), 2000);
  powerMonitor.on('resume', wake);
  powerMonitor.on('unlock-screen', wake);

  // Only the installed app registers itself (a development run would register the bare electron binary).
  if (app.isPackaged) app.setAsDefaultProtocolClient('mailto');
  pendingMailto ??= findMailtoUrl(process.argv);

  await createWindow();
  void mail.refreshAll().catch((error: unknown) => console.error('tegami: reading unread counts failed', error));
}

/** Closes the engine (current transactions finish, IMAP sessions LOGOUT) before the process exits, once. */
async function shutdown(): Promise<void> {
  watcher?.stop();
  tray?.destroy();
  tray = null;
  const open = engine;
  engine = null;
  if (open !== null) await open.close();
}

function fatal(error: unknown): void {
  console.error('Tegami could not start:', error);
  dialog.showErrorBox('Tegami could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
}

// Before ready: the renderer of every window is sandboxed, and app:// is a privileged scheme.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([appSchemePrivileges]);

if (!app.requestSingleInstanceLock()) {
  // Another Tegami owns this profile (its SQLite store must have one writer): hand over and leave.
  // The first instance gets our argv (a mailto: link) through its 'second-instance' event.
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    focusWindow();
    const url = findMailtoUrl(argv);
    if (url !== null) handleMailto(url);
  });
  // macOS hands mailto: links over with open-url (also before ready, when it launched us).
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const mailto = findMailtoUrl([url]);
    if (mailto === null) return;
    if (ready) handleMailto(mailto);
    else pendingMailto = mailto;
  });
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
