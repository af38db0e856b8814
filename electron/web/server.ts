import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireToClient } from '../../shared/ipc/bridge.js';
import type { ErrorInfo, Result } from '../../shared/domain/errors.js';
import { contentDisposition, defaultFilename, downloadContentType, FileRef, safeFilename, SOURCE } from '../../shared/domain/files.js';
import type { Engine } from '../engine/engine.js';

/**
 * Browser mode: serves the built renderer and the same typed contract over a WebSocket, on loopback
 * only. A random token (in the URL fragment, so it never appears in a request line or a log) guards
 * the socket, and Host and Origin are checked, so neither another local user's page nor a DNS
 * rebinding attack can reach the engine.
 */
export interface WebServerOptions {
  engine: Engine;
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: '127.0.0.1' | '::1';
  token?: string;
  /** The profile directory: a part is only ever served from inside it (the engine's part cache). */
  filesRoot?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    // 'self' covers ws: to the page's own host and port (CSP 3); the explicit sources cover a page
    // opened as localhost talking to 127.0.0.1 and back. (Chromium rejects an IPv6 literal here.)
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Resolves a request path inside root, or null when it would leave root. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = path.resolve(root, relative);
  const base = path.resolve(root);
  return full === base || full.startsWith(base + path.sep) ? full : null;
}

export const allowedHosts = (port: number) => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
export const allowedOrigins = (port: number) => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]);

export function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const bindHost = options.host ?? '127.0.0.1';
  let port = 0;
  const sockets = new Set<WebSocket>();

  const server = http.createServer((req, res) => {
    const headers = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (!allowedHosts(port).has(req.headers.host ?? '')) {
      res.writeHead(421, { ...headers, 'Content-Type': 'text/plain' }).end('Misdirected request\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    if ((req.url ?? '/').split('?')[0] === PART_PATH) {
      void servePart(req, res, headers);
      return;
    }
    const file = resolveStaticPath(options.rendererDir, req.url ?? '/');
    if (!file) {
      res.writeHead(400, headers).end();
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) throw new Error('not a file');
        res.writeHead(200, {
          ...headers,
          'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
          'Content-Length': info.size,
          'Content-Security-Policy': contentSecurityPolicy(port),
          'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'no-cache',
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      },
      () => res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found\n'),
    );
  });

  /**
   * GET /api/part?id=…&part=…[&name=…]: one part of a message (or its source, part=source) as a
   * download. Checked like the WebSocket: the Host, the token (here in an Authorization header, so it
   * never appears in a URL or the browser's download list), and the Origin whenever the browser
   * sends one (it does not for a same-origin GET); Sec-Fetch-Site, when sent, must be same-origin.
   * The engine fetches the part into its cache first if needed (messages.part / messages.source).
   */
  async function servePart(req: http.IncomingMessage, res: http.ServerResponse, headers: Record<string, string>): Promise<void> {
    const refuse = (status: number, message: string) =>
      void res
        .writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
        .end(`${message}\n`);
    try {
      const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
      if (!tokenMatches(token, auth?.[1] ?? null)) return refuse(401, 'Unauthorized');
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins(port).has(origin)) return refuse(403, 'Forbidden');
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') return refuse(403, 'Forbidden');
      const params = new URL(req.url ?? '/', 'http://placeholder').searchParams;
      const ref = FileRef.safeParse({
        id: /^\d{1,15}$/.test(params.get('id') ?? '') ? Number(params.get('id')) : params.get('id'),
        part: params.get('part'),
        ...(params.has('name') ? { filename: params.get('name') } : {}),
      });
      if (!ref.success) return refuse(400, 'Bad request');
      const { id, part, filename } = ref.data;
      const answer = (
        part === SOURCE
          ? await options.engine.invoke('messages.source', { id })
          : await options.engine.invoke('messages.part', { id, part })
      ) as Result<{ kind?: 'text' | 'file'; file?: string; text?: string; contentType?: string; filename?: string | null }>;
      if (!answer.ok) return refuse(statusOf(answer.error), answer.error.message);
      const value = answer.value;
      const name = safeFilename(filename || value.filename || null, defaultFilename(part));
      const type = part === SOURCE ? 'message/rfc822' : downloadContentType(value.contentType);
      const common = {
        ...headers,
        'Content-Disposition': contentDisposition(name),
        'Content-Security-Policy': "sandbox; default-src 'none'",
        'Cache-Control': 'no-store',
      };
      if (value.kind === 'text') {
        // A text attachment is cached decoded: it is served as UTF-8.
        const bytes = Buffer.from(value.text ?? '', 'utf8');
        res.writeHead(200, {
          ...common,
          'Content-Type': type.startsWith('text/') ? `${type}; charset=utf-8` : type,
          'Content-Length': bytes.length,
        });
        res.end(req.method === 'HEAD' ? undefined : bytes);
        return;
      }
      const file = value.file ? await realpath(value.file).catch(() => null) : null;
      const root = options.filesRoot ? await realpath(options.filesRoot).catch(() => null) : null;
      if (file === null) return refuse(404, 'The part is no longer in the cache. Try again.');
      if (options.filesRoot !== undefined && (root === null || !file.startsWith(root + path.sep))) return refuse(403, 'Forbidden');
      const info = await stat(file);
      if (!info.isFile()) return refuse(404, 'Not found');
      res.writeHead(200, { ...common, 'Content-Type': type, 'Content-Length': info.size });
      if (req.method === 'HEAD') res.end();
      else
        createReadStream(file)
          .on('error', () => res.destroy())
          .pipe(res);
    } catch {
      if (!res.headersSent) refuse(500, 'The part could not be read.');
      else res.destroy();
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refuse = (status: number, why: string) => {
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ipc') return refuse(404, 'Not Found');
    if (!allowedHosts(port).has(req.headers.host ?? '')) return refuse(421, 'Misdirected Request');
    if (!allowedOrigins(port).has(req.headers.origin ?? '')) return refuse(403, 'Forbidden');
    if (!tokenMatches(token, url.searchParams.get('token'))) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      const m = message as { type?: unknown; id?: unknown; name?: unknown; input?: unknown };
      if (m.type !== 'invoke' || typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return ws.close(1008, 'bad message');
      const id = m.id;
      void options.engine.invoke(m.name, m.input).then((result) => send(ws, { type: 'result', id, result }));
    });
  });

  const unsubscribe = options.engine.onEvent((event, payload) => {
    for (const ws of sockets) send(ws, { type: 'event', event, payload });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = bindHost === '::1' ? '[::1]' : bindHost;

  return {
    url: `http://${shownHost}:${port}/#token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Where browser mode serves message parts as downloads. */
export const PART_PATH = '/api/part';

function statusOf(error: ErrorInfo): number {
  return error.code === 'NOT_FOUND' ? 404 : error.code === 'INVALID_INPUT' ? 400 : 502;
}

function send(ws: WebSocket, message: WireToClient): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
