import { describe, expect, it } from 'vitest';
import { checkEml, importAll, MAX_IMPORT_BYTES, toBase64 } from './importEml.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('checkEml', () => {
  it('takes a message and the date it was sent, as the date it arrives', () => {
    const r = checkEml(bytes('Subject: Hi\r\nDate: Mon, 10 Jun 2002 10:29:00 +0100\r\n\r\nBody\r\nDate: not this one\r\n'));
    expect(r).toMatchObject({ ok: true, date: '2002-06-10T09:29:00.000Z' });
  });

  it('reads a folded Date field, and leaves the date out when there is none or it cannot be read', () => {
    expect(checkEml(bytes('Subject: x\nDate: Tue, 1 Oct 2002\n 08:00:15 +0000\n\nbody'))).toMatchObject({
      date: '2002-10-01T08:00:15.000Z',
    });
    expect(checkEml(bytes('Subject: x\r\n\r\nbody'))).toMatchObject({ ok: true, date: undefined });
    expect(checkEml(bytes('Subject: x\r\nDate: yesterday-ish\r\n\r\nbody'))).toMatchObject({ ok: true, date: undefined });
  });

  it('drops an mbox "From " line before the message', () => {
    const r = checkEml(bytes('From sender@example.com Mon Jun 10 10:29:00 2002\nSubject: Hi\n\nBody\n'));
    expect(r.ok && new TextDecoder().decode(r.raw)).toBe('Subject: Hi\n\nBody\n');
  });

  it('refuses what is not a message: empty, a picture, text without a header, too large', () => {
    expect(checkEml(new Uint8Array())).toEqual({ ok: false, reason: 'empty' });
    expect(checkEml(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toEqual({ ok: false, reason: 'notMail' });
    expect(checkEml(bytes('Dear Alice,\n\nthis is a letter.\n'))).toEqual({ ok: false, reason: 'notMail' });
    expect(checkEml(bytes('From nobody'))).toEqual({ ok: false, reason: 'notMail' });
    expect(checkEml(new Uint8Array(MAX_IMPORT_BYTES + 1))).toEqual({ ok: false, reason: 'tooLarge' });
  });
});

describe('toBase64', () => {
  it('encodes bytes of any size, and decodes back to them', () => {
    const big = new Uint8Array(100_001).map((_, i) => (i * 7) % 256);
    const back = Uint8Array.from(atob(toBase64(big)), (c) => c.charCodeAt(0));
    expect(back).toEqual(big);
    expect(toBase64(bytes('Tegami 手紙'))).toBe('VGVnYW1pIOaJi+e0mQ==');
    expect(toBase64(new Uint8Array())).toBe('');
  });
});

describe('importAll', () => {
  const file = (name: string, content: string | Error) => ({
    name,
    arrayBuffer: () => (content instanceof Error ? Promise.reject(content) : Promise.resolve(bytes(content).buffer as ArrayBuffer)),
  });

  it('appends each message with its date, and names every file that failed with why', async () => {
    const appended: Array<{ raw: string; date: string | undefined }> = [];
    const result = await importAll(
      [
        file('good.eml', 'Subject: good\r\nDate: Tue, 1 Oct 2002 08:00:15 +0000\r\n\r\nbody'),
        file('gone.eml', new Error('NotReadableError: the file could not be read')),
        file('letter.txt', 'Dear Alice,\n\nhello'),
        file('refused.eml', 'Subject: refused\r\n\r\nbody'),
        file('undated.eml', 'Subject: undated\r\n\r\nbody'),
      ],
      async (raw, date) => {
        if (atob(raw).includes('refused')) throw new Error('The server is full');
        appended.push({ raw, date });
      },
      (reason) => `refused: ${reason}`,
      (error) => `failed: ${(error as Error).message}`,
    );
    expect(result.imported).toBe(2);
    expect(appended.map((a) => [atob(a.raw).split('\r\n')[0], a.date])).toEqual([
      ['Subject: good', '2002-10-01T08:00:15.000Z'],
      ['Subject: undated', undefined],
    ]);
    expect(result.failed).toEqual([
      { file: 'gone.eml', reason: 'failed: NotReadableError: the file could not be read' },
      { file: 'letter.txt', reason: 'refused: notMail' },
      { file: 'refused.eml', reason: 'failed: The server is full' },
    ]);
  });
});
