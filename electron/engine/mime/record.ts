import type { AttachmentSummary } from '../../../shared/domain/message.js';
import type { BodyNode } from './structure.js';

// What a message's stored record takes from its header fields and its structure, whichever way
// they reached us: the server's ENVELOPE and BODYSTRUCTURE (imap/session.ts) or the message's own
// source (mime/source.ts). Free of imapflow, as mime/ is.

export const toTime = (d: Date | string | undefined): number | null => {
  if (d === undefined) return null;
  const t = (d instanceof Date ? d : new Date(d)).getTime();
  return Number.isFinite(t) ? t : null;
};
/**
 * The Date header as a time. RFC 5322 4.3 (obsolete syntax): a three-digit year is 1900 + it (old
 * mailers wrote years since 1900, "Jun 10 102"); two-digit years the parser already places in
 * 1950-2049.
 */
export const sentTime = (d: Date | string | undefined): number | null => {
  const t = toTime(d);
  if (t === null) return null;
  const date = new Date(t);
  const year = date.getUTCFullYear();
  if (year >= 100 && year < 1000) date.setUTCFullYear(year + 1900);
  return date.getTime();
};
const MESSAGE_ID = /<[^<>\s]+>/g;
export const messageIds = (text: string): string[] => [...text.matchAll(MESSAGE_ID)].map((m) => m[0]);

/**
 * The values of one header field in a HEADER.FIELDS response, unfolded (RFC 5322 2.2.3), in order.
 * Read as latin1, so raw 8-bit bytes survive as U+0080–U+00FF for the charset repair.
 */
export function headerValues(raw: Buffer | undefined, name: string): string[] {
  if (!raw) return [];
  const prefix = `${name.toLowerCase()}:`;
  return raw
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

/**
 * The message ids of the References fields in a HEADER.FIELDS response: what
 * messageIds(headerValues(raw, 'references').join(' ')) gives, in one pass over the lines (it runs
 * for every message of a header sync, on the thread that parses the IMAP stream).
 */
export function referencesOf(raw: Buffer | undefined): string[] {
  const out: string[] = [];
  if (!raw) return out;
  // Ids are matched per unfolded field value: a folded line (leading space or tab) continues the
  // field before it. No closures here: the dev loader wraps each one created per call.
  let value: string | null = null;
  for (const line of `${raw.toString('latin1')}\n`.split(/\r?\n/)) {
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (value !== null) value += ` ${line.trim()}`;
      continue;
    }
    if (value) for (const m of value.matchAll(MESSAGE_ID)) out.push(m[0]);
    value = line.length >= 11 && line.slice(0, 11).toLowerCase() === 'references:' ? line.slice(11).trim() : null;
  }
  return out;
}

/**
 * The charset a message declares for its text: its first text part's (not inside an attached
 * message). Raw 8-bit header bytes are most likely in it (Thunderbird decodes them with it too).
 */
export function declaredCharset(node: BodyNode | undefined): string | null {
  if (!node || node.type.toLowerCase() === 'message/rfc822') return null;
  if (node.childNodes?.length) {
    for (const child of node.childNodes) {
      const charset = declaredCharset(child);
      if (charset) return charset;
    }
    return null;
  }
  return node.type.toLowerCase().startsWith('text/') ? (node.parameters?.charset ?? null) : null;
}

/** Attachments and inline parts, from BODYSTRUCTURE (RFC 3501 7.4.2), without downloading anything. */
export function attachmentsOf(node: BodyNode | undefined): AttachmentSummary[] {
  const out: AttachmentSummary[] = [];
  if (node) collectAttachments(node, true, out);
  return out;
}

function collectAttachments(n: BodyNode, topLevel: boolean, out: AttachmentSummary[]): void {
  if (n.childNodes?.length) {
    for (const child of n.childNodes) collectAttachments(child, false, out);
    return;
  }
  const type = n.type.toLowerCase();
  const filename = n.dispositionParameters?.filename ?? n.parameters?.name ?? null;
  const disposition = n.disposition?.toLowerCase();
  const isBodyText = (type === 'text/plain' || type === 'text/html') && disposition !== 'attachment' && !filename;
  if (isBodyText || (topLevel && type.startsWith('text/') && !filename)) return;
  out.push({
    part: n.part ?? '1',
    filename,
    contentType: type,
    size: n.size ?? null,
    // Shown in the message, not an attachment: an image the HTML refers to by Content-ID (RFC 2387
    // multipart/related). A part marked inline by the sender (Apple Mail marks photos and PDFs so) is
    // still an attachment: it gets the list's paperclip and the reader's attachment row.
    inline: disposition !== 'attachment' && !!n.id && type.startsWith('image/'),
    contentId: n.id ?? null,
  });
}
