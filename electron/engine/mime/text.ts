import { createRequire } from 'node:module';
import type * as HtmlToText from 'html-to-text';
import { canonicalCharset, decodeBytes } from './charset.js';
import type { TextPartRef } from './structure.js';
import type { TextPartRecord } from '../db/parts.js';
import { decodeTransfer } from './transfer.js';

/** A text part's bytes as fetched (transfer-encoded), decoded to Unicode. */
export interface DecodedText {
  text: string;
  charset: string;
}

/**
 * RFC 3676 4.2: in format=flowed text a line ending in a space continues on the next line
 * ("space-stuffed" lines lose their leading space; with DelSp=yes the trailing space is removed
 * too). Quoted flowed lines join only with lines of the same quote depth.
 */
export function unflow(text: string, delSp: boolean): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let pending: { depth: number; text: string } | null = null;
  for (const raw of lines) {
    const quote = /^>+/.exec(raw)?.[0] ?? '';
    let line = raw.slice(quote.length);
    if (line.startsWith(' ')) line = line.slice(1); // space-stuffing (4.4)
    const isSig = line === '-- ';
    const flowed = !isSig && line.endsWith(' ');
    if (pending && pending.depth !== quote.length) {
      out.push('>'.repeat(pending.depth) + (pending.depth ? ' ' : '') + pending.text);
      pending = null;
    }
    const body = flowed && delSp ? line.slice(0, -1) : line;
    const joined: string = (pending?.text ?? '') + body;
    if (flowed) {
      pending = { depth: quote.length, text: joined };
    } else {
      out.push('>'.repeat(quote.length) + (quote.length ? ' ' : '') + joined);
      pending = null;
    }
  }
  if (pending) out.push('>'.repeat(pending.depth) + (pending.depth ? ' ' : '') + pending.text);
  return out.join('\n');
}

/**
 * The charset an HTML document declares for itself (<meta charset> or <meta http-equiv
 * content="…; charset=…">) in its first 1024 bytes, where the HTML standard's prescan looks.
 */
export function htmlMetaCharset(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 1024).toString('latin1');
  for (const meta of head.matchAll(/<meta\b[^>]*>/gi)) {
    const charset = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(meta[0])?.[1];
    if (charset) return charset;
  }
  return null;
}

/**
 * Decodes a fetched text part: transfer encoding (RFC 2045 6), then charset (with fallbacks),
 * then format=flowed. Line ends become "\n". Never throws. An HTML part that declares no charset
 * (or US-ASCII, which 8-bit bytes contradict) is read in the one its <meta> names, as a browser
 * does.
 */
export function decodeTextPart(
  raw: Buffer,
  ref: Pick<TextPartRef, 'charset' | 'encoding' | 'flowed'> & { contentType?: string },
): DecodedText {
  const bytes = decodeTransfer(raw, ref.encoding);
  const declared = canonicalCharset(ref.charset);
  let charset = ref.charset;
  if (ref.contentType === 'text/html' && (declared === null || declared === 'us-ascii')) {
    const meta = htmlMetaCharset(bytes);
    // A Latin-1 <meta> is often a template's default: detection reads Latin text the same way, and
    // finds Japanese text such a page holds.
    if (meta !== null && canonicalCharset(meta) !== 'windows-1252') charset = meta;
  }
  const decoded = decodeBytes(bytes, charset);
  let text = decoded.text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  if (ref.flowed) text = unflow(text, ref.flowed.delSp);
  return { text, charset: decoded.charset };
}

// Loaded on first use: html-to-text and its parser take ~14 MB of memory, which a sync of
// plain-text mail never needs.
let convertHtml: ((html: string) => string) | null = null;

/**
 * HTML to plain text for search and snippets (never for display: display sanitizes the HTML
 * itself). Links keep their text only, images and invisible elements are dropped; depth and
 * length limits keep a hostile message from stalling the engine.
 */
const htmlConverter = (): ((html: string) => string) =>
  (convertHtml ??= (createRequire(import.meta.url)('html-to-text') as typeof HtmlToText).compile({
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'head', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'h4', options: { uppercase: false } },
      { selector: 'h5', options: { uppercase: false } },
      { selector: 'h6', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
    limits: { maxInputLength: 4_000_000, maxDepth: 200, maxChildNodes: 20_000 },
  }));

export function htmlToText(html: string): string {
  try {
    return htmlConverter()(html)
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  } catch {
    // A parser failure on hostile input: strip tags crudely rather than lose the text.
    return html
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  }
}

const SNIPPET_LENGTH = 200;

/** "On Tue, Bob wrote:", "2024年1月5日 12:00 Bob <b@x>:", "-----Original Message-----" and the like. */
const attribution =
  /^(on\b.*\bwrote:?|.*\s(wrote|writes|schrieb|a écrit|escribió):|.*\d{4}[年/-].*[:：]|-{2,}\s*(original message|forwarded message|元のメッセージ|転送メッセージ)\s*-{2,}|_{20,})\s*$/i;
/**
 * The cheap test first (the full pattern backtracks, quadratically on a long line with colons):
 * every attribution form ends in one of these characters or "wrote", and is a line, not a paragraph.
 */
const mayAttribute = (line: string): boolean =>
  line.length <= 300 && (/[:：_-]$/.test(line.slice(-1)) || line.slice(-5).toLowerCase() === 'wrote');

/**
 * The first ~200 characters of what the sender wrote: quoted lines, attribution lines and the
 * signature (RFC 3676 4.3 "-- " delimiter) are dropped, whitespace collapsed.
 */
export function makeSnippet(text: string, length = SNIPPET_LENGTH): string {
  // Line by line from the top (CRLF, CR or LF), stopping as soon as there is enough: a long message
  // is not split whole. It runs for every message a sync mirrors: no regular expression per line.
  let flat = '';
  let cr = text.indexOf('\r');
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    let next = end + 1;
    if (cr !== -1 && cr < end) {
      end = cr;
      next = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
    }
    const line = text.slice(start, end);
    start = next;
    const trimmed = line.trim();
    if (line === '-- ' || trimmed === '--' || trimmed === '—') break;
    if (trimmed.startsWith('>') || trimmed.startsWith('＞')) continue;
    if (mayAttribute(trimmed) && attribution.test(trimmed)) continue;
    if (trimmed) flat = flat ? `${flat} ${trimmed}` : trimmed;
    if (flat.length > length * 2) break;
  }
  // Whitespace inside lines collapsed (a tab, two spaces, U+3000) only where there is some.
  if (/[^\S ]| {2}/.test(flat)) flat = flat.replace(/\s+/g, ' ');
  if (flat.length <= length) return flat; // UTF-16 units: never fewer than the characters
  // More than `length` characters (code points): the first `length - 1` of them and an ellipsis.
  let at = 0;
  let cut = 0;
  for (let count = 0; count < length; count++) {
    if (at >= flat.length) return flat;
    if (count === length - 1) cut = at;
    const pair = (flat.charCodeAt(at) & 0xfc00) === 0xd800 && (flat.charCodeAt(at + 1) & 0xfc00) === 0xdc00;
    at += pair ? 2 : 1;
  }
  return at >= flat.length ? flat : `${flat.slice(0, cut).trimEnd()}…`;
}

/** What full-text search indexes of a text part: the text itself, or an HTML part's text content. */
export function searchTextOf(contentType: string, text: string): string {
  return contentType.toLowerCase() === 'text/html' ? htmlToText(text) : text;
}

/** Text parts larger than this are not cached ahead (prefetch, mirror): they are fetched when opened. */
export const MAX_CACHED_TEXT_BYTES = 512 * 1024;

/** A message's decoded text parts and its snippet, as the store keeps them. */
export interface TextRecords {
  parts: TextPartRecord[];
  snippet: string | null;
}

/** Decodes fetched parts into what the store keeps. */
export function textRecords(refs: readonly TextPartRef[], raw: ReadonlyMap<string, Buffer>): TextRecords {
  const parts: TextPartRecord[] = [];
  for (const ref of refs) {
    const bytes = raw.get(ref.part);
    if (!bytes) continue;
    const { text, charset } = decodeTextPart(bytes, ref);
    parts.push({
      part: ref.part,
      contentType: ref.contentType,
      charset,
      text,
      searchText: searchTextOf(ref.contentType, text),
      size: bytes.length,
    });
  }
  const plain = parts.find((p) => p.contentType === 'text/plain');
  const html = parts.find((p) => p.contentType === 'text/html');
  const snippetSource = plain?.text ?? (html ? htmlToText(html.text) : null);
  return { parts, snippet: snippetSource === null ? null : makeSnippet(snippetSource) };
}
