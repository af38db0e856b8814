import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TegamiError, type ErrorInfo } from '../../../shared/domain/errors.js';
import type { Db } from './database.js';
import type { HeaderRecord, MessageStore } from './messages.js';
import type { PartStore, TextBatch } from './parts.js';

/**
 * Where the sync engine's bulk writes go: header batches (header sync) and decoded text batches
 * (the body prefetch). Most of an initial sync's CPU is of two kinds of about the same size:
 * imapflow parsing the FETCH responses, and SQLite writing rows and their search index. On one
 * thread they add up; a writer on a worker thread (its own connection to the same WAL database)
 * runs them side by side, so parsing the next batch overlaps storing this one.
 */
export interface BulkWriter {
  /** Stores one batch of headers (one transaction); resolves with the ids of the rows written, in order. */
  insertHeaders(accountId: number, mailboxId: number, uidvalidity: number, records: HeaderRecord[]): Promise<number[]>;
  /** Stores one batch of decoded text parts (one transaction; PartStore.storeTexts). */
  storeTexts(batch: TextBatch): Promise<void>;
  /** Stores one batch of mirrored messages, header rows and texts (sync/mirror.ts); resolves as insertHeaders. */
  storeMirrored(accountId: number, mailboxId: number, uidvalidity: number, records: HeaderRecord[]): Promise<number[]>;
  /**
   * Indexes up to `limit` messages of a search backlog: header rows a deferred header pass listed
   * (MessageStore.backfillHeaders), else (scope 'all') texts the prefetch cached, or text cached
   * before migration 9 (PartStore.backfillBodies). Resolves with how many: 0 when done.
   */
  backfillIndex(limit: number, scope?: BacklogScope): Promise<number>;
  /** 'worker' while the worker thread serves; 'inline' when rows are written on the calling thread. */
  readonly mode: 'worker' | 'inline';
  close(): Promise<void>;
}

/** The synchronous writes a BulkWriter stands for (MessageStore.insertHeaders, PartStore.storeTexts, the backfills). */
export interface BulkStores {
  insertHeaders(accountId: number, mailboxId: number, uidvalidity: number, records: HeaderRecord[]): number[];
  storeTexts(batch: TextBatch): void;
  storeMirrored(accountId: number, mailboxId: number, uidvalidity: number, records: HeaderRecord[]): number[];
  backfillIndex(limit: number, scope: BacklogScope): number;
}

/**
 * Which backlogs a backfill works on: 'headers' while a body prefetch runs (the texts' rows would
 * make the prefetch wait for the writer), 'texts' when the writer is idle, 'all' otherwise.
 */
export type BacklogScope = 'headers' | 'texts' | 'all';

/** One chunk of the search backlogs (BulkWriter.backfillIndex): header rows first, then texts. */
export const backfillChunk = (
  stores: { messages: Pick<MessageStore, 'backfillHeaders'>; parts: Pick<PartStore, 'backfillBodies'> },
  limit: number,
  scope: BacklogScope,
): number =>
  (scope === 'texts' ? 0 : stores.messages.backfillHeaders(limit)) || (scope === 'headers' ? 0 : stores.parts.backfillBodies(limit));

/** Texts indexed per chunk while the worker is otherwise idle: about 30 ms of its time, the most a batch then waits. */
export const IDLE_TEXTS_CHUNK = 200;

/**
 * Messages per search-backlog transaction on the worker (backfillIndex). At 500 the worker's
 * memory grew by up to 35 MB while it ran (after a 100,000-message sync: the peak RSS of the whole
 * sync); at 100–200 by 0–19 MB. Smaller costs time: 100,000 header rows took 7.6 s in chunks of
 * 100, 4.5 s in chunks of 500.
 */
export const BACKLOG_CHUNK = 200;

/**
 * Stores mirrored messages (sync/mirror.ts readSources) in one transaction: their header rows with
 * snippet and text state, then their text parts and sources (with no row update). A row is never saved as
 * "text cached" without its text: a failure of either half rolls both back. A row re-matched after
 * a UIDVALIDITY change keeps its own state and gets these parts too. Answers the ids of the rows
 * written, in order, as insertHeaders does.
 */
export function storeMirrored(
  stores: { db: Db; messages: Pick<MessageStore, 'insertHeaders'>; parts: Pick<PartStore, 'storeTexts'> },
  accountId: number,
  mailboxId: number,
  uidvalidity: number,
  records: HeaderRecord[],
): number[] {
  return stores.db.transaction(() => {
    const written = new Map<number, number>();
    const ids = stores.messages.insertHeaders(accountId, mailboxId, uidvalidity, records, written);
    const batch = [];
    for (const r of records) {
      const id = written.get(r.uid);
      if (id !== undefined && r.text)
        batch.push({
          messageId: id,
          parts: r.text.parts,
          snippet: null,
          complete: false,
          ...(r.text.source ? { source: r.text.source } : {}),
        });
    }
    if (batch.length) stores.parts.storeTexts(batch);
    return ids;
  })();
}

/** The writes of a MessageStore and a PartStore over one connection (`db`), as a BulkWriter's worker (or fallback) makes them. */
export const bulkStores = (db: Db, messages: MessageStore, parts: PartStore): BulkStores => ({
  insertHeaders: (...batch) => messages.insertHeaders(...batch),
  storeTexts: (batch) => parts.storeTexts(batch),
  storeMirrored: (...batch) => storeMirrored({ db, messages, parts }, ...batch),
  backfillIndex: (limit, scope) => backfillChunk({ messages, parts }, limit, scope),
});

/** A synchronous call as a promise: its result, or its exception as a rejection. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Writes on the calling thread (tests, and the fallback when no worker can start). */
export function inlineBulkWriter(stores: BulkStores): BulkWriter {
  return {
    mode: 'inline',
    insertHeaders: (accountId, mailboxId, uidvalidity, records) =>
      settle(() => stores.insertHeaders(accountId, mailboxId, uidvalidity, records)),
    storeTexts: (batch) => settle(() => stores.storeTexts(batch)),
    storeMirrored: (accountId, mailboxId, uidvalidity, records) =>
      settle(() => stores.storeMirrored(accountId, mailboxId, uidvalidity, records)),
    backfillIndex: (limit, scope = 'all') => settle(() => stores.backfillIndex(limit, scope)),
    close: () => Promise.resolve(),
  };
}

/** What the worker thread is told when it starts (bulk-writer-worker.ts). */
export interface WriterWorkerData {
  file: string;
  /** Extra PRAGMAs for the worker's connection (tests use max_page_count to fill the "disk"). */
  pragmas: string[];
  /** Int32 [0]: requests finished, for the poster's backpressure. */
  progress: SharedArrayBuffer;
}

export type WriterRequest =
  | { kind: 'headers'; seq: number; accountId: number; mailboxId: number; uidvalidity: number; records: HeaderRecord[] }
  | { kind: 'texts'; seq: number; batch: TextBatch }
  | { kind: 'mirrored'; seq: number; accountId: number; mailboxId: number; uidvalidity: number; records: HeaderRecord[] }
  | { kind: 'backfill'; seq: number; limit: number; scope: BacklogScope }
  | { kind: 'close' };
export type WriterReply =
  | { kind: 'ready' }
  | { kind: 'done'; seq: number; ids?: number[]; count?: number }
  | { kind: 'failed'; seq: number; error: WireError }
  | { kind: 'broken'; error: WireError };
export interface WireError {
  name: string;
  message: string;
  code?: string;
  /** A TegamiError's info (its code, its words for the user), kept whole. */
  info?: ErrorInfo;
}

/** An error from the worker as the engine's error handling knows it: a TegamiError again, or SqliteError's `code` kept. */
export function fromWire(e: WireError): Error {
  if (e.info) return new TegamiError(e.info);
  const error = new Error(e.message);
  error.name = e.name;
  return e.code === undefined ? error : Object.assign(error, { code: e.code });
}

export function toWire(error: unknown): WireError {
  if (error instanceof TegamiError) return { name: error.name, message: error.message, info: error.info };
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | null;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}

/**
 * The worker's entry beside this module: bulk-writer-worker.js once built; under tsx or Vitest
 * (this file is .ts) the .ts source, loaded through tsx's ESM hooks.
 */
function workerEntry(): { url: URL; execArgv?: string[] } {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts')) return { url: new URL('./bulk-writer-worker.js', self) };
  const tsx = pathToFileURL(createRequire(self).resolve('tsx')).href;
  return { url: new URL('./bulk-writer-worker.ts', self), execArgv: ['--import', tsx] };
}

export interface WorkerWriterOptions {
  pragmas?: string[];
  /** Replaces the worker's entry (tests: one that cannot start). */
  entry?: URL;
  /** Told once when the worker cannot start or dies and rows go through `fallback` instead. */
  onFallback?: (error: Error) => void;
  /** Batches posted and not yet stored before a new one waits (see post()). */
  maxQueued?: number;
  /** How long post() waits at most for a worker that finishes nothing (default 5 s: a batch takes well under one). */
  stallMs?: number;
}

/**
 * A writer on a worker thread for the database at `file`; `fallback` stores rows on this thread
 * when the worker cannot start (e.g. a packaged app whose worker file cannot be loaded) or after it
 * died. Requests are answered in order; at most one transaction at a time runs in the worker.
 */
export async function openBulkWriter(file: string, fallback: BulkStores, options: WorkerWriterOptions = {}): Promise<BulkWriter> {
  const inline = inlineBulkWriter(fallback);
  // [0]: requests the worker has finished (it adds one and notifies after each).
  const progress = new Int32Array(new SharedArrayBuffer(4));
  // One: two measured no faster once the A/B order was reversed (differences of -0.8 to +1.3 s per
  // 50,000 headers either way), and would hold one more batch in memory.
  const maxQueued = options.maxQueued ?? 1;
  const stallMs = options.stallMs ?? 5_000;
  const entry = options.entry ? { url: options.entry } : workerEntry();
  let worker: Worker;
  try {
    worker = new Worker(entry.url, {
      // Its writes touch the indexes' upper levels and the rows being appended: 8 MB of page cache
      // (half the engine connection's) is plenty, and it counts against the memory target.
      workerData: {
        file,
        pragmas: ['cache_size = -8000', ...(options.pragmas ?? [])],
        progress: progress.buffer,
      } satisfies WriterWorkerData,
      // It holds at most a few batches at a time: a small young generation makes V8 collect them
      // early instead of letting the heap grow (peak RSS of a 100,000-message sync is a target).
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
      ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
    });
  } catch (error) {
    options.onFallback?.(error instanceof Error ? error : new Error(String(error)));
    return inline;
  }
  const pending = new Map<number, { resolve: (reply: { ids?: number[]; count?: number }) => void; reject: (error: Error) => void }>();
  let seq = 0;
  let broken: Error | null = null;
  let closing = false;
  let drained: Array<() => void> = [];
  // Texts the worker stored without their search rows (PartStore's deferBodyIndex) are indexed
  // whenever it has nothing else to do. Over a real network the prefetch leaves it idle most of the
  // time, so the index keeps up (search scans only the few texts waiting); when storing is what the
  // prefetch waits for (a fast link), indexing waits for the prefetch instead of slowing it.
  let textsWaiting = false;
  let textBatches = 0; // posted so far: a batch posted after an idle chunk was may have left texts
  let idleTimer: ReturnType<typeof setImmediate> | null = null;
  const indexWhenIdle = () => {
    idleTimer = null;
    if (!textsWaiting || pending.size || closing || broken) return;
    const before = textBatches;
    const stop = () => void (textsWaiting = textBatches !== before);
    post({ kind: 'backfill', seq: ++seq, limit: IDLE_TEXTS_CHUNK, scope: 'texts' }).then(
      (r) => void (r.count ? undefined : stop()),
      stop, // failed: the engine's backlog loop tries again later
    );
  };
  const settled = () => {
    if (pending.size) return;
    worker.unref();
    for (const done of drained) done();
    drained = [];
    // After a turn of the event loop: a caller answered just now posts its next batch first.
    if (textsWaiting && !closing && !idleTimer) idleTimer = setImmediate(indexWhenIdle);
  };
  const breakDown = (error: Error) => {
    if (broken) return;
    broken = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    settled();
    if (!closing) options.onFallback?.(error);
  };
  const ready = new Promise<boolean>((resolve) => {
    worker.on('message', (reply: WriterReply) => {
      if (reply.kind === 'ready') resolve(true);
      else if (reply.kind === 'broken') {
        breakDown(fromWire(reply.error));
        resolve(false);
      } else {
        const p = pending.get(reply.seq);
        pending.delete(reply.seq);
        if (reply.kind === 'done') p?.resolve(reply);
        else p?.reject(fromWire(reply.error));
        settled();
      }
    });
    worker.on('error', (error) => {
      breakDown(error);
      resolve(false);
    });
    worker.on('exit', (code) => {
      breakDown(new Error(`The bulk writer stopped (exit code ${code}).`));
      resolve(false);
    });
  });
  if (!(await ready)) {
    await worker.terminate().catch(() => undefined);
    return inline;
  }
  worker.unref();
  let posted = 0;
  /**
   * Posts a request; first, while `maxQueued` are waiting in the worker, blocks this thread until
   * it finishes one. That is the backpressure: blocked, this thread reads nothing from the IMAP
   * socket, so the server waits (TCP flow control) instead of imapflow queueing parsed responses
   * without bound. It blocks no longer than writing inline would have, and never more than
   * `stallMs` without the worker finishing something.
   */
  const post = (request: WriterRequest & { seq: number }) => {
    // A worker that finished nothing for `stallMs` has stopped or hangs: this thread must get back to
    // its event loop, where the worker's 'exit' is seen (or the caller's error handling runs).
    for (let done = Atomics.load(progress, 0); posted - done >= maxQueued; done = Atomics.load(progress, 0))
      if (Atomics.wait(progress, 0, done, stallMs) === 'timed-out') break;
    posted++;
    return new Promise<{ ids?: number[]; count?: number }>((resolve, reject) => {
      pending.set(request.seq, { resolve, reject });
      worker.ref(); // an answer is owed: keep the process alive until it comes
      worker.postMessage(request);
    });
  };
  return {
    get mode() {
      return broken ? 'inline' : 'worker';
    },
    insertHeaders(accountId, mailboxId, uidvalidity, records) {
      if (broken || closing) return inline.insertHeaders(accountId, mailboxId, uidvalidity, records);
      return post({ kind: 'headers', seq: ++seq, accountId, mailboxId, uidvalidity, records }).then((r) => r.ids ?? []);
    },
    storeTexts(batch) {
      if (broken || closing) return inline.storeTexts(batch);
      textsWaiting = true;
      textBatches++;
      return post({ kind: 'texts', seq: ++seq, batch }).then(() => undefined);
    },
    storeMirrored(accountId, mailboxId, uidvalidity, records) {
      if (broken || closing) return inline.storeMirrored(accountId, mailboxId, uidvalidity, records);
      textsWaiting = true;
      textBatches++;
      return post({ kind: 'mirrored', seq: ++seq, accountId, mailboxId, uidvalidity, records }).then((r) => r.ids ?? []);
    },
    backfillIndex(limit, scope = 'all') {
      if (broken || closing) return inline.backfillIndex(limit, scope);
      return post({ kind: 'backfill', seq: ++seq, limit, scope }).then((r) => r.count ?? 0);
    },
    async close() {
      if (closing) return;
      closing = true;
      // Every request posted is answered first: a batch in flight is stored, not dropped.
      if (pending.size) await new Promise<void>((r) => drained.push(r));
      if (!broken) {
        const exited = new Promise<void>((r) => worker.once('exit', () => r()));
        worker.postMessage({ kind: 'close' } satisfies WriterRequest);
        worker.ref();
        await exited;
      }
    },
  };
}
