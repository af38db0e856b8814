/**
 * The `app://tegami/` protocol: serves the built renderer (dist/renderer) and nothing else.
 * A privileged standard scheme gives the page a real origin (so `'self'` in the CSP means our files
 * and nothing on disk beside them), unlike file://, which Electron's checklist advises against.
 */
import path from 'node:path';
import { readFile as fsReadFile } from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { appScheme, contentSecurityPolicy, isAppUrl } from './security.js';

/** Registered with `protocol.registerSchemesAsPrivileged` before the app is ready. */
export const appSchemePrivileges: CustomScheme = {
  scheme: appScheme,
  // corsEnabled: Vite's output loads `<script type="module" crossorigin>`, a CORS request.
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

export const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(filePath: string): string {
  return contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps an `app://tegami/…` URL to a file inside `root`, or null when the URL is not ours or would
 * leave `root` (`..`, encoded `%2e%2e`, `%2f`, backslashes, NUL bytes, absolute paths).
 * `root` must be absolute. A path ending in `/` means its index.html.
 */
export function resolveAppPath(root: string, url: string): string | null {
  if (!path.isAbsolute(root) || !isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (pathname.includes('\0')) return null;
  // The URL parser already removed literal and %2e dot segments; what is left after decoding is
  // "..%2f" and "..%5c", which no page of ours ever asks for: refuse rather than clamp.
  if (pathname.split(/[\\/]/).includes('..')) return null;
  // Node's URL leaves the path of 'app://tegami' empty (Chromium, knowing app: is standard, says '/').
  if (pathname === '' || pathname.endsWith('/')) pathname += 'index.html';
  const base = path.resolve(root);
  // Resolve as relative to root ('.' + '/…'), whatever the decoded path looks like, then make sure
  // the normalized result is still strictly inside root.
  const resolved = path.resolve(base, `.${path.sep}${path.normalize(pathname)}`);
  if (!resolved.startsWith(base + path.sep)) return null;
  return resolved;
}

export interface AppProtocolOptions {
  /** Absolute path of the built renderer: `<app path>/dist/renderer`. */
  root: string;
  /** Injected for tests; node:fs/promises readFile by default. */
  readFile?: (file: string) => Promise<Uint8Array>;
}

function headers(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
}

/** The handler given to `protocol.handle('app', …)`. */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const readFile = options.readFile ?? ((file: string) => fsReadFile(file));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405, headers: { ...headers('text/plain; charset=utf-8'), Allow: 'GET, HEAD' } });
    }
    const file = resolveAppPath(options.root, request.url);
    if (file === null) return notFound();
    let body: Uint8Array;
    try {
      body = await readFile(file);
    } catch {
      return notFound(); // missing, a directory, unreadable: the page gets no details about the disk
    }
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(contentTypeFor(file)) });
  };
}
