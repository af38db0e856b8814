import { describe, expect, it, vi } from 'vitest';
import { TegamiError } from '../../../../shared/domain/errors.js';
import { filenameFromDisposition, readPart } from './files.js';

describe('filenameFromDisposition', () => {
  it('prefers filename* (RFC 8187), then filename, else null', () => {
    expect(filenameFromDisposition(`attachment; filename="__ Q3.pdf"; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%20Q3.pdf`)).toBe('見積 Q3.pdf');
    expect(filenameFromDisposition('attachment; filename="plain.zip"')).toBe('plain.zip');
    expect(filenameFromDisposition(`attachment; filename="fallback.txt"; filename*=UTF-8''%E0%A4`)).toBe('fallback.txt');
    expect(filenameFromDisposition('attachment')).toBeNull();
    expect(filenameFromDisposition(null)).toBeNull();
  });
});

describe('readPart', () => {
  const bytes = new Uint8Array(Array.from({ length: 3000 }, (_, i) => i % 256));

  it('asks /api/part with the token in a header (not the URL) and reports progress chunk by chunk', async () => {
    const fetchImpl = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes.slice(0, 1000));
          c.enqueue(bytes.slice(1000));
          c.close();
        },
      });
      return new Response(body, {
        headers: {
          'content-type': 'application/pdf',
          'content-length': '3000',
          'content-disposition': `attachment; filename="a.pdf"; filename*=UTF-8''%C3%A4.pdf`,
        },
      });
    });
    const progress: [number, number | null][] = [];
    const { blob, name } = await readPart(
      { id: 7, part: '1.2', filename: 'ä.pdf' },
      'sekrit',
      (r, t) => progress.push([r, t]),
      fetchImpl as typeof fetch,
    );
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe(`/api/part?id=7&part=1.2&name=${encodeURIComponent('ä.pdf')}`);
    expect(String(url)).not.toContain('sekrit');
    expect(init?.headers).toEqual({ Authorization: 'Bearer sekrit' });
    expect(progress).toEqual([
      [1000, 3000],
      [3000, 3000],
    ]);
    expect(name).toBe('ä.pdf');
    expect(blob.type).toBe('application/pdf');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
  });

  it('turns a refusal into a TegamiError with the server’s reason', async () => {
    const fetchImpl = async () => new Response('This message has no part 9.\n', { status: 404 });
    const error = await readPart({ id: 7, part: '9' }, 't', () => undefined, fetchImpl as typeof fetch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TegamiError);
    expect((error as TegamiError).info).toEqual({ code: 'NOT_FOUND', message: 'This message has no part 9.' });
    const empty = async () => new Response('', { status: 401 });
    const denied = await readPart({ id: 7, part: '2' }, 't', () => undefined, empty as typeof fetch).catch((e: unknown) => e);
    expect((denied as TegamiError).info).toEqual({ code: 'INTERNAL', message: 'The file could not be downloaded (HTTP 401).' });
  });
});
