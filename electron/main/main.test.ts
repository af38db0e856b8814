/**
 * The Electron binary cannot run here, so this drives main.ts against a fake 'electron' module and
 * checks the wiring: sandbox and scheme before ready, hardened session and webContents, the window's
 * webPreferences, the relay, and the engine closed before quitting.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { appEntryUrl, contentSecurityPolicy, webPreferences } from './security.js';

const h = await vi.hoisted(async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const calls: string[] = [];
  const app = Object.assign(new Emitter(), {
    enableSandbox: () => calls.push('enableSandbox'),
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    getPath: (name: string) => `/profile/${name}`,
    getAppPath: () => '/opt/tegami',
    getVersion: () => '0.1.0',
    quit: () => calls.push('quit'),
    exit: (code: number) => calls.push(`exit ${code}`),
  });
  const windows: Array<{ options: Record<string, unknown>; url: string; webContents: unknown }> = [];
  class BrowserWindow extends Emitter {
    webContents = { mainFrame: { processId: 1, routingId: 1 }, isDestroyed: () => false, send: () => undefined };
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
  const engine = { invoke: vi.fn(), onEvent: vi.fn(() => () => undefined), close: vi.fn(async () => undefined) };
  return {
    calls,
    app,
    windows,
    BrowserWindow,
    session,
    engine,
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn((schemes: unknown) => calls.push(`register ${JSON.stringify(schemes)}`)) },
    openEngine: vi.fn(async (_options: unknown) => engine),
  };
});

vi.mock('electron', () => ({
  app: h.app,
  BrowserWindow: h.BrowserWindow,
  ipcMain: h.ipcMain,
  protocol: h.protocol,
  session: h.session,
  shell: { openExternal: vi.fn(async () => undefined) },
  safeStorage: {},
}));
vi.mock('../engine/index.js', () => ({ openEngine: h.openEngine }));

describe('main', async () => {
  await import('./main.js');
  await vi.waitFor(() => expect(h.windows).toHaveLength(1));
  // Vitest clears mock histories before each test: keep what start-up recorded.
  const ses = h.session.defaultSession;
  const startup = {
    openEngine: [...h.openEngine.mock.calls],
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

  it('opens the engine in the profile directory with safeStorage credentials, syncing in the background', () => {
    expect(startup.openEngine).toEqual([
      [
        {
          dataDir: '/profile/userData',
          host: 'electron',
          credentials: expect.objectContaining({ description: expect.any(String) }),
          version: '0.1.0',
          background: true,
        },
      ],
    ]);
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

  it('closes the engine before quitting', async () => {
    const event = { preventDefault: vi.fn() };
    h.app.emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(h.calls.at(-1)).toBe('quit'));
    expect(h.engine.close).toHaveBeenCalledOnce();
    const again = { preventDefault: vi.fn() };
    h.app.emit('before-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });
});
