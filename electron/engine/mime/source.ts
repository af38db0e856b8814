import libmime from 'libmime';
import type { Address } from '../../../shared/domain/message.js';
import type { HeaderRecord } from '../db/messages.js';
import { BODY_TEXT } from '../db/parts.js';
import { attachmentsOf, messageIds, sentTime } from './record.js';
import { findPart, parseBodyStructure, prefetchParts, type BodyNode } from './structure.js';
import { textRecords, type TextRecords } from './text.js';

/**
 * A message's record read from its own source, for the mirror (sync/mailbox.ts): one FETCH of
 * BODY.PEEK[] gives the header row and the cached text at once, where the server's ENVELOPE and
 * BODYSTRUCTURE followed by a FETCH of the text parts took two passes and most of the client's CPU
 * (imapflow parses those nested lists slowly).
 *
 * The record must be exactly what the server's path stores (toHeaderRecord): the same part numbers,
 * sizes, types and parameters, since parts are later fetched from the server by these numbers, and
 * the same names and subjects. So this reads only mail it is sure of, the way a server reads it
 * (RFC 3501 7.4.2, RFC 2045/2046, RFC 5322 addresses), and answers null for anything else: raw
 * 8-bit or bare LF in a header, a malformed or ambiguous boundary, RFC 2231 parameters, comments
 * (but the old `addr (Full Name)`), groups, duplicate fields, message/rfc822 parts. Those messages
 * take the server's path. The test (source.int.test.ts) compares both paths over the SpamAssassin
 * corpus and the fixtures, against Dovecot: 5,736 of the corpus's 6,046 messages are read here.
 */

/** Fields of a message's own record, as toHeaderRecord builds them (the caller adds uid, flags, dates and size). */
export type SourceRecord = Omit<HeaderRecord, 'uid' | 'modseq' | 'flags' | 'internalDate' | 'size'> & { bodystructure: string };

export interface ParsedSource {
  record: SourceRecord;
  /** The displayable text parts, decoded, as the body prefetch stores them. */
  texts: TextRecords;
}

/**
 * A parsed source's record with its text (HeaderRecord.text: all of it cached, BODY_TEXT), as the
 * mirror stores a message read whole and a queued APPEND stores the message it holds.
 */
export function withText(parsed: ParsedSource): SourceRecord & Required<Pick<HeaderRecord, 'text'>> {
  return { ...parsed.record, text: { snippet: parsed.texts.snippet, bodyState: BODY_TEXT, parts: parsed.texts.parts } };
}

/** Thrown inside the parse for anything it is not sure of; parseSource then answers null. */
class Unsure extends Error {}
const unsure = (): never => {
  throw new Unsure();
};

/** The parse of a source; null when the message must take the server's path (see above). */
export function parseSource(src: Buffer, maxTextBytes = Number.POSITIVE_INFINITY): ParsedSource | null {
  try {
    return parse(src, maxTextBytes);
  } catch (error) {
    if (error instanceof Unsure) return null;
    throw error;
  }
}

/**
 * A leaf part's body in a source (as sent, transfer-encoded: what BODY[part] answers) and its node
 * (type, parameters, encoding, size; not read: its disposition, id and description); null when the
 * parse is not sure of the message's parts (readStructure, `cutting`) or it has no such part. Serves
 * a part from a source on this computer (the bodies service), offline too.
 */
export function sourcePart(src: Buffer, part: string): { bytes: Buffer; node: BodyNode } | null {
  try {
    const ranges = new Map<string, [number, number]>();
    const structure = parseBodyStructure(readStructure(src, ranges, true).structure);
    const range = ranges.get(part);
    const node = structure && findPart(structure, part);
    return range && node ? { bytes: src.subarray(range[0], range[1]), node } : null;
  } catch (error) {
    if (error instanceof Unsure) return null;
    throw error;
  }
}

/**
 * The message's header and structure as the server reports it, its leaf parts' body ranges into
 * `ranges`. `cutting` (sourcePart): only the parts' numbers and ranges matter, so what is unsure only
 * in a parameter's or a field's value (RFC 2231 and encoded-word file names, raw 8-bit in a header,
 * fields other than Content-Type and Content-Transfer-Encoding) is let pass; what decides where a
 * part begins and ends, or how parts are numbered, is as strict as ever.
 */
function readStructure(src: Buffer, ranges: Map<string, [number, number]>, cutting = false): { head: Header; structure: BodyNode } {
  checkLineEnds(src);
  const head = readHeader(src, 0, src.length, cutting);
  // Without MIME-Version (RFC 2045 4), Dovecot still reads a Content-Type and the fields beside it;
  // without either, it ignores a Content-Transfer-Encoding (8bit is reported as 7bit). Other
  // Content-* fields alone it was not seen to read one way or the other (SpamAssassin corpus): unsure.
  let fields = head.fields;
  if (!fields.has('mime-version') && !fields.has('content-type')) {
    const content = [...fields.keys()].filter((name) => name.startsWith('content-'));
    if (content.some((name) => name !== 'content-transfer-encoding')) unsure();
    if (content.length) fields = new Map([...fields].filter(([name]) => name !== 'content-transfer-encoding'));
  }
  return { head, structure: readPart(src, { ...head, fields }, src.length, [], ranges, cutting) };
}

function parse(src: Buffer, maxTextBytes: number): ParsedSource {
  const ranges = new Map<string, [number, number]>();
  const { head, structure } = readStructure(src, ranges);
  const f = head.fields;
  const subject = one(f, 'subject');
  const decodedSubject = subject === undefined ? '' : decodeWords(forHumans(subject));
  if (decodedSubject.includes('\uFFFD')) unsure();
  const from = addressList(one(f, 'from'));
  const sender = addressList(one(f, 'sender'));
  // RFC 3501 7.4.2: Sender and Reply-To absent or empty are the From.
  const replyTo = addressList(one(f, 'reply-to'));
  const inReplyTo = one(f, 'in-reply-to');
  const messageId = one(f, 'message-id');
  const date = one(f, 'date');
  const usable = parseBodyStructure(structure);
  if (!usable) unsure();
  const raw = new Map<string, Buffer>();
  const refs = prefetchParts(usable as BodyNode, maxTextBytes);
  for (const ref of refs) {
    const range = ranges.get(ref.part);
    if (range) raw.set(ref.part, src.subarray(range[0], range[1]));
  }
  const firstFrom = from[0] ?? sender[0] ?? null;
  return {
    record: {
      subject: decodedSubject,
      sentDate: date ? sentTime(date) : null,
      from: firstFrom,
      to: addressList(one(f, 'to')),
      cc: addressList(one(f, 'cc')),
      bcc: addressList(one(f, 'bcc')),
      replyTo: replyTo.length ? replyTo : from,
      messageId: messageId || null,
      inReplyTo: inReplyTo ? (messageIds(inReplyTo)[0] ?? null) : null,
      // As referencesOf reads them from a HEADER.FIELDS response: the ids of every References field.
      references: messageIds((f.get('references') ?? []).join(' ')),
      bodystructure: JSON.stringify(structure),
      attachments: attachmentsOf(structure),
    },
    texts: textRecords(refs, raw),
  };
}

/** Every LF is preceded by CR and every CR followed by LF (the form IMAP sends; sizes are counted so). */
function checkLineEnds(src: Buffer): void {
  for (let i = src.indexOf(10); i >= 0; i = src.indexOf(10, i + 1)) if (i === 0 || src[i - 1] !== 13) unsure();
  for (let i = src.indexOf(13); i >= 0; i = src.indexOf(13, i + 1)) if (src[i + 1] !== 10) unsure();
}

interface Header {
  /** Lower-case names → values, unfolded (the CRLFs removed) and trimmed. */
  fields: Map<string, string[]>;
  bodyStart: number;
}

const BLANK_LINE = Buffer.from('\r\n\r\n');

/** The header block of the entity at [start, end): plain ASCII (8-bit too when `cutting`), well-formed fields, a blank line after. */
function readHeader(src: Buffer, start: number, end: number, cutting = false): Header {
  let headerEnd: number;
  let bodyStart: number;
  if (src[start] === 13 && src[start + 1] === 10) {
    headerEnd = start; // no header fields at all (a part taking every default)
    bodyStart = start + 2;
  } else {
    const blank = src.indexOf(BLANK_LINE, start);
    if (blank < 0 || blank + 4 > end) unsure();
    headerEnd = blank + 2;
    bodyStart = blank + 4;
  }
  for (let i = start; i < headerEnd; i++) {
    const b = src[i] as number;
    if (b === 0 || (b >= 0x80 && !cutting)) unsure();
  }
  const fields = new Map<string, string[]>();
  let name: string | null = null;
  let value = '';
  const flush = () => {
    if (name === null) return;
    const list = fields.get(name);
    if (list) list.push(value.trim());
    else fields.set(name, [value.trim()]);
  };
  const text = src.toString('latin1', start, headerEnd);
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (name === null) unsure();
      value += line;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) unsure();
    const fieldName = line.slice(0, colon);
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(fieldName)) unsure();
    name = fieldName.toLowerCase();
    value = line.slice(colon + 1);
  }
  flush();
  return { fields, bodyStart };
}

/** The only value of a field, undefined when absent; two of them is a message servers read differently. */
function one(fields: Map<string, string[]>, name: string): string | undefined {
  const list = fields.get(name);
  if (!list) return undefined;
  if (list.length > 1) unsure();
  return list[0];
}

const RFC2231_GUESS = /^[a-z\-_0-9]+'[a-z]*'/;
const TSPECIAL = new Set([...'()<>@,;:\\"/[]?=']);
const isTokenChar = (c: string): boolean => c > ' ' && c < '\x7f' && !TSPECIAL.has(c);

/** `type/subtype; name=value; …` (RFC 2045 5.1) or, `subtype` false, `type; name=value` (RFC 2183). */
function parseTyped(value: string, subtype: boolean, cutting = false): { type: string; params: Record<string, string> | undefined } {
  let i = 0;
  const ws = () => {
    while (value[i] === ' ' || value[i] === '\t') i++;
  };
  const token = (): string => {
    const start = i;
    while (i < value.length && isTokenChar(value[i] as string)) i++;
    if (i === start) unsure();
    return value.slice(start, i);
  };
  ws();
  let type = token().toLowerCase();
  if (subtype) {
    ws();
    if (value[i] !== '/') unsure();
    i++;
    ws();
    type += `/${token().toLowerCase()}`;
  }
  let params: Record<string, string> | undefined;
  for (;;) {
    ws();
    if (i >= value.length) break;
    if (value[i] !== ';') unsure();
    i++;
    ws();
    if (i >= value.length) break;
    const name = token().toLowerCase();
    // RFC 2231: the server's path decodes those (cutting, only a boundary's matters)
    if (name === '__proto__' || (name.includes('*') && (!cutting || name.startsWith('boundary')))) unsure();
    ws();
    if (value[i] !== '=') unsure();
    i++;
    ws();
    let v: string;
    if (value[i] === '"') {
      i++;
      v = '';
      for (;;) {
        if (i >= value.length) unsure();
        const c = value[i++] as string;
        if (c === '"') break;
        if (c === '\\') {
          if (i >= value.length) unsure();
          v += value[i++];
        } else v += c;
      }
    } else v = token();
    params ??= {};
    if (Object.hasOwn(params, name)) unsure();
    params[name] = v;
  }
  if (params && !cutting) {
    // Encoded words in a parameter (RFC 2047 forbids them; mailers send them) and what imapflow takes
    // for RFC 2231 in a plain file name: the server's path decodes those its own way.
    if (Object.values(params).some((v) => v.includes('=?'))) unsure();
    if (params.filename && RFC2231_GUESS.test(params.filename)) unsure();
  }
  return { type, params };
}

/** The structure node of the entity whose header is `head`, its body ending at `end`. */
function readPart(
  src: Buffer,
  head: Header,
  end: number,
  path: number[],
  ranges: Map<string, [number, number]>,
  cutting = false,
): BodyNode {
  const f = head.fields;
  const node: BodyNode & Record<string, unknown> = { type: 'text/plain' };
  if (path.length) node.part = path.join('.');
  const contentType = one(f, 'content-type');
  if (contentType === undefined) {
    node.parameters = { charset: 'us-ascii' };
  } else {
    const { type, params } = parseTyped(contentType, true, cutting);
    node.type = type;
    if (params) node.parameters = params;
    // As Dovecot reports it: a text part's charset is always given, us-ascii by default (RFC 2045 5.2).
    if (type.startsWith('text/') && params?.charset === undefined) node.parameters = { ...params, charset: 'us-ascii' };
  }
  if (node.type.startsWith('multipart/')) {
    const boundary = node.parameters?.boundary;
    if (!boundary || node.type === 'multipart/digest') unsure(); // a digest's parts default to message/rfc822
    const children = splitMultipart(src, head.bodyStart, end, boundary as string);
    node.childNodes = children.map(([s, e], i) => readPart(src, readHeader(src, s, e, cutting), e, [...path, i + 1], ranges, cutting));
  } else {
    if (node.type === 'message/rfc822' || node.type.startsWith('multipart')) unsure();
    const id = cutting ? undefined : one(f, 'content-id');
    if (id) node.id = id;
    const description = cutting ? undefined : one(f, 'content-description');
    if (description) node.description = description;
    const encoding = one(f, 'content-transfer-encoding');
    node.encoding = encoding === undefined ? '7bit' : parseTyped(encoding, false).type;
    if (encoding !== undefined && parseTyped(encoding, false).params) unsure();
    node.size = end - head.bodyStart;
    if (node.type.startsWith('text/')) node.lineCount = lineCount(src, head.bodyStart, end);
    const md5 = cutting ? undefined : one(f, 'content-md5');
    if (md5) node.md5 = md5.toLowerCase();
    // A single-part message that says nothing but the defaults (text/plain; charset=us-ascii, 7bit)
    // Dovecot reports in the defaults' own spelling (imap_bodystructure_is_plain_7bit).
    const params = node.parameters;
    if (
      path.length === 0 &&
      node.type === 'text/plain' &&
      params &&
      Object.keys(params).length === 1 &&
      params.charset?.toLowerCase() === 'us-ascii' &&
      node.encoding === '7bit' &&
      !id &&
      !description &&
      !md5 &&
      !f.has('content-disposition') &&
      !f.has('content-language') &&
      !f.has('content-location')
    )
      params.charset = 'us-ascii';
    ranges.set(path.length ? path.join('.') : '1', [head.bodyStart, end]);
  }
  if (cutting) return node;
  const disposition = one(f, 'content-disposition');
  if (disposition !== undefined) {
    const { type, params } = parseTyped(disposition, false);
    node.disposition = type;
    if (params) node.dispositionParameters = params;
  }
  const language = one(f, 'content-language');
  if (language) node.language = language.split(',').map((l) => l.trim().toLowerCase());
  const location = one(f, 'content-location');
  if (location) node.location = location;
  return node;
}

/** Lines of a text part as Dovecot counts them: its line ends (a last line without one does not count). */
function lineCount(src: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = src.indexOf(10, start); i >= 0 && i < end; i = src.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * The body ranges of a multipart's parts (RFC 2046 5.1.1): between delimiter lines, each part
 * without the CRLF that precedes the next delimiter. A line that starts like a delimiter but is not
 * one, a part that is not there, or no close delimiter: unsure (servers read those differently).
 */
function splitMultipart(src: Buffer, start: number, end: number, boundary: string): Array<[number, number]> {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  for (let at = src.indexOf(delimiter, start); at >= 0 && at < end; at = src.indexOf(delimiter, at + 1)) {
    if (at !== start && !(src[at - 1] === 10 && src[at - 2] === 13)) continue; // not at a line's start
    let p = at + delimiter.length;
    const closing = src[p] === 45 && src[p + 1] === 45;
    if (closing) p += 2;
    while (src[p] === 32 || src[p] === 9) p++;
    const lineEnd = p === end ? end : src[p] === 13 && src[p + 1] === 10 ? p + 2 : -1;
    if (lineEnd < 0) unsure();
    if (partStart >= 0) {
      if (at - 2 < partStart) unsure();
      parts.push([partStart, at - 2]);
    }
    if (closing) return parts.length ? parts : unsure();
    partStart = lineEnd;
  }
  return unsure();
}

/** `local@domain`, both dot-atoms (RFC 5322 3.4.1): no quoted local part, no empty label, no domain literal. */
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+";
const ADDR = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*@${ATEXT}(?:\\.${ATEXT})*$`);
/** `addr (comment)`, one plain comment after a bare address. */
const COMMENTED = /^([^\s()<>",]+)\s*\(([^()\\"]*)\)$/;
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/;

/**
 * An address list (RFC 5322 3.4) of the plain kinds only: `addr`, `phrase <addr>`, `"quoted" <addr>`,
 * comma-separated. Names decoded as imapflow decodes the ENVELOPE's (encoded words, then the
 * surrounding quotes). Anything else (groups, comments, routes, quoted local parts): unsure.
 */
function addressList(value: string | undefined): Address[] {
  if (value === undefined || value === '') return [];
  const out: Address[] = [];
  for (const item of splitOutsideQuotes(value)) {
    const text = item.trim();
    if (text === '') unsure();
    const lt = text.indexOf('<');
    const commented = COMMENTED.exec(text);
    if (commented) {
      // The old form `addr (Full Name)`: the comment is the name.
      const [, address = '', comment = ''] = commented;
      if (!ADDR.test(address)) unsure();
      const decoded = imapflowName(comment);
      if (decoded.includes('\uFFFD')) unsure();
      out.push({ name: decoded, address });
      continue;
    }
    if (text.includes('(')) unsure(); // a comment anywhere else
    if (lt < 0) {
      if (!ADDR.test(text)) unsure();
      out.push({ name: '', address: text });
      continue;
    }
    if (!text.endsWith('>') || text.indexOf('<', lt + 1) >= 0) unsure();
    const address = text.slice(lt + 1, -1).trim();
    if (!ADDR.test(address)) unsure();
    const name = phrase(text.slice(0, lt));
    const decoded = imapflowName(name);
    if (decoded.includes('\uFFFD')) unsure();
    out.push({ name: decoded, address });
  }
  return out;
}

/** libmime's decoding, as imapflow's (it changes nothing in text without an encoded word, and costs five regex passes). */
const decodeWords = (s: string): string => (s.includes('=?') ? libmime.decodeWords(s) : s);

/**
 * What Dovecot's ENVELOPE makes of a subject or a display name ("for humans"): tabs and line breaks
 * are spaces, runs of spaces one, and none at either end.
 */
const forHumans = (s: string): string =>
  s
    .replace(/[\t\r\n]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();

/** Display names as imapflow's decodeText gives them: encoded words decoded, then one pair of quotes around the whole dropped. */
function imapflowName(name: string): string {
  let v = decodeWords(forHumans(name));
  if (v.length > 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  return v;
}

/** Splits at commas outside quoted strings, comments and angle brackets. */
function splitOutsideQuotes(value: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let angle = false;
  let comment = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (comment) {
      if (c === ')') comment = false;
      else if (c === '(' || c === '\\' || c === '"') unsure(); // nested, quoted-pair, quotes: not the plain form
    } else if (c === '(' && !angle && !quoted) comment = true;
    else if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === ',' && !angle) {
      out.push(value.slice(start, i));
      start = i + 1;
    } else if (c === '(' || c === ')' || c === ':' || c === ';' || c === '[' || c === ']') unsure();
  }
  if (quoted || comment) unsure();
  out.push(value.slice(start));
  return out;
}

/** A display name: atoms and quoted strings, separated by single spaces. */
function phrase(text: string): string {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      let w = '';
      i++;
      for (;;) {
        if (i >= text.length) unsure();
        const q = text[i++] as string;
        if (q === '"') break;
        if (q === '\\') w += text[i++] ?? '';
        else w += q;
      }
      words.push(w);
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t' && text[j] !== '"') j++;
    const atom = text.slice(i, j);
    if (!ATOM.test(atom)) unsure();
    words.push(atom);
    i = j;
  }
  return words.join(' ');
}
