import { decodeBytes, repairLatin1Header } from './charset.js';
import { decodeTransfer } from './transfer.js';

/**
 * RFC 2047 encoded-words ("=?ISO-2022-JP?B?GyRCJEgbKEI=?=") and RFC 2231 extended parameter values
 * ("UTF-8''%E8%A6%8B.pdf"), for header values and file names that reach us undecoded. Adjacent
 * encoded-words are joined before decoding (RFC 2047 6.2: the whitespace between them is not
 * text), so a multi-byte character split across two words still decodes.
 */

const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return decodeTransfer(Buffer.from(text, 'latin1'), 'base64');
  // RFC 2047 4.2: "_" is a space; otherwise quoted-printable.
  return decodeTransfer(Buffer.from(text.replace(/_/g, ' '), 'latin1'), 'quoted-printable');
}

/** `hint`: the charset raw 8-bit bytes outside encoded-words are tried in first (see repairLatin1Header). */
export function decodeWords(value: string, hint?: string | null): string {
  if (!value.includes('=?')) return repairLatin1Header(value, hint);
  // Join adjacent words of the same charset and encoding into one run of bytes.
  const runs: Array<{ start: number; end: number; charset: string; bytes: Buffer[] }> = [];
  for (const m of value.matchAll(WORD)) {
    const [whole, rawCharset = '', encoding = 'B', text = ''] = m;
    const charset = rawCharset.replace(/\*.*$/, ''); // RFC 2231 5: =?charset*lang?…
    const start = m.index;
    const prev = runs.at(-1);
    const between = prev ? value.slice(prev.end, start) : null;
    const bytes = wordBytes(encoding, text);
    if (prev && between !== null && /^\s*$/.test(between) && prev.charset.toLowerCase() === charset.toLowerCase()) {
      prev.bytes.push(bytes);
      prev.end = start + whole.length;
    } else {
      runs.push({ start, end: start + whole.length, charset, bytes: [bytes] });
    }
  }
  let out = '';
  let at = 0;
  for (const run of runs) {
    const gap = value.slice(at, run.start);
    // Whitespace between two encoded-words is dropped (RFC 2047 6.2).
    out += at > 0 && /^\s*$/.test(gap) ? '' : repairLatin1Header(gap, hint);
    out += decodeBytes(Buffer.concat(run.bytes), run.charset).text;
    at = run.end;
  }
  return out + repairLatin1Header(value.slice(at), hint);
}

/** RFC 2231 4: charset'language'percent-encoded-value. Other strings are returned decoded as words. */
export function decodeParameter(value: string): string {
  const m = /^([A-Za-z0-9_\-.:]*)'[^']*'(.*)$/s.exec(value);
  if (!m) return decodeWords(value);
  const [, charset = '', encoded = ''] = m;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded[i] as string;
    const h = c === '%' ? encoded.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(h)) {
      bytes.push(parseInt(h, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return decodeBytes(Buffer.from(bytes), charset || null).text;
}

/**
 * A file name safe to show and to save: decoded, without directory parts or control characters,
 * and never empty or a dot name.
 */
export function safeFilename(name: string | null | undefined): string | null {
  if (!name) return null;
  const decoded = decodeParameter(name.trim());
  const base = decoded.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean && clean !== '.' && clean !== '..' ? clean : null;
}
