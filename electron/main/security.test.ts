import { describe, expect, it, vi } from 'vitest';
import {
  appEntryUrl,
  appOrigin,
  contentSecurityPolicy,
  denyPermissionCheck,
  denyPermissionRequest,
  externalUrlAllowed,
  handleWillFrameNavigate,
  handleWillNavigate,
  handleWindowOpen,
  isAppUrl,
  isTrustedSender,
  navigationAllowed,
  preventWebviewAttach,
  rendererRequestAllowed,
  webPreferences,
  withCspHeader,
  type SenderFrameLike,
} from './security.js';

describe('webPreferences', () => {
  const prefs = webPreferences('/app/dist/electron/preload/preload.cjs');

  it('isolates and sandboxes the renderer with no Node anywhere', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and experimental or extra features off', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.enableBlinkFeatures).toBeUndefined();
    expect('enableBlinkFeatures' in prefs).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
  });

  it('spellchecks and uses the given preload', () => {
    expect(prefs.spellcheck).toBe(true);
    expect(prefs.preload).toBe('/app/dist/electron/preload/preload.cjs');
  });

  it('sets exactly the reviewed keys', () => {
    expect(Object.keys(prefs).sort()).toEqual(
      [
        'allowRunningInsecureContent',
        'contextIsolation',
        'disableBlinkFeatures',
        'experimentalFeatures',
        'navigateOnDragDrop',
        'nodeIntegration',
        'nodeIntegrationInSubFrames',
        'nodeIntegrationInWorker',
        'preload',
        'sandbox',
        'spellcheck',
        'webSecurity',
        'webviewTag',
      ].sort(),
    );
  });
});

describe('contentSecurityPolicy', () => {
  const directives = new Map(
    contentSecurityPolicy.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );

  it('denies by default and allows only our own files', () => {
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('img-src')).toBe("'self' data:");
    expect(directives.get('font-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self'");
  });

  it('blocks plugins, base rewriting, form posts and being framed', () => {
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
  });

  it('never allows inline code, eval or remote hosts', () => {
    expect(contentSecurityPolicy).not.toMatch(/unsafe-|https?:|\*|blob:/);
    expect(directives.size).toBe(10);
  });

  it('replaces any Content-Security-Policy header of a response with ours', () => {
    const headers = withCspHeader({ 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy] });
    expect(withCspHeader(undefined)).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy] });
  });
});

describe('isAppUrl', () => {
  it.each([
    [appEntryUrl, true],
    [`${appOrigin}/`, true],
    [`${appOrigin}/assets/index-abc.js`, true],
    ['app://other/index.html', false],
    ['app://tegami:8080/index.html', false],
    ['app://user:pw@tegami/index.html', false],
    ['https://tegami/index.html', false],
    ['file:///app/dist/renderer/index.html', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected);
  });
});

describe('navigation', () => {
  const preventable = (url: string, isMainFrame = true) => ({ url, isMainFrame, preventDefault: vi.fn() });

  it('allows only the page already shown', () => {
    expect(navigationAllowed(appEntryUrl, appEntryUrl)).toBe(true);
    expect(navigationAllowed(appEntryUrl, `${appEntryUrl}#/inbox`)).toBe(true);
    expect(navigationAllowed(appEntryUrl, `${appOrigin}/other.html`)).toBe(false);
    expect(navigationAllowed(appEntryUrl, `${appEntryUrl}?x=1`)).toBe(false);
    expect(navigationAllowed('about:blank', appEntryUrl)).toBe(false);
  });

  it.each(['https://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'app://evil/index.html', `${appOrigin}/other.html`])(
    'will-navigate to %s is prevented',
    (url) => {
      const event = preventable(url);
      handleWillNavigate(event, appEntryUrl);
      expect(event.preventDefault).toHaveBeenCalledOnce();
    },
  );

  it('will-navigate to the same page is let through', () => {
    const event = preventable(appEntryUrl);
    handleWillNavigate(event, appEntryUrl);
    expect(event.preventDefault).not.toHaveBeenCalled();
  });

  it('subframes may hold inline documents only', () => {
    const srcdoc = preventable('about:srcdoc', false);
    handleWillFrameNavigate(srcdoc, appEntryUrl);
    expect(srcdoc.preventDefault).not.toHaveBeenCalled();
    for (const url of ['https://tracker.example/', appEntryUrl, 'data:text/html,<script>1</script>']) {
      const event = preventable(url, false);
      handleWillFrameNavigate(event, appEntryUrl);
      expect(event.preventDefault).toHaveBeenCalledOnce();
    }
    const main = preventable('https://example.com/');
    handleWillFrameNavigate(main, appEntryUrl);
    expect(main.preventDefault).toHaveBeenCalledOnce();
  });
});

describe('externalUrlAllowed', () => {
  it.each([
    ['https://example.com/page?q=1#x', true],
    ['http://example.com', true],
    ['mailto:someone@example.com?subject=hi', true],
    ['HTTPS://EXAMPLE.COM/', true],
    ['https://user:password@example.com/', false],
    ['https://user@example.com/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/html,hi', false],
    ['smb://server/share', false],
    ['ms-msdt:/id PCWDiagnostic', false],
    ['vscode://file/etc/passwd', false],
    ['app://tegami/index.html', false],
    ['ftp://example.com/', false],
    ['https://', false],
    ['not a url', false],
    ['', false],
    [42, false],
    [null, false],
    [`https://example.com/${'a'.repeat(9000)}`, false],
  ])('%s → %s', (url, expected) => {
    expect(externalUrlAllowed(url)).toBe(expected);
  });
});

describe('handleWindowOpen', () => {
  it('never opens a window, and hands a valid link to the system', async () => {
    const openExternal = vi.fn(async () => undefined);
    expect(handleWindowOpen({ url: 'https://example.com/' }, openExternal)).toEqual({ action: 'deny' });
    await vi.waitFor(() => expect(openExternal).toHaveBeenCalledWith('https://example.com/'));
  });

  it('drops links that are not http(s) or mailto', async () => {
    const openExternal = vi.fn(async () => undefined);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://tegami/index.html', 'https://u:p@example.com/']) {
      expect(handleWindowOpen({ url }, openExternal)).toEqual({ action: 'deny' });
    }
    await Promise.resolve();
    await Promise.resolve();
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('swallows a failure of the system browser', async () => {
    const openExternal = vi.fn(async () => {
      throw new Error('no browser');
    });
    expect(handleWindowOpen({ url: 'https://example.com/' }, openExternal)).toEqual({ action: 'deny' });
    await vi.waitFor(() => expect(openExternal).toHaveBeenCalled());
  });
});

describe('permissions and webviews', () => {
  it.each(['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen', 'unknown'])(
    'denies the %s permission request and check',
    (permission) => {
      const callback = vi.fn();
      denyPermissionRequest({}, permission, callback);
      expect(callback).toHaveBeenCalledExactlyOnceWith(false);
      expect(denyPermissionCheck()).toBe(false);
    },
  );

  it('prevents every webview attachment', () => {
    const event = { preventDefault: vi.fn() };
    preventWebviewAttach(event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });
});

describe('rendererRequestAllowed', () => {
  it.each([
    [appEntryUrl, true],
    [`${appOrigin}/assets/app.js`, true],
    ['data:image/png;base64,AAAA', true],
    ['devtools://devtools/bundled/inspector.html', true],
    ['https://tracker.example/pixel.gif', false],
    ['http://127.0.0.1:8080/', false],
    ['ws://127.0.0.1/', false],
    ['file:///etc/passwd', false],
    ['app://other/x.js', false],
    ['garbage', false],
  ])('%s → %s', (url, expected) => {
    expect(rendererRequestAllowed(url)).toBe(expected);
  });
});

describe('isTrustedSender', () => {
  const ours = { webContents: { mainFrame: { processId: 7, routingId: 1 } } };
  const frame = (overrides: Partial<SenderFrameLike> = {}): SenderFrameLike => ({
    url: appEntryUrl,
    parent: null,
    processId: 7,
    routingId: 1,
    detached: false,
    ...overrides,
  });

  it('trusts the main frame of our window showing our page', () => {
    expect(isTrustedSender(frame(), [ours])).toBe(true);
    expect(isTrustedSender(frame({ url: `${appEntryUrl}#/mailbox/3` }), [ours])).toBe(true);
  });

  it('refuses a missing or detached frame', () => {
    expect(isTrustedSender(null, [ours])).toBe(false);
    expect(isTrustedSender(undefined, [ours])).toBe(false);
    expect(isTrustedSender(frame({ detached: true }), [ours])).toBe(false);
  });

  it('refuses a frame showing anything but our origin', () => {
    for (const url of ['https://example.com/', 'app://other/index.html', 'about:blank', 'file:///x/index.html', '']) {
      expect(isTrustedSender(frame({ url }), [ours])).toBe(false);
    }
  });

  it('refuses subframes, even of our window and our origin', () => {
    expect(isTrustedSender(frame({ parent: frame(), routingId: 2 }), [ours])).toBe(false);
  });

  it('refuses main frames of windows that are not ours', () => {
    expect(isTrustedSender(frame({ processId: 8 }), [ours])).toBe(false);
    expect(isTrustedSender(frame({ routingId: 9 }), [ours])).toBe(false);
    expect(isTrustedSender(frame(), [])).toBe(false);
  });
});
