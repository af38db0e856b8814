/**
 * Every security decision of the Electron shell, as data and pure functions so it is unit-tested
 * without the Electron binary (electron/main/main.ts only wires these into Electron's hooks).
 * Follows Electron's security checklist: https://www.electronjs.org/docs/latest/tutorial/security
 *
 * The renderer is an untrusted web page: sandboxed, context-isolated, no Node, a strict CSP, no
 * navigation, no new windows, no permissions, no network (remote content will be fetched by main).
 */
import type { WebPreferences } from 'electron';

/** Our renderer is served from this privileged custom scheme (see ./protocol.ts). */
export const appScheme = 'app';
export const appHost = 'tegami';
/**
 * Note: WHATWG URL reports `origin === 'null'` for schemes it does not know (Node does not know
 * our `app:` is "standard"), so origins are compared by protocol + host, never by `URL.origin`.
 */
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

/** The webPreferences of every Tegami window. */
export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    // exactOptionalPropertyTypes: "not set" is the safe value; Blink features stay at their defaults.
    webviewTag: false,
    navigateOnDragDrop: false,
    // A middle click would ask for a new window (denied by handleWindowOpen anyway): not even that.
    disableBlinkFeatures: 'Auxclick',
    spellcheck: true,
  };
}

/**
 * The renderer's Content-Security-Policy: only our own bundled code, styles, fonts and images (plus
 * data: images); no inline script, no eval, no network, no plugins, no forms, no framing of us.
 */
export const cspDirectives: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];
export const contentSecurityPolicy = cspDirectives.map(([name, value]) => `${name} ${value}`).join('; ');

function parseUrl(url: string): URL | null {
  // URL.parse is Node >= 22.1; a try/catch keeps this independent of the runtime.
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for a URL of our renderer: `app://tegami/…`, with no credentials and no port. */
export function isAppUrl(url: string): boolean {
  const u = parseUrl(url);
  return u !== null && u.protocol === `${appScheme}:` && u.hostname === appHost && u.port === '' && u.username === '' && u.password === '';
}

/**
 * A top-level navigation is allowed only when it stays on the page already shown (a reload, or a
 * change of the fragment): the renderer is a single page and never navigates anywhere else.
 */
export function navigationAllowed(currentUrl: string, targetUrl: string): boolean {
  if (!isAppUrl(targetUrl) || !isAppUrl(currentUrl)) return false;
  const current = new URL(currentUrl);
  const target = new URL(targetUrl);
  return current.pathname === target.pathname && current.search === target.search;
}

export interface PreventableNavigation {
  readonly url: string;
  preventDefault(): void;
}

/** For `will-navigate` and `will-redirect`: deny everything but the same app page. */
export function handleWillNavigate(event: PreventableNavigation, currentUrl: string): void {
  if (!navigationAllowed(currentUrl, event.url)) event.preventDefault();
}

/** Subframes (the sandboxed HTML-mail iframe to come) may only hold inline documents. */
export const subframeUrlsAllowed: readonly string[] = ['about:srcdoc', 'about:blank'];

export interface PreventableFrameNavigation extends PreventableNavigation {
  readonly isMainFrame: boolean;
}

/** For `will-frame-navigate`: main frame as `will-navigate`; subframes only to inline documents. */
export function handleWillFrameNavigate(event: PreventableFrameNavigation, currentUrl: string): void {
  if (event.isMainFrame) handleWillNavigate(event, currentUrl);
  else if (!subframeUrlsAllowed.includes(event.url)) event.preventDefault();
}

const externalProtocols: readonly string[] = ['http:', 'https:', 'mailto:'];

/**
 * Whether a link may be handed to the operating system (system browser, or the mail composer for
 * mailto:). Anything else — file:, javascript:, custom app handlers, smb: … — could run code or leak
 * credentials, so it is refused. URLs with embedded credentials are refused as phishing-shaped.
 */
export function externalUrlAllowed(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 8192) return false;
  const u = parseUrl(url);
  if (u === null || !externalProtocols.includes(u.protocol)) return false;
  if (u.username !== '' || u.password !== '') return false;
  if (u.protocol !== 'mailto:' && u.hostname === '') return false;
  return true;
}

export interface WindowOpenDetails {
  readonly url: string;
}

/**
 * `setWindowOpenHandler`: never opens an Electron window. A valid http(s)/mailto link is handed to
 * the system (through `openExternal`, injected so tests can watch it); everything else is dropped.
 */
export function handleWindowOpen(details: WindowOpenDetails, openExternal: (url: string) => Promise<void> | void): { action: 'deny' } {
  if (externalUrlAllowed(details.url)) {
    // Fire and forget: a failure to start the browser must not reach the renderer.
    void Promise.resolve()
      .then(() => openExternal(details.url))
      .catch(() => undefined);
  }
  return { action: 'deny' };
}

/** `session.setPermissionRequestHandler`: a mail client's page needs no permission at all. */
export function denyPermissionRequest(_webContents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

/** `session.setPermissionCheckHandler`: every check answers "no". */
export function denyPermissionCheck(): boolean {
  return false;
}

/** `will-attach-webview`: the webview tag is off, and this makes sure no guest page is ever attached. */
export function preventWebviewAttach(event: { preventDefault(): void }): void {
  event.preventDefault();
}

/**
 * Which requests the renderer's session may make (`session.webRequest.onBeforeRequest`): our own
 * files, data: images (the CSP allows them) and DevTools. Remote mail content will be fetched by main
 * under its own rules, never by the page.
 */
export function rendererRequestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  const u = parseUrl(url);
  if (u === null) return false;
  return u.protocol === 'data:' || u.protocol === 'devtools:';
}

/**
 * `session.webRequest.onHeadersReceived`: our CSP on every response of the renderer's session
 * (the app protocol sets it too; this covers anything else that slips through).
 */
export function withCspHeader(responseHeaders: Record<string, string[]> | undefined): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(responseHeaders ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
  }
  headers['Content-Security-Policy'] = [contentSecurityPolicy];
  return headers;
}

/** The parts of Electron's WebFrameMain that decide whether an IPC message is ours. */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly processId: number;
  readonly routingId: number;
  readonly detached?: boolean;
}

/** One of our windows, as far as sender checks are concerned. */
export interface OwnWindowLike {
  readonly webContents: { readonly mainFrame: Pick<SenderFrameLike, 'processId' | 'routingId'> };
}

/**
 * Whether an IPC message comes from our own page: the sender frame shows an app:// URL, is a main
 * frame (an iframe — later the HTML-mail frame — may never talk to the engine), and is the main
 * frame of one of the windows we created.
 */
export function isTrustedSender(frame: SenderFrameLike | null | undefined, windows: Iterable<OwnWindowLike>): boolean {
  if (frame === null || frame === undefined) return false;
  if (frame.detached === true || frame.parent !== null) return false;
  if (!isAppUrl(frame.url)) return false;
  for (const window of windows) {
    const main = window.webContents.mainFrame;
    if (main.processId === frame.processId && main.routingId === frame.routingId) return true;
  }
  return false;
}
