import { DEFAULT_WHOLE_BELOW } from '../../../shared/domain/account.js';
import type { HeaderRecord } from '../db/messages.js';
import type { SourceItem } from '../imap/session.js';
import { parseSource, withText } from '../mime/source.js';
import { BODY_FULL } from '../db/parts.js';
import { MAX_CACHED_TEXT_BYTES } from '../mime/text.js';

/**
 * The mirror (DESIGN.md 4.4, the offline window): during a folder's header pass, messages inside
 * the window that are small are fetched whole, one BODY.PEEK[] each, and read here (mime/source.ts)
 * into the header row and the cached text at once, so they need neither ENVELOPE/BODYSTRUCTURE
 * (whose parsing is most of an imapflow client's CPU) nor a second pass for their text. The source
 * itself is kept (message_sources): the message's attachments and inline images open offline, and
 * it saves as .eml offline. What the parse is not sure of, and every larger message, takes the usual
 * path: header row now, then the body prefetch after the pass (sync/bodies.ts: small mail whole
 * there too, the rest text only). The rows are stored by storeMirrored (db/bulk-writer.ts).
 */

/**
 * Messages smaller than this are mirrored whole and kept whole, in the database (message_sources).
 * Of the rest (attachments, mostly) the mirror takes the header; the body prefetch then fetches
 * those under the account's Account.wholeBelow whole, to a file, and of larger ones only the text.
 */
export const MIRROR_MAX_BYTES = DEFAULT_WHOLE_BELOW;

/**
 * Messages per batch handed to the writer: a peak RSS of 231 MB for a 100,000-message sync with the
 * last 90 days mirrored, against 267 MB at the header batches' 500 (the target is 250).
 */
export const MIRROR_BATCH = 200;

/**
 * Reads a batch of whole messages into header records that carry their text (HeaderRecord.text),
 * on the thread that fetched them: the bulk writer's thread has the rows to write, and this one time
 * to spare while it does. A message the parse refused is left out: it needs the server's path.
 */
export function readSources(items: readonly SourceItem[]): HeaderRecord[] {
  const records: HeaderRecord[] = [];
  for (const item of items) {
    const parsed = parseSource(item.source, MAX_CACHED_TEXT_BYTES);
    if (!parsed) continue;
    const record = withText(parsed);
    records.push({
      uid: item.uid,
      modseq: item.modseq,
      flags: item.flags,
      internalDate: item.internalDate,
      size: item.size,
      ...record,
      // Kept whole: its attachments and inline images then open offline, and it saves as .eml.
      text: { ...record.text, bodyState: BODY_FULL, source: item.source },
    });
  }
  return records;
}
