import type { HeaderRecord } from '../db/messages.js';
import { parseRawMessage } from './message.js';
import { messageIds } from './record.js';
import { parseSource, withText } from './source.js';
import { MAX_CACHED_TEXT_BYTES, makeSnippet } from './text.js';

/** The header block of a raw message, unfolded (RFC 5322 2.2.3), as name → values. */
function headerFields(raw: Buffer): Map<string, string[]> {
  const end = raw.indexOf('\r\n\r\n');
  const block = raw
    .subarray(0, end < 0 ? Math.min(raw.length, 65536) : end)
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const out = new Map<string, string[]>();
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    out.set(name, [...(out.get(name) ?? []), line.slice(i + 1).trim()]);
  }
  return out;
}

const ids = (text: string | undefined): string[] => messageIds(text ?? '');

/**
 * What the store keeps of a message we hold as raw bytes (an APPEND queued offline); the uid is the
 * caller's. With its text (`text`), so it reads and is found offline before it reaches the server.
 *
 * Read as the mirror reads a message (mime/source.ts), it is the row the server's ENVELOPE and
 * BODYSTRUCTURE give, with its text parts by their numbers: its HTML shows, and once it is on the
 * server its attachments are fetched by those numbers. A message that parse is not sure of gets
 * the fields mailparser reads, no structure, and its best plain text as part TEXT (as a message
 * without a usable structure is cached); the replay then leaves its row to the next sync.
 */
export async function headerRecordOfRaw(raw: Buffer, flags: string[], internalDate: number): Promise<Omit<HeaderRecord, 'uid'>> {
  const exact = parseSource(raw, MAX_CACHED_TEXT_BYTES);
  if (exact) return { modseq: null, flags, internalDate, size: raw.length, ...withText(exact) };
  const parsed = await parseRawMessage(raw);
  const fields = headerFields(raw);
  const sent = parsed.date ? Date.parse(parsed.date) : NaN;
  return {
    modseq: null,
    flags,
    internalDate,
    sentDate: Number.isFinite(sent) ? sent : null,
    size: raw.length,
    subject: parsed.subject,
    from: parsed.from[0] ?? null,
    to: parsed.to,
    cc: parsed.cc,
    bcc: parsed.bcc,
    replyTo: parsed.replyTo,
    messageId: parsed.messageId ? (ids(parsed.messageId)[0] ?? parsed.messageId) : null,
    inReplyTo: ids(fields.get('in-reply-to')?.[0])[0] ?? null,
    references: ids(fields.get('references')?.join(' ')),
    bodystructure: null,
    text: {
      snippet: makeSnippet(parsed.text),
      bodyState: 1, // BODY_TEXT: its text is all cached
      parts: [{ part: 'TEXT', contentType: 'text/plain', charset: 'utf-8', text: parsed.text, searchText: parsed.text, size: raw.length }],
    },
    attachments: parsed.attachments.map((a, i) => ({
      part: String(i + 2),
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      inline: a.inline,
      contentId: a.contentId,
    })),
  };
}
