import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HeaderRecord } from './messages.js';

/**
 * Where header sync stores the rows it fetches. The bulk of an initial sync is two kinds of CPU work
 * of about the same size: imapflow parsing the FETCH responses and SQLite writing rows and their
 * search index. On one thread they add up; a writer on a worker thread (its own connection to the
 * same WAL database) runs them side by side, so parsing the next batch overlaps storing this one.
 */
export interface HeaderWriter {
  /** Stores one batch (one transaction); resolves with the ids of the rows written, in order. */
  insert(accountId: number, mailboxId: number, uidvalidity: number, records: HeaderRecord[]): Promise<number[]>;
  /** 'worker' while the worker thread serves; 'inline' when rows are written on the calling thread. */
  readonly mode: 'worker' | 'inline';
  close(): Promise<void>;
}

type InsertHeaders = (accountId: number, mailboxId: number, uidvalidity: number, records: HeaderRecord[]) => number[];

/** Writes on the calling thread, through the given store (tests, and the fallback when no worker can start). */
export function inlineHeaderWriter(insertHeaders: InsertHeaders): HeaderWriter {
  return {
    mode: 'inline',
    insert: (accountId, mailboxId, uidvalidity, records) => {
      try {
        return Promise.resolve(insertHeaders(accountId, mailboxId, uidvalidity, records));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close: () => Promise.resolve(),
  };
}

/** What the worker thread is told when it starts (header-writer-worker.ts). */
export interface WriterWorkerData {
  file: string;
  /** Extra PRAGMAs for the worker's connection (tests use max_page_count to fill the "disk"). */
  pragmas: string[];
}

export type WriterRequest =
  { kind: 'insert'; seq: number; accountId: number; mailboxId: number; uidvalidity: number; records: HeaderRecord[] } | { kind: 'close' };
export type WriterReply =
  | { kind: 'ready' }
  | { kind: 'done'; seq: number; ids: number[] }
  | { kind: 'failed'; seq: number; error: WireError }
  | { kind: 'broken'; error: WireError };
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

/** An error from the worker as the engine's error handling knows it (SqliteError's `code` kept). */
export function fromWire(e: WireError): Error {
  const error = new Error(e.message);
  error.name = e.name;
  return e.code === undefined ? error : Object.assign(error, { code: e.code });
}

export function toWire(error: unknown): WireError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | null;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}

/**
 * The worker's entry beside this module: header-writer-worker.js once built; under tsx or Vitest
 * (this file is .ts) the .ts source, loaded through tsx's ESM hooks.
 */
function workerEntry(): { url: URL; execArgv?: string[] } {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts')) return { url: new URL('./header-writer-worker.js', self) };
  const tsx = pathToFileURL(createRequire(self).resolve('tsx')).href;
  return { url: new URL('./header-writer-worker.ts', self), execArgv: ['--import', tsx] };
}

export interface WorkerWriterOptions {
  pragmas?: string[];
  /** Replaces the worker's entry (tests: one that cannot start). */
  entry?: URL;
  /** Told once when the worker cannot start or dies and rows go through `fallback` instead. */
  onFallback?: (error: Error) => void;
}

/**
 * A writer on a worker thread for the database at `file`; `fallback` stores rows on this thread
 * when the worker cannot start (e.g. a packaged app whose worker file cannot be loaded) or after it
 * died. Requests are answered in order; at most one transaction at a time runs in the worker.
 */
export async function openHeaderWriter(file: string, fallback: InsertHeaders, options: WorkerWriterOptions = {}): Promise<HeaderWriter> {
  const inline = inlineHeaderWriter(fallback);
  const entry = options.entry ? { url: options.entry } : workerEntry();
  let worker: Worker;
  try {
    worker = new Worker(entry.url, {
      workerData: { file, pragmas: options.pragmas ?? [] } satisfies WriterWorkerData,
      ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
    });
  } catch (error) {
    options.onFallback?.(error instanceof Error ? error : new Error(String(error)));
    return inline;
  }
  const pending = new Map<number, { resolve: (ids: number[]) => void; reject: (error: Error) => void }>();
  let seq = 0;
  let broken: Error | null = null;
  let closing = false;
  let drained: Array<() => void> = [];
  const settled = () => {
    if (pending.size) return;
    worker.unref();
    for (const done of drained) done();
    drained = [];
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
        if (reply.kind === 'done') p?.resolve(reply.ids);
        else p?.reject(fromWire(reply.error));
        settled();
      }
    });
    worker.on('error', (error) => {
      breakDown(error);
      resolve(false);
    });
    worker.on('exit', (code) => {
      breakDown(new Error(`The header writer stopped (exit code ${code}).`));
      resolve(false);
    });
  });
  if (!(await ready)) {
    await worker.terminate().catch(() => undefined);
    return inline;
  }
  worker.unref();
  return {
    get mode() {
      return broken ? 'inline' : 'worker';
    },
    insert(accountId, mailboxId, uidvalidity, records) {
      if (broken || closing) return inline.insert(accountId, mailboxId, uidvalidity, records);
      const request: WriterRequest = { kind: 'insert', seq: ++seq, accountId, mailboxId, uidvalidity, records };
      return new Promise<number[]>((resolve, reject) => {
        pending.set(request.seq, { resolve, reject });
        worker.ref(); // an answer is owed: keep the process alive until it comes
        worker.postMessage(request);
      });
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
