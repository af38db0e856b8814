import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { DEFAULT_OFFLINE_DAYS, DEFAULT_WHOLE_BELOW, type OfflineWindow } from '../../../shared/domain/account.js';
import type { FieldTerm } from '../../../shared/domain/body.js';
import type { MessageSummary } from '../../../shared/domain/message.js';
import { TegamiError } from '../../../shared/domain/errors.js';
import { atomically, storageError, type Db } from './database.js';
import { settle, type BulkWriter } from './bulk-writer.js';
import { summaryColumns, toSummary, type MessageRow } from './messages.js';
import { addressText, isCjkTerm, searchIndexWriter, withSearchDeferred } from './search-text.js';
import { isPhrase, queryTerms } from '../../../shared/domain/query.js';

/**
 * The part cache (DESIGN.md 3): decoded text parts in the `parts` table (their search_text feeds
 * full-text search: storeTexts writes each message's search row itself, the triggers of migrations 6
 * and 7 cover every other writer and deletes), binary and large parts as files under
 * <dataDir>/parts/<messageId>/<part>, written atomically (temporary file, then rename). Also the
 * local search queries over message_search.
 */

export const BODY_NONE = 0;
export const BODY_TEXT = 1;
export const BODY_FULL = 2;
export type BodyStateValue = typeof BODY_NONE | typeof BODY_TEXT | typeof BODY_FULL;

/** The part key under which a message's whole source is cached (not a MIME part number). */
export const SOURCE_PART = 'source';

/** The window an account has until one is set (defined with the contract, which the UI shares). */
export { DEFAULT_OFFLINE_DAYS };

/** Mail of the window smaller than this is kept whole until an account says otherwise (Account.wholeBelow). */
export { DEFAULT_WHOLE_BELOW };

/** How many days of mail keep their bodies offline, or 'all' (the contract's type). */
export type { OfflineWindow };

/**
 * Whether a folder's mail of the offline window is downloaded (Mailbox.offline): as the user chose
 * (mailboxes.offline), else every folder but the \All one (RFC 6154), whose mail is in the others too.
 */
export const keptOffline = (offline: number | null, role: string | null): boolean => (offline === null ? role !== 'all' : offline === 1);
/** The same in SQL, of the mailboxes row `b`. */
const keptOfflineSql = "coalesce(b.offline, coalesce(b.role, '') <> 'all')";

/** What the body prefetch's work lists answer (PendingBody), and the conditions they share. */
const pendingColumns =
  'm.id, m.mailbox_id AS mailboxId, b.path, m.uidvalidity, m.uid, m.internal_date AS internalDate, m.size, m.bodystructure';
const pendingWhere = `m.stale = 0 AND m.uid > 0 AND b.account_id = @accountId AND ${keptOfflineSql} AND m.internal_date >= @cutoff
  AND (m.internal_date, m.id) < (@beforeDate, @beforeId)`;

/** accounts.offline_window_days as the window it stands for: NULL the default, 0 all mail. */
export const offlineWindowOf = (days: number | null): OfflineWindow => (days === null ? DEFAULT_OFFLINE_DAYS : days === 0 ? 'all' : days);

export interface TextPartRecord {
  part: string;
  contentType: string;
  charset: string | null;
  text: string;
  /** What search indexes; null keeps the part out of the index. */
  searchText: string | null;
  /** Size on the server (transfer-encoded) in bytes. */
  size: number;
}

export type CachedPart =
  | { kind: 'text'; part: string; contentType: string; charset: string | null; text: string; size: number }
  | { kind: 'file'; part: string; contentType: string; file: string; size: number };

/** A message as the body code needs it: where it lives on the server, and what the headers said. */
export interface MessageBodyRow {
  id: number;
  accountId: number;
  mailboxId: number;
  path: string;
  uidvalidity: number;
  uid: number;
  internalDate: number;
  size: number;
  bodystructure: string | null;
  addresses: string;
  attachments: string;
  bodyState: BodyStateValue;
  summary: MessageSummary;
}

export interface PendingBody {
  id: number;
  mailboxId: number;
  path: string;
  uidvalidity: number;
  uid: number;
  internalDate: number;
  size: number;
  bodystructure: string | null;
}

export interface SearchQuery {
  query: string;
  accountId?: number | undefined;
  mailboxId?: number | undefined;
  limit: number;
  /**
   * Only messages in this state (is:unread, is:read, is:flagged, has:attachment) and with these
   * substrings in these fields (from:, to: — any recipient —, subject:), before the limit.
   */
  filters?: {
    unread?: boolean | undefined;
    read?: boolean | undefined;
    flagged?: boolean | undefined;
    hasAttachments?: boolean | undefined;
    /** Each entry must match; an entry that is a list, one of its values (`from:a OR from:b`). */
    from?: readonly FieldTerm[] | undefined;
    to?: readonly FieldTerm[] | undefined;
    subject?: readonly FieldTerm[] | undefined;
  };
}

/** Links `from` to `to` (a copy where the file system has no hard links), replacing `to`; false when neither works. */
async function linkFile(from: string, to: string): Promise<boolean> {
  try {
    await mkdir(path.dirname(to), { recursive: true });
    await rm(to, { force: true });
    await link(from, to).catch(() => copyFile(from, to));
    return true;
  } catch {
    await rm(to, { force: true }).catch(() => undefined);
    return false;
  }
}

/** Decoded text parts of many messages, with their snippets, as storeTexts takes them. */
export type TextBatch = ReadonlyArray<{
  messageId: number;
  parts: TextPartRecord[];
  snippet: string | null;
  complete?: boolean;
  /** The whole message, downloaded with its text (a small one: sync/mirror.ts): kept, and the message is then BODY_FULL. */
  source?: Uint8Array;
  /** The whole message is on disk already (a larger one's, written to its SOURCE_PART file): the message is then BODY_FULL. */
  whole?: boolean;
}>;

/** A file being written into the cache: write to `stream`, then commit() (or abort()). */
export interface PartFileWriter {
  readonly stream: WriteStream;
  /** Writes bytes, waiting while the file is behind; a failed write (a full disk) rejects with STORAGE. */
  write(bytes: Uint8Array): Promise<void>;
  commit(meta: { contentType: string }): Promise<CachedPart & { kind: 'file' }>;
  abort(): Promise<void>;
}

interface PartRow {
  part: string;
  content_type: string;
  charset: string | null;
  text: string | null;
  search_text: string | null;
  file: string | null;
  size: number;
}

/** How many LIKE terms, phrases, excluded terms and field terms of each kind a search statement takes (its cache key). */
interface StatementShape {
  like: number;
  phrase: number;
  /** Per excluded term, the index that finds it: 't' trigram, 'c' CJK bigram, '-' none (a 1–2 character term). */
  excluded: string;
  /** Per field term, how many values it has (1, or a group of alternatives), dot-joined. */
  from: string;
  to: string;
  subject: string;
}

/** A statement's cache key: its shape, every field. */
const statementKey = (shape: StatementShape): string => Object.values(shape).join(':');

/**
 * The clauses of a field's terms (StatementShape: their sizes, dot-joined), `clause` given each
 * value's parameter suffix (`0_0`, `1_0`, `1_1` …): one clause per term, its values ORed.
 */
const fieldClauses = (sizes: string, clause: (suffix: string) => string): string[] =>
  sizes === ''
    ? []
    : sizes.split('.').map((n, i) => {
        const values = Array.from({ length: Number(n) }, (_, j) => clause(`${i}_${j}`));
        return values.length === 1 ? (values[0] as string) : `(${values.join(' OR ')})`;
      });

/** Code points, not UTF-16 units: the trigram tokenizer counts characters. */
const charCount = (s: string): number => [...s].length;
/**
 * How many of the most recent matches (the highest ids) a common term is ranked among. Ids follow
 * the messages' dates (ID_SLOTS in messages.ts), whatever order a sync stores them in.
 */
export const SEARCH_WINDOW = 1000;
/** Match sets up to this size are ranked by bm25; bigger ones newest first. */
export const RANK_LIMIT = 200;

/** FTS5 string: a phrase in double quotes, quotes doubled (so no query syntax leaks through). */
const ftsPhrase = (term: string): string => `"${term.replace(/"/g, '""')}"`;
/** A term as its index is asked for it: one CJK character is the first of a bigram (a prefix). */
const ftsMatch = (term: string): string => (charCount(term) === 1 && isCjkTerm(term) ? `${ftsPhrase(term)}*` : ftsPhrase(term));
const likePattern = (term: string): string => `%${term.replace(/[\\%_]/g, '\\$&')}%`;

/** A word as an index is asked for it: the trigram indexes (3+ characters) or the CJK bigram ones. */
export interface IndexTerm {
  kind: 'trigram' | 'cjk';
  match: string;
  term: string;
}

/** One AND query of a search, its terms split for the indexes (splitQuery). */
export interface SplitQuery {
  long: string[];
  short: string[];
  phrases: string[];
  excluded: string[];
  /** OR groups whose every alternative is one word an index has: each required, as a union of the alternatives' matches. */
  anyOf?: IndexTerm[][];
}

/** The most AND queries an OR query may multiply out to (`a OR b c OR d` is four). */
export const MAX_OR_COMBINATIONS = 16;

/**
 * Splits a query (queryTerms: words and "quoted phrases") into words the trigram index can match
 * (3+ characters) and shorter ones, which fall back to LIKE (a scan of the indexed text; SQLite's
 * trigram tokenizer cannot index them). A phrase's words are searched for like any others, and the
 * phrase itself is then checked on the messages that have them all (`phrases`). Excluded words and
 * phrases (`-word`) are checked on those messages too (`excluded`). A query with OR groups is
 * multiplied out: one AND query per choice of one alternative in each group, all excluding the
 * same terms; more than MAX_OR_COMBINATIONS is refused.
 */
export function splitQuery(query: string): SplitQuery[] {
  const { terms, excluded, anyOf } = queryTerms(query);
  const split = (required: string[]): SplitQuery => {
    const words = [...new Set(required.flatMap((t) => t.split(' ')))];
    return {
      long: words.filter((t) => charCount(t) >= 3),
      short: words.filter((t) => charCount(t) < 3),
      phrases: [...new Set(required.filter(isPhrase))],
      excluded,
    };
  };
  // Groups of words the indexes have (no phrase, no 1–2 letter word they cannot see) are sought as
  // unions in one search: "lunch OR design review OR release" multiplied out was four searches, three
  // of them for pairs no message has, each reading both words' every match (68 ms over 100,000).
  const indexTerm = (t: string): IndexTerm | null =>
    isPhrase(t)
      ? null
      : charCount(t) >= 3
        ? { kind: 'trigram', match: ftsPhrase(t), term: t }
        : isCjkTerm(t)
          ? { kind: 'cjk', match: ftsMatch(t), term: t }
          : null;
  const indexed = anyOf.map((group) => group.map(indexTerm));
  if (anyOf.length && indexed.every((group) => group.every((t) => t !== null)))
    return [{ ...split(terms), anyOf: indexed as IndexTerm[][] }];
  const combinations = anyOf.reduce((n, group) => n * group.length, 1);
  if (combinations > MAX_OR_COMBINATIONS)
    throw new TegamiError({
      code: 'INVALID_INPUT',
      message: `That search has too many OR choices (${combinations} combinations; at most ${MAX_OR_COMBINATIONS}).`,
    });
  let queries: string[][] = [terms];
  for (const group of anyOf) queries = queries.flatMap((required) => group.map((alternative) => [...required, alternative]));
  return queries.map(split);
}

/** Newest first, as the message list: by date, then by id (ID_SLOTS). */
const newestFirst = (a: MessageSummary, b: MessageSummary): number => (a.date === b.date ? b.id - a.id : a.date < b.date ? 1 : -1);

export class PartStore {
  readonly #db: Db;
  readonly #root: string;
  readonly #q;
  readonly #index;
  readonly #searches = new Map<string, ReturnType<Db['prepare']>>();

  /**
   * Where the body prefetch stores its text batches: on this connection by default; the engine
   * hands it a worker thread's writer (openBulkWriter) so storing overlaps fetching.
   */
  writer: Pick<BulkWriter, 'storeTexts'> = { storeTexts: (batch) => settle(() => this.storeTexts(batch)) };

  /** When true, storeTexts lists first-time texts in body_backfill instead of indexing them. */
  readonly #deferIndex: boolean;

  /**
   * `deferBodyIndex`: the bulk writer's store. The body prefetch's texts are stored at once (the mail
   * reads offline) and their search rows written by backfillBodies when the writer is idle, or after
   * the prefetch: the trigram index is most of the cost of storing a text (measured: 50,000 texts in
   * 6.3 s CPU, 2.9 s without it), and on a fast link the writer's time is what the prefetch waits
   * for. Search scans the texts waiting meanwhile.
   */
  constructor(db: Db, dataDir: string, options: { deferBodyIndex?: boolean } = {}) {
    this.#db = db;
    this.#deferIndex = options.deferBodyIndex === true;
    this.#root = path.join(dataDir, 'parts');
    this.#q = {
      part: db.prepare<[number, string], PartRow>(
        'SELECT part, content_type, charset, text, search_text, file, size FROM parts WHERE message_id = ? AND part = ?',
      ),
      partNumbers: db.prepare<[number], { part: string }>('SELECT part FROM parts WHERE message_id = ?'),
      files: db.prepare<[number], PartRow>(
        'SELECT part, content_type, charset, text, search_text, file, size FROM parts WHERE message_id = ? AND file IS NOT NULL',
      ),
      exists: db.prepare<[number], { id: number }>('SELECT id FROM messages WHERE id = ?'),
      upsertPart: db.prepare(
        `INSERT INTO parts (message_id, part, content_type, charset, text, search_text, file, size)
         VALUES (@messageId, @part, @contentType, @charset, @text, @searchText, @file, @size)
         ON CONFLICT (message_id, part) DO UPDATE SET content_type = excluded.content_type, charset = excluded.charset,
           text = excluded.text, search_text = excluded.search_text, file = excluded.file, size = excluded.size,
           cached_at = excluded.cached_at`,
      ),
      setSnippet: db.prepare<[string | null, number]>('UPDATE messages SET snippet = ? WHERE id = ?'),
      raiseBodyState: db.prepare<[number, number]>('UPDATE messages SET body_state = max(body_state, ?) WHERE id = ?'),
      setTextState: db.prepare(
        'UPDATE messages SET snippet = coalesce(@snippet, snippet), body_state = max(body_state, @state) WHERE id = @id',
      ),
      message: db.prepare<
        [number],
        MessageRow & {
          account_id: number;
          path: string;
          bodystructure: string | null;
          addresses: string;
          attachments: string;
          body_state: number;
        }
      >(
        `SELECT ${summaryColumns}, bodystructure, addresses, attachments, body_state,
           (SELECT account_id FROM mailboxes WHERE mailboxes.id = messages.mailbox_id) AS account_id,
           (SELECT path FROM mailboxes WHERE mailboxes.id = messages.mailbox_id) AS path
         FROM messages WHERE id = ?`,
      ),
      // Local-only rows (uid <= 0: a move or append not replayed yet) have nothing on the server to fetch.
      pending: db.prepare(
        `SELECT ${pendingColumns} FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
         WHERE m.body_state = 0 AND ${pendingWhere}
         ORDER BY m.internal_date DESC, m.id DESC LIMIT @limit`,
      ),
      // The same, with the mail whose text alone is cached that the account keeps whole (wholeBelow
      // raised). Both walk the folders' messages_by_date over the window.
      pendingOrWhole: db.prepare(
        `SELECT ${pendingColumns} FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
         WHERE (m.body_state = 0 OR (m.body_state = 1 AND m.size < @wholeBelow)) AND ${pendingWhere}
         ORDER BY m.internal_date DESC, m.id DESC LIMIT @limit`,
      ),
      toEvict: db.prepare<[number, number, number], { id: number }>(
        `SELECT m.id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
         WHERE m.body_state > 0 AND m.uid > 0 AND b.account_id = ? AND m.internal_date < ? AND (m.opened_at IS NULL OR m.opened_at < ?)`,
      ),
      // Whole sources on disk (SOURCE_PART files) of messages of at least a size: Account.wholeBelow
      // lowered. Neither this nor toEvict takes mail the server does not have yet (a queued APPEND's,
      // an offline move's copy): what is cached of it is its only copy to read.
      wholeFiles: db.prepare<[number, number, number], { id: number; file: string }>(
        `SELECT m.id, p.file FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
           JOIN parts p ON p.message_id = m.id AND p.part = '${SOURCE_PART}'
         WHERE b.account_id = ? AND m.size >= ? AND p.file IS NOT NULL AND m.uid > 0 AND (m.opened_at IS NULL OR m.opened_at < ?)`,
      ),
      deletePart: db.prepare<[number, string]>('DELETE FROM parts WHERE message_id = ? AND part = ?'),
      // Its text, when cached, is all that is left of it.
      lowerToText: db.prepare<[number]>(
        `UPDATE messages SET body_state = CASE WHEN EXISTS (SELECT 1 FROM parts WHERE message_id = messages.id AND file IS NULL)
           THEN ${BODY_TEXT} ELSE ${BODY_NONE} END WHERE id = ?`,
      ),
      toEvictInMailbox: db.prepare<[number, number], { id: number }>(
        `SELECT id FROM messages WHERE mailbox_id = ? AND body_state > 0 AND uid > 0 AND (opened_at IS NULL OR opened_at < ?)`,
      ),
      setOpened: db.prepare<[number, number]>('UPDATE messages SET opened_at = ? WHERE id = ?'),
      deleteParts: db.prepare<[number]>('DELETE FROM parts WHERE message_id = ?'),
      putSource: db.prepare<[number, Uint8Array]>('INSERT OR REPLACE INTO message_sources (message_id, source) VALUES (?, ?)'),
      source: db.prepare<[number], Buffer>('SELECT source FROM message_sources WHERE message_id = ?').pluck(),
      hasSource: db.prepare<[number], 1>('SELECT 1 FROM message_sources WHERE message_id = ?').pluck(),
      shareSource: db.prepare<[number, number]>(
        'INSERT OR REPLACE INTO message_sources (message_id, source) SELECT ?, source FROM message_sources WHERE message_id = ?',
      ),
      deleteSource: db.prepare<[number]>('DELETE FROM message_sources WHERE message_id = ?'),
      clearBodyState: db.prepare<[number]>('UPDATE messages SET body_state = 0 WHERE id = ?'),
      window: db.prepare<[number], { offline_window_days: number | null }>('SELECT offline_window_days FROM accounts WHERE id = ?'),
      setWindow: db.prepare<[number | null, number]>('UPDATE accounts SET offline_window_days = ? WHERE id = ?'),
      wholeBelow: db.prepare<[number], { whole_below: number | null }>('SELECT whole_below FROM accounts WHERE id = ?'),
      setWholeBelow: db.prepare<[number, number]>('UPDATE accounts SET whole_below = ? WHERE id = ?'),
      // One chunk of an index's matches below a rowid, newest first (#matches).
      ...(Object.fromEntries(
        (
          [
            ['headerIds', 'message_search'],
            ['headerCjkIds', 'message_search_cjk'],
            ['bodyIds', 'body_search'],
            ['bodyCjkIds', 'body_search_cjk'],
          ] as const
        ).map(([name, table]) => [
          name,
          db.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH @match AND rowid < @bound ORDER BY rowid DESC LIMIT @size`),
        ]),
      ) as Record<'headerIds' | 'headerCjkIds' | 'bodyIds' | 'bodyCjkIds', ReturnType<Db['prepare']>>),
      // The id `offset` places below `high` (a range of a scan, search()); undefined past the last.
      idBelow: db.prepare<[number, number], number>('SELECT id FROM messages WHERE id <= ? ORDER BY id DESC LIMIT 1 OFFSET ?').pluck(),
      headerBacklog: db.prepare<[], 1>('SELECT 1 FROM header_backfill LIMIT 1').pluck(),
      headerBacklogRows: db.prepare<[], { id: number; subject: string; addresses: string }>(
        `SELECT m.id, m.subject, m.addresses FROM header_backfill h JOIN messages m ON m.id = h.message_id ORDER BY h.message_id DESC`,
      ),
      byUids: db.prepare<[number, string], MessageRow>(
        `SELECT ${summaryColumns} FROM messages WHERE mailbox_id = ? AND stale = 0 AND uid IN (SELECT value FROM json_each(?))`,
      ),
      messageIds: db.prepare<[], { id: number }>('SELECT id FROM messages'),
      mailboxState: db.prepare<[number], { uidvalidity: number | null }>('SELECT uidvalidity FROM mailboxes WHERE id = ?'),
      backfillPending: db.prepare<[], 1>('SELECT 1 FROM body_backfill LIMIT 1').pluck(),
      backfillNext: db.prepare<[number], number>('SELECT message_id FROM body_backfill ORDER BY message_id DESC LIMIT ?').pluck(),
      indexLater: db.prepare<[number]>('INSERT OR IGNORE INTO body_backfill (message_id) VALUES (?)'),
      // Texts cached but not indexed yet holding a LIKE pattern (#matches), newest first.
      bodyBacklogIds: db
        .prepare<[string], number>(
          `SELECT b.message_id FROM body_backfill b WHERE EXISTS (SELECT 1 FROM parts p
             WHERE p.message_id = b.message_id AND p.search_text LIKE ? ESCAPE '\\') ORDER BY b.message_id DESC`,
        )
        .pluck(),
      backfillDone: db.prepare<[number]>('DELETE FROM body_backfill WHERE message_id = ?'),
      hasSearchText: db.prepare<[number], 1>('SELECT 1 FROM parts WHERE message_id = ? AND search_text IS NOT NULL LIMIT 1').pluck(),
      searchTexts: db
        .prepare<[number], string>('SELECT search_text FROM parts WHERE message_id = ? AND search_text IS NOT NULL ORDER BY part')
        .pluck(),
    };
    this.#index = searchIndexWriter(db);
  }

  // ---- cached parts ------------------------------------------------------------------------------

  /** Absolute path of a cached part's file. Part numbers are digits and dots, so they are safe names. */
  partFile(messageId: number, part: string): string {
    if (!/^(\d+(\.\d+)*|TEXT|source)$/.test(part))
      throw new TegamiError({ code: 'INVALID_INPUT', message: `“${part}” is not a MIME part number.` });
    return path.join(this.#root, String(messageId), part);
  }

  get(messageId: number, part: string): CachedPart | null {
    const row = this.#q.part.get(messageId, part);
    if (!row) return null;
    if (row.file !== null)
      return { kind: 'file', part, contentType: row.content_type, file: path.join(this.#root, row.file), size: row.size };
    // A text that is its own search text is stored once, in search_text (migration 11).
    return {
      kind: 'text',
      part,
      contentType: row.content_type,
      charset: row.charset,
      text: row.text ?? row.search_text ?? '',
      size: row.size,
    };
  }

  /**
   * The whole message as downloaded with its text (the mirror's and the prefetch's small mail,
   * TextBatch.source), or null. A source fetched on request is a file instead: get(id, SOURCE_PART).
   */
  storedSource(messageId: number): Buffer | null {
    return this.#q.source.get(messageId) ?? null;
  }

  hasStoredSource(messageId: number): boolean {
    return this.#q.hasSource.get(messageId) !== undefined;
  }

  cachedParts(messageId: number): Set<string> {
    return new Set(this.#q.partNumbers.all(messageId).map((r) => r.part));
  }

  /**
   * Stores the decoded text parts of many messages in one transaction, with their snippets. A
   * message whose body text is now wholly cached (`complete`, the default) has its body state
   * raised to at least "text cached".
   */
  storeTexts(batch: TextBatch): void {
    this.#write(() =>
      atomically(this.#db, () => {
        // The parts triggers stand aside (migration 7): each message's body row is written once below,
        // from all its cached parts, instead of once per part written; a message whose text was not
        // indexed before (the prefetch's) only gets an insert (migration 9).
        const rows = new Map<number, { id: number; body: string; replace: boolean; readBack: boolean }>();
        withSearchDeferred(this.#db, () => {
          for (const m of batch) {
            if (m.parts.length > 0) {
              const seen = rows.get(m.messageId);
              if (seen) seen.readBack = true;
              else {
                // Text indexed before (a part opened earlier): the body row is rebuilt from every
                // cached part; else it is exactly this batch's parts, in part order.
                const replace = this.#q.hasSearchText.get(m.messageId) !== undefined;
                const texts = new Map(m.parts.map((p) => [p.part, p.searchText]));
                const body = [...texts.keys()]
                  .sort()
                  .flatMap((part) => texts.get(part) ?? [])
                  .join('\n');
                rows.set(m.messageId, { id: m.messageId, replace, readBack: replace, body });
              }
            }
            for (const p of m.parts) {
              this.#q.upsertPart.run({
                messageId: m.messageId,
                part: p.part,
                contentType: p.contentType,
                charset: p.charset,
                // Stored once when search indexes exactly the text (plain text: most parts).
                text: p.searchText === p.text ? null : p.text,
                searchText: p.searchText,
                file: null,
                size: p.size,
              });
            }
            if (m.source) this.#q.putSource.run(m.messageId, m.source);
            // One row update (the row is wide): the snippet when given, the body state when complete
            // (the whole message when its source came with it).
            if (m.snippet !== null || m.complete !== false)
              this.#q.setTextState.run({
                id: m.messageId,
                snippet: m.snippet,
                state: m.complete === false ? BODY_NONE : m.source || m.whole ? BODY_FULL : BODY_TEXT,
              });
          }
          const indexed: Array<{ id: number; body: string; replace: boolean }> = [];
          for (const r of rows.values()) {
            // A first caching, deferred: listed for backfillBodies. A message indexed before is
            // rebuilt now (its row would otherwise lag behind its text).
            if (this.#deferIndex && !r.replace) this.#q.indexLater.run(r.id);
            else indexed.push(r.readBack ? { ...r, body: this.#q.searchTexts.all(r.id).join('\n') } : r);
          }
          this.#index.storeBodies(indexed);
          // Their body rows are written: nothing left for a backfill to do for them.
          if (indexed.length && this.#q.backfillPending.get() !== undefined) for (const r of indexed) this.#q.backfillDone.run(r.id);
        });
      }),
    );
  }

  /**
   * Indexes the cached text of up to `limit` messages left for later, newest first, in one
   * transaction: texts a deferring store cached (the body prefetch's), or text cached before
   * migration 9. Returns how many it indexed: 0 when none are left. Every other writer of a body
   * row takes its message off the list, so these have none.
   */
  backfillBodies(limit = 500): number {
    return this.#write(() =>
      this.#db.transaction(() => {
        const ids = this.#q.backfillNext.all(limit);
        this.#index.storeBodies(ids.map((id) => ({ id, body: this.#q.searchTexts.all(id).join('\n'), replace: false })));
        for (const id of ids) this.#q.backfillDone.run(id);
        return ids.length;
      })(),
    );
  }

  /** The user had (part of) the message fetched from the server just now: eviction spares it a while. */
  markOpened(messageId: number, at = Date.now()): void {
    this.#write(() => this.#q.setOpened.run(at, messageId));
  }

  setSnippet(messageId: number, snippet: string | null): void {
    this.#write(() => this.#q.setSnippet.run(snippet, messageId));
  }

  raiseBodyState(messageId: number, state: BodyStateValue): void {
    this.#write(() => this.#q.raiseBodyState.run(state, messageId));
  }

  /**
   * Opens a temporary file beside the final one. commit() closes it, renames it into place (an
   * atomic replace on one file system) and records the part; abort() removes it.
   */
  async openFile(messageId: number, part: string): Promise<PartFileWriter> {
    const final = this.partFile(messageId, part);
    await mkdir(path.dirname(final), { recursive: true }).catch((error: unknown) => {
      throw storageError(error, 'Could not create the attachment cache folder');
    });
    const temp = `${final}.${randomBytes(6).toString('hex')}.tmp`;
    const stream = createWriteStream(temp, { flags: 'wx' });
    // A write that fails (a full disk) fails the next write or the commit, worded for a person; an
    // 'error' nobody listens to would end the process.
    const fileError = (error: unknown) =>
      error instanceof TegamiError ? error : storageError(error, 'Could not save a copy on this computer');
    let failure: TegamiError | null = null;
    stream.on('error', (error) => void (failure ??= fileError(error)));
    const relative = path.relative(this.#root, final);
    return {
      stream,
      write: async (bytes) => {
        if (failure) throw failure;
        if (bytes.length > 0 && !stream.write(bytes))
          await once(stream, 'drain').catch((error: unknown) => Promise.reject(fileError(error)));
        if (failure) throw failure;
      },
      commit: async ({ contentType }) => {
        if (failure) throw failure;
        stream.end();
        await finished(stream).catch((error: unknown) => Promise.reject(fileError(error)));
        const { size } = await stat(temp);
        await rename(temp, final);
        this.#write(() =>
          this.#q.upsertPart.run({ messageId, part, contentType, charset: null, text: null, searchText: null, file: relative, size }),
        );
        return { kind: 'file', part, contentType, file: final, size };
      },
      abort: async () => {
        // The file may still be opening: wait until the stream has closed it, or rm could run first
        // and the open create it again afterwards (a stray temp file).
        stream.destroy();
        await finished(stream).catch(() => undefined);
        await rm(temp, { force: true });
      },
    };
  }

  /**
   * Gives each copy the part files its original has cached (attachments opened, the source), so a
   * message copied offline opens them offline too. Each file is a hard link (a copy where the file
   * system has none): evicting or deleting one message never takes the other's file. A copy that is
   * gone meanwhile (undone) gets none. A source the mirror stored (storedSource) is copied with
   * them. Answers how many files and sources were shared. Best effort: a file that
   * cannot be shared is left for the copy to fetch from the server when opened.
   */
  async shareFiles(pairs: ReadonlyArray<{ original: number; copy: number }>): Promise<number> {
    let shared = 0;
    for (const { original, copy } of pairs) {
      const files = this.#q.files.all(original);
      const made: Array<PartRow & { final: string }> = [];
      for (const f of files) {
        const final = this.partFile(copy, f.part);
        if (await linkFile(path.join(this.#root, f.file as string), final)) made.push({ ...f, final });
      }
      const source = this.hasStoredSource(original);
      if (!made.length && !source) continue;
      const stored = this.#write(() =>
        this.#db.transaction(() => {
          if (!this.#q.exists.get(copy)) return false;
          // The source the mirror stored (a copy of its bytes, in the database).
          if (source) {
            this.#q.shareSource.run(copy, original);
            this.#q.raiseBodyState.run(BODY_FULL, copy);
          }
          for (const f of made)
            this.#q.upsertPart.run({
              messageId: copy,
              part: f.part,
              contentType: f.content_type,
              charset: f.charset,
              text: null,
              searchText: null,
              file: path.relative(this.#root, f.final),
              size: f.size,
            });
          // The whole message on disk: it opens (and saves as .eml) offline as the original does.
          if (made.some((f) => f.part === SOURCE_PART)) this.#q.raiseBodyState.run(BODY_FULL, copy);
          return true;
        })(),
      );
      if (stored) shared += made.length + (source ? 1 : 0);
      else await rm(path.join(this.#root, String(copy)), { recursive: true, force: true });
    }
    return shared;
  }

  /**
   * Caches a message's whole source from a file we hold (a queued APPEND's, in the outbox): linked
   * (copied where links are not possible) as its SOURCE_PART, the message BODY_FULL. It then saves as
   * .eml, shows its source and opens its attachments offline (bodies service: partFromSource), and
   * keeps them once the outbox file is gone. False when the file could not be linked or copied.
   */
  async adoptSource(messageId: number, file: string): Promise<boolean> {
    const final = this.partFile(messageId, SOURCE_PART);
    if (!(await linkFile(file, final))) return false;
    const { size } = await stat(final);
    this.#write(() =>
      this.#db.transaction(() => {
        this.#q.upsertPart.run({
          messageId,
          part: SOURCE_PART,
          contentType: 'message/rfc822',
          charset: null,
          text: null,
          searchText: null,
          file: path.relative(this.#root, final),
          size,
        });
        this.#q.raiseBodyState.run(BODY_FULL, messageId);
      })(),
    );
    return true;
  }

  // ---- the offline window and eviction ------------------------------------------------------------

  /**
   * What the store takes on disk (app.storage): the database's pages in use (not those freed by
   * deletions, which SQLite reuses) and the cached part files. O(1) in the database; the files are
   * few (attachments opened, sources fetched on request) and read without blocking.
   */
  async diskUsage(): Promise<number> {
    const pragma = (name: string) => this.#db.pragma(name, { simple: true }) as number;
    let bytes = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
    for (const dir of await readdir(this.#root).catch(() => [] as string[]))
      for (const name of await readdir(path.join(this.#root, dir)).catch(() => [] as string[]))
        bytes += (await stat(path.join(this.#root, dir, name)).catch(() => ({ size: 0 }))).size;
    return bytes;
  }

  offlineWindow(accountId: number): OfflineWindow {
    return offlineWindowOf(this.#q.window.get(accountId)?.offline_window_days ?? null);
  }

  setOfflineWindow(accountId: number, window: OfflineWindow): void {
    this.#q.setWindow.run(window === 'all' ? 0 : window, accountId);
  }

  /** How large a message of the window may be to be kept whole (Account.wholeBelow). */
  wholeBelow(accountId: number): number {
    return this.#q.wholeBelow.get(accountId)?.whole_below ?? DEFAULT_WHOLE_BELOW;
  }

  setWholeBelow(accountId: number, bytes: number): void {
    this.#q.setWholeBelow.run(bytes, accountId);
  }

  /**
   * Messages of the account inside the window whose text is not cached, or that are smaller than
   * the account's wholeBelow and not kept whole yet; newest first, after `before`.
   */
  pendingBodies(accountId: number, cutoff: number, limit: number, before?: { date: number; id: number }): PendingBody[] {
    const wholeBelow = this.wholeBelow(accountId);
    const params = {
      accountId,
      cutoff,
      limit,
      beforeDate: before?.date ?? Number.MAX_SAFE_INTEGER,
      beforeId: before?.id ?? Number.MAX_SAFE_INTEGER,
    };
    // Below the default, mail with its text alone is larger than that (small mail comes whole).
    const rows = wholeBelow > DEFAULT_WHOLE_BELOW ? this.#q.pendingOrWhole.all({ ...params, wholeBelow }) : this.#q.pending.all(params);
    return rows as PendingBody[];
  }

  /**
   * Drops every cached part of the account's messages received before `cutoff`: the rows and the
   * stored sources in one transaction (the triggers clear their search text; the snippet stays for
   * the list), then the files. Returns the ids evicted.
   */
  async evictBefore(accountId: number, cutoff: number, openedBefore = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    return this.#evict(this.#q.toEvict.all(accountId, cutoff, openedBefore).map((r) => r.id));
  }

  /**
   * Drops every cached part of a folder's messages (no longer kept for offline reading), as
   * evictBefore does, except those opened after `openedBefore`. Returns the ids evicted.
   */
  async evictMailbox(mailboxId: number, openedBefore = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    return this.#evict(this.#q.toEvictInMailbox.all(mailboxId, openedBefore).map((r) => r.id));
  }

  async #evict(ids: number[]): Promise<number[]> {
    this.#write(() =>
      this.#db.transaction(() => {
        for (const id of ids) {
          this.#q.deleteParts.run(id);
          this.#q.deleteSource.run(id);
          this.#q.clearBodyState.run(id);
        }
      })(),
    );
    for (const id of ids) await rm(path.join(this.#root, String(id)), { recursive: true, force: true });
    return ids;
  }

  /**
   * Drops the whole sources kept on disk of the account's messages of `minSize` bytes or more
   * (Account.wholeBelow lowered), except those the user opened in the last days (openedBefore, as
   * evictBefore spares them); their cached text stays. Returns the ids.
   */
  async dropWholeFrom(accountId: number, minSize: number, openedBefore = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    const rows = this.#q.wholeFiles.all(accountId, minSize, openedBefore);
    this.#write(() =>
      this.#db.transaction(() => {
        for (const r of rows) {
          this.#q.deletePart.run(r.id, SOURCE_PART);
          this.#q.lowerToText.run(r.id);
        }
      })(),
    );
    for (const r of rows) await rm(path.join(this.#root, r.file), { force: true });
    return rows.map((r) => r.id);
  }

  /** Removes part files whose message is gone (deleted or expunged since they were cached). */
  async sweepOrphanFiles(): Promise<number> {
    const names = await readdir(this.#root).catch(() => [] as string[]);
    const live = new Set(this.#q.messageIds.all().map((r) => String(r.id)));
    let removed = 0;
    for (const name of names) {
      if (live.has(name)) continue;
      await rm(path.join(this.#root, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  // ---- messages ------------------------------------------------------------------------------------

  message(id: number): MessageBodyRow {
    const row = this.#q.message.get(id);
    if (!row) throw new TegamiError({ code: 'NOT_FOUND', message: 'That message does not exist (any more).' });
    return {
      id: row.id,
      accountId: row.account_id,
      mailboxId: row.mailbox_id,
      path: row.path,
      uidvalidity: row.uidvalidity,
      uid: row.uid,
      internalDate: row.internal_date,
      size: row.size,
      bodystructure: row.bodystructure,
      addresses: row.addresses,
      attachments: row.attachments,
      bodyState: Math.min(Math.max(row.body_state, 0), 2) as BodyStateValue,
      summary: toSummary(row),
    };
  }

  /** The UIDVALIDITY the stored UIDs of a mailbox belong to; null before its first sync. */
  mailboxUidvalidity(mailboxId: number): number | null {
    return this.#q.mailboxState.get(mailboxId)?.uidvalidity ?? null;
  }

  /** The stored messages among `uids` of a mailbox, by UID. */
  byUids(mailboxId: number, uids: readonly number[]): Map<number, MessageSummary> {
    return new Map(this.#q.byUids.all(mailboxId, JSON.stringify(uids)).map((r) => [r.uid, toSummary(r)]));
  }

  // ---- local search ----------------------------------------------------------------------------------

  /**
   * Full-text search over subject, addresses and cached text; every term must match, in the
   * message's header or in its text (they are indexed apart, migration 9), and no excluded one
   * (`-word`, case folded as the index folds it). Terms of 3+ characters
   * use the trigram indexes; 1–2 character CJK terms (one or two kanji are a normal Japanese query)
   * the bigram indexes; other short terms are matched with LIKE. The SEARCH_WINDOW most recent
   * matches (highest ids) are found by #matches; a set of up to RANK_LIMIT is ranked by bm25 (subject >
   * addresses > text), ties newest first; a bigger one is ordered newest first. If the window
   * leaves too few results after the folder/account filters, the search is repeated over all
   * matches. A query with `a OR b` is searched as the AND queries it multiplies out to
   * (splitQuery), its results newest first.
   */
  search(q: SearchQuery): { messages: MessageSummary[]; more: boolean } {
    const queries = splitQuery(q.query);
    // One query; with OR groups (unions), its results newest first as every OR query's.
    if (queries.length === 1) return this.#search(q, queries[0] as SplitQuery, queries[0]?.anyOf !== undefined);
    // OR: the newest matches of each AND query, merged newest first (the newest `limit` of a union
    // are among the newest `limit` of its parts), each message once.
    const found = new Map<number, MessageSummary>();
    let more = false;
    for (const query of queries) {
      const part = this.#search(q, query, true);
      more ||= part.more;
      for (const m of part.messages) found.set(m.id, m);
    }
    const messages = [...found.values()].sort(newestFirst);
    return { messages: messages.slice(0, q.limit), more: more || messages.length > q.limit };
  }

  /** One AND query (search()); `newest`: newest first whatever the number of matches, never ranked. */
  #search(
    q: SearchQuery,
    { long, short, phrases, excluded, anyOf = [] }: SplitQuery,
    newest: boolean,
  ): { messages: MessageSummary[]; more: boolean } {
    if (long.length === 0 && short.length === 0 && excluded.length === 0 && anyOf.length === 0) return { messages: [], more: false };
    const cjk = short.filter(isCjkTerm);
    const like = short.filter((t) => !isCjkTerm(t));
    const params: Record<string, string | number | null> = {
      mailboxId: q.mailboxId ?? null,
      accountId: q.accountId ?? null,
      limit: q.limit + 1,
      unread: q.filters?.unread ? 1 : 0,
      read: q.filters?.read ? 1 : 0,
      flagged: q.filters?.flagged ? 1 : 0,
      hasAttachments: q.filters?.hasAttachments ? 1 : 0,
    };
    like.forEach((t, i) => (params[`s${i}`] = likePattern(t)));
    phrases.forEach((t, i) => (params[`p${i}`] = t));
    // An excluded term the indexes can look up leaves out its matches through them, read once into a
    // set (most of the messages, for a common word: cheaper than testing each), between the lowest
    // and highest id in question; every excluded term is then checked on what is left (what the
    // indexes do not have yet, a phrase across a line break, a 1–2 character term).
    const excludedKinds = excluded.map((t) => (charCount(t) >= 3 ? 't' : isCjkTerm(t) ? 'c' : '-'));
    excluded.forEach((t, i) => {
      params[`x${i}`] = t;
      if (excludedKinds[i] !== '-') params[`xm${i}`] = ftsMatch(t);
    });
    const shape: StatementShape = {
      like: like.length,
      phrase: phrases.length,
      excluded: excludedKinds.join(''),
      from: '',
      to: '',
      subject: '',
    };
    for (const field of ['from', 'to', 'subject'] as const) {
      const terms = (q.filters?.[field] ?? []).map((t) => (typeof t === 'string' ? [t] : t));
      terms.forEach((values, i) => values.forEach((v, j) => (params[`${field}${i}_${j}`] = likePattern(v))));
      shape[field] = terms.map((values) => values.length).join('.');
    }
    const shapeKey = statementKey(shape);
    if (long.length === 0 && cjk.length === 0 && anyOf.length === 0) {
      // No index term: a scan, newest first, until the limit. In a folder, its date index gives that
      // order; across folders, the ids do (ID_SLOTS: they follow the messages' dates), so the scan
      // stops at the limit instead of testing every message and sorting them (measured over 100,000
      // messages with their text: "lu" 440 ms before).
      const indexedExclusion = /[tc]/.test(shape.excluded);
      const scan = q.mailboxId === undefined || indexedExclusion ? 'ids' : 'folder';
      const key = `like:${scan}:${shapeKey}`;
      const stmt = this.#searches.get(key) ?? this.#searchStatement(key, null, shape, scan);
      if (!indexedExclusion) {
        const rows = stmt.all({ ...params, low: 0, high: Number.MAX_SAFE_INTEGER }) as MessageRow[];
        return { messages: rows.slice(0, q.limit).map(toSummary), more: rows.length > q.limit };
      }
      // Excluded terms only: the newest 2,000 messages first, each read for the terms (about 10 ms:
      // a word in 95% of them leaves 100), then twice as many older ones at a time, and so on until
      // the limit, the terms' matches in each range read from the indexes (a word in every message
      // costs a read of all of its matches: 60–130 ms over 100,000 texts).
      const plainShape = { ...shape, excluded: '-'.repeat(excluded.length) };
      const plainKey = `like:ids:${statementKey(plainShape)}`;
      const plain = this.#searches.get(plainKey) ?? this.#searchStatement(plainKey, null, plainShape, 'ids');
      const rows: MessageRow[] = [];
      for (let high = Number.MAX_SAFE_INTEGER, size = 2000; rows.length <= q.limit; size *= 2) {
        const low = this.#q.idBelow.get(high, size - 1) ?? 0;
        const range = high === Number.MAX_SAFE_INTEGER ? plain : stmt;
        rows.push(...(range.all({ ...params, low, high, limit: q.limit + 1 - rows.length }) as MessageRow[]));
        if (low === 0) break;
        high = low - 1;
      }
      return { messages: rows.slice(0, q.limit).map(toSummary), more: rows.length > q.limit };
    }
    const terms: Array<IndexTerm | IndexTerm[]> = [
      ...long.map((t) => ({ kind: 'trigram' as const, match: ftsPhrase(t), term: t })),
      ...cjk.map((t) => ({ kind: 'cjk' as const, match: ftsMatch(t), term: t })),
      ...anyOf,
    ];
    const backlog = this.#headerBacklog();
    const bodyBacklog = this.#q.backfillPending.get() !== undefined;
    let ids = this.#matches(terms, SEARCH_WINDOW + 1, backlog, bodyBacklog);
    // bm25 costs a pass over every match of every term: only a small match set is ranked by it.
    const ranked = !newest && long.length > 0 && ids.length <= RANK_LIMIT;
    const key = `index:${shapeKey}:${ranked}`;
    let stmt = this.#searches.get(key);
    if (!stmt) {
      // A message's rank: the sum of its header's and its text's bm25 for any of the terms.
      const hits = ranked
        ? `SELECT hit_id, sum(r) AS hit_rank FROM (
             SELECT value AS hit_id, 0 AS r FROM json_each(@ids)
             UNION ALL SELECT rowid, bm25(message_search, 3.0, 2.0) FROM message_search
               WHERE message_search MATCH @any AND rowid IN (SELECT value FROM json_each(@ids))
             UNION ALL SELECT rowid, bm25(body_search) FROM body_search
               WHERE body_search MATCH @any AND rowid IN (SELECT value FROM json_each(@ids))
           ) GROUP BY hit_id`
        : 'SELECT value AS hit_id, 0 AS hit_rank FROM json_each(@ids)';
      stmt = this.#searchStatement(key, hits, shape);
    }
    const any = long.map(ftsPhrase).join(' OR ');
    // The excluded terms' matches are read between the lowest and the highest id in question.
    const run = (list: number[]) =>
      stmt.all({
        ...params,
        any,
        ids: JSON.stringify(list),
        low: list.reduce((a, b) => Math.min(a, b), Number.MAX_SAFE_INTEGER),
        high: list.reduce((a, b) => Math.max(a, b), 0),
      }) as MessageRow[];
    let rows = run(ids.slice(0, SEARCH_WINDOW));
    // The window may have cut matches the filters would have kept.
    if (!ranked && rows.length <= q.limit && ids.length > SEARCH_WINDOW) {
      ids = this.#matches(terms, Number.POSITIVE_INFINITY, backlog, bodyBacklog);
      rows = run(ids);
    }
    return { messages: rows.slice(0, q.limit).map(toSummary), more: rows.length > q.limit };
  }

  /**
   * The messages (rowids) matching every term, newest (highest) first, at most `upTo`. A term
   * matches a message in its header index or its body index, so each term is the union of two
   * rowid-descending lists, and the terms are intersected by leapfrogging: a candidate is sought
   * in every term's list (the first rowid ≤ it), any lower answer becomes the next candidate. The
   * lists are read in chunks by keyset (rowid < bound, which FTS5 seeks to), so dense or sparse, a
   * search reads about as many rows as it needs, not every match. SQLite would intersect the terms
   * of two tables by reading every match of one into a temporary table: tens of thousands of rows
   * for common terms. An OR group (a list of terms) matches where any of its terms does: its seeker
   * answers the highest of theirs.
   */
  #matches(
    terms: ReadonlyArray<IndexTerm | readonly IndexTerm[]>,
    upTo: number,
    backlog: ReadonlyArray<{ id: number; text: string }> | null,
    bodyBacklog: boolean,
  ): number[] {
    // One term: each list is read once, as far as the answer can need (every chunk re-reads the
    // term's doclists: a long phrase is 15 trigrams to intersect). More terms: small chunks first.
    const first = terms.length === 1 ? Math.min(upTo, 1_000_000_000) : 64;
    const list = (stmt: ReturnType<Db['prepare']>, match: string) => {
      let buf: number[] = [];
      let pos = 0;
      let bound = Number.MAX_SAFE_INTEGER;
      let size = first;
      let exhausted = false;
      /** The first rowid ≤ target, or undefined when there is none. */
      return (target: number): number | undefined => {
        for (;;) {
          while (pos < buf.length && (buf[pos] as number) > target) pos++;
          if (pos < buf.length) return buf[pos];
          if (exhausted) return undefined;
          // Beyond what was read: the next chunk starts right at the target, skipping the gap.
          bound = Math.min(bound, target + 1);
          buf = stmt.pluck().all({ match, bound, size }) as number[];
          pos = 0;
          exhausted = buf.length < size;
          bound = buf.at(-1) ?? bound;
          size = Math.max(size, Math.min(size * 2, 4096));
        }
      };
    };
    const seeker = ({ kind, match, term }: IndexTerm) => {
      const header = list(kind === 'trigram' ? this.#q.headerIds : this.#q.headerCjkIds, match);
      const body = list(kind === 'trigram' ? this.#q.bodyIds : this.#q.bodyCjkIds, match);
      // Headers not indexed yet: the term as a substring, as the trigram and bigram indexes match it;
      // texts not indexed yet: the same by LIKE (which folds ASCII case only), in SQLite's C.
      const needle = term.toLowerCase();
      const headerHits = backlog ? backlog.filter((m) => m.text.includes(needle)).map((m) => m.id) : [];
      const bodyHits = bodyBacklog ? this.#q.bodyBacklogIds.all(likePattern(term)) : [];
      const scanned = bodyHits.length ? [...new Set([...headerHits, ...bodyHits])].sort((a, b) => b - a) : headerHits;
      let at = 0;
      return (target: number): number | undefined => {
        const x = header(target);
        const y = body(target);
        let best = x === undefined ? y : y === undefined ? x : Math.max(x, y);
        while (at < scanned.length && (scanned[at] as number) > target) at++;
        const z = scanned[at];
        if (z !== undefined && (best === undefined || z > best)) best = z;
        return best;
      };
    };
    /** The highest answer of several seekers: the union of their lists. */
    const union = (parts: Array<(target: number) => number | undefined>) => (target: number) => {
      let best: number | undefined;
      for (const seek of parts) {
        const found = seek(target);
        if (found !== undefined && (best === undefined || found > best)) best = found;
      }
      return best;
    };
    const seekers = terms.map((t) => ('kind' in t ? seeker(t) : union(t.map(seeker))));
    const out: number[] = [];
    let candidate = Number.MAX_SAFE_INTEGER;
    search: while (out.length < upTo && candidate > 0) {
      for (const seek of seekers) {
        const found = seek(candidate);
        if (found === undefined) break search;
        if (found < candidate) {
          candidate = found;
          continue search;
        }
      }
      out.push(candidate);
      candidate--;
    }
    return out;
  }

  /**
   * The messages whose header search rows a header pass left for later (migration 12), newest
   * first, with the text those rows will index (subject, then the addresses), lower-cased; null
   * when there are none (the normal case: one indexed lookup).
   */
  #headerBacklog(): Array<{ id: number; text: string }> | null {
    if (this.#q.headerBacklog.get() === undefined) return null;
    return this.#q.headerBacklogRows.all().map((r) => ({ id: r.id, text: `${r.subject}\n${addressText(r.addresses)}`.toLowerCase() }));
  }

  /**
   * The search over `hits` (SQL giving hit_id, hit_rank; null: no index term, every message) with the
   * filters and LIKE terms. `scan` (no hits): every message of the account by id, between @low and
   * @high, or the folder's by its date index (see search()).
   */
  #searchStatement(
    key: string,
    hits: string | null,
    shape: StatementShape,
    scan: 'ids' | 'folder' | null = null,
  ): ReturnType<Db['prepare']> {
    const byId = scan === 'ids';
    const clauses = (n: number, clause: (i: number) => string) => Array.from({ length: n }, (_, i) => clause(i));
    // A phrase (words in order) in the subject, the addresses or the text.
    const inMessage = (phrase: string) =>
      `(tegami_has_phrase(messages.subject, ${phrase}) OR tegami_has_phrase(tegami_address_text(messages.addresses), ${phrase})
          OR EXISTS (SELECT 1 FROM parts WHERE parts.message_id = messages.id AND tegami_has_phrase(parts.search_text, ${phrase})))`;
    const likeClauses = [
      // LIKE terms: the subject, the addresses as indexed, and the cached text (the index keeps no copy).
      ...clauses(
        shape.like,
        (i) => `(messages.subject LIKE @s${i} ESCAPE '\\' OR tegami_address_text(messages.addresses) LIKE @s${i} ESCAPE '\\'
          OR EXISTS (SELECT 1 FROM parts WHERE parts.message_id = messages.id AND parts.search_text LIKE @s${i} ESCAPE '\\'))`,
      ),
      // Phrases (their words matched already): the words in order, in the subject, the addresses or the text.
      ...clauses(shape.phrase, (i) => inMessage(`@p${i}`)),
      // Excluded words and phrases (-word): in none of the subject, the addresses and the text.
      ...[...shape.excluded].flatMap((kind, i) => {
        if (kind === '-') return [];
        const [header, body] = kind === 't' ? ['message_search', 'body_search'] : ['message_search_cjk', 'body_search_cjk'];
        const matches = (table: string) => `SELECT rowid FROM ${table} WHERE ${table} MATCH @xm${i} AND rowid BETWEEN @low AND @high`;
        return [`messages.id NOT IN (${matches(header)} UNION ALL ${matches(body)})`];
      }),
      ...clauses(shape.excluded.length, (i) => `NOT ${inMessage(`@x${i}`)}`),
      // Field terms: the sender's name or address; any recipient's name or address; the subject. A
      // group of alternatives (`from:a OR from:b`) is one clause, any of its values.
      ...fieldClauses(
        shape.from,
        (v) => `(messages.from_name LIKE @from${v} ESCAPE '\\' OR messages.from_addr LIKE @from${v} ESCAPE '\\')`,
      ),
      ...fieldClauses(
        shape.to,
        (v) => `tegami_address_text(json_extract(messages.addresses, '$.to', '$.cc', '$.bcc')) LIKE @to${v} ESCAPE '\\'`,
      ),
      ...fieldClauses(shape.subject, (v) => `messages.subject LIKE @subject${v} ESCAPE '\\'`),
    ];
    const filters = `messages.stale = 0 ${byId ? 'AND messages.id BETWEEN @low AND @high' : ''}
      AND (@unread = 0 OR messages.seen = 0) AND (@read = 0 OR messages.seen = 1)
      AND (@flagged = 0 OR messages.flagged = 1) AND (@hasAttachments = 0 OR messages.has_attachments = 1)
      AND ${scan === 'folder' ? 'messages.mailbox_id = @mailboxId' : '(@mailboxId IS NULL OR messages.mailbox_id = @mailboxId)'}
      AND (@accountId IS NULL OR messages.mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = @accountId))
      ${likeClauses.map((c) => `AND ${c}`).join('\n')}`;
    const sql =
      hits !== null
        ? `WITH hits AS (${hits})
           SELECT ${summaryColumns} FROM hits JOIN messages ON messages.id = hits.hit_id
           WHERE ${filters}
           ORDER BY hits.hit_rank, messages.internal_date DESC, messages.id DESC
           LIMIT @limit`
        : `SELECT ${summaryColumns} FROM messages WHERE ${filters}
           ORDER BY ${byId ? 'messages.id DESC' : 'messages.internal_date DESC, messages.id DESC'} LIMIT @limit`;
    const stmt = this.#db.prepare(sql);
    this.#searches.set(key, stmt);
    return stmt;
  }

  #write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw error instanceof TegamiError ? error : storageError(error, 'Could not save the message text');
    }
  }
}
