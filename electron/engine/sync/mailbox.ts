import type { HeaderRecord, MessageStore } from '../db/messages.js';
import type { ImapSession, StatusInfo } from '../imap/session.js';
import { uidSet } from '../imap/session.js';
import { MIRROR_BATCH, MIRROR_MAX_BYTES, readSources } from './mirror.js';

export interface MailboxChanges {
  mailboxId: number;
  added: number[];
  changed: number[];
  removed: number[];
  /** UIDVALIDITY changed: every cached UID of the mailbox was void (RFC 3501 2.3.1.1). */
  reset: boolean;
}

export interface MailboxSyncOptions {
  /** Sizes of the header chunks, newest first: small first so the first screenful lands fast. */
  chunks?: readonly number[];
  /** Rows stored per transaction while a chunk streams in. */
  insertBatch?: number;
  onProgress?: (p: { mailboxId: number; path: string; done: number; total: number }) => void;
  /** Called after each stored batch, so the UI sees rows arrive. */
  onBatch?: (changes: MailboxChanges) => void;
  /**
   * The mirror (sync/mirror.ts): new messages smaller than MIRROR_MAX_BYTES received on or after this
   * day (null: any day; the offline window) are fetched whole, their text cached with their row.
   * Needs a writer that stores mirrored rows (storeMirrored: the engine's bulk writer). Absent: header rows only.
   */
  mirrorSince?: Date | null;
}

export type SyncMethod = 'skipped' | 'qresync' | 'condstore' | 'full-scan' | 'initial';

/**
 * True when STATUS (or LIST-STATUS) proves that nothing changed since the last complete pass, so
 * the mailbox needs no SELECT at all. Without a HIGHESTMODSEQ, flag changes are invisible to
 * STATUS: such a mailbox is never skipped.
 */
export function unchangedSince(status: StatusInfo, state: ReturnType<MessageStore['syncState']>): boolean {
  return (
    state.uidvalidity === status.uidvalidity &&
    state.uidnext === status.uidnext &&
    state.highestmodseq !== null &&
    status.highestmodseq !== null &&
    state.highestmodseq === status.highestmodseq &&
    state.count === status.messages
  );
}

/**
 * One pass over one mailbox, in RFC 4549 order: UIDVALIDITY check, then changes to known messages
 * (QRESYNC, else CONDSTORE CHANGEDSINCE plus an expunge check, else a full UID/FLAGS scan), then
 * new messages, newest first in UID chunks. The mailbox's state (uidnext, highestmodseq) is saved
 * only when the pass completes, so an interrupted pass is simply resumed by the next one: nothing
 * is fetched twice (rows are keyed by UID) and nothing is missed (new UIDs are counted from the last
 * completed UIDNEXT, not from the highest UID stored).
 */
export function syncMailbox(
  session: ImapSession,
  messages: MessageStore,
  mailboxId: number,
  options: MailboxSyncOptions = {},
): Promise<{ method: SyncMethod; changes: MailboxChanges }> {
  return serialized(messages, mailboxId, () => syncMailboxNow(session, messages, mailboxId, options));
}

/**
 * syncMailbox for a connection that keeps one folder current between passes (the runner's INBOX,
 * the watcher's open folder): each stored batch goes to onChanges as it lands, then the flag changes
 * and removals, and onFoldersChanged when the folder's counts moved.
 */
export async function syncAndReport(
  session: ImapSession,
  messages: MessageStore,
  mailboxId: number,
  report: { onChanges?: ((changes: MailboxChanges) => void) | undefined; onFoldersChanged?: (() => void) | undefined },
): Promise<MailboxChanges> {
  const { onChanges, onFoldersChanged } = report;
  const { changes } = await syncMailbox(session, messages, mailboxId, onChanges ? { onBatch: onChanges } : {});
  if (changes.changed.length || changes.removed.length || changes.reset) onChanges?.({ ...changes, added: [] });
  if (changes.added.length || changes.changed.length || changes.removed.length) onFoldersChanged?.();
  return changes;
}

const inFlight = new WeakMap<MessageStore, Map<number, Promise<unknown>>>();

/**
 * One pass per mailbox at a time, whichever connection runs it (the sync connection's pass, the
 * watcher of the open folder, "check mail"): a second one starts when the first has saved its state,
 * so it builds on that state instead of fetching the same new UIDs again and saving an older one.
 */
function serialized<T>(messages: MessageStore, mailboxId: number, fn: () => Promise<T>): Promise<T> {
  let queue = inFlight.get(messages);
  if (!queue) inFlight.set(messages, (queue = new Map()));
  const run = (queue.get(mailboxId) ?? Promise.resolve()).then(fn);
  const tail = run.catch(() => undefined);
  queue.set(mailboxId, tail);
  void tail.then(() => {
    if (queue.get(mailboxId) === tail) queue.delete(mailboxId);
  });
  return run;
}

async function syncMailboxNow(
  session: ImapSession,
  messages: MessageStore,
  mailboxId: number,
  options: MailboxSyncOptions,
): Promise<{ method: SyncMethod; changes: MailboxChanges }> {
  const state = messages.syncState(mailboxId);
  const changes: MailboxChanges = { mailboxId, added: [], changed: [], removed: [], reset: false };
  const canQresync = state.uidvalidity !== null && state.highestmodseq !== null && state.highestmodseq > 0n;
  const sel = await session.select(
    state.path,
    canQresync ? { uidvalidity: state.uidvalidity as number, highestmodseq: state.highestmodseq as bigint } : undefined,
  );
  const uidvalidity = sel.uidvalidity;

  let knownUpTo = state.uidnext ?? 1; // UIDs below this were all seen by the last complete pass
  let method: SyncMethod = 'initial';
  if (state.uidvalidity === null) {
    // First pass over a folder that already holds rows: messages our queue moved or copied here
    // (COPYUID told us their UIDs). Their flags are what we had locally; the server's may differ
    // (another device changed them in the source meanwhile), so take the server's.
    const placed = messages.uids(mailboxId, uidvalidity);
    if (placed.length) changes.changed.push(...messages.applyFlags(mailboxId, uidvalidity, await session.fetchFlags(uidSet(placed))));
  }
  if (state.uidvalidity !== null && state.uidvalidity !== uidvalidity) {
    messages.markStale(mailboxId, uidvalidity);
    changes.reset = true;
    knownUpTo = 1;
  } else if (state.uidvalidity !== null && state.count > 0) {
    if (sel.qresync) {
      method = 'qresync';
      changes.changed.push(...messages.applyFlags(mailboxId, uidvalidity, sel.changed));
      changes.removed.push(...messages.removeUids(mailboxId, uidvalidity, sel.vanished));
    } else if (session.condstore && state.highestmodseq !== null && sel.highestmodseq !== null) {
      method = 'condstore';
      if (sel.highestmodseq !== state.highestmodseq) {
        const updates = await session.fetchFlags(`1:${Math.max(1, knownUpTo - 1)}`, state.highestmodseq);
        changes.changed.push(
          ...messages.applyFlags(
            mailboxId,
            uidvalidity,
            updates.filter((u) => u.uid < knownUpTo),
          ),
        );
      }
    } else {
      method = 'full-scan';
      const updates = knownUpTo > 1 ? await session.fetchFlags(`1:${knownUpTo - 1}`) : [];
      const onServer = new Set(updates.map((u) => u.uid));
      changes.changed.push(...messages.applyFlags(mailboxId, uidvalidity, updates));
      const gone = messages.uids(mailboxId, uidvalidity).filter((uid) => uid < knownUpTo && !onServer.has(uid));
      changes.removed.push(...messages.removeUids(mailboxId, uidvalidity, gone));
    }
  }

  // New messages: every server UID at or above knownUpTo that is not stored yet. UIDNEXT unchanged
  // means there are none (RFC 3501 2.3.1.1), so the SEARCH is skipped.
  let serverUids: number[] | null = null;
  let fresh: number[] = [];
  if (sel.exists > 0 && (changes.reset || state.uidnext === null || sel.uidnext !== state.uidnext || state.uidnext > knownUpTo)) {
    serverUids = await session.allUids();
    const local = new Set(messages.uids(mailboxId, uidvalidity));
    for (const uid of messages.pendingSourceUids(mailboxId, uidvalidity)) local.add(uid);
    fresh = serverUids.filter((uid) => uid >= knownUpTo && !local.has(uid));
  }

  // The expunge check of the CONDSTORE path (RFC 7162 3.1.8 has no VANISHED without QRESYNC): if the
  // server holds fewer old messages than we do, find which by UID.
  if (method === 'condstore') {
    const localOld = state.count;
    const serverOld = sel.exists - (serverUids ? serverUids.filter((u) => u >= knownUpTo).length : 0);
    if (serverOld !== localOld) {
      serverUids ??= await session.allUids();
      const onServer = new Set(serverUids);
      const gone = messages.uids(mailboxId, uidvalidity).filter((uid) => uid < knownUpTo && !onServer.has(uid));
      changes.removed.push(...messages.removeUids(mailboxId, uidvalidity, gone));
    }
  }

  // Newest first, in UID chunks: a small one so the first screenful lands fast, then big ones (one
  // command's round trip and setup per chunk). Rows are handed to the store's writer every
  // `insertBatch` as they stream in — on the engine's worker thread, so parsing the next batch
  // overlaps storing this one — and no chunk is ever held whole.
  fresh.sort((a, b) => b - a);
  const sizes = options.chunks ?? [250, 2500, 25_000];
  const insertBatch = options.insertBatch ?? 500;
  let done = 0;
  // The writer answers in the order batches were handed to it, so progress and events stay in order.
  const stored = (ids: number[], count: number) => {
    for (const id of ids) changes.added.push(id);
    done += count;
    options.onProgress?.({ mailboxId, path: state.path, done: Math.min(done, fresh.length), total: fresh.length });
    options.onBatch?.({ mailboxId, added: ids, changed: [], removed: [], reset: false });
  };
  const store = (records: HeaderRecord[]) =>
    messages.writer.insertHeaders(state.accountId, mailboxId, uidvalidity, records).then((ids) => stored(ids, records.length));
  // The mirror takes what comes after the first chunk (that one is headers only: the first screenful
  // lands fast whatever the messages' sizes): one SEARCH finds which of those are small and in the window.
  const whole = new Set<number>();
  const storeMirrored = messages.writer.storeMirrored?.bind(messages.writer);
  const firstChunk = sizes[0] ?? 1000;
  if (options.mirrorSince !== undefined && storeMirrored && fresh.length > firstChunk) {
    const range = `${fresh.at(-1) ?? 1}:${fresh[firstChunk] ?? 1}`;
    for (const uid of await session.smallUids(range, MIRROR_MAX_BYTES, options.mirrorSince)) whole.add(uid);
  }
  for (let i = 0, start = 0; start < fresh.length; i++) {
    const size = sizes[Math.min(i, sizes.length - 1)] ?? 1000;
    const chunk = fresh.slice(start, start + size);
    start += chunk.length;
    const headersOnly = chunk.filter((uid) => !whole.has(uid));
    if (storeMirrored && headersOnly.length < chunk.length) {
      // Whole messages first (the newest: the window's); those the parse refused, and any the
      // server did not send whole, then join the header fetch.
      const asked = chunk.filter((uid) => whole.has(uid));
      const read = new Set<number>();
      await session.streamSources(uidSet(asked), Math.min(insertBatch, size, MIRROR_BATCH), (items) => {
        const records = readSources(items);
        for (const r of records) read.add(r.uid);
        return storeMirrored(state.accountId, mailboxId, uidvalidity, records).then((ids) => stored(ids, records.length));
      });
      for (const uid of asked) if (!read.has(uid)) headersOnly.push(uid);
    }
    if (headersOnly.length) await session.streamHeaders(uidSet(headersOnly), Math.min(insertBatch, size), store);
  }
  if (changes.reset) messages.dropStale(mailboxId);

  messages.saveServerState(
    mailboxId,
    { uidvalidity, uidnext: sel.uidnext, highestmodseq: sel.highestmodseq, readonly: sel.readonly, permanentFlags: sel.permanentFlags },
    method === 'full-scan' || method === 'initial',
  );
  return { method, changes };
}
