import type { Address, AttachmentSummary, MessageSort, MessageSummary } from '../../../shared/domain/message.js';
import { atomically, type Db } from './database.js';
import type { TextPartRecord } from './parts.js';
import { BACKLOG_CHUNK, settle, type BulkWriter } from './bulk-writer.js';
import { addressText, addressValueText, searchIndexWriter } from './search-text.js';
import { baseSubject, subjectSortKey } from './subject.js';

/** What header sync learns of one message (FETCH ENVELOPE FLAGS INTERNALDATE RFC822.SIZE BODYSTRUCTURE). */
export interface HeaderRecord {
  uid: number;
  modseq: bigint | null;
  flags: string[];
  internalDate: number;
  sentDate: number | null;
  size: number;
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /**
   * BODYSTRUCTURE as imapflow parsed it, as JSON text: serialised where it is fetched, since a
   * string crosses to the writer thread at a fraction of the cost of the object tree.
   */
  bodystructure: string | null;
  attachments: AttachmentSummary[];
  /**
   * A mirrored message (sync/mirror.ts), whose text is stored with it: its snippet and body state go
   * into its row's one INSERT, not an UPDATE after it; its parts (and its source, when it came whole)
   * are stored by storeMirrored.
   */
  text?: { snippet: string | null; bodyState: number; parts: TextPartRecord[]; source?: Uint8Array };
}

/**
 * Message ids follow the messages' dates: a message received at second t gets an id in
 * [t × ID_SLOTS, (t + 1) × ID_SLOTS), so the highest ids are the newest mail, in every folder,
 * whatever order the rows were written in. Local search relies on it: it ranks a common term among
 * its matches with the highest ids (SEARCH_WINDOW, PartStore.search), read from the full-text
 * indexes in rowid order. Numbered as stored, a first sync (newest chunk first, then older ones,
 * INBOX before a large archive) made the oldest mail the "most recent".
 */
export const ID_SLOTS = 4096;
/** Dates are clamped to [1 s, ID_MAX_SECOND] (year ~9600): every id stays below 10^15 (15 digits, a safe integer). */
const ID_MAX_SECOND = Math.floor(999_999_999_999_999 / ID_SLOTS) - 1;

/**
 * Gives new message rows their ids (see ID_SLOTS): the next free one in the slots of the message's
 * second. When a second's slots are used up (more than ID_SLOTS messages in one second: a bulk
 * import), the previous seconds' slots take the rest; below the first second (mail without a
 * date), the following seconds'.
 */
export function messageIds(db: Db): (internalDate: number | null) => number {
  const highest = db.prepare<[number, number], number | null>('SELECT max(id) FROM messages WHERE id BETWEEN ? AND ?').pluck();
  const free = (second: number): number | null => {
    const first = second * ID_SLOTS;
    const last = first + ID_SLOTS - 1;
    const top = highest.get(first, last);
    return top === null || top === undefined ? first : top < last ? top + 1 : null;
  };
  return (internalDate) => {
    const date = Number.isFinite(internalDate) ? (internalDate as number) : 0;
    const start = Math.min(ID_MAX_SECOND, Math.max(1, Math.floor(date / 1000)));
    for (let second = start; second >= 1; second--) {
      const id = free(second);
      if (id !== null) return id;
    }
    for (let second = start + 1; second <= ID_MAX_SECOND; second++) {
      const id = free(second);
      if (id !== null) return id;
    }
    throw new Error('every message id is taken');
  };
}

export interface FlagUpdate {
  uid: number;
  flags: string[];
  modseq: bigint | null;
}

export interface MailboxSyncState {
  id: number;
  accountId: number;
  path: string;
  uidvalidity: number | null;
  uidnext: number | null;
  highestmodseq: bigint | null;
  count: number;
  maxUid: number;
}

export interface ServerMailboxState {
  uidvalidity: number;
  uidnext: number;
  highestmodseq: bigint | null;
  readonly: boolean;
  permanentFlags: string[] | null;
}

export interface MessageRow {
  id: number;
  mailbox_id: number;
  uidvalidity: number;
  uid: number;
  flags: string;
  seen: number;
  flagged: number;
  answered: number;
  draft: number;
  subject: string;
  from_name: string;
  from_addr: string;
  internal_date: number;
  sent_date: number | null;
  size: number;
  message_id: string | null;
  thread_id: number | null;
  has_attachments: number;
  snippet: string | null;
}

/** Messages whose expunge is queued are gone for the user already (lists and counts skip them). */
const HIDDEN =
  "AND NOT EXISTS (SELECT 1 FROM op_messages om JOIN ops o ON o.id = om.op_id WHERE om.message_id = messages.id AND o.state = 'pending' AND o.kind = 'expunge')";

export interface PageQuery {
  mailboxId: number;
  sort: MessageSort;
  descending: boolean;
  after: { key: string | number; id: number } | null;
  limit: number;
  unread: boolean;
  /** Only read messages (the search box's is:read alone). */
  read?: boolean;
  flagged: boolean;
  hasAttachments: boolean;
}

/** The list's filters, as SQL over messages' columns, and their parameters. */
const FILTERS = `AND (@unread = 0 OR seen = 0) AND (@read = 0 OR seen = 1) AND (@flagged = 0 OR flagged = 1)
  AND (@hasAttachments = 0 OR has_attachments = 1)`;
type FilterParams = { unread: number; read: number; flagged: number; hasAttachments: number };
const filterParams = (q: Pick<PageQuery, 'unread' | 'read' | 'flagged' | 'hasAttachments'>): FilterParams => ({
  unread: q.unread ? 1 : 0,
  read: q.read ? 1 : 0,
  flagged: q.flagged ? 1 : 0,
  hasAttachments: q.hasAttachments ? 1 : 0,
});

const sortColumn: Record<MessageSort, string> = {
  date: 'internal_date',
  sent: 'coalesce(sent_date, internal_date)',
  from: 'sort_from',
  subject: 'sort_subject',
  size: 'size',
};

/**
 * The index a list sorted by sent date pages over, made the first time one is asked for (about 0.1 s
 * for a 100,000-message folder) rather than by a migration: every row header sync writes would pay
 * for it (that benchmark sits near its 1.3× target), and most people sort by arrival.
 */
const SENT_INDEX = 'CREATE INDEX IF NOT EXISTS messages_by_sent ON messages (mailbox_id, coalesce(sent_date, internal_date), id)';

/** Flags in one canonical order, so equal sets compare equal as JSON. */
const flagOrder = new Intl.Collator('en').compare; // a.localeCompare(b, 'en'), without a collator per call
export const canonicalFlags = (flags: Iterable<string>): string[] =>
  [...new Set([...flags].filter((f) => f.toLowerCase() !== '\\recent'))].sort(flagOrder);

const has = (flags: string[], flag: string) => flags.some((f) => f.toLowerCase() === flag.toLowerCase());

export const toSummary = (r: MessageRow): MessageSummary => ({
  id: r.id,
  mailboxId: r.mailbox_id,
  uid: r.uid,
  uidvalidity: r.uidvalidity,
  flags: JSON.parse(r.flags) as string[],
  seen: r.seen === 1,
  flagged: r.flagged === 1,
  answered: r.answered === 1,
  draft: r.draft === 1,
  subject: r.subject,
  from: r.from_addr || r.from_name ? { name: r.from_name, address: r.from_addr } : null,
  date: new Date(r.internal_date).toISOString(),
  sentDate: r.sent_date === null ? null : new Date(r.sent_date).toISOString(),
  size: r.size,
  messageId: r.message_id,
  threadId: r.thread_id,
  hasAttachments: r.has_attachments === 1,
  snippet: r.snippet,
});

export const summaryColumns = `id, mailbox_id, uidvalidity, uid, flags, seen, flagged, answered, draft, subject, from_name, from_addr,
  internal_date, sent_date, size, message_id, thread_id, has_attachments, snippet`;

/**
 * The messages half of the store. Every write is one transaction of a batch (hundreds to a few
 * thousand rows); nothing here awaits.
 */
export class MessageStore {
  readonly #db: Db;
  readonly #q;
  readonly #index;

  readonly #pages = new Map<string, ReturnType<Db['prepare']>>();

  /**
   * Where header sync stores its batches: on this connection by default; the engine hands it a
   * worker thread's writer (openBulkWriter) so storing overlaps fetching, which also stores the
   * mirror's whole messages (storeMirrored: without it, a pass fetches headers only).
   */
  writer: Pick<BulkWriter, 'insertHeaders'> & Partial<Pick<BulkWriter, 'storeMirrored'>> = {
    insertHeaders: (accountId, mailboxId, uidvalidity, records) =>
      settle(() => this.insertHeaders(accountId, mailboxId, uidvalidity, records)),
  };

  /** When true, insertHeaders lists new rows in header_backfill instead of indexing them (migration 12). */
  readonly #deferIndex: boolean;

  readonly #newId: (internalDate: number | null) => number;

  /**
   * `deferHeaderIndex`: the bulk writer's store. Its header passes list their rows for
   * backfillHeaders, which indexes them after the pass; every other writer indexes at once.
   */
  constructor(db: Db, options: { deferHeaderIndex?: boolean } = {}) {
    this.#db = db;
    this.#deferIndex = options.deferHeaderIndex === true;
    this.#q = {
      syncState: db
        .prepare<
          [number],
          { id: number; account_id: number; path: string; uidvalidity: number | null; uidnext: number | null; highestmodseq: bigint | null }
        >('SELECT id, account_id, path, uidvalidity, uidnext, highestmodseq FROM mailboxes WHERE id = ?')
        .safeIntegers(false),
      modseq: db.prepare<[number], { highestmodseq: bigint | null }>('SELECT highestmodseq FROM mailboxes WHERE id = ?').safeIntegers(true),
      counts: db.prepare<[number, number], { count: number; maxUid: number | null }>(
        'SELECT count(*) AS count, max(uid) AS maxUid FROM messages WHERE mailbox_id = ? AND uidvalidity = ? AND stale = 0',
      ),
      setState: db.prepare(
        `UPDATE mailboxes SET uidvalidity = @uidvalidity, uidnext = @uidnext, highestmodseq = @highestmodseq,
           readonly = @readonly, permanent_flags = @permanentFlags, last_full_scan = coalesce(@scanned, last_full_scan) WHERE id = @id`,
      ),
      recount: db.prepare<{ id: number }>(
        `UPDATE mailboxes SET total = (SELECT count(*) FROM messages WHERE mailbox_id = @id AND stale = 0 ${HIDDEN}),
           unread = (SELECT count(*) FROM messages WHERE mailbox_id = @id AND stale = 0 AND seen = 0 ${HIDDEN}) WHERE id = @id`,
      ),
      insert: db.prepare(
        `INSERT INTO messages (id, mailbox_id, uidvalidity, uid, modseq, flags, seen, flagged, answered, draft, deleted, internal_date,
           sent_date, size, subject, from_name, from_addr, sort_from, sort_subject, addresses, message_id, in_reply_to, refs,
           thread_id, bodystructure, has_attachments, attachments, snippet, body_state)
         VALUES (@id, @mailboxId, @uidvalidity, @uid, @modseq, @flags, @seen, @flagged, @answered, @draft, @deleted, @internalDate,
           @sentDate, @size, @subject, @fromName, @fromAddr, @sortFrom, @sortSubject, @addresses, @messageId, @inReplyTo, @refs,
           @threadId, @bodystructure, @hasAttachments, @attachments, @snippet, @bodyState)`,
      ),
      knownUids: db
        .prepare<[number, number, number, number], number>(
          'SELECT uid FROM messages WHERE mailbox_id = ? AND uidvalidity = ? AND uid BETWEEN ? AND ?',
        )
        .pluck(),
      hasStale: db.prepare<[number], number>('SELECT 1 FROM messages WHERE mailbox_id = ? AND stale = 1 LIMIT 1').pluck(),
      toIndexLater: db.prepare<[string]>('INSERT OR IGNORE INTO header_backfill (message_id) SELECT value FROM json_each(?)'),
      toIndexNext: db.prepare<[number], { id: number; subject: string; addresses: string }>(
        `SELECT m.id, m.subject, m.addresses FROM header_backfill h JOIN messages m ON m.id = h.message_id
           ORDER BY h.message_id DESC LIMIT ?`,
      ),
      indexedNow: db.prepare<[number]>('DELETE FROM header_backfill WHERE message_id = ?'),
      rematch: db.prepare(
        `UPDATE messages SET uidvalidity = @uidvalidity, uid = @uid, stale = 0, modseq = @modseq, flags = @flags, seen = @seen,
           flagged = @flagged, answered = @answered, draft = @draft, deleted = @deleted
         WHERE id = @id`,
      ),
      staleByMessageId: db.prepare<[number, string], { id: number }>(
        'SELECT id FROM messages WHERE mailbox_id = ? AND message_id = ? AND stale = 1 LIMIT 1',
      ),
      markStale: db.prepare<[number, number]>('UPDATE messages SET stale = 1 WHERE mailbox_id = ? AND uidvalidity != ?'),
      deleteStale: db.prepare<[number]>('DELETE FROM messages WHERE mailbox_id = ? AND stale = 1'),
      setFlags: db.prepare(
        `UPDATE messages SET flags = @flags, seen = @seen, flagged = @flagged, answered = @answered, draft = @draft, deleted = @deleted,
           modseq = coalesce(@modseq, modseq)
         WHERE mailbox_id = @mailboxId AND uidvalidity = @uidvalidity AND uid = @uid AND flags != @flags
           AND id NOT IN (SELECT message_id FROM op_messages JOIN ops ON ops.id = op_messages.op_id WHERE ops.state = 'pending')
         RETURNING id`,
      ),
      setModseq: db.prepare(
        'UPDATE messages SET modseq = @modseq WHERE mailbox_id = @mailboxId AND uidvalidity = @uidvalidity AND uid = @uid',
      ),
      deleteUid: db.prepare<[number, number, number], { id: number }>(
        `DELETE FROM messages WHERE mailbox_id = ? AND uidvalidity = ? AND uid = ?
           AND id NOT IN (SELECT message_id FROM op_messages JOIN ops ON ops.id = op_messages.op_id WHERE ops.state = 'pending')
         RETURNING id`,
      ),
      uids: db
        .prepare<[number, number], { uid: number }>(
          'SELECT uid FROM messages WHERE mailbox_id = ? AND uidvalidity = ? AND stale = 0 ORDER BY uid',
        )
        .pluck(false),
      flagsByUid: db.prepare<[number, number], { uid: number; flags: string }>(
        'SELECT uid, flags FROM messages WHERE mailbox_id = ? AND uidvalidity = ? AND stale = 0',
      ),
      threadOf: db.prepare<[number, string], number>('SELECT thread_id FROM thread_ids WHERE account_id = ? AND message_id = ?').pluck(),
      threadBySubject: db.prepare<[number, string], { thread_id: number }>(
        `SELECT m.thread_id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
         WHERE b.account_id = ? AND m.sort_subject = ? AND m.thread_id IS NOT NULL ORDER BY m.internal_date DESC LIMIT 1`,
      ),
      mergeThreadIds: db.prepare<[number, string]>(
        'UPDATE thread_ids SET thread_id = ? WHERE thread_id IN (SELECT value FROM json_each(?))',
      ),
      mergeThreads: db.prepare<[number, string]>('UPDATE messages SET thread_id = ? WHERE thread_id IN (SELECT value FROM json_each(?))'),
      addThreadId: db.prepare<[number, string, number]>(
        'INSERT INTO thread_ids (account_id, message_id, thread_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      byUid: db.prepare<[number, number], MessageRow>(
        `SELECT ${summaryColumns} FROM messages WHERE mailbox_id = ? AND uid = ? AND stale = 0`,
      ),
      all: db.prepare<[number], MessageRow>(`SELECT ${summaryColumns} FROM messages WHERE mailbox_id = ? AND stale = 0 ORDER BY uid`),
    };
    this.#index = searchIndexWriter(db);
    this.#newId = messageIds(db);
  }

  syncState(mailboxId: number): MailboxSyncState {
    const row = this.#q.syncState.get(mailboxId);
    if (!row) throw new Error(`mailbox ${mailboxId} does not exist`);
    const modseq = this.#q.modseq.get(mailboxId)?.highestmodseq ?? null;
    const counts =
      row.uidvalidity === null
        ? { count: 0, maxUid: null }
        : (this.#q.counts.get(mailboxId, row.uidvalidity) ?? { count: 0, maxUid: null });
    return {
      id: row.id,
      accountId: row.account_id,
      path: row.path,
      uidvalidity: row.uidvalidity,
      uidnext: row.uidnext,
      highestmodseq: modseq,
      count: counts.count,
      maxUid: counts.maxUid ?? 0,
    };
  }

  /** Records what the server said of the mailbox after a sync pass, and the local counts. */
  saveServerState(mailboxId: number, s: ServerMailboxState, fullScan: boolean): void {
    this.#db.transaction(() => {
      this.#q.setState.run({
        id: mailboxId,
        uidvalidity: s.uidvalidity,
        uidnext: s.uidnext,
        highestmodseq: s.highestmodseq,
        readonly: s.readonly ? 1 : 0,
        permanentFlags: s.permanentFlags ? JSON.stringify(s.permanentFlags) : null,
        scanned: fullScan ? new Date().toISOString() : null,
      });
      this.#q.recount.run({ id: mailboxId });
    })();
  }

  /**
   * UIDVALIDITY changed (RFC 3501 2.3.1.1): every cached UID of the mailbox is void. The rows are
   * kept, marked stale, so the next header fetch can re-match them by Message-ID (keeping cached
   * bodies); whatever is not re-matched is dropped by dropStale().
   */
  markStale(mailboxId: number, newUidvalidity: number): number {
    return this.#q.markStale.run(mailboxId, newUidvalidity).changes;
  }

  dropStale(mailboxId: number): number {
    return this.#q.deleteStale.run(mailboxId).changes;
  }

  /** Recomputes a folder's total and unread from the local rows (after a local action). */
  recount(mailboxId: number): void {
    this.#q.recount.run({ id: mailboxId });
  }

  /**
   * UIDs of this mailbox that a queued operation has taken away locally (moved, or marked for
   * expunge): the server still has them, but sync must not bring them back (RFC 4549 3).
   */
  pendingSourceUids(mailboxId: number, uidvalidity: number): Set<number> {
    return new Set(
      this.#db
        .prepare<[number, number], { uid: number }>(
          `SELECT s.uid FROM op_sources s JOIN ops o ON o.id = s.op_id WHERE o.state = 'pending' AND s.mailbox_id = ? AND s.uidvalidity = ?`,
        )
        .all(mailboxId, uidvalidity)
        .map((r) => r.uid),
    );
  }

  uids(mailboxId: number, uidvalidity: number): number[] {
    return this.#q.uids.all(mailboxId, uidvalidity).map((r) => r.uid);
  }

  flagsByUid(mailboxId: number, uidvalidity: number): Map<number, string> {
    return new Map(this.#q.flagsByUid.all(mailboxId, uidvalidity).map((r) => [r.uid, r.flags]));
  }

  /** Inserts a batch of new messages (threading them) in one transaction; returns the new ids (see ID_SLOTS). */
  insertHeaders(
    accountId: number,
    mailboxId: number,
    uidvalidity: number,
    records: HeaderRecord[],
    written?: Map<number, number>,
  ): number[] {
    const ids: number[] = [];
    const indexed: Array<{ id: number; subject: string; addresses: string }> = [];
    // Listed for backfillHeaders in one statement per batch, not one per row.
    const later: number[] = [];
    // No trigger indexes a new row (migration 19): each is indexed here, its address text taken from
    // the records rather than parsed back from the stored JSON, after the batch's rows are written.
    // FTS5 inserts interleaved with writes to other tables cost ~5× more (measured: 10,000 headers in
    // 2.5 s interleaved, 1.2 s with the index rows written together). The bulk writer's store lists
    // them for backfillHeaders instead (migration 12).
    atomically(this.#db, () => {
      // What is stored already is read once per batch, not once per row: the UIDs in the batch's
      // range (a resumed pass), and whether the mailbox has stale rows to re-match at all.
      let low = Infinity;
      let high = -Infinity;
      for (const r of records) {
        low = Math.min(low, r.uid);
        high = Math.max(high, r.uid);
      }
      const known = new Set(records.length ? this.#q.knownUids.all(mailboxId, uidvalidity, low, high) : []);
      const rematching = this.#q.hasStale.get(mailboxId) !== undefined;
      for (const r of records) {
        const flags = canonicalFlags(r.flags);
        const flagCols = flagColumns(flags);
        if (rematching && r.messageId) {
          const stale = this.#q.staleByMessageId.get(mailboxId, r.messageId);
          if (stale) {
            this.#q.rematch.run({ id: stale.id, uidvalidity, uid: r.uid, modseq: r.modseq, flags: JSON.stringify(flags), ...flagCols });
            ids.push(stale.id);
            written?.set(r.uid, stale.id);
            known.add(r.uid);
            continue;
          }
        }
        if (known.has(r.uid)) continue; // already known (a resumed pass, or twice in one batch)
        known.add(r.uid);
        // The id is given here (by date, ID_SLOTS) so the thread is known before the row is
        // written: one INSERT per message, no UPDATE after it.
        const id = this.#newId(r.internalDate);
        const addresses = { from: r.from ? [r.from] : [], to: r.to, cc: r.cc, bcc: r.bcc, replyTo: r.replyTo };
        this.#q.insert.run({
          id,
          threadId: this.#thread(accountId, id, r),
          mailboxId,
          uidvalidity,
          uid: r.uid,
          modseq: r.modseq,
          flags: JSON.stringify(flags),
          ...flagCols,
          internalDate: r.internalDate,
          sentDate: r.sentDate,
          size: r.size,
          subject: r.subject,
          fromName: r.from?.name ?? '',
          fromAddr: r.from?.address ?? '',
          sortFrom: (r.from?.name || r.from?.address || '').toLowerCase(),
          sortSubject: subjectSortKey(r.subject),
          addresses: JSON.stringify(addresses),
          messageId: r.messageId,
          inReplyTo: r.inReplyTo,
          refs: JSON.stringify(r.references),
          bodystructure: r.bodystructure,
          hasAttachments: r.attachments.some((a) => !a.inline) ? 1 : 0,
          attachments: JSON.stringify(r.attachments),
          snippet: r.text?.snippet ?? null,
          bodyState: r.text?.bodyState ?? 0,
        });
        if (this.#deferIndex) later.push(id);
        else indexed.push({ id, subject: r.subject, addresses: addressValueText(addresses) });
        ids.push(id);
        written?.set(r.uid, id);
      }
      if (indexed.length) this.#index.insertHeaders(indexed);
      if (later.length) this.#q.toIndexLater.run(JSON.stringify(later));
    });
    return ids;
  }

  /**
   * Writes the header search rows of up to `limit` messages a deferred header pass listed, newest
   * first, in one transaction. Returns how many: 0 when none are left.
   */
  backfillHeaders(limit = BACKLOG_CHUNK): number {
    return this.#db.transaction(() => {
      const rows = this.#q.toIndexNext.all(limit);
      this.#index.insertHeaders(rows.map((r) => ({ id: r.id, subject: r.subject, addresses: addressText(r.addresses) })));
      for (const r of rows) this.#q.indexedNow.run(r.id);
      return rows.length;
    })();
  }

  /**
   * The thread of a message about to be stored as `id`: that of any message it references or that
   * references it. Only the ids not in thread_ids yet are added: the others map to a thread already,
   * which the merge makes this one (one lookup per id, not a lookup and an insert).
   */
  #thread(accountId: number, id: number, r: HeaderRecord): number {
    const linked = new Set(r.references);
    if (r.inReplyTo) linked.add(r.inReplyTo);
    if (r.messageId) linked.add(r.messageId);
    const found: number[] = [];
    const unknown: string[] = [];
    for (const mid of linked) {
      const t = this.#q.threadOf.get(accountId, mid);
      if (t === undefined) unknown.push(mid);
      else if (!found.includes(t)) found.push(t);
    }
    let thread: number;
    if (found.length > 0) {
      thread = Math.min(...found);
      if (found.length > 1) {
        const others = JSON.stringify(found.filter((t) => t !== thread));
        this.#q.mergeThreadIds.run(thread, others);
        this.#q.mergeThreads.run(thread, others);
      }
    } else {
      // No reference links it: a reply ("Re: …") without References joins the latest thread
      // with the same base subject; anything else starts a thread.
      const base = baseSubject(r.subject);
      const isReply = base !== r.subject.trim().toLowerCase() && base.length > 0 && r.references.length === 0;
      thread = (isReply ? this.#q.threadBySubject.get(accountId, subjectSortKey(r.subject))?.thread_id : undefined) ?? id;
    }
    for (const mid of unknown) this.#q.addThreadId.run(accountId, mid, thread);
    return thread;
  }

  /** Applies flag changes from the server; returns the ids of rows that changed. */
  applyFlags(mailboxId: number, uidvalidity: number, updates: FlagUpdate[]): number[] {
    const changed: number[] = [];
    this.#db.transaction(() => {
      for (const u of updates) {
        const flags = canonicalFlags(u.flags);
        const row = this.#q.setFlags.get({
          mailboxId,
          uidvalidity,
          uid: u.uid,
          flags: JSON.stringify(flags),
          modseq: u.modseq,
          ...flagColumns(flags),
        }) as { id: number } | undefined;
        if (row) changed.push(row.id);
        else if (u.modseq !== null) this.#q.setModseq.run({ mailboxId, uidvalidity, uid: u.uid, modseq: u.modseq });
      }
    })();
    return changed;
  }

  /** Removes expunged messages; returns the ids removed. */
  removeUids(mailboxId: number, uidvalidity: number, uids: Iterable<number>): number[] {
    const removed: number[] = [];
    this.#db.transaction(() => {
      for (const uid of uids) {
        const row = this.#q.deleteUid.get(mailboxId, uidvalidity, uid);
        if (row) removed.push(row.id);
      }
    })();
    return removed;
  }

  flagsOf(messageId: number): string[] | null {
    const row = this.#db.prepare<[number], { flags: string }>('SELECT flags FROM messages WHERE id = ?').get(messageId);
    return row ? (JSON.parse(row.flags) as string[]) : null;
  }

  byUid(mailboxId: number, uid: number): MessageSummary | null {
    const row = this.#q.byUid.get(mailboxId, uid);
    return row ? toSummary(row) : null;
  }

  /**
   * One page of a folder, by keyset (never OFFSET): sorted by a real indexed column, ties broken by
   * id, continuing after the last row of the previous page.
   */
  page(q: PageQuery): { messages: MessageSummary[]; next: { key: string | number; id: number } | null } {
    this.#indexFor(q.sort);
    const column = sortColumn[q.sort];
    const cacheKey = `${q.sort}:${q.descending}:${q.after !== null}`;
    let stmt = this.#pages.get(cacheKey);
    if (!stmt) {
      const cmp = q.descending ? '<' : '>';
      const dir = q.descending ? 'DESC' : 'ASC';
      stmt = this.#db.prepare(
        `SELECT ${summaryColumns}, ${column} AS sort_key FROM messages
         WHERE mailbox_id = @mailboxId AND stale = 0
           ${FILTERS}
           ${HIDDEN}
           ${q.after ? `AND (${column}, id) ${cmp} (@key, @id)` : ''}
         ORDER BY ${column} ${dir}, id ${dir} LIMIT @limit`,
      );
      this.#pages.set(cacheKey, stmt);
    }
    const rows = stmt.all({
      mailboxId: q.mailboxId,
      ...filterParams(q),
      limit: q.limit,
      ...(q.after ? { key: q.after.key, id: q.after.id } : {}),
    }) as (MessageRow & { sort_key: string | number })[];
    const last = rows.at(-1);
    return { messages: rows.map(toSummary), next: rows.length === q.limit && last ? { key: last.sort_key, id: last.id } : null };
  }

  /** How many messages a folder holds under these filters (the list's scrollbar). */
  count(q: Pick<PageQuery, 'mailboxId' | 'unread' | 'read' | 'flagged' | 'hasAttachments'>): number {
    const row = this.#db
      .prepare<{ mailboxId: number } & FilterParams, { n: number }>(
        `SELECT count(*) AS n FROM messages WHERE mailbox_id = @mailboxId AND stale = 0
           ${FILTERS}
           ${HIDDEN}`,
      )
      .get({ mailboxId: q.mailboxId, ...filterParams(q) });
    return row?.n ?? 0;
  }

  /** The ids of every message the folder shows under these filters ("select all", then an action). */
  ids(q: Pick<PageQuery, 'mailboxId' | 'unread' | 'read' | 'flagged' | 'hasAttachments'>): number[] {
    return this.#db
      .prepare<{ mailboxId: number } & FilterParams, number>(
        `SELECT id FROM messages WHERE mailbox_id = @mailboxId AND stale = 0
           ${FILTERS}
           ${HIDDEN}`,
      )
      .pluck()
      .all({ mailboxId: q.mailboxId, ...filterParams(q) });
  }

  /**
   * The keyset cursor that starts a page at row `index` (0-based) of the sorted, filtered folder, so
   * the list can jump into the middle of a large folder with one query; null past the end.
   * (The first row of the page is the one after the cursor: the cursor is row index - 1.)
   */
  cursorAt(q: Omit<PageQuery, 'after' | 'limit'> & { index: number }): { key: string | number; id: number } | null {
    if (q.index <= 0) return null;
    this.#indexFor(q.sort);
    const column = sortColumn[q.sort];
    const dir = q.descending ? 'DESC' : 'ASC';
    const row = this.#db
      .prepare<Record<string, number>, { key: string | number; id: number }>(
        `SELECT ${column} AS key, id FROM messages
         WHERE mailbox_id = @mailboxId AND stale = 0
           ${FILTERS}
           ${HIDDEN}
         ORDER BY ${column} ${dir}, id ${dir} LIMIT 1 OFFSET @offset`,
      )
      .get({
        mailboxId: q.mailboxId,
        ...filterParams(q),
        offset: q.index - 1,
      });
    return row ?? null;
  }

  #sentIndexed = false;
  #indexFor(sort: MessageSort): void {
    if (sort !== 'sent' || this.#sentIndexed) return;
    this.#db.exec(SENT_INDEX);
    this.#sentIndexed = true;
  }

  all(mailboxId: number): MessageSummary[] {
    return this.#q.all.all(mailboxId).map(toSummary);
  }
}

function flagColumns(flags: string[]) {
  return {
    seen: has(flags, '\\Seen') ? 1 : 0,
    flagged: has(flags, '\\Flagged') ? 1 : 0,
    answered: has(flags, '\\Answered') ? 1 : 0,
    draft: has(flags, '\\Draft') ? 1 : 0,
    deleted: has(flags, '\\Deleted') ? 1 : 0,
  };
}
