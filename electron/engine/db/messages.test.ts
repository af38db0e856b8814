import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.js';
import { canonicalFlags, ID_SLOTS, MessageStore } from './messages.js';
import { OpStore } from './ops.js';
import { BODY_NONE, BODY_TEXT, PartStore } from './parts.js';
import { headerRecord, seedAccount } from '../../../test/db-fixture.js';

describe('MessageStore.insertHeaders', () => {
  let db: Db;
  let messages: MessageStore;
  let accountId: number;
  let inbox: number;
  const rows = () =>
    db
      .prepare<[number], { uid: number; uidvalidity: number; stale: number; bodystructure: string | null }>(
        'SELECT uid, uidvalidity, stale, bodystructure FROM messages WHERE mailbox_id = ? ORDER BY uid',
      )
      .all(inbox);

  beforeEach(() => {
    db = openDatabase(':memory:');
    const seeded = seedAccount(db);
    accountId = seeded.accountId;
    inbox = seeded.mailbox['INBOX'] as number;
    messages = new MessageStore(db);
  });
  afterEach(() => db.close());

  it('skips what a resumed pass stored already, and a UID given twice in one batch', () => {
    const first = messages.insertHeaders(accountId, inbox, 7, [headerRecord(5), headerRecord(6)]);
    expect(first).toHaveLength(2);
    // The resumed batch overlaps the stored range on both sides and repeats UID 8.
    const again = messages.insertHeaders(accountId, inbox, 7, [
      headerRecord(4),
      headerRecord(5),
      headerRecord(8),
      headerRecord(6),
      headerRecord(8),
    ]);
    expect(again).toHaveLength(2);
    expect(rows().map((r) => r.uid)).toEqual([4, 5, 6, 8]);
    // The same UIDs under another UIDVALIDITY are other messages.
    expect(messages.insertHeaders(accountId, inbox, 8, [headerRecord(5, { messageId: null })])).toHaveLength(1);
  });

  it('re-matches stale rows by Message-ID after a UIDVALIDITY change, once each', () => {
    const [kept] = messages.insertHeaders(accountId, inbox, 7, [headerRecord(1, { messageId: '<keep@x>' }), headerRecord(2)]);
    expect(messages.markStale(inbox, 9)).toBe(2);
    // The kept message comes back as UID 30; a new message has the Message-ID of nothing stale.
    const ids = messages.insertHeaders(accountId, inbox, 9, [
      headerRecord(30, { messageId: '<keep@x>' }),
      headerRecord(31, { messageId: '<new@x>' }),
      headerRecord(30, { messageId: '<keep@x>' }),
    ]);
    expect(ids[0]).toBe(kept);
    expect(ids).toHaveLength(2);
    expect(messages.dropStale(inbox)).toBe(1);
    expect(rows().map((r) => [r.uid, r.uidvalidity, r.stale])).toEqual([
      [30, 9, 0],
      [31, 9, 0],
    ]);
  });

  const at = (iso: string) => Date.parse(iso);
  const second = (iso: string) => (at(iso) / 1000) * ID_SLOTS;
  const uidsById = () => db.prepare('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY id').pluck().all(inbox) as number[];

  it('numbers rows by date, whatever order they are written in: newest chunk first, then older ones', () => {
    // A first sync's chunks, newest first, each in UID order (a message a minute).
    for (const [from, to] of [
      [18, 20],
      [11, 17],
      [1, 10],
    ] as const)
      messages.insertHeaders(
        accountId,
        inbox,
        7,
        Array.from({ length: to - from + 1 }, (_, i) => headerRecord(from + i)),
      );
    expect(uidsById()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(messages.byUid(inbox, 1)?.id).toBe(((Date.UTC(2026, 0, 1) + 60_000) / 1000) * ID_SLOTS);
  });

  it('gives messages of one second its next slots, then earlier seconds’ (later ones below the first second); clamps dates', () => {
    const noon = '2026-03-01T12:00:00Z';
    const ids = messages.insertHeaders(
      accountId,
      inbox,
      7,
      [1, 2, 3].map((uid) => headerRecord(uid, { internalDate: at(noon) + uid })),
    );
    expect(ids).toEqual([second(noon), second(noon) + 1, second(noon) + 2]);
    // The second's last slot is taken (its slots are used up): the previous second's are next.
    db.prepare('UPDATE messages SET id = ? WHERE uid = 3').run(second(noon) + ID_SLOTS - 1);
    expect(messages.insertHeaders(accountId, inbox, 7, [headerRecord(4, { internalDate: at(noon) })])).toEqual([second(noon) - ID_SLOTS]);
    // Epoch 0 (no date), one before 1970, one in the year 20000: the first second, and the last one there is.
    const odd = messages.insertHeaders(accountId, inbox, 7, [
      headerRecord(5, { internalDate: 0 }),
      headerRecord(6, { internalDate: -5_000 }),
      headerRecord(7, { internalDate: Date.UTC(20000, 0, 1) }),
    ]);
    expect(odd.slice(0, 2)).toEqual([ID_SLOTS, ID_SLOTS + 1]);
    expect(odd[2]).toBeLessThan(10 ** 15);
    expect(odd[2]).toBeGreaterThan((Date.UTC(9000, 0, 1) / 1000) * ID_SLOTS);
    // The first second's slots used up: the next second's.
    db.prepare('UPDATE messages SET id = ? WHERE uid = 6').run(2 * ID_SLOTS - 1);
    expect(messages.insertHeaders(accountId, inbox, 7, [headerRecord(8, { internalDate: 0 })])).toEqual([2 * ID_SLOTS]);
  });

  it('threads by references whatever order messages arrive in, and joins two threads a message links', () => {
    const thread = (uid: number) => db.prepare('SELECT thread_id FROM messages WHERE uid = ?').pluck().get(uid) as number;
    const threadIds = () =>
      db.prepare('SELECT message_id, thread_id FROM thread_ids ORDER BY message_id').all() as Array<{
        message_id: string;
        thread_id: number;
      }>;
    // Newest first, as a first sync stores them: the reply (3) names its root (1), which arrives later.
    const reply = (uid: number, parent: number, refs: number[] = [parent]) =>
      headerRecord(uid, {
        subject: `Re: Message ${parent}`,
        inReplyTo: `<m${parent}@example.com>`,
        references: refs.map((r) => `<m${r}@example.com>`),
      });
    messages.insertHeaders(accountId, inbox, 7, [reply(3, 1)]);
    messages.insertHeaders(accountId, inbox, 7, [headerRecord(2), headerRecord(1)]);
    expect(thread(1)).toBe(thread(3));
    expect(thread(2)).not.toBe(thread(1));
    // Every Message-ID seen is mapped once, to its thread.
    expect(threadIds().map((t) => t.message_id)).toEqual(['<m1@example.com>', '<m2@example.com>', '<m3@example.com>']);
    // A message that references both threads joins them (into the older thread id), in thread_ids too.
    messages.insertHeaders(accountId, inbox, 7, [reply(4, 3, [2, 3])]);
    const joined = Math.min(thread(1), thread(2));
    expect([1, 2, 3, 4].map(thread)).toEqual([joined, joined, joined, joined]);
    expect(new Set(threadIds().map((t) => t.thread_id))).toEqual(new Set([joined]));
    // A reply without references joins the latest thread of its subject; another subject starts one.
    messages.insertHeaders(accountId, inbox, 7, [
      headerRecord(5, { subject: 'Re: Message 2', messageId: null }),
      headerRecord(6, { subject: 'Message 99', messageId: null }),
    ]);
    expect(thread(5)).toBe(joined);
    expect(thread(6)).not.toBe(joined);
  });

  it('stores BODYSTRUCTURE as the JSON text the record carries', () => {
    const structure = JSON.stringify({ type: 'multipart/mixed', childNodes: [{ part: '1', type: 'text/plain' }] });
    messages.insertHeaders(accountId, inbox, 7, [headerRecord(1, { bodystructure: structure }), headerRecord(2, { bodystructure: null })]);
    expect(rows().map((r) => r.bodystructure)).toEqual([structure, null]);
  });
});

describe('a copy queued offline (OpStore.copy)', () => {
  it('gets an id by its date, as every message does, and the uid -id until the server gives it one', () => {
    const db = openDatabase(':memory:');
    const { accountId, mailbox } = seedAccount(db, ['INBOX', 'Archive']);
    const [original] = new MessageStore(db).insertHeaders(accountId, mailbox['INBOX'] as number, 7, [headerRecord(1)]) as [number];
    const { copies } = new OpStore(db).copy([original], mailbox['Archive'] as number);
    expect(copies).toEqual([original + 1]); // the next slot of the same second
    expect(
      db
        .prepare('SELECT uid FROM messages WHERE id = ?')
        .pluck()
        .get(original + 1),
    ).toBe(-(original + 1));
    db.close();
  });

  it('reads offline as the original does (its cached text comes along) and is found by local search at once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-copy-'));
    const db = openDatabase(path.join(dir, 'store.db'));
    const { accountId, mailbox } = seedAccount(db, ['INBOX', 'Archive']);
    const record = headerRecord(1, { subject: '会議の議事録 Quarterly', from: { name: '田中 太郎', address: 'tanaka@example.jp' } });
    const [original] = new MessageStore(db).insertHeaders(accountId, mailbox['INBOX'] as number, 7, [record]) as [number];
    const parts = new PartStore(db, dir);
    const text = (part: string, body: string) => ({
      part,
      contentType: 'text/plain',
      charset: 'utf-8',
      text: body,
      searchText: body,
      size: body.length,
    });
    parts.storeTexts([
      { messageId: original, parts: [text('1', 'Minutes of the wombat meeting'), text('2', '予算の確認')], snippet: 'Minutes' },
    ]);
    const attachment = await parts.openFile(original, '3');
    attachment.stream.write('%PDF-1.4');
    await attachment.commit({ contentType: 'application/pdf' });

    const { copies } = new OpStore(db).copy([original], mailbox['Archive'] as number);
    const [copy] = copies as [number];
    expect(parts.get(copy, '1')).toMatchObject({ kind: 'text', text: 'Minutes of the wombat meeting' });
    expect(parts.get(copy, '2')).toMatchObject({ kind: 'text', text: '予算の確認' });
    expect(parts.message(copy)).toMatchObject({ bodyState: BODY_TEXT, uid: -copy });
    // A cached file stays the original's alone (eviction of one must not take the other's).
    expect(parts.get(copy, '3')).toBeNull();
    expect(parts.get(original, '3')).toMatchObject({ kind: 'file' });
    for (const q of ['quarterly', '議事録', '議', 'tanaka', '太郎', 'wombat', '予算'])
      expect(
        parts
          .search({ query: q, limit: 10 })
          .messages.map((m) => m.id)
          .sort(),
        q,
      ).toEqual([original, copy].sort());
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the copy waiting for its text when the original had none cached', () => {
    const db = openDatabase(':memory:');
    const { accountId, mailbox } = seedAccount(db, ['INBOX', 'Archive']);
    const [original] = new MessageStore(db).insertHeaders(accountId, mailbox['INBOX'] as number, 7, [headerRecord(1)]) as [number];
    const [copy] = new OpStore(db).copy([original], mailbox['Archive'] as number).copies as [number];
    expect(new PartStore(db, os.tmpdir()).message(copy)).toMatchObject({ bodyState: BODY_NONE });
    expect(db.prepare('SELECT count(*) FROM parts WHERE message_id = ?').pluck().get(copy)).toBe(0);
    db.close();
  });
});

describe('header search rows written after the pass (deferHeaderIndex, migration 12)', () => {
  let db: Db;
  let accountId: number;
  let inbox: number;
  const listed = () => db.prepare('SELECT message_id FROM header_backfill ORDER BY message_id').pluck().all() as number[];
  const indexed = () => db.prepare('SELECT count(*) FROM message_search').pluck().get() as number;

  beforeEach(() => {
    db = openDatabase(':memory:');
    const seeded = seedAccount(db);
    accountId = seeded.accountId;
    inbox = seeded.mailbox['INBOX'] as number;
  });
  afterEach(() => db.close());

  // Subjects and senders from a small vocabulary (Latin, mixed case, Japanese), so terms hit many
  // messages in both fields.
  const words = ['Budget', 'review', 'Quokka', '会議', '議事録', 'Tanaka', '同期', 'release', 'ÄRGER'];
  const record = (uid: number) =>
    headerRecord(uid, {
      subject: `${words[uid % words.length]} ${words[(uid * 7) % words.length]} #${uid}`,
      from: { name: `${words[(uid * 3) % words.length]} Person`, address: `p${uid % 13}@${uid % 2 ? 'example.jp' : 'mail.test'}` },
      to: [{ name: '', address: `list-${words[(uid * 5) % words.length]?.toLowerCase()}@lists.test` }],
    });
  const queries = [
    'budget',
    'QUOKKA review',
    '会議',
    '会',
    '議事',
    'tanaka example.jp',
    'ärger',
    'p7@example',
    'list-同期',
    'release 同期 mail',
    'nothing-here',
  ];

  it('lists the rows instead of indexing them, and search finds them meanwhile exactly as it does once they are indexed', () => {
    const deferred = new MessageStore(db, { deferHeaderIndex: true });
    const parts = new PartStore(db, os.tmpdir());
    const ids = deferred.insertHeaders(
      accountId,
      inbox,
      7,
      Array.from({ length: 120 }, (_, i) => record(i + 1)),
    );
    expect(listed()).toEqual([...ids].sort((a, b) => a - b));
    expect(indexed()).toBe(0);
    const foundIn = (store: PartStore, q: string) =>
      store
        .search({ query: q, limit: 1000 })
        .messages.map((m) => m.id)
        .sort((a, b) => a - b);
    const found = (q: string) => foundIn(parts, q);
    const before = queries.map(found);
    expect(before.filter((r) => r.length > 0).length).toBeGreaterThanOrEqual(queries.length - 1);

    // Newest first, a chunk at a time.
    expect(deferred.backfillHeaders(50)).toBe(50);
    expect(listed()).toEqual([...ids].sort((a, b) => a - b).slice(0, 70));
    expect(queries.map(found)).toEqual(before); // half indexed, half scanned
    expect(deferred.backfillHeaders(50)).toBe(50);
    expect(deferred.backfillHeaders(50)).toBe(20);
    expect(deferred.backfillHeaders(50)).toBe(0);
    expect(indexed()).toBe(120);
    expect(queries.map(found)).toEqual(before);

    // The same rows written by a store that indexes at once give the same answers.
    const other = openDatabase(':memory:');
    try {
      const seeded = seedAccount(other);
      new MessageStore(other).insertHeaders(
        seeded.accountId,
        seeded.mailbox['INBOX'] as number,
        7,
        Array.from({ length: 120 }, (_, i) => record(i + 1)),
      );
      const otherParts = new PartStore(other, os.tmpdir());
      expect(queries.map((q) => foundIn(otherParts, q))).toEqual(before);
    } finally {
      other.close();
    }
  });

  it('keeps the list whole when the disk is full, and writes it once there is room', () => {
    const deferred = new MessageStore(db, { deferHeaderIndex: true });
    const parts = new PartStore(db, os.tmpdir());
    const ids = deferred.insertHeaders(
      accountId,
      inbox,
      7,
      Array.from({ length: 300 }, (_, i) => record(i + 1)),
    );
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    expect(() => deferred.backfillHeaders(300)).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' }));
    expect(listed()).toEqual([...ids].sort((a, b) => a - b));
    expect(indexed()).toBe(0);
    expect(parts.search({ query: 'quokka', limit: 1000 }).messages.length).toBeGreaterThan(0); // scanned meanwhile
    db.pragma('max_page_count = 1073741823');
    expect(deferred.backfillHeaders(300)).toBe(300);
    expect(listed()).toEqual([]);
    expect(indexed()).toBe(300);
  });

  it('takes a message off the list when it is deleted or its header is indexed by another writer', () => {
    const deferred = new MessageStore(db, { deferHeaderIndex: true });
    const parts = new PartStore(db, os.tmpdir());
    const [a, b, c] = deferred.insertHeaders(accountId, inbox, 7, [record(1), record(2), record(3)]);
    db.prepare('DELETE FROM messages WHERE id = ?').run(a);
    db.prepare("UPDATE messages SET subject = 'Renamed wombat' WHERE id = ?").run(b);
    expect(listed()).toEqual([c]);
    expect(parts.search({ query: 'wombat', limit: 10 }).messages.map((m) => m.id)).toEqual([b]);
    expect(deferred.backfillHeaders()).toBe(1);
    expect(indexed()).toBe(2); // b (by the update trigger) and c, each once
    expect(parts.search({ query: 'wombat', limit: 10 }).messages.map((m) => m.id)).toEqual([b]);
  });
});

describe('canonicalFlags', () => {
  it('drops \\Recent and duplicates and orders as an English collation', () => {
    expect(canonicalFlags(['\\Seen', '$label1', '\\Recent', 'Junk', '\\Seen', '$Forwarded', 'ärger'])).toEqual([
      '\\Seen',
      '$Forwarded',
      '$label1',
      'ärger',
      'Junk',
    ]);
  });
});
