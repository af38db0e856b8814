import type { FetchMessageObject } from 'imapflow';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { headerValues, toHeaderRecord } from './session.js';

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

  it('repairs a raw 8-bit Shift_JIS subject that the ENVELOPE decoded to U+FFFD', () => {
    const bytes = iconv.encode('シフトJISの件名', 'Shift_JIS');
    const raw = Buffer.concat([Buffer.from('Subject: '), bytes, Buffer.from('\r\n\r\n')]);
    expect(toHeaderRecord(fetched(bytes.toString('utf8'), raw)).subject).toBe('シフトJISの件名');
    // A subject the ENVELOPE decoded cleanly is kept as it is.
    expect(toHeaderRecord(fetched('Café', Buffer.from('Subject: Caf\xe9\r\n\r\n', 'latin1'))).subject).toBe('Café');
    expect(toHeaderRecord(fetched(undefined, Buffer.alloc(0))).subject).toBe('');
  });
});
