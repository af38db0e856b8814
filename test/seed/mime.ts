// A small RFC 5322 / MIME (RFC 2045-2047, 2231) message builder for generated test mail. It writes the
// raw bytes itself, so the tests see exactly what a real sender would produce, including legacy
// Japanese charsets (ISO-2022-JP per RFC 1468, Shift_JIS, EUC-JP).
import zlib from 'node:zlib';
import iconv from 'iconv-lite';

const CRLF = '\r\n';

export type Charset = 'UTF-8' | 'ISO-2022-JP' | 'Shift_JIS' | 'EUC-JP' | 'US-ASCII';
export type TransferEncoding = '7bit' | '8bit' | 'base64' | 'quoted-printable';

/**
 * ISO-2022-JP (RFC 1468): ASCII plus JIS X 0208 in 7 bits, switched with ESC $ B / ESC ( B. iconv-lite
 * has no encoder for it, so this goes through EUC-JP, whose two-byte JIS X 0208 form is the same code
 * with the high bit set. Half-width katakana and JIS X 0212 are not part of ISO-2022-JP and are refused.
 */
export function encodeIso2022jp(text: string): Buffer {
  const euc = iconv.encode(text, 'EUC-JP');
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; i++) {
    const b = euc[i] ?? 0;
    if (b < 0x80) {
      if (kanji) out.push(0x1b, 0x28, 0x42); // ESC ( B: back to ASCII before any ASCII byte (and every line end)
      kanji = false;
      out.push(b);
      continue;
    }
    if (b === 0x8e || b === 0x8f) throw new Error(`ISO-2022-JP cannot encode ${JSON.stringify(text)} (half-width kana or JIS X 0212)`);
    const b2 = euc[i + 1];
    if (b2 === undefined || b2 < 0xa1) throw new Error(`Unexpected EUC-JP sequence in ${JSON.stringify(text)}`);
    if (!kanji) out.push(0x1b, 0x24, 0x42); // ESC $ B
    kanji = true;
    out.push(b & 0x7f, b2 & 0x7f);
    i++;
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

export function encodeText(text: string, charset: Charset): Buffer {
  switch (charset) {
    case 'UTF-8':
      return Buffer.from(text, 'utf8');
    case 'US-ASCII':
      if ([...text].some((c) => c.charCodeAt(0) > 0x7f)) throw new Error(`Not ASCII: ${JSON.stringify(text)}`);
      return Buffer.from(text, 'latin1');
    case 'ISO-2022-JP':
      return encodeIso2022jp(text);
    case 'Shift_JIS':
    case 'EUC-JP': {
      const buf = iconv.encode(text, charset);
      if (iconv.decode(buf, charset) !== text) throw new Error(`${charset} cannot encode ${JSON.stringify(text)}`);
      return buf;
    }
  }
}

/** Base64 in lines of 76 characters (RFC 2045 section 6.8). */
export function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

/** Quoted-printable (RFC 2045 section 6.7): line breaks in `data` must be CRLF; lines soft-wrapped at 76. */
export function quotedPrintable(data: Buffer): string {
  const out: string[] = [];
  let line = '';
  const push = (token: string): void => {
    if (line.length + token.length > 75) {
      out.push(`${line}=`);
      line = '';
    }
    line += token;
  };
  for (let i = 0; i < data.length; i++) {
    const b = data[i] ?? 0;
    if (b === 0x0d && data[i + 1] === 0x0a) {
      // Whitespace at the end of a line must be encoded (rule 3).
      if (line.endsWith(' ') || line.endsWith('\t')) {
        const last = line.charCodeAt(line.length - 1);
        line = `${line.slice(0, -1)}=${last.toString(16).toUpperCase().padStart(2, '0')}`;
      }
      out.push(line);
      line = '';
      i++;
      continue;
    }
    const printable = (b >= 33 && b <= 126 && b !== 61) || b === 32 || b === 9;
    push(printable ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  if (line.endsWith(' ') || line.endsWith('\t')) {
    const last = line.charCodeAt(line.length - 1);
    line = `${line.slice(0, -1)}=${last.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  out.push(line);
  return out.join(CRLF);
}

/**
 * RFC 2047 encoded-words for a header value. Each word holds whole characters (and, for ISO-2022-JP,
 * starts and ends in ASCII mode) and stays within 75 characters; words are folded onto separate lines.
 * ASCII-only text is returned as is.
 */
export function encodeWords(text: string, charset: Exclude<Charset, 'US-ASCII'> = 'UTF-8', mode: 'B' | 'Q' = 'B'): string {
  if (!/[^\x20-\x7e]/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  const budget = 75 - `=?${charset}?${mode}??=`.length;
  const encodedLength = (s: string): number => {
    const bytes = encodeText(s, charset);
    return mode === 'B' ? Math.ceil(bytes.length / 3) * 4 : qEncode(bytes).length;
  };
  for (const ch of text) {
    if (chunk && encodedLength(chunk + ch) > budget) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words
    .map((w) => {
      const bytes = encodeText(w, charset);
      return `=?${charset}?${mode}?${mode === 'B' ? bytes.toString('base64') : qEncode(bytes)}?=`;
    })
    .join(`${CRLF} `);
}

/** RFC 2047 section 4.2 "Q" encoding. */
function qEncode(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x20) out += '_';
    else if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || '!*+-/'.includes(String.fromCharCode(b)))
      out += String.fromCharCode(b);
    else out += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `Name <addr>` with the display name encoded when it is not plain ASCII. */
export function address(name: string, addr: string, charset: Exclude<Charset, 'US-ASCII'> = 'UTF-8'): string {
  if (!name) return `<${addr}>`;
  if (/[^\x20-\x7e]/.test(name)) return `${encodeWords(name, charset)} <${addr}>`;
  return /^[A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]*$/.test(name) ? `${name} <${addr}>` : `"${name.replace(/(["\\])/g, '\\$1')}" <${addr}>`;
}

/** RFC 2231 parameter: plain when ASCII-safe, `name*=UTF-8''…` percent-encoded otherwise. */
export function param(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value)) return `${name}="${value}"`;
  const encoded = [...Buffer.from(value, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
  return `${name}*=UTF-8''${encoded}`;
}

export interface MimePart {
  headers: Array<[string, string]>;
  /** Raw body bytes (already transfer-encoded), or child parts for a multipart. */
  body: Buffer | MimePart[];
  boundary?: string;
}

let boundaryCounter = 0;
function nextBoundary(): string {
  boundaryCounter++;
  return `----=_Tegami_${boundaryCounter.toString().padStart(4, '0')}_${'x'.repeat(8)}`;
}

/** A text part; `text` uses "\n" line ends (converted to CRLF). */
export function textPart(
  text: string,
  opts: { subtype?: 'plain' | 'html'; charset?: Charset; encoding?: TransferEncoding; disposition?: string } = {},
): MimePart {
  const charset = opts.charset ?? 'UTF-8';
  const encoding = opts.encoding ?? (charset === 'ISO-2022-JP' || charset === 'US-ASCII' ? '7bit' : 'quoted-printable');
  const bytes = encodeText(text.replace(/\r?\n/g, CRLF), charset);
  const headers: Array<[string, string]> = [
    ['Content-Type', `text/${opts.subtype ?? 'plain'}; charset=${charset === 'UTF-8' ? 'utf-8' : charset}`],
    ['Content-Transfer-Encoding', encoding],
  ];
  if (opts.disposition) headers.push(['Content-Disposition', opts.disposition]);
  return { headers, body: encodeBody(bytes, encoding) };
}

/** A binary attachment (base64) with an RFC 2231 filename. */
export function attachment(
  data: Buffer,
  contentType: string,
  filename: string,
  opts: { inline?: boolean; contentId?: string } = {},
): MimePart {
  const headers: Array<[string, string]> = [
    ['Content-Type', `${contentType}; ${param('name', filename)}`],
    ['Content-Transfer-Encoding', 'base64'],
    ['Content-Disposition', `${opts.inline ? 'inline' : 'attachment'}; ${param('filename', filename)}`],
  ];
  if (opts.contentId) headers.push(['Content-ID', `<${opts.contentId}>`]);
  return { headers, body: Buffer.from(base64Lines(data), 'latin1') };
}

export function multipart(subtype: 'mixed' | 'alternative' | 'related', parts: MimePart[], extraParams = ''): MimePart {
  const boundary = nextBoundary();
  return { headers: [['Content-Type', `multipart/${subtype}; boundary="${boundary}"${extraParams}`]], body: parts, boundary };
}

function encodeBody(bytes: Buffer, encoding: TransferEncoding): Buffer {
  switch (encoding) {
    case 'base64':
      return Buffer.from(base64Lines(bytes), 'latin1');
    case 'quoted-printable':
      return Buffer.from(quotedPrintable(bytes), 'latin1');
    case '7bit':
      if (bytes.some((b) => b > 0x7f)) throw new Error('7bit body with 8-bit bytes');
      return bytes;
    case '8bit':
      return bytes;
  }
}

function serializePart(part: MimePart, chunks: Buffer[]): void {
  for (const [name, value] of part.headers) chunks.push(Buffer.from(`${name}: ${value}${CRLF}`, 'latin1'));
  chunks.push(Buffer.from(CRLF));
  if (Buffer.isBuffer(part.body)) {
    chunks.push(part.body);
    return;
  }
  const boundary = part.boundary;
  if (!boundary) throw new Error('multipart without boundary');
  chunks.push(Buffer.from(`This is a multi-part message in MIME format.${CRLF}`));
  for (const child of part.body) {
    chunks.push(Buffer.from(`${CRLF}--${boundary}${CRLF}`));
    serializePart(child, chunks);
  }
  chunks.push(Buffer.from(`${CRLF}--${boundary}--${CRLF}`));
}

export interface MessageHeaders {
  from: string;
  to: string;
  cc?: string;
  subject: string;
  date: Date;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  extra?: Array<[string, string]>;
}

/** RFC 5322 date-time in +0900 (the fixtures are Japanese-flavoured; any zone would do). */
export function rfc5322Date(date: Date, offsetMinutes = 540): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => n.toString().padStart(2, '0');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const off = Math.abs(offsetMinutes);
  return `${days[local.getUTCDay()]}, ${local.getUTCDate()} ${months[local.getUTCMonth()]} ${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(off / 60))}${pad(off % 60)}`;
}

/** Serializes a message: top-level headers (subject must already be RFC 2047 encoded if needed), then the root part. */
export function buildMessage(h: MessageHeaders, root: MimePart): Buffer {
  const lines: Array<[string, string]> = [
    ['From', h.from],
    ['To', h.to],
  ];
  if (h.cc) lines.push(['Cc', h.cc]);
  lines.push(['Subject', h.subject], ['Date', rfc5322Date(h.date)], ['Message-ID', `<${h.messageId}>`]);
  if (h.inReplyTo) lines.push(['In-Reply-To', `<${h.inReplyTo}>`]);
  if (h.references?.length) lines.push(['References', h.references.map((r) => `<${r}>`).join(`${CRLF} `)]);
  lines.push(['MIME-Version', '1.0'], ...(h.extra ?? []));
  const chunks: Buffer[] = [];
  for (const [name, value] of lines) chunks.push(Buffer.from(`${name}: ${value}${CRLF}`, 'latin1'));
  serializePart(root, chunks);
  return Buffer.concat(chunks);
}

/** A tiny but valid PDF document. */
export function samplePdf(title: string): Buffer {
  const stream = `BT /F1 18 Tf 50 750 Td (${title.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${o.toString().padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** A valid 8x8 RGB PNG (a red and white checkerboard), built with zlib. */
export function samplePng(): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typed));
    return Buffer.concat([len, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(8, 0);
  ihdr.writeUInt32BE(8, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit depth, RGB, deflate, no filter method, no interlace
  const rows: number[] = [];
  for (let y = 0; y < 8; y++) {
    rows.push(0); // filter type None
    for (let x = 0; x < 8; x++) rows.push(...((x + y) % 2 === 0 ? [220, 30, 30] : [255, 255, 255]));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
