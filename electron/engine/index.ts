import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isRequestName, requests, type EventName, type EventPayload, type RequestName } from '../../shared/ipc/contract.js';
import { fail, ok, TegamiError, type ErrorInfo, type Result } from '../../shared/domain/errors.js';
import { openDatabase, storageError } from './db/database.js';
import { BACKLOG_CHUNK, bulkStores, openBulkWriter, type BacklogScope } from './db/bulk-writer.js';
import { MessageStore } from './db/messages.js';
import { PartStore } from './db/parts.js';
import { OpStore } from './db/ops.js';
import type { ImapSession } from './imap/session.js';
import { replayQueue, sweepOutbox } from './ops/replay.js';
import { Store } from './db/store.js';
import type { Engine, EngineEventListener, EngineOptions } from './engine.js';
import { createService, type Service } from './service.js';
import { SyncManager } from './sync/manager.js';
import { afterHeaderPass } from './sync/bodies.js';

export type { Engine, EngineOptions } from './engine.js';

/** Turns anything thrown into the ErrorInfo the UI shows; never a stack trace. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof TegamiError) return error.info;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return storageError(error, 'The mail store failed').info;
  console.error('tegami: unexpected error', error);
  return { code: 'INTERNAL', message: `Something went wrong inside Tegami: ${error instanceof Error ? error.message : String(error)}` };
}

/** Validates a request against the contract, runs it, and wraps the answer in a Result. */
export async function dispatch(service: Service, name: unknown, input: unknown): Promise<Result<unknown>> {
  if (!isRequestName(name)) return fail({ code: 'INVALID_INPUT', message: `Unknown request “${String(name)}”.` });
  const parsed = requests[name].input.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return fail({ code: 'INVALID_INPUT', message: `Invalid ${name} request: ${where}${issue?.message ?? 'bad input'}` });
  }
  try {
    const handler = service[name] as (input: unknown) => Promise<unknown>;
    return ok(await handler(parsed.data));
  } catch (error) {
    return fail(toErrorInfo(error));
  }
}

/** Opens a profile and returns the engine its hosts talk to. */
export async function openEngine(options: EngineOptions): Promise<Engine & { service: Service & { close(): Promise<void> } }> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const dbFile = path.join(options.dataDir, 'tegami.db');
  const db = openDatabase(dbFile);
  const store = new Store(db);
  const listeners = new Set<EngineEventListener>();
  // Set once the search backlog loop exists (below): a sync connection gone idle starts it.
  let indexSoon = () => {};
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    if (event === 'sync.state' && (payload as EventPayload<'sync.state'>).state === 'idle') indexSoon();
    for (const listener of listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        console.error('tegami: event listener failed', error);
      }
    }
  };
  const messages = new MessageStore(db);
  const parts = new PartStore(db, options.dataDir);
  const bulk = await openBulkWriter(dbFile, bulkStores(db, messages, parts), {
    onFallback: (error) => console.warn(`tegami: sync stores its rows on the engine's thread (${error.message})`),
  });
  messages.writer = bulk;
  parts.writer = bulk;
  const ops = new OpStore(db);
  // Message files of discarded APPENDs, or of one a crash left right after it was replayed.
  void sweepOutbox(ops, options.dataDir).catch((error: unknown) => console.warn('tegami: could not tidy the outbox', error));
  // One replay per account at a time, whichever connection runs it (the background runner's or an
  // explicit sync.run): two would both read the same pending operations and send them twice.
  const replaying = new Map<number, Promise<unknown>>();
  const replay = (accountId: number, session: ImapSession): Promise<void> => {
    const previous = replaying.get(accountId) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() =>
        replayQueue(session, ops, accountId, {
          onChanged: (mailboxIds) => {
            for (const mailboxId of mailboxIds) emit('messages.changed', { mailboxId, added: [], changed: [], removed: [], reset: false });
            emit('ops.changed', { accountId });
          },
        }),
      );
    replaying.set(accountId, run);
    void run
      .finally(() => {
        if (replaying.get(accountId) === run) replaying.delete(accountId);
      })
      .catch(() => undefined);
    return run.then(() => undefined);
  };
  const sync = new SyncManager({
    store,
    messages,
    credentials: options.credentials,
    emit,
    afterPass: (accountId, session) => afterHeaderPass(session, parts, accountId),
    offlineWindow: (accountId) => parts.offlineWindow(accountId),
    replay,
  });
  const service = createService({
    store,
    messages,
    parts,
    ops,
    replay,
    dataDir: options.dataDir,
    sync,
    credentials: options.credentials,
    emit,
    host: options.host,
    version: options.version,
    indexBacklog: (scope) => indexBacklog(scope),
  });
  let closed = false;
  // The search backlogs, newest first, a chunk per task so requests are answered in between: the
  // header rows a header pass left for after it (migration 12; search scans those messages
  // meanwhile) and text cached before migration 9 (search finds those by their headers meanwhile).
  // On the bulk writer's thread, so the engine's own thread stays free (inline when there is none:
  // then chunks are small and requests are answered between them). It runs at start and whenever
  // a background sync connection goes idle (after a pass and its body prefetch, after new mail);
  // an explicit sync pass runs it next to its body prefetch and waits for it (indexBacklog).
  let backfillTimer: ReturnType<typeof setTimeout> | null = null;
  let backfilling = false;
  const chunk = bulk.mode === 'worker' ? BACKLOG_CHUNK : 100;
  const backfill = () => {
    backfillTimer = null;
    if (closed) return;
    backfilling = true;
    bulk.backfillIndex(chunk).then(
      (indexed) => {
        backfilling = false;
        if (indexed > 0 && !closed) backfillTimer = setTimeout(backfill, 0);
      },
      (error: unknown) => {
        backfilling = false;
        console.warn(`tegami: indexing for search failed, retrying in a minute (${(error as Error).message})`);
        if (!closed) backfillTimer = setTimeout(backfill, 60_000);
      },
    );
  };
  indexSoon = () => {
    if (!closed && !backfilling && backfillTimer === null) backfillTimer = setTimeout(backfill, 0);
  };
  /** Runs the backlogs to their end: chunks of its own, taken in turn with any of the loop's by the one writer. */
  const indexBacklog = async (scope: BacklogScope = 'all') => {
    while (!closed) {
      const indexed = await bulk.backfillIndex(chunk, scope).catch((error: unknown) => {
        console.warn(`tegami: indexing for search failed (${(error as Error).message})`);
        indexSoon(); // the loop retries
        return 0;
      });
      if (indexed === 0) return;
    }
  };
  backfillTimer = setTimeout(backfill, 0);
  // Part files whose message is gone (removed while the engine was down, or an interrupted removal).
  void parts.sweepOrphanFiles().catch(() => undefined);
  if (options.background) sync.start();
  return {
    service,
    startBackgroundSync: () => sync.start(),
    invoke: (name: unknown, input: unknown) =>
      closed ? Promise.resolve(fail({ code: 'INTERNAL', message: 'The engine is shutting down.' })) : dispatch(service, name, input),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (backfillTimer !== null) clearTimeout(backfillTimer);
      await sync.stop(); // LOGOUT of every connection, after its current transaction
      await service.close();
      listeners.clear();
      await bulk.close(); // stores what it was handed, then closes its connection
      db.close();
    },
  };
}

export type { RequestName };
