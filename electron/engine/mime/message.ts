import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { Address } from '../../../shared/domain/message.js';
import { decodeBytes, isValidUtf8, repairLatin1Header, sniff } from './charset.js';
import { htmlToText } from './text.js';
import { safeFilename } from './words.js';

/**
 * A whole RFC 5322 message parsed locally: for "view source", and for messages whose BODYSTRUCTURE
 * is missing or unusable (a broken boundary, a server that could not parse it). mailparser does
 * the MIME work; this module turns its result into plain data and never throws on bad input.
 */
export interface ParsedMessage {
  subject: string;
  from: Address[];
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  date: string | null;
  messageId: string | null;
  /** The best plain text: the text part, or the HTML part's text content. */
  text: string;
  html: string | null;
  attachments: Array<{ filename: string | null; contentType: string; size: number; contentId: string | null; inline: boolean }>;
}

const addresses = (value: AddressObject | AddressObject[] | undefined, hint: string | null): Address[] => {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: Address[] = [];
  const add = (v: { name?: string; address?: string; group?: Array<{ name?: string; address?: string }> }) => {
    if (v.group) v.group.forEach(add);
    else out.push({ name: repairLatin1Header(v.name ?? '', hint), address: v.address ?? '' });
  };
  for (const obj of list) obj.value.forEach(add);
  return out;
};

/**
 * The first charset the message declares (a text part's, most likely): what raw 8-bit header bytes
 * are tried in first (see repairLatin1Header). Read from the source's first 64 KB.
 */
export function firstDeclaredCharset(raw: Buffer): string | null {
  return /\bcharset\s*=\s*"?([\w.:-]+)/i.exec(raw.subarray(0, 65_536).toString('latin1'))?.[1] ?? null;
}

function toParsed(mail: ParsedMail, hint: string | null): ParsedMessage {
  const html = typeof mail.html === 'string' ? mail.html : null;
  const text = mail.text?.trim() ? mail.text : html ? htmlToText(html) : '';
  return {
    subject: repairLatin1Header(mail.subject ?? '', hint),
    from: addresses(mail.from, hint),
    to: addresses(mail.to, hint),
    cc: addresses(mail.cc, hint),
    bcc: addresses(mail.bcc, hint),
    replyTo: addresses(mail.replyTo, hint),
    date: mail.date && Number.isFinite(mail.date.getTime()) ? mail.date.toISOString() : null,
    messageId: mail.messageId ?? null,
    text: text.replace(/\r\n?/g, '\n'),
    html,
    attachments: mail.attachments.map((a) => ({
      filename: safeFilename(a.filename),
      contentType: a.contentType.toLowerCase(),
      size: a.size,
      contentId: a.cid ?? null,
      // As attachmentsOf (imap/session.ts): only an image referred to by Content-ID is shown in the message.
      inline: a.contentDisposition !== 'attachment' && !!a.cid && a.contentType.toLowerCase().startsWith('image/'),
    })),
  };
}

const empty = (): ParsedMessage => ({
  subject: '',
  from: [],
  to: [],
  cc: [],
  bcc: [],
  replyTo: [],
  date: null,
  messageId: null,
  text: '',
  html: null,
  attachments: [],
});

/**
 * The body of a message whose MIME structure is broken (a boundary that never appears, so every
 * part is "preamble"): everything after the header block, without boundary lines and part
 * headers, decoded with charset detection.
 */
export function salvageBodyText(raw: Buffer): string {
  const text = raw.toString('latin1');
  const start = /\r?\n\r?\n/.exec(text);
  const body = start ? raw.subarray(Buffer.byteLength(text.slice(0, start.index + start[0].length), 'latin1')) : raw;
  const lines = decodeBytes(body, null).text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  let inPartHeaders = false;
  for (const line of lines) {
    if (/^--[^\s]{1,200}$/.test(line)) {
      inPartHeaders = true; // a boundary line: part headers follow, up to a blank line
      continue;
    }
    if (inPartHeaders) {
      if (line.trim() === '') inPartHeaders = false;
      else if (/^([\w-]+:|\s)/.test(line)) continue;
      else inPartHeaders = false;
    }
    if (!inPartHeaders) kept.push(line);
  }
  return kept.join('\n').trim();
}

/**
 * The message with its header block re-encoded as UTF-8 when it holds raw 8-bit bytes that are not
 * UTF-8 (Shift_JIS, Big5 … sent unencoded): mailparser reads raw header bytes as UTF-8 and would
 * turn them into U+FFFD. They are decoded as repairLatin1Header does, `hint` first.
 */
export function utf8HeaderBlock(raw: Buffer, hint: string | null): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : raw.length;
  const head = raw.subarray(0, end);
  if (isValidUtf8(head)) return raw;
  return Buffer.concat([Buffer.from(sniff(head, hint).text, 'utf8'), raw.subarray(end)]);
}

/**
 * Parses raw message bytes. A message mailparser cannot read at all gives empty fields, not an
 * error. `charsetHint`: the charset the message declares for its text, when `raw` does not say
 * (a header block alone); raw 8-bit header bytes are tried in it first.
 */
export async function parseRawMessage(raw: Buffer, charsetHint?: string | null): Promise<ParsedMessage> {
  try {
    const hint = charsetHint ?? firstDeclaredCharset(raw);
    const mail = await simpleParser(utf8HeaderBlock(raw, hint), {
      skipImageLinks: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: 4_000_000,
    });
    const parsed = toParsed(mail, hint);
    if (!parsed.text.trim() && parsed.attachments.length === 0) parsed.text = salvageBodyText(raw);
    return parsed;
  } catch {
    return { ...empty(), text: salvageBodyText(raw) };
  }
}
