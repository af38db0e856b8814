import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ok, type Result } from '../../shared/domain/errors.js';
import type { Engine, EngineEventListener } from '../engine/engine.js';
import { resolveStaticPath, startWebServer, tokenMatches, type WebServer } from './server.js';

/** A fake engine: records calls, answers ok, and lets the test emit events. */
function fakeEngine() {
  const calls: { name: unknown; input: unknown }[] = [];
  const listeners = new Set<EngineEventListener>();
  const engine: Engine = {
    invoke: async (name, input): Promise<Result<unknown>> => {
      calls.push({ name, input });
      return ok({ echoed: name });
    },
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: async () => undefined,
  };
  return { engine, calls, emit: (payload: { accountId: number }) => listeners.forEach((l) => l('mailboxes.changed', payload)) };
}

let dir: string;
let server: WebServer;
let fake: ReturnType<typeof fakeEngine>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-web-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Tegami</title>');
  fake = fakeEngine();
  server = await startWebServer({ engine: fake.engine, rendererDir: dir });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (urlPath: string, host = `127.0.0.1:${server.port}`) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: server.port, path: urlPath, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });

const connect = (opts: { token?: string; origin?: string; host?: string } = {}) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc?token=${opts.token ?? server.token}`, {
      origin: opts.origin ?? `http://127.0.0.1:${server.port}`,
      headers: opts.host ? { host: opts.host } : {},
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });

describe('browser-mode server', () => {
  it('listens on loopback and puts the token in the URL fragment only', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=`));
  });

  it('serves the renderer with a strict CSP', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Tegami</title>');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/', `evil.example:${server.port}`)).status).toBe(421);
  });

  it('never serves files outside the renderer folder', async () => {
    expect((await get('/../../etc/passwd')).status).not.toBe(200);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(400);
    expect(resolveStaticPath('/srv/app', '/../secret')).toBeNull();
    expect(resolveStaticPath('/srv/app', '/a/b.js')).toBe(path.resolve('/srv/app/a/b.js'));
  });

  it.each([
    ['a wrong token', { token: 'wrong' }, 'HTTP 401'],
    ['another origin', { origin: 'http://evil.example' }, 'HTTP 403'],
    ['a foreign Host', { host: `evil.example:1` }, 'HTTP 421'],
  ])('refuses a WebSocket with %s', async (_what, opts, status) => {
    await expect(connect(opts)).rejects.toThrow(status);
  });

  it('relays invokes to the engine and answers with the same id', async () => {
    const ws = await connect();
    const answer = new Promise<unknown>((resolve) => ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ type: 'invoke', id: 7, name: 'accounts.list', input: {} }));
    expect(await answer).toEqual({ type: 'result', id: 7, result: { ok: true, value: { echoed: 'accounts.list' } } });
    expect(fake.calls.at(-1)).toEqual({ name: 'accounts.list', input: {} });
    ws.close();
  });

  it('pushes engine events to connected pages', async () => {
    const ws = await connect();
    const event = new Promise<unknown>((resolve) => ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    fake.emit({ accountId: 3 });
    expect(await event).toEqual({ type: 'event', event: 'mailboxes.changed', payload: { accountId: 3 } });
    ws.close();
  });

  it('closes a socket that sends something other than an invoke', async () => {
    const ws = await connect();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('not json');
    expect(await closed).toBe(1007);
  });
});

describe('tokenMatches', () => {
  it('compares in constant time and rejects missing or different tokens', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'ab')).toBe(false);
    expect(tokenMatches('abc', null)).toBe(false);
  });
});
