// The bulk writer's worker thread (see bulk-writer.ts): its own connection to the profile's
// database, storing the batches the sync engine posts, one transaction each, in the order posted.
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Db } from './database.js';
import { bulkStores, toWire, type WriterReply, type WriterRequest, type WriterWorkerData } from './bulk-writer.js';
import { MessageStore } from './messages.js';
import { PartStore } from './parts.js';

const port = parentPort;
if (!port) throw new Error('bulk-writer-worker runs as a worker thread');
const { file, pragmas, progress: shared } = workerData as WriterWorkerData;
const progress = new Int32Array(shared);
const reply = (r: WriterReply) => {
  port.postMessage(r);
  if (r.kind === 'done' || r.kind === 'failed') {
    Atomics.add(progress, 0, 1);
    Atomics.notify(progress, 0);
  }
};

let db: Db | null = null;
try {
  db = openDatabase(file);
  for (const pragma of pragmas) db.pragma(pragma);
  // Header passes and the body prefetch list their rows for the search index; the engine has them
  // indexed after the pass (backfill requests).
  const messages = new MessageStore(db, { deferHeaderIndex: true });
  // Text batches only: no part files are written here.
  const parts = new PartStore(db, path.dirname(file), { deferBodyIndex: true });
  const stores = bulkStores(db, messages, parts);
  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'close') {
      db?.close();
      db = null;
      port.close();
      return;
    }
    try {
      if (request.kind === 'headers') {
        const ids = stores.insertHeaders(request.accountId, request.mailboxId, request.uidvalidity, request.records);
        reply({ kind: 'done', seq: request.seq, ids });
      } else if (request.kind === 'mirrored') {
        const ids = stores.storeMirrored(request.accountId, request.mailboxId, request.uidvalidity, request.records);
        reply({ kind: 'done', seq: request.seq, ids });
      } else if (request.kind === 'texts') {
        stores.storeTexts(request.batch);
        reply({ kind: 'done', seq: request.seq });
      } else {
        reply({ kind: 'done', seq: request.seq, count: stores.backfillIndex(request.limit, request.scope) });
      }
    } catch (error) {
      reply({ kind: 'failed', seq: request.seq, error: toWire(error) });
    }
  });
  reply({ kind: 'ready' });
} catch (error) {
  db?.close();
  reply({ kind: 'broken', error: toWire(error) });
  port.close();
}
