import path from 'node:path';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSchemePrivileges, contentTypeFor, createAppProtocolHandler, resolveAppPath } from './protocol.js';
import { contentSecurityPolicy } from './security.js';

const root = path.resolve('/opt/tegami/dist/renderer');

describe('appSchemePrivileges', () => {
  it('registers app: as a standard, secure scheme that fetch() can use', () => {
    expect(appSchemePrivileges).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    });
  });
});

describe('resolveAppPath', () => {
  it('maps app URLs to files under the renderer directory', () => {
    expect(resolveAppPath(root, 'app://tegami/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://tegami/assets/index-Ab1.js')).toBe(path.join(root, 'assets', 'index-Ab1.js'));
    expect(resolveAppPath(root, 'app://tegami/assets/a%20b.css')).toBe(path.join(root, 'assets', 'a b.css'));
    expect(resolveAppPath(root, 'app://tegami/index.html?x=1#y')).toBe(path.join(root, 'index.html'));
  });

  it('serves index.html for a directory', () => {
    expect(resolveAppPath(root, 'app://tegami/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://tegami')).toBe(path.join(root, 'index.html'));
  });

  it('keeps dot segments the URL parser resolves inside the root (as Chromium does for app:)', () => {
    expect(resolveAppPath(root, 'app://tegami/../../../etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    expect(resolveAppPath(root, 'app://tegami/%2e%2e/%2E%2E/etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    expect(resolveAppPath(root, 'app://tegami/assets/../index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://tegami/%2e')).toBe(path.join(root, 'index.html'));
  });

  it.each([
    'app://tegami/..%2f..%2f..%2fetc%2fpasswd',
    'app://tegami/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    'app://tegami/assets/..%2f..%2f..%2fetc%2fpasswd',
    'app://tegami/..%5c..%5cwindows%5cwin.ini',
    'app://tegami/assets%5c..%5c..%5csecret',
    'app://tegami/%2F..%2Frenderer-secrets%2Fx',
    'app://tegami/..%2frenderer2%2fx.js',
    'app://tegami/assets/..%2F',
    'app://tegami/index.html%00.png',
    'app://tegami/%00',
    'app://tegami/%E0%A4%A',
  ])('refuses the traversal or malformed path %s', (url) => {
    expect(resolveAppPath(root, url)).toBeNull();
  });

  it('treats an encoded absolute path as relative to the root', () => {
    expect(resolveAppPath(root, 'app://tegami/%2fetc%2fpasswd')).toBe(path.join(root, 'etc', 'passwd'));
  });

  it('refuses foreign URLs and a relative root', () => {
    expect(resolveAppPath(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppPath(root, 'https://tegami/index.html')).toBeNull();
    expect(resolveAppPath(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveAppPath('relative/root', 'app://tegami/index.html')).toBeNull();
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.CSS', 'text/css; charset=utf-8'],
    ['icon.svg', 'image/svg+xml'],
    ['font.woff2', 'font/woff2'],
    ['unknown.bin', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ])('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});

describe('createAppProtocolHandler', () => {
  let dir: string;
  let handler: (request: Request) => Promise<Response>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tegami-protocol-'));
    const renderer = path.join(dir, 'renderer');
    await mkdir(path.join(renderer, 'assets'), { recursive: true });
    await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Tegami</title>');
    await writeFile(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(dir, 'secret.txt'), 'outside');
    handler = createAppProtocolHandler({ root: renderer });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a file with its type and the CSP', async () => {
    const response = await handler(new Request('app://tegami/index.html'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Tegami</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');

    const script = await handler(new Request('app://tegami/assets/app.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 with the CSP for a missing file, a directory or a traversal', async () => {
    for (const url of [
      'app://tegami/missing.js',
      'app://tegami/assets',
      'app://tegami/%2e%2e/secret.txt',
      'app://tegami/..%2fsecret.txt',
    ]) {
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
      expect(await response.text()).not.toContain('outside');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await handler(new Request('app://tegami/index.html', { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
    const head = await handler(new Request('app://tegami/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
