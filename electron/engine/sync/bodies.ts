import { TegamiError } from '../../../shared/domain/errors.js';
import { SOURCE_PART, type OfflineWindow, type PartStore, type PendingBody, type TextPartRecord } from '../db/parts.js';
import { fetchSources, fetchTextParts, streamSource, withMailbox, type StreamOptions, type StreamResult } from '../imap/parts.js';
import type { ImapSession } from '../imap/session.js';
import { parseRawMessage } from '../mime/message.js';
import { parseBodyStructure, prefetchParts, type TextPartRef } from '../mime/structure.js';
import { parseSource, type ParsedSource } from '../mime/source.js';
import { makeSnippet, MAX_CACHED_TEXT_BYTES, textRecords } from '../mime/text.js';
import { MIRROR_MAX_BYTES } from './mirror.js';

/**
 * Bodies within the offline window (DESIGN.md 4.4): after header sync, the text parts of every
 * message received in the last N days (per account, default 90, or all) are fetched in batches,
 * newest first, decoded and cached, so the mail can be read and searched offline. Small messages
 * (smaller than MIRROR_MAX_BYTES) are fetched whole and kept whole, as the mirror keeps them, so their
 * attachments and inline images open offline too. The work list is "messages whose text is not
 * cached", so an interrupted pass simply resumes; the attachments of larger mail are fetched when
 * the user opens them. Messages that age out of the window lose their cached parts and sources.
 */

const DAY = 86_400_000;

export interface PrefetchOptions {
  /** Defaults to the account's setting. */
  window?: OfflineWindow;
  now?: number;
  /** Messages per FETCH command (at most; see maxBatchBytes). */
  batchSize?: number;
  /** A FETCH command asks for at most about this many bytes (by the messages' sizes). */
  maxBatchBytes?: number;
  /** Text parts larger than this (BODYSTRUCTURE size) are left for on-demand fetching. */
  maxTextBytes?: number;
  /** Messages without a usable BODYSTRUCTURE are parsed from their source up to this size. */
  maxSourceBytes?: number;
  /**
   * Messages smaller than this (RFC822.SIZE) are fetched whole and kept whole, as the mirror takes
   * them (sync/mirror.ts): their text is read from the source, and their attachments open offline.
   */
  maxWholeBytes?: number;
  /**
   * Larger messages smaller than this are fetched whole too, to a file (SOURCE_PART): their
   * attachments open offline. Defaults to the account's setting (Account.wholeBelow).
   */
  wholeBelow?: number;
  /** Stop after this many messages (a background slice); the next pass continues. */
  maxMessages?: number;
  signal?: AbortSignal;
  onProgress?: (p: { accountId: number; done: number }) => void;
}

export interface PrefetchReport {
  cached: number;
  skipped: number;
  failedFolders: Array<{ path: string; error: string }>;
}

export function windowCutoff(window: OfflineWindow, now: number): number {
  return window === 'all' ? Number.MIN_SAFE_INTEGER : now - window * DAY;
}

type Plan = { message: PendingBody; refs: TextPartRef[] } | { message: PendingBody; refs: null };

/** What to fetch for a message: its displayable text parts, or (no usable structure) its source. */
function planFor(message: PendingBody, maxTextBytes: number): Plan {
  const structure = parseBodyStructure(message.bodystructure);
  if (!structure) return { message, refs: null };
  return { message, refs: prefetchParts(structure, maxTextBytes) };
}

interface StoredBody {
  messageId: number;
  parts: TextPartRecord[];
  snippet: string | null;
  /** A small message's whole source (PrefetchOptions.maxWholeBytes), kept for offline use. */
  source?: Buffer;
  /** A larger message's whole source was written to its file (PrefetchOptions.wholeBelow). */
  whole?: boolean;
}

/** A message whose structure is unusable: parsed from its whole source (mailparser). */
export async function salvagedRecord(source: Buffer): Promise<{ parts: TextPartRecord[]; snippet: string }> {
  const parsed = await parseRawMessage(source);
  return {
    parts: [{ part: 'TEXT', contentType: 'text/plain', charset: 'utf-8', text: parsed.text, searchText: parsed.text, size: source.length }],
    snippet: makeSnippet(parsed.text),
  };
}

/**
 * Streams a message's whole source to its file in the part cache (SOURCE_PART); answers the bytes
 * too when there are at most `keep` of them (to read its text from), else an empty buffer. Null
 * when the server no longer has the message.
 */
async function sourceToFile(
  fetch: (options: StreamOptions) => Promise<StreamResult | null>,
  parts: PartStore,
  message: PendingBody,
  keep: number,
): Promise<Buffer | null> {
  const writer = await parts.openFile(message.id, SOURCE_PART);
  const chunks: Buffer[] = [];
  try {
    const done = await fetch({
      chunkSize: SOURCE_CHUNK,
      onChunk: async (b) => {
        if (message.size <= keep) chunks.push(b);
        await writer.write(b);
      },
    });
    if (!done) {
      await writer.abort();
      return null;
    }
    await writer.commit({ contentType: 'message/rfc822' });
    return Buffer.concat(chunks);
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Ranges a larger source is fetched in (BODY.PEEK[]<start.count>). */
const SOURCE_CHUNK = 1024 * 1024;

async function fetchGroup(
  session: ImapSession,
  parts: PartStore,
  plans: Plan[],
  o: Required<Pick<PrefetchOptions, 'maxTextBytes' | 'maxSourceBytes' | 'maxWholeBytes' | 'wholeBelow'>>,
): Promise<StoredBody[]> {
  const first = plans[0];
  if (!first) return [];
  const box = { path: first.message.path, uidvalidity: first.message.uidvalidity };
  const { whole, onDisk, read, structured, sources } = await withMailbox(session, box, async (client) => {
    // Small mail whole, in one command; its text read from the source where the parse is sure of
    // it (mime/source.ts), else fetched by part numbers below as the rest is.
    const whole = await fetchSources(
      client,
      plans.filter((p) => p.message.size < o.maxWholeBytes).map((p) => p.message.uid),
    );
    const read = new Map<number, ParsedSource>();
    for (const [uid, source] of whole) {
      const parsed = parseSource(source, o.maxTextBytes);
      if (parsed) read.set(uid, parsed);
    }
    // Larger mail the account keeps whole: each to its file, its text read from it as above when
    // it is not too large to hold.
    const onDisk = new Set<number>();
    for (const p of plans) {
      if (p.message.size < o.maxWholeBytes || p.message.size >= o.wholeBelow) continue;
      const source = await sourceToFile((options) => streamSource(client, p.message.uid, options), parts, p.message, o.maxSourceBytes);
      if (!source) continue;
      onDisk.add(p.message.uid);
      const parsed = source.length > 0 ? parseSource(source, o.maxTextBytes) : null;
      if (parsed) read.set(p.message.uid, parsed);
      else if (p.refs === null && source.length > 0) whole.set(p.message.uid, source);
    }
    const withRefs = plans.filter(
      (p): p is Plan & { refs: TextPartRef[] } => p.refs !== null && p.refs.length > 0 && !read.has(p.message.uid),
    );
    const structured = await fetchTextParts(
      client,
      withRefs.map((p) => ({ uid: p.message.uid, parts: p.refs.map((r) => r.part) })),
      o.maxTextBytes,
    );
    const sources = new Map<number, Buffer>();
    for (const p of plans) {
      if (p.refs !== null || p.message.size > o.maxSourceBytes || whole.has(p.message.uid)) continue;
      const chunks: Buffer[] = [];
      const done = await streamSource(client, p.message.uid, { chunkSize: o.maxSourceBytes, onChunk: (b) => void chunks.push(b) });
      if (done) sources.set(p.message.uid, Buffer.concat(chunks));
    }
    return { whole, onDisk, read, structured, sources };
  });
  const out: StoredBody[] = [];
  for (const p of plans) {
    const id = p.message.id;
    const kept = whole.get(p.message.uid);
    const keep = onDisk.has(p.message.uid) ? { whole: true } : kept ? { source: kept } : {};
    const parsed = read.get(p.message.uid);
    if (parsed) {
      out.push({ messageId: id, parts: parsed.texts.parts, snippet: parsed.texts.snippet, ...keep });
      continue;
    }
    if (p.refs === null) {
      const source = kept ?? sources.get(p.message.uid);
      if (source) out.push({ messageId: id, ...(await salvagedRecord(source)), ...keep });
      // Too large to parse here: whole on disk all the same (its text is read from the file when
      // opened), so the next pass does not download it again.
      else if (onDisk.has(p.message.uid)) out.push({ messageId: id, parts: [], snippet: null, whole: true });
      continue;
    }
    if (p.refs.length === 0) {
      // Nothing textual to cache (an image, a calendar file); a small one is kept whole all the same.
      out.push({ messageId: id, parts: [], snippet: null, ...keep });
      continue;
    }
    const raw = structured.get(p.message.uid);
    if (raw) out.push({ messageId: id, ...textRecords(p.refs, raw), ...keep });
  }
  return out;
}

/** Plans by mailbox, each cut into runs of at most `maxBytes` (by message size, an upper bound of its text). */
const groupByMailbox = (plans: Plan[], maxBytes: number): Plan[][] => {
  const groups = new Map<number, Plan[]>();
  for (const p of plans) {
    let group = groups.get(p.message.mailboxId);
    if (!group) groups.set(p.message.mailboxId, (group = []));
    group.push(p);
  }
  const out: Plan[][] = [];
  for (const group of groups.values()) {
    let run: Plan[] = [];
    let bytes = 0;
    for (const p of group) {
      if (run.length > 0 && bytes + p.message.size > maxBytes) {
        out.push(run);
        run = [];
        bytes = 0;
      }
      run.push(p);
      bytes += p.message.size;
    }
    if (run.length) out.push(run);
  }
  return out;
};

/**
 * Caches the text of the account's messages inside the offline window, newest first, in batches
 * of `batchSize` per FETCH. A folder the server refuses is reported and skipped; a lost
 * connection ends the pass with the error (what was stored stays stored).
 */
export async function prefetchBodies(
  session: ImapSession,
  parts: PartStore,
  accountId: number,
  opts: PrefetchOptions = {},
): Promise<PrefetchReport> {
  const window = opts.window ?? parts.offlineWindow(accountId);
  const cutoff = windowCutoff(window, opts.now ?? Date.now());
  // Big batches: each FETCH is a round trip plus a mailbox lock and a transaction, so a few hundred
  // round trips of 50 messages cost more than the transfer itself; bytes bound the memory held.
  const batchSize = opts.batchSize ?? 2000;
  const maxBatchBytes = opts.maxBatchBytes ?? 16 * 1024 * 1024;
  const limits = {
    maxTextBytes: opts.maxTextBytes ?? MAX_CACHED_TEXT_BYTES,
    maxSourceBytes: opts.maxSourceBytes ?? 4 * 1024 * 1024,
    maxWholeBytes: opts.maxWholeBytes ?? MIRROR_MAX_BYTES,
    wholeBelow: opts.wholeBelow ?? parts.wholeBelow(accountId),
  };
  const report: PrefetchReport = { cached: 0, skipped: 0, failedFolders: [] };
  const refused = new Set<number>();
  // Stored by the store's writer (a worker thread in the engine) while the next group is fetched;
  // at most two groups wait, and all are stored (or their error thrown) before this returns.
  const storing: Promise<void>[] = [];
  let storeFailed: { error: unknown } | null = null;
  const store = async (stored: StoredBody[], asked: number) => {
    storing.push(
      parts.writer.storeTexts(stored).then(
        () => {
          report.cached += stored.length;
          report.skipped += asked - stored.length;
        },
        (error: unknown) => void (storeFailed ??= { error }),
      ),
    );
    while (storing.length > 2) await storing.shift();
    if (storeFailed) throw storeFailed.error;
  };
  let cursor: { date: number; id: number } | undefined;
  let seen = 0;
  try {
    while (!opts.signal?.aborted && (opts.maxMessages === undefined || seen < opts.maxMessages)) {
      const batch = parts.pendingBodies(accountId, cutoff, batchSize, cursor);
      const last = batch.at(-1);
      if (!last) break;
      cursor = { date: last.internalDate, id: last.id };
      seen += batch.length;
      const plans = batch.filter((m) => !refused.has(m.mailboxId)).map((m) => planFor(m, limits.maxTextBytes));
      for (const group of groupByMailbox(plans, maxBatchBytes)) {
        let stored: StoredBody[];
        try {
          stored = await fetchGroup(session, parts, group, limits);
        } catch (error) {
          // A folder deleted meanwhile or reset (UIDVALIDITY) is skipped until the next header sync.
          if (!(error instanceof TegamiError) || !['SERVER_ERROR', 'NOT_FOUND'].includes(error.code) || !session.usable) throw error;
          const path = group[0]?.message.path ?? '';
          refused.add(group[0]?.message.mailboxId ?? 0);
          report.failedFolders.push({ path, error: error.message });
          continue;
        }
        await store(stored, group.length);
      }
      opts.onProgress?.({ accountId, done: report.cached });
    }
  } finally {
    await Promise.all(storing); // what was fetched is stored, even when the pass ends in an error
  }
  if (storeFailed) throw (storeFailed as { error: unknown }).error;
  opts.onProgress?.({ accountId, done: report.cached });
  return report;
}

/** How long a message the user had fetched from the server keeps its text, inside the window or not. */
export const KEEP_OPENED_DAYS = 14;

/**
 * Drops cached parts of messages that left the offline window, except those the user opened (had
 * fetched from the server) in the last KEEP_OPENED_DAYS; returns the ids evicted.
 */
export async function evictOutsideWindow(
  parts: PartStore,
  accountId: number,
  opts: { window?: OfflineWindow; now?: number } = {},
): Promise<number[]> {
  const window = opts.window ?? parts.offlineWindow(accountId);
  if (window === 'all') return [];
  const now = opts.now ?? Date.now();
  return parts.evictBefore(accountId, windowCutoff(window, now), now - KEEP_OPENED_DAYS * DAY);
}

/**
 * Drops the whole copies (their source files) of the account's mail of `bytes` or more, the
 * account's wholeBelow lowered to it, except those the user opened in the last KEEP_OPENED_DAYS;
 * their text stays cached. Returns the ids.
 */
export async function evictWholeFrom(parts: PartStore, accountId: number, bytes: number, now = Date.now()): Promise<number[]> {
  return parts.dropWholeFrom(accountId, bytes, now - KEEP_OPENED_DAYS * DAY);
}

/**
 * Drops what is cached of a folder's mail (no longer kept for offline reading), except what the
 * user opened in the last KEEP_OPENED_DAYS. Returns the ids.
 */
export async function evictFolder(parts: PartStore, mailboxId: number, now = Date.now()): Promise<number[]> {
  return parts.evictMailbox(mailboxId, now - KEEP_OPENED_DAYS * DAY);
}

/**
 * What follows every full header pass, on the same (sync) connection so a user's click never
 * waits behind it: evict what fell out of the offline window, then cache the text of the mail in it.
 */
export async function afterHeaderPass(session: ImapSession, parts: PartStore, accountId: number): Promise<void> {
  await evictOutsideWindow(parts, accountId);
  await prefetchBodies(session, parts, accountId);
}
