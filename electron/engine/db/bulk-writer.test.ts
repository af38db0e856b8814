import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.js';
import { bulkStores, openBulkWriter, type BulkWriter } from './bulk-writer.js';
import { MessageStore, type HeaderRecord } from './messages.js';
import { BODY_FULL, BODY_TEXT, PartStore } from './parts.js';
import { headerRecord, seedAccount } from '../../../test/db-fixture.js';

const record = (uid: number, extra: Partial<HeaderRecord> = {}): HeaderRecord =>
  headerRecord(uid, {
    modseq: BigInt(uid) * 10n,
    flags: uid % 2 ? ['\\Seen'] : ['$Important'],
    subject: `会議の件 ${uid}`,
    from: { name: `Sender ${uid}`, address: `s${uid}@example.com` },
    to: [{ name: '', address: 'alice@example.org' }],
    ...extra,
  });

describe('bulk writer on a worker thread', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let messages: MessageStore;
  let parts: PartStore;
  let mailboxId: number;
  let accountId: number;
  const writers: BulkWriter[] = [];
  const fallbacks: Error[] = [];
  const open = async (options: Parameters<typeof openBulkWriter>[2] = {}) => {
    const w = await openBulkWriter(file, bulkStores(db, messages, parts), {
      onFallback: (e) => fallbacks.push(e),
      ...options,
    });
    writers.push(w);
    return w;
  };

  const bodyRows = () => db.prepare('SELECT rowid FROM body_search ORDER BY rowid').pluck().all();
  const bodyListed = () => db.prepare('SELECT message_id FROM body_backfill ORDER BY message_id').pluck().all();

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-writer-'));
    file = path.join(dir, 'tegami.db');
    db = openDatabase(file);
    const seeded = seedAccount(db);
    accountId = seeded.accountId;
    mailboxId = seeded.mailbox['INBOX'] as number;
    messages = new MessageStore(db);
    parts = new PartStore(db, dir);
    fallbacks.length = 0;
  });
  afterEach(async () => {
    for (const w of writers.splice(0)) await w.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes the text cached before migration 9 in the worker, a chunk per request, newest first', async () => {
    const ids = messages.insertHeaders(accountId, mailboxId, 7, [record(1), record(2), record(3)]);
    parts.storeTexts(
      ids.map((id) => ({
        messageId: id,
        parts: [
          { part: '1', contentType: 'text/plain', charset: null, text: `body ${id} quokka`, searchText: `body ${id} quokka`, size: 1 },
        ],
        snippet: null,
      })),
    );
    // As migration 9 leaves a store: the body rows are not there yet, and the messages are listed.
    db.exec('DELETE FROM body_search; DELETE FROM body_search_cjk;');
    db.prepare('INSERT INTO body_backfill (message_id) SELECT value FROM json_each(?)').run(JSON.stringify(ids));
    // Search scans the listed texts meanwhile.
    expect(parts.search({ query: 'quokka', limit: 10 }).messages.map((m) => m.id)).toEqual([...ids].reverse());
    const w = await open();
    expect(w.mode).toBe('worker');
    expect(await w.backfillIndex(2, 'headers')).toBe(0); // header rows only: none are listed
    expect(bodyRows()).toEqual([]);
    expect(await w.backfillIndex(2)).toBe(2);
    expect(bodyRows()).toEqual(ids.slice(1));
    expect(await w.backfillIndex(2)).toBe(1);
    expect(await w.backfillIndex(2)).toBe(0);
    expect(bodyRows()).toEqual(ids);
    expect(parts.search({ query: 'quokka', limit: 10 }).messages.map((m) => m.id)).toEqual([...ids].reverse());
  });

  it('stores batches in the worker, answers in order, and the rows are searchable from the main connection', async () => {
    const w = await open();
    expect(w.mode).toBe('worker');
    const batches = [1, 2, 3].map((b) => Array.from({ length: 50 }, (_, i) => record(b * 100 + i)));
    const answered: number[][] = [];
    await Promise.all(batches.map((batch) => w.insertHeaders(accountId, mailboxId, 7, batch).then((ids) => answered.push(ids))));
    expect(answered.map((ids) => ids.length)).toEqual([50, 50, 50]);
    const all = answered.flat();
    expect(all).toEqual([...all].sort((a, b) => a - b)); // the first batch posted was stored first
    expect(messages.uids(mailboxId, 7)).toHaveLength(150);
    const row = messages.byUid(mailboxId, 201);
    expect(row).toMatchObject({ subject: '会議の件 201', flags: ['\\Seen'], from: { address: 's201@example.com' } });
    expect(parts.search({ query: '会議', accountId, limit: 500 }).messages).toHaveLength(150);
    expect(parts.search({ query: 's201@example', accountId, limit: 10 }).messages.map((m) => m.id)).toEqual([row?.id]);
  });

  it('lists the header search rows of its batches for later, and writes them, newest first, before any body backlog', async () => {
    const w = await open();
    const ids = await w.insertHeaders(accountId, mailboxId, 7, [record(1), record(2), record(3)]);
    const listed = () => db.prepare('SELECT message_id FROM header_backfill ORDER BY message_id').pluck().all();
    const indexed = () => db.prepare('SELECT rowid FROM message_search ORDER BY rowid').pluck().all();
    expect(listed()).toEqual(ids);
    expect(indexed()).toEqual([]);
    // Search scans the listed messages meanwhile.
    expect(parts.search({ query: '会議', accountId, limit: 10 }).messages.map((m) => m.id)).toEqual([...ids].reverse());
    db.prepare('INSERT INTO body_backfill (message_id) VALUES (?)').run(ids[0]);
    expect(await w.backfillIndex(2)).toBe(2);
    expect(indexed()).toEqual(ids.slice(1));
    expect(await w.backfillIndex(2)).toBe(1);
    expect(listed()).toEqual([]);
    expect(await w.backfillIndex(2)).toBe(1); // then the body backlog
    expect(await w.backfillIndex(2)).toBe(0);
    expect(parts.search({ query: '会議', accountId, limit: 10 }).messages.map((m) => m.id)).toEqual([...ids].reverse());
  });

  it('stores decoded text batches in the worker, readable at once; their search rows are written when it is idle, and search scans them meanwhile', async () => {
    const w = await open();
    const ids = await w.insertHeaders(accountId, mailboxId, 7, [record(1), record(2)]);
    const text = (id: number, body: string) => ({
      messageId: id,
      parts: [{ part: '1', contentType: 'text/plain', charset: 'utf-8', text: body, searchText: body, size: body.length }],
      snippet: body.slice(0, 10),
    });
    await w.storeTexts([
      text(ids[0] as number, 'オフライン同期のメールを確認しました'),
      text(ids[1] as number, 'quarterly invoice attached'),
    ]);
    expect(parts.get(ids[1] as number, '1')).toMatchObject({ kind: 'text', text: 'quarterly invoice attached' });
    expect(messages.byUid(mailboxId, 2)?.snippet).toBe('quarterly ');
    // Listed, not indexed yet (the worker indexes them once it has nothing else to do, after this
    // turn of the event loop): search scans them meanwhile (trigram terms, short CJK terms, ASCII case).
    expect(bodyListed()).toEqual(ids);
    expect(bodyRows()).toEqual([]);
    const found = (query: string) => parts.search({ query, accountId, limit: 10 }).messages.map((m) => m.id);
    const expectFound = () => {
      expect(found('メール 確認')).toEqual([ids[0]]);
      expect(found('同')).toEqual([ids[0]]);
      expect(found('INVOICE')).toEqual([ids[1]]);
      expect(found('quarterly 会議')).toEqual([ids[1]]); // the body's term and the subject's
      expect(found('invoice オフライン')).toEqual([]);
    };
    expectFound();
    await expect.poll(bodyListed).toEqual([]);
    expect(bodyRows()).toEqual(ids);
    // Header rows are left to the engine's backlog loop (what runs beside a prefetch: scope 'headers').
    expect(db.prepare('SELECT count(*) FROM header_backfill').pluck().get()).toBe(2);
    expect(await w.backfillIndex(10, 'headers')).toBe(2);
    expectFound();
    // A text indexed before has its row rebuilt at once, with all its parts: not listed again.
    await w.storeTexts([
      { messageId: ids[1] as number, parts: [{ ...text(ids[1] as number, 'wombat appendix').parts[0]!, part: '2' }], snippet: null },
    ]);
    expect(bodyListed()).toEqual([]);
    expect(found('wombat')).toEqual([ids[1]]);
    expect(found('invoice wombat')).toEqual([ids[1]]);
  });

  it('reports a full disk as SQLite reports it, and the batch leaves nothing behind', async () => {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const w = await open({ pragmas: [`max_page_count = ${pages + 2}`] });
    const big = Array.from({ length: 400 }, (_, i) => record(i + 1, { subject: `${'長い件名'.repeat(50)} ${i}` }));
    await expect(w.insertHeaders(accountId, mailboxId, 7, big)).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    expect(messages.uids(mailboxId, 7)).toEqual([]);
    const body = '長い本文'.repeat(20_000);
    const [id] = await w.insertHeaders(accountId, mailboxId, 7, [record(1)]);
    await expect(
      w.storeTexts([
        {
          messageId: id as number,
          parts: [{ part: '1', contentType: 'text/plain', charset: 'utf-8', text: body, searchText: body, size: body.length }],
          snippet: null,
        },
      ]),
    ).rejects.toMatchObject({ name: 'TegamiError', code: 'STORAGE', message: expect.stringContaining('Could not save the message text') });
    expect(parts.cachedParts(id as number).size).toBe(0);
    // The writer still serves: a small batch fits.
    await expect(w.insertHeaders(accountId, mailboxId, 7, [record(2)])).resolves.toHaveLength(1);
  });

  it('stores a mirrored batch whole or not at all: a row never says its text is cached without it', async () => {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const w = await open({ pragmas: [`max_page_count = ${pages + 30}`] });
    const mirrored = (uid: number, text: string): HeaderRecord =>
      record(uid, {
        text: {
          snippet: text.slice(0, 20),
          bodyState: BODY_TEXT,
          parts: [{ part: '1', contentType: 'text/plain', charset: 'utf-8', text, searchText: text, size: text.length }],
        },
      });
    // The row fits; its 240 KB of text does not.
    await expect(w.storeMirrored(accountId, mailboxId, 7, [mirrored(1, '長い本文'.repeat(20_000))])).rejects.toMatchObject({
      code: 'STORAGE',
    });
    expect(messages.uids(mailboxId, 7)).toEqual([]);
    const [id] = await w.storeMirrored(accountId, mailboxId, 7, [mirrored(2, 'short text')]);
    expect(db.prepare('SELECT body_state, snippet FROM messages WHERE id = ?').get(id)).toEqual({
      body_state: BODY_TEXT,
      snippet: 'short text',
    });
    expect([...parts.cachedParts(id as number)]).toEqual(['1']);
    // A message mirrored whole keeps its source, handed across threads, in the same transaction.
    const source = Buffer.from('Subject: kept\r\n\r\nwhole message\r\n');
    const whole = mirrored(3, 'whole message');
    const [kept] = await w.storeMirrored(accountId, mailboxId, 7, [{ ...whole, text: { ...whole.text!, bodyState: BODY_FULL, source } }]);
    expect(parts.storedSource(kept as number)).toEqual(source);
    expect(parts.message(kept as number).bodyState).toBe(BODY_FULL);
    // The transaction that does not fit leaves no source behind either.
    const big = mirrored(4, 'x');
    await expect(
      w.storeMirrored(accountId, mailboxId, 7, [{ ...big, text: { ...big.text!, source: Buffer.alloc(400_000, 0x61) } }]),
    ).rejects.toMatchObject({ code: 'STORAGE' });
    expect(messages.uids(mailboxId, 7)).toEqual([2, 3]);
    expect(db.prepare('SELECT count(*) FROM message_sources').pluck().get()).toBe(1);
  });

  it('falls back to the calling thread when the worker cannot start, and says so', async () => {
    const broken = path.join(dir, 'broken-worker.mjs');
    writeFileSync(broken, 'throw new Error("cannot load");\n');
    const w = await open({ entry: pathToFileURL(broken) });
    expect(w.mode).toBe('inline');
    expect(fallbacks.map((e) => e.message).join()).toContain('cannot load');
    await expect(w.insertHeaders(accountId, mailboxId, 7, [record(5)])).resolves.toHaveLength(1);
    expect(messages.uids(mailboxId, 7)).toEqual([5]);
  });

  it('a worker that dies mid-batch fails that batch with a clear error, and later batches are stored here', async () => {
    const dying = path.join(dir, 'dying-worker.mjs');
    writeFileSync(
      dying,
      "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ kind: 'ready' });\nparentPort.on('message', () => process.exit(3));\n",
    );
    const w = await open({ entry: pathToFileURL(dying) });
    expect(w.mode).toBe('worker');
    await expect(w.insertHeaders(accountId, mailboxId, 7, [record(1)])).rejects.toThrow(/stopped \(exit code 3\)/);
    expect(w.mode).toBe('inline');
    expect(fallbacks.map((e) => e.message)).toEqual(['The bulk writer stopped (exit code 3).']);
    await expect(w.insertHeaders(accountId, mailboxId, 7, [record(2)])).resolves.toHaveLength(1);
    expect(messages.uids(mailboxId, 7)).toEqual([2]);
  });

  it('does not wait on a stopped worker when the queue is full (the engine thread is never stuck)', async () => {
    const dying = path.join(dir, 'dying-worker.mjs');
    writeFileSync(
      dying,
      "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ kind: 'ready' });\nparentPort.on('message', () => process.exit(4));\n",
    );
    const w = await open({ entry: pathToFileURL(dying), maxQueued: 1, stallMs: 200 });
    // The second and third posts find the queue full (posted back to back, no event loop turn in
    // between); the worker dies on the first.
    const results = await Promise.allSettled([1, 2, 3].map((uid) => w.insertHeaders(accountId, mailboxId, 7, [record(uid)])));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(w.mode).toBe('inline');
  });

  it('close() stores what it was handed before the worker stops', async () => {
    const w = await open();
    const stored = w.insertHeaders(
      accountId,
      mailboxId,
      7,
      Array.from({ length: 300 }, (_, i) => record(i + 1)),
    );
    await w.close();
    await expect(stored).resolves.toHaveLength(300);
    expect(messages.uids(mailboxId, 7)).toHaveLength(300);
    // After close, rows still go in (on this thread).
    await expect(w.insertHeaders(accountId, mailboxId, 7, [record(999)])).resolves.toHaveLength(1);
  });

  it('flag changes on the main connection interleave with the worker’s batches without a busy error', async () => {
    const w = await open();
    const batches = Array.from({ length: 6 }, (_, b) =>
      w.insertHeaders(
        accountId,
        mailboxId,
        7,
        Array.from({ length: 300 }, (_, i) => record(b * 1000 + i + 1)),
      ),
    );
    // Meanwhile, read-then-write transactions here (as the offline queue's local apply does).
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const first = messages.uids(mailboxId, 7)[0];
      if (first !== undefined)
        ids.push(...messages.applyFlags(mailboxId, 7, [{ uid: first, flags: ['\\Flagged', `$k${i}`], modseq: null }]));
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(batches);
    expect(messages.uids(mailboxId, 7)).toHaveLength(1800);
  });
});
