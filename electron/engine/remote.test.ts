import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRemoteImage } from './remote.js';

const png = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4b10000000049454e44ae426082',
  'hex',
);
let server: http.Server;
let base: string;
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/pixel.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else if (req.url === '/evil.svg') res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg onload="alert(1)"/>');
    else if (req.url === '/big.png') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(2048));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('fetchRemoteImage', () => {
  it('fetches a picture without cookies or a referrer', async () => {
    const r = await fetchRemoteImage(`${base}/pixel.png`);
    expect(r).toMatchObject({ contentType: 'image/png', size: png.length });
    expect(Buffer.from(r.base64, 'base64').equals(png)).toBe(true);
    expect(seen.at(-1)?.cookie).toBeUndefined();
    expect(seen.at(-1)?.referer).toBeUndefined();
  });
  it.each([
    ['javascript:alert(1)', /http and https/],
    ['file:///etc/passwd', /http and https/],
    ['not a url', /not a web address/],
  ])('refuses %s', async (url, message) => {
    await expect(fetchRemoteImage(url)).rejects.toThrow(message);
  });
  it('refuses SVG (it can carry script), missing images and images over the limit', async () => {
    await expect(fetchRemoteImage(`${base}/evil.svg`)).rejects.toThrow(/did not send a picture/);
    await expect(fetchRemoteImage(`${base}/missing.png`)).rejects.toThrow(/404/);
    await expect(fetchRemoteImage(`${base}/big.png`, { limit: 1000 })).rejects.toThrow(/too large/);
  });
});
