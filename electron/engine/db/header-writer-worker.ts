// The header writer's worker thread (see header-writer.ts): its own connection to the profile's
// database, storing the batches the sync engine posts, one transaction each, in the order posted.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Db } from './database.js';
import { toWire, type WriterReply, type WriterRequest, type WriterWorkerData } from './header-writer.js';
import { MessageStore } from './messages.js';

const port = parentPort;
if (!port) throw new Error('header-writer-worker runs as a worker thread');
const { file, pragmas } = workerData as WriterWorkerData;
const reply = (r: WriterReply) => port.postMessage(r);

let db: Db | null = null;
try {
  db = openDatabase(file);
  for (const pragma of pragmas) db.pragma(pragma);
  const messages = new MessageStore(db);
  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'close') {
      db?.close();
      db = null;
      port.close();
      return;
    }
    try {
      reply({
        kind: 'done',
        seq: request.seq,
        ids: messages.insertHeaders(request.accountId, request.mailboxId, request.uidvalidity, request.records),
      });
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
