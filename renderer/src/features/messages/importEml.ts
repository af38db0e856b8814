/**
 * Importing message files (.eml, RFC 5322) into a folder: what the engine's `messages.append` takes
 * from a file the user chose or dropped. Pure: no DOM, no engine.
 */

/** The largest file imported: `messages.append` takes up to 70,000,000 characters of base64. */
export const MAX_IMPORT_BYTES = 52 * 1024 * 1024;

export type ImportCheck = { ok: true; raw: Uint8Array; date: string | undefined } | { ok: false; reason: 'empty' | 'tooLarge' | 'notMail' };

/** A header field's first line: a name of printable characters but the colon, then a colon (RFC 5322 2.2). */
const FIELD = /^[\x21-\x39\x3b-\x7e]+:/;

const latin1 = (bytes: Uint8Array, end: number): string => {
  let s = '';
  for (let i = 0; i < end; i += 8192) s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
  return s;
};

/**
 * Checks a file's bytes as a message and reads what its APPEND takes: the message (without an mbox
 * "From " line before it, which is no part of it) and the date it was sent, as the date it arrives
 * in the folder (RFC 3501 APPEND's date-time), so imported old mail sorts where it belongs. A file
 * that does not start with a header field is not a message (a picture, a document).
 */
export function checkEml(bytes: Uint8Array): ImportCheck {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length > MAX_IMPORT_BYTES) return { ok: false, reason: 'tooLarge' };
  let raw = bytes;
  let head = latin1(raw, Math.min(raw.length, 256 * 1024));
  if (head.startsWith('From ')) {
    const eol = head.indexOf('\n');
    if (eol < 0) return { ok: false, reason: 'notMail' };
    raw = raw.subarray(eol + 1);
    head = head.slice(eol + 1);
  }
  if (!FIELD.test(head)) return { ok: false, reason: 'notMail' };
  const end = /\r?\n\r?\n/.exec(head);
  const fields = (end ? head.slice(0, end.index) : head).replace(/\r?\n[ \t]+/g, ' ');
  const value = /^date:[ \t]*(.*)$/im.exec(fields)?.[1]?.trim();
  const time = value ? Date.parse(value) : NaN;
  return { ok: true, raw, date: Number.isFinite(time) ? new Date(time).toISOString() : undefined };
}

/** Bytes as base64, in chunks (one String.fromCharCode over megabytes overflows the stack). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 32_768) binary += String.fromCharCode(...bytes.subarray(i, i + 32_768));
  return btoa(binary);
}

/** What importAll reads of a file: a DOM File is one. */
export interface ImportFile {
  name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Imports files one by one through `append` (the message as base64, and the date it was sent when
 * it has one). Every file that fails is named with why: refused by checkEml (`refused` words it),
 * unreadable (gone since it was chosen) or refused by the engine (`failure` words those).
 */
export async function importAll(
  files: readonly ImportFile[],
  append: (raw: string, date: string | undefined) => Promise<unknown>,
  refused: (reason: Exclude<ImportCheck, { ok: true }>['reason']) => string,
  failure: (error: unknown) => string,
): Promise<{ imported: number; failed: Array<{ file: string; reason: string }> }> {
  let imported = 0;
  const failed: Array<{ file: string; reason: string }> = [];
  for (const file of files) {
    try {
      const checked = checkEml(new Uint8Array(await file.arrayBuffer()));
      if (!checked.ok) {
        failed.push({ file: file.name, reason: refused(checked.reason) });
        continue;
      }
      await append(toBase64(checked.raw), checked.date);
      imported++;
    } catch (error) {
      failed.push({ file: file.name, reason: failure(error) });
    }
  }
  return { imported, failed };
}
