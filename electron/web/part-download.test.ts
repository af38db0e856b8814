// Browser mode's part download (GET /api/part): what it serves, and every request it refuses.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail, ok, type Result } from '../../shared/domain/errors.js';
import type { Engine } from '../engine/engine.js';
import { startWebServer, type WebServer } from './server.js';

let dir: string;
let profile: string;
let server: WebServer;
const calls: { name: unknown; input: unknown }[] = [];
const pdf = Buffer.from('%PDF-1.4\n\x00\x01\x02\xff binary bytes\n%%EOF\n', 'latin1');

/**
 * A fake engine with a part cache: 2 is a PDF file, 3 an HTML file, 4 a text part, 5 a file outside
 * the profile, 6 a source, 7 a cached file that is gone; 8 makes the engine throw.
 */
function fakeEngine(): Engine {
  return {
    invoke: async (name, input): Promise<Result<unknown>> => {
      calls.push({ name, input });
      const { id, part } = input as { id: number; part?: string };
      const file = (n: string) => path.join(profile, 'parts', n);
      if (name === 'messages.source' && id === 6) return ok({ id, file: file('6-source'), size: 10, text: '', truncated: false });
      if (name !== 'messages.part') return fail({ code: 'INVALID_INPUT', message: 'unexpected' });
      if (id === 2 && part === '2')
        return ok({ kind: 'file', part, contentType: 'application/pdf', filename: 'Report.pdf', file: file('2-2'), size: pdf.length });
      if (id === 3 && part === '2')
        return ok({ kind: 'file', part, contentType: 'text/html', filename: 'page.html', file: file('3-2'), size: 20 });
      if (id === 4 && part === '1.2')
        return ok({ kind: 'text', part, contentType: 'text/plain', charset: 'iso-8859-1', text: 'Grüße', size: 5 });
      if (id === 5 && part === '2')
        return ok({ kind: 'file', part, contentType: 'image/png', filename: 'x.png', file: path.join(dir, 'outside.png'), size: 3 });
      if (id === 8) throw new Error('the engine broke');
      if (id === 7 && part === '2')
        return ok({ kind: 'file', part, contentType: 'image/svg+xml', filename: 'logo.svg', file: file('gone'), size: 3 });
      return fail({ code: 'NOT_FOUND', message: `This message has no part ${part}.` });
    },
    onEvent: () => () => undefined,
    close: async () => undefined,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-web-part-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Tegami</title>');
  profile = path.join(dir, 'profile');
  mkdirSync(path.join(profile, 'parts'), { recursive: true });
  writeFileSync(path.join(profile, 'parts', '2-2'), pdf);
  writeFileSync(path.join(profile, 'parts', '3-2'), '<script>alert(1)</script>');
  writeFileSync(path.join(profile, 'parts', '6-source'), 'Subject: x\r\n\r\nbody\r\n');
  writeFileSync(path.join(dir, 'outside.png'), 'secret');
  server = await startWebServer({ engine: fakeEngine(), rendererDir: dir, filesRoot: profile });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(
  urlPath: string,
  opts: { token?: string | null; origin?: string; site?: string; host?: string; method?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const headers: Record<string, string> = { host: opts.host ?? `127.0.0.1:${server.port}` };
  const token = opts.token === undefined ? server.token : opts.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (opts.origin) headers['origin'] = opts.origin;
  if (opts.site) headers['sec-fetch-site'] = opts.site;
  return new Promise((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port: server.port, path: urlPath, method: opts.method ?? 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject)
      .end();
  });
}

describe('GET /api/part', () => {
  it('streams a cached file as an attachment with its exact bytes, type and a safe name', async () => {
    const res = await get('/api/part?id=2&part=2', { origin: `http://127.0.0.1:${server.port}`, site: 'same-origin' });
    expect(res.status).toBe(200);
    expect(res.body.equals(pdf)).toBe(true);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-length']).toBe(String(pdf.length));
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Report.pdf"; filename*=UTF-8''Report.pdf`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(calls.at(-1)).toEqual({ name: 'messages.part', input: { id: 2, part: '2' } });
  });

  it('serves active types (HTML, SVG) as application/octet-stream', async () => {
    const res = await get('/api/part?id=3&part=2');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment; /);
    expect(res.body.toString()).toBe('<script>alert(1)</script>');
  });

  it('names the file from ?name= (made safe, RFC 6266 filename*), and serves a text part as UTF-8', async () => {
    const res = await get(`/api/part?id=4&part=1.2&name=${encodeURIComponent('../../Grüße "2026".txt')}`);
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe('Grüße');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Gr__e _2026_.txt"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20_2026_.txt`,
    );
  });

  it('serves the source as message/rfc822 named message.eml', async () => {
    const res = await get('/api/part?id=6&part=source');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('message/rfc822');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''message.eml`);
    expect(res.body.toString()).toBe('Subject: x\r\n\r\nbody\r\n');
  });

  it('answers HEAD with the headers only', async () => {
    const res = await get('/api/part?id=2&part=2', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(pdf.length));
    expect(res.body.length).toBe(0);
  });

  it('refuses a request without the token, or with a wrong one, before asking the engine', async () => {
    const before = calls.length;
    expect((await get('/api/part?id=2&part=2', { token: null })).status).toBe(401);
    expect((await get('/api/part?id=2&part=2', { token: 'wrong' })).status).toBe(401);
    expect((await get(`/api/part?id=2&part=2&token=${server.token}`, { token: null })).status).toBe(401);
    expect(calls.length).toBe(before);
  });

  it('refuses another origin, a cross-site fetch and a foreign Host', async () => {
    const before = calls.length;
    expect((await get('/api/part?id=2&part=2', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/api/part?id=2&part=2', { origin: 'null' })).status).toBe(403);
    expect((await get('/api/part?id=2&part=2', { site: 'cross-site' })).status).toBe(403);
    expect((await get('/api/part?id=2&part=2', { host: `evil.example:${server.port}` })).status).toBe(421);
    expect(calls.length).toBe(before);
  });

  it('refuses a malformed id or part (path traversal) with 400, before asking the engine', async () => {
    const before = calls.length;
    for (const q of [
      'id=2&part=../../etc/passwd',
      `id=2&part=${encodeURIComponent('..%2F..%2Fetc%2Fpasswd')}`,
      'id=2&part=2/../../x',
      'id=abc&part=2',
      'id=-1&part=2',
      'id=2',
      'part=2',
      `id=2&part=2&name=${'x'.repeat(1001)}`,
    ]) {
      expect((await get(`/api/part?${q}`)).status, q).toBe(400);
    }
    expect(calls.length).toBe(before);
  });

  it('answers 404 for an unknown part, with the engine’s reason', async () => {
    const res = await get('/api/part?id=2&part=9');
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe('This message has no part 9.\n');
  });

  it('refuses a file outside the profile, and a cached file that is gone', async () => {
    const outside = await get('/api/part?id=5&part=2');
    expect(outside.status).toBe(403);
    expect(outside.body.toString()).not.toContain('secret');
    expect((await get('/api/part?id=7&part=2')).status).toBe(404);
  });

  it('answers 500 when the engine fails, without its details', async () => {
    const res = await get('/api/part?id=8&part=2');
    expect(res.status).toBe(500);
    expect(res.body.toString()).toBe('The part could not be read.\n');
  });

  it('falls back to the part’s own name when ?name= is empty', async () => {
    const res = await get('/api/part?id=2&part=2&name=');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''Report.pdf`);
  });

  it('refuses anything but GET and HEAD', async () => {
    expect((await get('/api/part?id=2&part=2', { method: 'POST' })).status).toBe(405);
  });
});
