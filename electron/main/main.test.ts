/**
 * The Electron binary cannot run here, so this drives main.ts against a fake 'electron' module and
 * checks the wiring: sandbox and scheme before ready, hardened session and webContents, the window's
 * webPreferences, the relay, the engine in a utilityProcess (closed with LOGOUT before quitting),
 * menu, tray, badge, wake-up after sleep and mailto: hand-over.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { appEntryUrl, contentSecurityPolicy, webPreferences } from './security.js';

const h = await vi.hoisted(async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const calls: string[] = [];
  const app = Object.assign(new Emitter(), {
    isPackaged: true,
    enableSandbox: () => calls.push('enableSandbox'),
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    getPath: (name: string) => `/nonexistent-profile/${name}`,
    getAppPath: () => '/opt/tegami',
    getVersion: () => '0.1.0',
    quit: () => calls.push('quit'),
    exit: (code: number) => calls.push(`exit ${code}`),
    setBadgeCount: vi.fn(() => true),
    setAsDefaultProtocolClient: vi.fn(() => true),
  });
  const windows: Array<{ options: Record<string, unknown>; url: string; emit(event: string): boolean }> = [];
  class BrowserWindow extends Emitter {
    static getFocusedWindow = vi.fn((): unknown => null);
    webContents = { mainFrame: { processId: 1, routingId: 1 }, isDestroyed: () => false, send: vi.fn() };
    url = '';
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
    }
    loadURL(url: string) {
      this.url = url;
      return Promise.resolve();
    }
    show() {}
    focus() {}
    isMinimized() {
      return false;
    }
  }
  const webRequest = { onBeforeRequest: vi.fn(), onHeadersReceived: vi.fn() };
  const session = {
    defaultSession: {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
      webRequest,
      protocol: { handle: vi.fn() },
    },
  };
  /** The engine's utilityProcess: answers init with ready, invokes from a table, close with closed. */
  const children: Array<InstanceType<typeof Emitter> & { posted: Array<Record<string, unknown>>; killed: boolean }> = [];
  const answers: Record<string, unknown> = {
    'accounts.list': [{ id: 1 }],
    'mailboxes.list': { mailboxes: [{ id: 10, accountId: 1, role: 'inbox', path: 'INBOX', unread: 5 }] },
    'sync.wake': { woken: 1 },
    'sync.run': { accounts: [] },
    // The profile was left working offline: the menu's check mark says so at start.
    'sync.offline': { offline: true },
    'messages.part': { kind: 'file', part: '2', contentType: 'application/pdf', filename: 'Report.pdf', file: '/nonexistent/2', size: 3 },
  };
  class FakeChild extends Emitter {
    posted: Array<Record<string, unknown>> = [];
    killed = false;
    postMessage(message: Record<string, unknown>) {
      this.posted.push(message);
      queueMicrotask(() => {
        if (message['type'] === 'init') this.emit('message', { type: 'ready' });
        if (message['type'] === 'invoke') {
          const value = answers[message['name'] as string];
          const result = value === undefined ? { ok: false, error: { code: 'INVALID_INPUT', message: 'x' } } : { ok: true, value };
          this.emit('message', { type: 'result', id: message['id'], result });
        }
        if (message['type'] === 'close') this.emit('message', { type: 'closed' });
      });
    }
    kill() {
      this.killed = true;
      return true;
    }
  }
  const utilityProcess = {
    fork: vi.fn((_path: string, _args?: string[], _options?: unknown) => {
      const child = new FakeChild();
      children.push(child);
      return child;
    }),
  };
  const menus: unknown[] = [];
  /** The application menu's "Work Offline" item, as main finds it by id. */
  const workOffline = { id: 'work-offline', checked: false };
  const Menu = {
    buildFromTemplate: vi.fn((template: unknown) => ({ template })),
    setApplicationMenu: vi.fn((menu: unknown) => menus.push(menu)),
    getApplicationMenu: vi.fn(() => ({ getMenuItemById: (id: string) => (id === workOffline.id ? workOffline : null) })),
  };
  class Tray extends Emitter {
    static instances: Tray[] = [];
    setToolTip = vi.fn();
    setTitle = vi.fn();
    setContextMenu = vi.fn();
    destroy = vi.fn();
    constructor(readonly image: unknown) {
      super();
      Tray.instances.push(this);
    }
  }
  const powerMonitor = new Emitter();
  const dialog = {
    showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: 0, checkboxChecked: false })),
    showErrorBox: vi.fn(),
    showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePath: '' })),
  };
  return {
    calls,
    app,
    windows,
    BrowserWindow,
    session,
    children,
    utilityProcess,
    Menu,
    menus,
    workOffline,
    Tray,
    powerMonitor,
    dialog,
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn((schemes: unknown) => calls.push(`register ${JSON.stringify(schemes)}`)) },
  };
});

vi.mock('electron', () => ({
  app: h.app,
  BrowserWindow: h.BrowserWindow,
  Menu: h.Menu,
  Notification: Object.assign(class {}, { isSupported: () => false }),
  Tray: h.Tray,
  dialog: h.dialog,
  ipcMain: h.ipcMain,
  nativeImage: { createFromPath: () => ({ isEmpty: () => false }) },
  powerMonitor: h.powerMonitor,
  protocol: h.protocol,
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  session: h.session,
  shell: { openExternal: vi.fn(async () => undefined) },
  safeStorage: {},
  utilityProcess: h.utilityProcess,
}));

describe('main', async () => {
  process.argv.push('mailto:ann@example.com');
  await import('./main.js');
  await vi.waitFor(() => expect(h.windows).toHaveLength(1));
  process.argv.pop();
  await vi.waitFor(() => expect(h.app.setBadgeCount).toHaveBeenCalled());
  // Vitest clears mock histories before each test: keep what start-up recorded.
  const ses = h.session.defaultSession;
  const startup = {
    fork: [...h.utilityProcess.fork.mock.calls],
    badge: [...h.app.setBadgeCount.mock.calls],
    trayTooltip: [...(h.Tray.instances[0]?.setToolTip.mock.calls ?? [])],
    defaultProtocol: [...h.app.setAsDefaultProtocolClient.mock.calls],
    ipcHandle: [...h.ipcMain.handle.mock.calls],
    permissionRequest: [...ses.setPermissionRequestHandler.mock.calls],
    permissionCheck: [...ses.setPermissionCheckHandler.mock.calls],
    beforeRequest: [...ses.webRequest.onBeforeRequest.mock.calls],
    headersReceived: [...ses.webRequest.onHeadersReceived.mock.calls],
    protocolHandle: [...ses.protocol.handle.mock.calls],
  };

  it('sandboxes every renderer and registers app: before ready', () => {
    expect(h.calls.slice(0, 2)).toEqual([
      'enableSandbox',
      'register [{"scheme":"app","privileges":{"standard":true,"secure":true,"supportFetchAPI":true,"corsEnabled":true}}]',
    ]);
  });

  it('runs the engine in a utilityProcess for the profile, syncing in the background, with no secret in argv or env', () => {
    expect(startup.fork).toEqual([
      [
        expect.stringMatching(/engine-host[\\/]main\.js$/),
        [],
        // The engine's V8 flags, as the one --js-flags switch the utility process reads before it makes its isolate.
        { serviceName: 'Tegami mail engine', stdio: 'inherit', execArgv: ['--js-flags=--max-semi-space-size=4'] },
      ],
    ]);
    expect(h.children[0]?.posted[0]).toEqual({
      type: 'init',
      options: { dataDir: '/nonexistent-profile/userData', version: '0.1.0', background: true, credentialsDescription: expect.any(String) },
    });
    expect(startup.ipcHandle).toEqual([['tegami:invoke', expect.any(Function)]]);
  });

  it('hardens the session: permissions, network, CSP, app protocol', () => {
    const request = startup.permissionRequest[0]?.[0] as (wc: unknown, p: string, cb: (granted: boolean) => void) => void;
    const granted = vi.fn();
    request({}, 'media', granted);
    expect(granted).toHaveBeenCalledExactlyOnceWith(false);
    const check = startup.permissionCheck[0]?.[0] as () => boolean;
    expect(check()).toBe(false);
    const before = startup.beforeRequest[0] as [unknown, (d: { url: string }, cb: (r: unknown) => void) => void];
    const answer = vi.fn();
    before[1]({ url: 'https://tracker.example/p.gif' }, answer);
    before[1]({ url: appEntryUrl }, answer);
    expect(answer.mock.calls).toEqual([[{ cancel: true }], [{ cancel: false }]]);
    const headers = startup.headersReceived[0] as [
      unknown,
      (d: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void,
    ];
    headers[1]({ responseHeaders: {} }, answer);
    expect(answer).toHaveBeenLastCalledWith({ responseHeaders: { 'Content-Security-Policy': [contentSecurityPolicy] } });
    expect(startup.protocolHandle).toEqual([['app', expect.any(Function)]]);
  });

  it('creates a hidden window with the secure webPreferences showing app://tegami/index.html', () => {
    const [window] = h.windows;
    expect(window?.options).toMatchObject({
      show: false,
      webPreferences: webPreferences(expect.stringMatching(/preload[\\/]preload\.cjs$/) as unknown as string),
    });
    expect(window?.url).toBe(appEntryUrl);
  });

  it('hardens every webContents the app creates', () => {
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn(), getURL: () => appEntryUrl });
    h.app.emit('web-contents-created', {}, contents);
    const openHandler = contents.setWindowOpenHandler.mock.calls[0]?.[0] as (d: { url: string }) => unknown;
    expect(openHandler({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      const event = { url: 'https://evil.example/', isMainFrame: true, preventDefault: vi.fn() };
      contents.emit(name, event);
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
    const attach = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', attach, {}, {});
    expect(attach.preventDefault).toHaveBeenCalled();
  });

  it('restores the window size within the displays', () => {
    expect(h.windows[0]?.options).toMatchObject({ width: 1200, height: 800, minWidth: 640, minHeight: 400 });
  });

  it('sets the application menu and a tray icon, and shows the unread count', () => {
    expect(h.menus).toHaveLength(1);
    expect(h.Tray.instances).toHaveLength(1);
    expect(startup.badge).toEqual([[5]]);
    expect(startup.trayTooltip.at(-1)).toEqual(['Tegami — 5 unread messages']);
  });

  it('keeps the Work Offline check mark in step with the engine: at start, then on each sync.offline event', async () => {
    /** The Work Offline item of the tray's menu, as last set. */
    const trayItem = () =>
      (
        h.Tray.instances[0]?.setContextMenu.mock.calls.at(-1)?.[0] as { template: Array<{ id?: string; checked?: boolean }> } | undefined
      )?.template.find((i) => i.id === 'work-offline');
    await vi.waitFor(() => expect(h.workOffline.checked).toBe(true));
    // (The tray's menu built at start is out of reach: mock histories are cleared before each test.)
    h.children[0]?.emit('message', { type: 'event', name: 'sync.offline', payload: { offline: true } });
    expect(trayItem()?.checked).toBe(true);
    h.children[0]?.emit('message', { type: 'event', name: 'sync.offline', payload: { offline: false } });
    expect(h.workOffline.checked).toBe(false);
    expect(trayItem()?.checked).toBe(false);
    h.children[0]?.emit('message', { type: 'event', name: 'sync.offline', payload: { offline: true } });
    expect(h.workOffline.checked).toBe(true);
    // Unchecking it asks the engine to go online.
    type Item = { id?: string; click?: (item: { checked: boolean }) => void; submenu?: Item[] };
    const flat = (items: Item[]): Item[] => items.flatMap((i) => [i, ...flat(i.submenu ?? [])]);
    const template = (h.menus[0] as { template: Item[] }).template;
    flat(template)
      .find((i) => i.id === 'work-offline')
      ?.click?.({ checked: false });
    await vi.waitFor(() =>
      expect(h.children[0]?.posted).toContainEqual(
        expect.objectContaining({ type: 'invoke', name: 'sync.setOffline', input: { offline: false } }),
      ),
    );
  });

  it('registers as the mailto: handler and explains that writing is not available yet', async () => {
    expect(startup.defaultProtocol).toEqual([['mailto']]);
    h.windows[0]?.emit('ready-to-show');
    await vi.waitFor(() => expect(h.dialog.showMessageBox).toHaveBeenCalled());
    expect(JSON.stringify(h.dialog.showMessageBox.mock.calls.at(-1))).toContain('Writing mail is not available yet');
    h.dialog.showMessageBox.mockClear();
    h.app.emit('second-instance', {}, ['tegami', 'mailto:bob@example.com'], '/');
    expect(JSON.stringify(h.dialog.showMessageBox.mock.calls.at(-1))).toContain('bob@example.com');
    const openUrl = { preventDefault: vi.fn() };
    h.app.emit('open-url', openUrl, 'mailto:carol@example.com');
    expect(openUrl.preventDefault).toHaveBeenCalled();
    expect(JSON.stringify(h.dialog.showMessageBox.mock.calls.at(-1))).toContain('carol@example.com');
  });

  it('reconnects every account once after the machine wakes', async () => {
    vi.useFakeTimers();
    try {
      const child = h.children[0];
      const wakes = () => child?.posted.filter((m) => m['type'] === 'invoke' && m['name'] === 'sync.wake').length;
      h.powerMonitor.emit('resume');
      h.powerMonitor.emit('unlock-screen');
      await vi.advanceTimersByTimeAsync(2000);
      expect(wakes()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers files.save itself: the engine fetches the part, main shows the save dialog on the window', async () => {
    const handler = startup.ipcHandle[0]?.[1] as (event: unknown, name: unknown, input: unknown) => Promise<unknown>;
    const frame = { url: appEntryUrl, parent: null, processId: 1, routingId: 1 };
    const child = h.children[0];
    const before = child?.posted.length ?? 0;
    expect(await handler({ senderFrame: frame }, 'files.save', { id: 1, part: '2' })).toEqual({ ok: true, value: { path: null } });
    expect(h.dialog.showSaveDialog).toHaveBeenCalledExactlyOnceWith(h.windows[0], {
      defaultPath: path.join('/nonexistent-profile/downloads', 'Report.pdf'),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    const sent = child?.posted.slice(before).filter((m) => m['type'] === 'invoke');
    expect(sent?.map((m) => [m['name'], m['input']])).toEqual([['messages.part', { id: 1, part: '2' }]]);
    // Another frame is refused before anything happens.
    const refused = await handler({ senderFrame: { ...frame, url: 'https://evil.example/' } }, 'files.save', { id: 1, part: '2' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(h.dialog.showSaveDialog).toHaveBeenCalledOnce();
  });

  it('closes the engine (LOGOUT in the child) before quitting', async () => {
    const event = { preventDefault: vi.fn() };
    h.app.emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(h.calls.at(-1)).toBe('quit'));
    const child = h.children[0];
    expect(child?.posted.at(-1)).toEqual({ type: 'close' });
    expect(child?.killed).toBe(true);
    expect(h.Tray.instances[0]?.destroy).toHaveBeenCalled();
    const again = { preventDefault: vi.fn() };
    h.app.emit('before-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });
});
