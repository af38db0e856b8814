import type { FetchMessageObject, ImapFlow } from 'imapflow';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { fetchPreviews } from './parts.js';
import { attachmentsOf, declaredCharset, headerValues, lostBytes, mendRecord, referencesOf, sentTime, toHeaderRecord } from './session.js';

const fetched = (subject: string | undefined, headers: Buffer): FetchMessageObject =>
  ({ seq: 1, uid: 7, envelope: { subject }, headers, flags: new Set<string>(), internalDate: new Date(0), size: 10 }) as FetchMessageObject;

describe('header fields of a HEADER.FIELDS response', () => {
  it('unfolds, keeps order and duplicates, and ignores other fields', () => {
    const raw = Buffer.from('Subject: one\r\nReferences: <a@x>\r\n <b@x>\r\nSubject: two\r\n\r\n');
    expect(headerValues(raw, 'subject')).toEqual(['one', 'two']);
    expect(headerValues(raw, 'References')).toEqual(['<a@x> <b@x>']);
    expect(headerValues(undefined, 'subject')).toEqual([]);
  });

  it('takes References from that field only, never from a Subject holding <…>', () => {
    const raw = Buffer.from('Subject: see <not-a-ref@x>\r\nReferences: <r1@x>\r\n\t<r2@x>\r\n\r\n');
    expect(toHeaderRecord(fetched('see <not-a-ref@x>', raw)).references).toEqual(['<r1@x>', '<r2@x>']);
  });

  it('reads References ids in one pass exactly as unfolding the field and matching <…> would', () => {
    const slow = (raw: Buffer | undefined) =>
      [
        ...headerValues(raw, 'references')
          .join(' ')
          .matchAll(/<[^<>\s]+>/g),
      ].map((m) => m[0]);
    const samples = [
      'References: <a@x>\r\n <b@x>\r\n\r\n',
      'REFERENCES:<a@x> <b@x>\n\t<c@x>\n\n',
      'References:\r\n <only-folded@x>\r\n\r\n',
      'References: <a@x>\r\nReferences: <second-field@x>\r\n\r\n',
      'Subject: <no@x>\r\n folded <still-subject@x>\r\nReferences: <r@x>\r\n',
      'References: <broken\r\n @x> <ok@x>\r\n',
      'References: no ids here\r\n',
      'References-Extra: <not-this@x>\r\nReferencesX: <nor@x>\r\n',
      '',
    ];
    for (const text of samples) expect(referencesOf(Buffer.from(text, 'latin1')), text).toEqual(slow(Buffer.from(text, 'latin1')));
    expect(referencesOf(Buffer.from('References: <a@x>\r\n <b@x>\r\n'))).toEqual(['<a@x>', '<b@x>']);
    expect(referencesOf(undefined)).toEqual([]);
  });

  it('repairs a raw 8-bit Shift_JIS subject that the ENVELOPE decoded to U+FFFD', () => {
    const bytes = iconv.encode('シフトJISの件名', 'Shift_JIS');
    const raw = Buffer.concat([Buffer.from('Subject: '), bytes, Buffer.from('\r\n\r\n')]);
    expect(toHeaderRecord(fetched(bytes.toString('utf8'), raw)).subject).toBe('シフトJISの件名');
    // A subject the ENVELOPE decoded cleanly is kept as it is.
    expect(toHeaderRecord(fetched('Café', Buffer.from('Subject: Caf\xe9\r\n\r\n', 'latin1'))).subject).toBe('Café');
    expect(toHeaderRecord(fetched(undefined, Buffer.alloc(0))).subject).toBe('');
  });

  it('reads a raw 8-bit subject in the charset the message declares for its text (Big5)', () => {
    const bytes = iconv.encode('龍鳳呈祥', 'big5');
    const raw = Buffer.concat([Buffer.from('Subject: '), bytes, Buffer.from('\r\n\r\n')]);
    const html = { part: '1', type: 'text/html', parameters: { charset: 'CHINESEBIG5' } };
    const withStructure = { ...fetched(bytes.toString('utf8'), raw), bodyStructure: html } as FetchMessageObject;
    expect(toHeaderRecord(withStructure).subject).toBe('龍鳳呈祥');
    expect(toHeaderRecord(fetched(bytes.toString('utf8'), raw)).subject).not.toBe('龍鳳呈祥'); // no structure, no hint
  });

  it('mends display names the ENVELOPE lost bytes of, by address, from the raw fields', async () => {
    const sjis = (text: string) => iconv.encode(text, 'Shift_JIS');
    const lossy = (text: string) => sjis(text).toString('utf8'); // what imapflow makes of the raw bytes
    const record = toHeaderRecord({
      ...fetched('names', Buffer.alloc(0)),
      envelope: {
        subject: 'names',
        from: [{ name: lossy('山田 花子'), address: 'yamada@example.jp' }],
        to: [
          { name: lossy('田中 太郎'), address: 'tanaka@example.jp' },
          { name: 'Kept', address: 'kept@example.com' },
          { name: lossy('不明'), address: 'nowhere@example.jp' },
        ],
      },
    } as FetchMessageObject);
    expect(lostBytes(record)).toBe(true);
    const raw = Buffer.concat([
      Buffer.from('From: '),
      sjis('山田 花子'),
      Buffer.from(' <yamada@example.jp>\r\nTo: "'),
      sjis('田中 太郎'),
      Buffer.from('" <TANAKA@example.jp>, Kept <kept@example.com>\r\n\r\n'),
    ]);
    await mendRecord(record, raw);
    expect(record.from).toEqual({ name: '山田 花子', address: 'yamada@example.jp' });
    expect(record.to.map((a) => a.name)).toEqual(['田中 太郎', 'Kept', lossy('不明')]); // an address not in the fields stays
    expect(lostBytes(toHeaderRecord(fetched('clean', Buffer.alloc(0))))).toBe(false);
  });

  it('takes the first text part’s charset, not an attached message’s', () => {
    const node = (type: string, charset?: string, childNodes?: object[]) => ({
      type,
      ...(charset ? { parameters: { charset } } : {}),
      ...(childNodes ? { childNodes } : {}),
    });
    const mixed = node('multipart/mixed', undefined, [
      node('message/rfc822', undefined, [node('text/plain', 'koi8-r')]),
      node('multipart/alternative', undefined, [node('text/plain', 'big5'), node('text/html', 'utf-8')]),
      node('image/png'),
    ]);
    expect(declaredCharset(mixed as never)).toBe('big5');
    expect(declaredCharset(node('image/png') as never)).toBeNull();
    expect(declaredCharset(undefined)).toBeNull();
  });
});

describe('fetchPreviews', () => {
  const client = (responses: FetchMessageObject[], failAfter?: number) =>
    ({
      async *fetch() {
        for (const [i, r] of responses.entries()) {
          if (i === failAfter) throw Object.assign(new Error('Command failed'), { responseStatus: 'NO' });
          yield r;
        }
        if (failAfter === responses.length) throw new Error('Connection closed');
      },
    }) as unknown as ImapFlow;
  const message = (uid: number, subject: string): FetchMessageObject =>
    ({
      seq: uid,
      uid,
      envelope: { subject, from: [{ name: '田中 太郎', address: 'tanaka@example.jp' }] },
      internalDate: new Date('2026-11-01T09:00:00Z'),
      size: 1234,
      headers: Buffer.from(`Subject: ${subject}\r\n\r\n`),
    }) as FetchMessageObject;

  it('gives each UID its sender, subject, date and size', async () => {
    const previews = await fetchPreviews(client([message(7, '会議'), message(9, 'Lunch')]), [7, 9]);
    expect(previews.get(7)).toEqual({
      from: { name: '田中 太郎', address: 'tanaka@example.jp' },
      subject: '会議',
      date: '2026-11-01T09:00:00.000Z',
      size: 1234,
    });
    expect([...previews.keys()]).toEqual([7, 9]);
  });

  it('gives what it has when the server refuses the FETCH or drops the connection, without failing the search', async () => {
    expect((await fetchPreviews(client([message(7, 'a'), message(9, 'b')], 1), [7, 9])).size).toBe(1);
    expect((await fetchPreviews(client([message(7, 'a')], 1), [7])).size).toBe(1);
    expect((await fetchPreviews(client([message(7, 'a')], 0), [7])).size).toBe(0);
  });
});

describe('sentTime', () => {
  it('reads a three-digit year as years since 1900 (RFC 5322 4.3), and leaves others alone', () => {
    expect(new Date(sentTime(new Date('Mon, 10 Jun 102 10:00:00 +0000')) ?? 0).toISOString()).toBe('2002-06-10T10:00:00.000Z');
    expect(new Date(sentTime(new Date('10 Jun 99 10:00:00 GMT')) ?? 0).toISOString()).toBe('1999-06-10T10:00:00.000Z');
    expect(new Date(sentTime(new Date('Thu, 1 Jan 2026 09:04:00 +0900')) ?? 0).toISOString()).toBe('2026-01-01T00:04:00.000Z');
    expect(sentTime('not a date')).toBeNull();
    expect(sentTime(undefined)).toBeNull();
  });
});

describe('attachmentsOf', () => {
  const part = (n: string, type: string, extra: Record<string, unknown> = {}) => ({ part: n, type, size: 100, ...extra });
  it('counts as inline only an image the HTML refers to by Content-ID; a part the sender marked inline is an attachment', () => {
    const found = attachmentsOf({
      type: 'multipart/mixed',
      childNodes: [
        {
          type: 'multipart/related',
          childNodes: [
            part('1.1', 'text/html'),
            part('1.2', 'image/png', { id: '<logo@x>', disposition: 'inline', dispositionParameters: { filename: 'logo.png' } }),
            part('1.3', 'image/gif', { id: '<dot@x>' }),
          ],
        },
        part('2', 'image/jpeg', { disposition: 'inline', dispositionParameters: { filename: 'photo.jpg' } }), // Apple Mail's photo
        part('3', 'application/pdf', { disposition: 'inline', dispositionParameters: { filename: 'plan.pdf' } }),
        part('4', 'image/png', { id: '<also@x>', disposition: 'attachment', dispositionParameters: { filename: 'chart.png' } }),
      ],
    } as never);
    expect(found.map((a) => [a.part, a.inline])).toEqual([
      ['1.2', true],
      ['1.3', true],
      ['2', false],
      ['3', false],
      ['4', false],
    ]);
  });
});
