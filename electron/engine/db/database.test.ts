import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TegamiError } from '../../../shared/domain/errors.js';
import { atomically, migrate, openDatabase, storageError } from './database.js';
import { MessageStore, type HeaderRecord } from './messages.js';
import { migrations } from './migrations.js';
import { PartStore } from './parts.js';
import { withSearchDeferred } from './search-text.js';
import { headerRecord } from '../../../test/db-fixture.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-db-'));
  dirs.push(dir);
  return path.join(dir, 'tegami.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An account with an INBOX (id 1), for the migration tests' stores. */
const ONE_INBOX = `
  INSERT INTO accounts (name, email, user, host, port, security) VALUES ('a', 'a@x', 'a', 'h', 993, 'tls');
  INSERT INTO mailboxes (account_id, path, name, namespace) VALUES (1, 'INBOX', 'INBOX', 'personal');`;

/** A store at schema `version` holding ONE_INBOX and what `sql` writes, then upgraded by the next migration. */
function upgradedFrom(version: number, sql: string): { file: string; old: ReturnType<typeof openDatabase> } {
  const file = tempFile();
  const old = openDatabase(file, migrations.slice(0, version));
  old.exec(`${ONE_INBOX}\n${sql}`);
  migrate(old, migrations.slice(0, version + 1));
  expect(old.pragma('user_version', { simple: true })).toBe(version + 1);
  return { file, old };
}

describe('openDatabase', () => {
  it('creates a WAL store with foreign keys on at the latest schema', () => {
    const db = openDatabase(tempFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)?.version);
    db.close();
  });

  it('begins transactions IMMEDIATE: a read-then-write transaction is not undone by another connection’s commit', () => {
    const file = tempFile();
    const db = openDatabase(file);
    const other = openDatabase(file);
    other.pragma('busy_timeout = 0');
    db.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)');
    let otherWrote: unknown = null;
    const bump = db.transaction(() => {
      const n = (db.prepare('SELECT n FROM t').get() as { n: number }).n;
      // Another connection (the bulk writer's worker) tries to commit in between.
      try {
        other.prepare('UPDATE t SET n = 100').run();
        otherWrote = true;
      } catch (error) {
        otherWrote = (error as { code?: string }).code;
      }
      db.prepare('UPDATE t SET n = ?').run(n + 1);
    });
    // Deferred, the other commit would land and this write fail with SQLITE_BUSY_SNAPSHOT; immediate,
    // the other connection is the one that waits (here: fails at once, its busy timeout being 0).
    expect(() => bump()).not.toThrow();
    expect(otherWrote).toBe('SQLITE_BUSY');
    expect(db.prepare('SELECT n FROM t').get()).toEqual({ n: 2 });
    expect(db.transaction(() => 1).deferred()).toBe(1);
    other.close();
    db.close();
  });

  it('is idempotent: reopening applies nothing twice', () => {
    const file = tempFile();
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'accounts'").get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses a store written by a newer schema, with a clear message', () => {
    const file = tempFile();
    const db = openDatabase(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer Tegami/);
  });

  it('reports a store it cannot open as a storage error', () => {
    expect(() => openDatabase(path.join(os.tmpdir(), 'no-such-dir-tegami', 'x', 'y.db'))).toThrow(TegamiError);
  });

  it('rolls a failing migration back completely', () => {
    const file = tempFile();
    const db = openDatabase(file, []);
    const broken = [{ version: 1, name: 'broken', sql: 'CREATE TABLE a (x); CREATE TABLE a (y);' }];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('atomically', () => {
  it('runs alone in its own transaction, and inside a caller’s as part of it (no savepoint to roll back on its own)', () => {
    const db = openDatabase(tempFile());
    db.exec(ONE_INBOX);
    const rename = (name: string, fail: boolean) =>
      atomically(db, () => {
        db.prepare('UPDATE mailboxes SET name = ?').run(name);
        if (fail) throw new Error('disk full');
      });
    const name = () => db.prepare('SELECT name FROM mailboxes').pluck().get();
    expect(() => rename('Alone', true)).toThrow('disk full');
    expect(name()).toBe('INBOX');
    rename('Alone', false);
    expect(name()).toBe('Alone');
    // Inside a transaction: its writes are the caller's, kept or undone with the caller's.
    const outer = db.transaction((fail: boolean) => {
      rename('Joined', false);
      if (fail) throw new Error('later step failed');
    });
    expect(() => outer(true)).toThrow('later step failed');
    expect(name()).toBe('Alone');
    outer(false);
    expect(name()).toBe('Joined');
    // No savepoint of its own: a caller that swallows its error commits what it wrote before failing.
    db.transaction(() => {
      try {
        rename('Half', true);
      } catch {
        // the caller's choice
      }
    })();
    expect(name()).toBe('Half');
    db.close();
  });
});

describe('migration 1', () => {
  it('cascades an account removal to its folders and namespaces', () => {
    const db = openDatabase(tempFile());
    const { id } = db
      .prepare("INSERT INTO accounts (name, email, user, host, port, security) VALUES ('a', 'a@x', 'a', 'h', 993, 'tls') RETURNING id")
      .get() as { id: number };
    db.prepare("INSERT INTO mailboxes (account_id, path, name, namespace) VALUES (?, 'INBOX', 'INBOX', 'personal')").run(id);
    db.prepare("INSERT INTO namespaces (account_id, kind, prefix, position) VALUES (?, 'personal', '', 0)").run(id);
    db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
    expect(db.prepare('SELECT count(*) AS n FROM mailboxes').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM namespaces').get()).toEqual({ n: 0 });
    db.close();
  });

  it('rejects an unknown security value', () => {
    const db = openDatabase(tempFile());
    expect(() =>
      db.prepare("INSERT INTO accounts (name, email, user, host, port, security) VALUES ('a', 'a@x', 'a', 'h', 993, 'ssl')").run(),
    ).toThrow(/CHECK/);
    db.close();
  });
});

describe('storageError', () => {
  it('words a full disk for a person', () => {
    expect(storageError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), 'Could not save').message).toBe(
      'Could not save: the disk is full.',
    );
  });
});

describe('migration 4', () => {
  it('upgrades a schema-3 store with its data: queue tables, quota column', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 3));
    old.prepare("INSERT INTO accounts (name, email, user, host, port, security) VALUES ('a', 'a@x', 'a', 'h', 993, 'tls')").run();
    migrate(old, migrations.slice(0, 4));
    expect(old.pragma('user_version', { simple: true })).toBe(4);
    expect(old.prepare('SELECT name, quota FROM accounts').all()).toEqual([{ name: 'a', quota: null }]);
    old.prepare("INSERT INTO ops (account_id, action_id, kind, payload) VALUES (1, 1, 'flags', '{}')").run();
    expect(() =>
      old.prepare("INSERT INTO ops (account_id, action_id, kind, payload, state) VALUES (1, 1, 'flags', '{}', 'odd')").run(),
    ).toThrow(/CHECK/);
    old.prepare('DELETE FROM accounts').run();
    expect(old.prepare('SELECT count(*) AS n FROM ops').get()).toEqual({ n: 0 });
    old.close();
  });
});

describe('migration 5', () => {
  it('adds op_sources and the folder columns for queued changes, keeping folders', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 4));
    old.prepare("INSERT INTO accounts (name, email, user, host, port, security) VALUES ('a', 'a@x', 'a', 'h', 993, 'tls')").run();
    old.prepare("INSERT INTO mailboxes (account_id, path, name, namespace) VALUES (1, 'INBOX', 'INBOX', 'personal')").run();
    migrate(old, migrations.slice(0, 5));
    expect(old.pragma('user_version', { simple: true })).toBe(5);
    expect(old.prepare('SELECT path, server_path, pending FROM mailboxes').all()).toEqual([
      { path: 'INBOX', server_path: null, pending: null },
    ]);
    expect(() => old.prepare("UPDATE mailboxes SET pending = 'rename'").run()).toThrow(/CHECK/);
    old.close();
  });
});

describe('migration 6', () => {
  it('rebuilds the search index of a schema-5 store: contentless trigram over plain addresses, CJK bigrams', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 5));
    old.exec(`
      ${ONE_INBOX}
      INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject, addresses)
        VALUES (1, 1, 1, 0, '会議の議事録', '{"from":[{"name":"田中 太郎","address":"tanaka@example.jp"}],"to":[]}');
      INSERT INTO parts (message_id, part, content_type, text, search_text, size) VALUES (1, '1', 'text/plain', '同期します', '同期します', 5);
    `);
    migrate(old, migrations.slice(0, 6));
    expect(old.pragma('user_version', { simple: true })).toBe(6);
    const match = (table: string, q: string) =>
      (old.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).all(q) as Array<{ rowid: number }>).map((r) => r.rowid);
    expect(match('message_search', '"議事録"')).toEqual([1]);
    expect(match('message_search', '"tanaka@example"')).toEqual([1]);
    expect(match('message_search', '"address"')).toEqual([]); // JSON keys are no longer indexed
    expect(match('message_search', '"同期しま"')).toEqual([1]);
    expect(match('message_search_cjk', '"同期"')).toEqual([1]);
    expect(match('message_search_cjk', '"田中"')).toEqual([1]);
    expect(match('message_search_cjk', '"録"*')).toEqual([1]);
    expect(match('message_search_cjk', '"録の"')).toEqual([]);
    // kept in step: a part replaced by an upsert, a subject changed, the message deleted
    old
      .prepare(
        "INSERT INTO parts (message_id, part, content_type, search_text, size) VALUES (1, '1', 'text/plain', '検索', 2) ON CONFLICT DO UPDATE SET search_text = excluded.search_text",
      )
      .run();
    expect(match('message_search_cjk', '"同期"')).toEqual([]);
    expect(match('message_search_cjk', '"検索"')).toEqual([1]);
    old.prepare("UPDATE messages SET subject = 'Lunch' WHERE id = 1").run();
    expect(match('message_search', '"議事録"')).toEqual([]);
    expect(match('message_search', '"lunch"')).toEqual([1]);
    expect(match('message_search_cjk', '"検索"')).toEqual([1]);
    old.prepare('DELETE FROM messages').run();
    expect(match('message_search', '"lunch"')).toEqual([]);
    expect(match('message_search_cjk', '"検索"')).toEqual([]);
    expect(old.prepare('SELECT count(*) AS n FROM message_search_cjk').get()).toEqual({ n: 0 });
    old.close();
  });
});

describe('migration 7', () => {
  it('lets the bulk writers index their own rows, while every other writer keeps the triggers', () => {
    const { old } = upgradedFrom(
      6,
      "INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 1, 0, 'Before the upgrade');",
    );
    const match = (table: string, q: string) =>
      (old.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).all(q) as Array<{ rowid: number }>).map((r) => r.rowid);
    expect(match('message_search', '"upgrade"')).toEqual([1]);

    // raw writers (queued operations' local rows, part files) are still indexed by the triggers
    old.prepare("INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, -1, 0, '会議の議事録')").run();
    old
      .prepare("INSERT INTO parts (message_id, part, content_type, search_text, size) VALUES (2, '1', 'text/plain', '同期します', 5)")
      .run();
    expect(match('message_search', '"議事録"')).toEqual([2]);
    expect(match('message_search_cjk', '"同期"')).toEqual([2]);
    // while deferred, the insert triggers stand aside (the writer indexes)
    withSearchDeferred(old, () =>
      old.prepare("INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 3, 0, 'Unindexed')").run(),
    );
    expect(match('message_search', '"unindexed"')).toEqual([]);
    old.prepare('DELETE FROM messages WHERE uid = 3').run();

    old.close();
  });
});

describe('migration 19', () => {
  it('drops the insert trigger on messages: a row is indexed by its writer; updates, deletes and parts still by triggers', () => {
    const { old } = upgradedFrom(
      18,
      "INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 1, 0, 'Kept');",
    );
    const match = (table: string, q: string) =>
      (old.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).all(q) as Array<{ rowid: number }>).map((r) => r.rowid);
    expect(match('message_search', '"kept"')).toEqual([1]); // indexed before the upgrade, still found
    const triggers = old.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'messages'").pluck().all();
    expect(triggers).not.toContain('messages_search_insert');
    expect(triggers).toEqual(expect.arrayContaining(['messages_search_update', 'messages_search_delete']));
    old.prepare("INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 2, 0, 'Raw')").run();
    expect(match('message_search', '"raw"')).toEqual([]);
    old.prepare("UPDATE messages SET subject = 'Renamed' WHERE uid = 1").run();
    expect(match('message_search', '"renamed"')).toEqual([1]);
    old.prepare('DELETE FROM messages WHERE uid = 1').run();
    expect(match('message_search', '"renamed"')).toEqual([]);
    old.close();
  });
});

describe('migration 21', () => {
  it('adds the table of kept sources: empty for the messages already stored, dropped with their message', () => {
    const { old } = upgradedFrom(
      20,
      "INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 1, 0, 'Old');",
    );
    expect(old.prepare('SELECT count(*) FROM message_sources').pluck().get()).toBe(0);
    old.prepare('INSERT INTO message_sources (message_id, source) VALUES (1, ?)').run(Buffer.from('Subject: Old\r\n\r\n'));
    expect(() => old.prepare("INSERT INTO message_sources (message_id, source) VALUES (1, 'text')").run()).toThrow(); // STRICT: bytes only
    old.prepare('DELETE FROM messages WHERE id = 1').run();
    expect(old.prepare('SELECT count(*) FROM message_sources').pluck().get()).toBe(0);
    old.close();
  });
});

describe('migration 23', () => {
  it('adds the per-account whole-message size: unset (the default) for accounts already stored, positive when set', () => {
    const { file, old } = upgradedFrom(22, '');
    expect(old.prepare('SELECT whole_below FROM accounts').pluck().all()).toEqual([null]);
    expect(() => old.prepare('UPDATE accounts SET whole_below = 0').run()).toThrow(/CHECK/);
    old.prepare('UPDATE accounts SET whole_below = 1048576').run();
    old.close();
    const reopened = openDatabase(file);
    expect(reopened.prepare('SELECT whole_below FROM accounts').pluck().all()).toEqual([1048576]);
    reopened.close();
  });
});

describe('migration 24', () => {
  it('adds the per-folder offline choice: unset (the default, by role) for folders already stored, 0 or 1 when set', () => {
    const { old } = upgradedFrom(23, '');
    expect(old.prepare('SELECT offline FROM mailboxes').pluck().all()).toEqual([null]);
    expect(() => old.prepare('UPDATE mailboxes SET offline = 2').run()).toThrow(/CHECK/);
    old.prepare('UPDATE mailboxes SET offline = 0').run();
    expect(old.prepare('SELECT offline FROM mailboxes').pluck().all()).toEqual([0]);
    old.close();
  });
});

describe('migration 22', () => {
  it('puts small mail of the window whose text alone was cached back on the prefetch list; nothing else', () => {
    const day = 86_400_000;
    const now = Date.now();
    const row = (uid: number, daysAgo: number, size: number, mailbox = 1) =>
      `INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject, size, body_state) VALUES (${mailbox}, 1, ${uid}, ${now - daysAgo * day}, 'm${uid}', ${size}, 1);`;
    const { old } = upgradedFrom(
      21,
      [
        row(1, 10, 2_000), // small, in the 90-day window: downloaded whole again
        row(2, 10, 200_000), // too large to keep whole
        row(3, 200, 2_000), // outside the window
        row(4, 10, 2_000), // kept whole already
        row(-5, 10, 2_000), // local only (a queued APPEND)
        "INSERT INTO message_sources (message_id, source) VALUES (4, x'53');",
        // An account whose window is everything.
        "INSERT INTO accounts (name, email, user, host, port, security, offline_window_days) VALUES ('b', 'b@x', 'b', 'h', 993, 'tls', 0);",
        "INSERT INTO mailboxes (account_id, path, name, namespace) VALUES (2, 'INBOX', 'INBOX', 'personal');",
        row(6, 1000, 2_000, 2),
      ].join('\n'),
    );
    const states = old.prepare('SELECT uid, body_state AS state FROM messages ORDER BY id').all();
    expect(states).toEqual([
      { uid: 1, state: 0 },
      { uid: 2, state: 1 },
      { uid: 3, state: 1 },
      { uid: 4, state: 1 },
      { uid: -5, state: 1 },
      { uid: 6, state: 0 },
    ]);
    old.close();
  });
});

describe('migration 20', () => {
  it('drops the insert trigger on parts; a text part replaced or evicted still updates the body row', () => {
    const { old } = upgradedFrom(
      19,
      `INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 1, 0, 'Kept');
       INSERT INTO parts (message_id, part, content_type, search_text, size) VALUES (1, '1', 'text/plain', 'quokka minutes', 5);`,
    );
    const match = (q: string) => old.prepare('SELECT rowid FROM body_search WHERE body_search MATCH ?').pluck().all(q);
    expect(match('"quokka"')).toEqual([1]); // indexed before the upgrade
    const triggers = old.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'parts'").pluck().all();
    expect(triggers).not.toContain('parts_search_insert');
    old.prepare("INSERT INTO parts (message_id, part, content_type, search_text, size) VALUES (1, '2', 'text/plain', 'wombat', 5)").run();
    expect(match('"wombat"')).toEqual([]); // a raw insert is not indexed: its writer does that
    old.prepare("UPDATE parts SET search_text = 'platypus' WHERE part = '1'").run();
    expect(match('"platypus"')).toEqual([1]);
    expect(match('"quokka"')).toEqual([]);
    old.prepare("DELETE FROM parts WHERE part = '1'").run();
    expect(match('"platypus"')).toEqual([]);
    old.close();
  });
});

describe('migration 8', () => {
  it('counts a folder from the partial covering index', () => {
    const db = openDatabase(tempFile());
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT count(*) FROM messages WHERE mailbox_id = 1 AND stale = 0 AND (0 = 0 OR seen = 0)')
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/COVERING INDEX messages_live/);
    db.close();
  });
});

describe('migration 14', () => {
  it('adds when a message was last opened: unknown for the messages already stored, so evicted as before', async () => {
    const { file, old } = upgradedFrom(
      13,
      "INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject, body_state) VALUES (1, 1, 1, 0, 'Old', 1);",
    );
    expect(old.prepare('SELECT opened_at FROM messages').pluck().get()).toBeNull();
    migrate(old, migrations); // the store's statements are of the latest schema
    const parts = new PartStore(old, path.dirname(file));
    expect(await parts.evictBefore(1, 1000, 1000)).toEqual([1]);
    old.close();
  });
});

describe('migration 13', () => {
  it('drops the Message-ID index; a stale row is still found by its Message-ID through messages_stale', () => {
    const { old } = upgradedFrom(
      12,
      "INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject, message_id, stale) VALUES (1, 1, 1, 0, 'Old', '<a@x>', 1);",
    );
    const indexes = old.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'").pluck().all();
    expect(indexes).not.toContain('messages_by_message_id');
    const lookup = "SELECT id FROM messages WHERE mailbox_id = 1 AND message_id = '<a@x>' AND stale = 1 LIMIT 1";
    expect(old.prepare(`EXPLAIN QUERY PLAN ${lookup}`).all()).toEqual([
      expect.objectContaining({ detail: expect.stringContaining('messages_stale') }),
    ]);
    // A UIDVALIDITY change re-matches it by Message-ID, keeping its id.
    const messages = new MessageStore(old);
    expect(messages.insertHeaders(1, 1, 2, [{ ...headerRecord(9), messageId: '<a@x>' }])).toEqual([1]);
    old.close();
  });
});

describe('migration 12', () => {
  it('adds an empty list of headers to index later; a schema-11 store stays searchable as it was', () => {
    const { file, old } = upgradedFrom(
      11,
      "INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 1, 0, 'Indexed already');",
    );
    expect(old.prepare('SELECT count(*) FROM header_backfill').pluck().get()).toBe(0);
    migrate(old, migrations); // the stores need the latest schema
    const parts = new PartStore(old, path.dirname(file));
    expect(parts.search({ query: 'already', limit: 5 }).messages.map((m) => m.id)).toEqual([1]);
    old.close();
  });
});

describe('migration 11', () => {
  it('stores a plain text part once, keeping what it reads and what search finds', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 10));
    old.exec(`
      ${ONE_INBOX}
      INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 1, 0, 'Both kinds');
      INSERT INTO parts (message_id, part, content_type, text, search_text, size) VALUES (1, '1', 'text/plain', 'plain words', 'plain words', 11);
      INSERT INTO parts (message_id, part, content_type, text, search_text, size) VALUES (1, '2', 'text/html', '<p>html words</p>', 'html words', 17);
    `);
    migrate(old, migrations.slice(0, 11));
    expect(old.prepare('SELECT part, text, search_text AS searchText FROM parts ORDER BY part').all()).toEqual([
      { part: '1', text: null, searchText: 'plain words' },
      { part: '2', text: '<p>html words</p>', searchText: 'html words' },
    ]);
    migrate(old, migrations); // the stores are today's
    const parts = new PartStore(old, path.dirname(file));
    expect(parts.get(1, '1')).toMatchObject({ kind: 'text', text: 'plain words' });
    expect(parts.get(1, '2')).toMatchObject({ kind: 'text', text: '<p>html words</p>' });
    expect(parts.search({ query: 'plain words', limit: 5 }).messages.map((m) => m.id)).toEqual([1]);
    // new texts are stored the same way
    parts.storeTexts([
      {
        messageId: 1,
        parts: [{ part: '3', contentType: 'text/plain', charset: 'utf-8', text: '新しい本文', searchText: '新しい本文', size: 15 }],
        snippet: null,
      },
    ]);
    expect(old.prepare("SELECT text, search_text AS searchText FROM parts WHERE part = '3'").get()).toEqual({
      text: null,
      searchText: '新しい本文',
    });
    expect(parts.get(1, '3')).toMatchObject({ text: '新しい本文' });
    expect(parts.search({ query: '新しい本文', limit: 5 }).messages.map((m) => m.id)).toEqual([1]);
    old.close();
  });
});

describe('migration 15', () => {
  it('rewrites the subject sort keys that hold numbers, and only those', () => {
    const { old } = upgradedFrom(
      14,
      `INSERT INTO messages (id, mailbox_id, uidvalidity, uid, internal_date, size, subject, sort_subject) VALUES
         (1, 1, 1, 1, 0, 1, 'Re: Invoice #979', 'invoice #979'), (2, 1, 1, 2, 0, 1, 'Lunch', 'lunch');`,
    );
    const keys = old.prepare('SELECT id, sort_subject FROM messages ORDER BY id').all();
    expect(keys).toEqual([
      { id: 1, sort_subject: 'invoice #000000000979' },
      { id: 2, sort_subject: 'lunch' },
    ]);
    old.close();
  });
});

describe('migration 16', () => {
  it('keeps the operations made before it, without subjects', () => {
    const { old } = upgradedFrom(
      15,
      `INSERT INTO ops (account_id, action_id, kind, payload, state) VALUES (1, 1, 'flags', '{}', 'pending');
       INSERT INTO op_messages (op_id, message_id) VALUES (1, 42);`,
    );
    expect(old.prepare('SELECT op_id, message_id, subject FROM op_messages').all()).toEqual([{ op_id: 1, message_id: 42, subject: null }]);
    old.close();
  });
});

describe('migration 17', () => {
  it('counts a part the sender marked inline as an attachment, unless it is an image with a Content-ID', () => {
    const a = (part: string, contentType: string, contentId: string | null, inline: boolean) => ({
      part,
      filename: `f${part}`,
      contentType,
      size: 1,
      inline,
      contentId,
    });
    const rows = [
      [1, [a('2', 'image/png', 'logo@x', true)], 0], // shown in the HTML: still inline
      [2, [a('2', 'image/jpeg', null, true)], 0], // Apple Mail's photo
      [3, [a('1.2', 'image/gif', 'dot@x', true), a('2', 'application/pdf', 'pdf@x', true)], 0],
      [4, [a('2', 'application/zip', null, false)], 1], // untouched
    ] as const;
    const { old } = upgradedFrom(
      16,
      `INSERT INTO messages (id, mailbox_id, uidvalidity, uid, internal_date, size, subject, attachments, has_attachments) VALUES ${rows
        .map(([id, list, has]) => `(${id}, 1, 1, ${id}, 0, 1, 's', '${JSON.stringify(list)}', ${has})`)
        .join(', ')};`,
    );
    const after = old.prepare('SELECT id, attachments, has_attachments FROM messages ORDER BY id').all() as {
      id: number;
      attachments: string;
      has_attachments: number;
    }[];
    expect(after.map((r) => [r.id, r.has_attachments, (JSON.parse(r.attachments) as { inline: boolean }[]).map((x) => x.inline)])).toEqual([
      [1, 0, [true]],
      [2, 1, [false]],
      [3, 1, [true, false]],
      [4, 1, [false]],
    ]);
    expect(JSON.parse(after[2]!.attachments)[1]).toEqual(a('2', 'application/pdf', 'pdf@x', false));
    old.close();
  });
});

describe('migration 10', () => {
  it('finds stale rows to re-match through their own partial index, and keeps unread counts covering', () => {
    const db = openDatabase(tempFile());
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((p) => p.detail).join(' ');
    expect(plan("SELECT id FROM messages WHERE mailbox_id = 1 AND message_id = '<a@x>' AND stale = 1 LIMIT 1")).toMatch(
      /INDEX messages_stale/,
    );
    expect(plan('DELETE FROM messages WHERE mailbox_id = 1 AND stale = 1')).toMatch(/INDEX messages_stale/);
    expect(plan('SELECT count(*) FROM messages WHERE mailbox_id = 1 AND stale = 0 AND seen = 0')).toMatch(/COVERING INDEX messages_live/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'messages_unread'").all()).toEqual([]);
    db.close();
  });
});

describe('migration 9', () => {
  const header = (uid: number, subject: string): HeaderRecord => ({
    uid,
    modseq: null,
    flags: [],
    internalDate: uid,
    sentDate: null,
    size: 1,
    subject,
    from: { name: '田中 太郎', address: 'tanaka@example.jp' },
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    messageId: null,
    inReplyTo: null,
    references: [],
    bodystructure: null,
    attachments: [],
  });

  const text = (part: string, searchText: string) => ({
    part,
    contentType: 'text/plain',
    charset: null,
    text: searchText,
    searchText,
    size: 1,
  });

  it('moves cached text into body indexes of its own, keeping a schema-8 store searchable', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 8));
    old.exec(`
      ${ONE_INBOX}
      INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject, addresses)
        VALUES (1, 1, 1, 0, '会議の議事録', '{"from":[{"name":"田中 太郎","address":"tanaka@example.jp"}],"to":[]}');
      INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 2, 0, 'No text cached');
      INSERT INTO parts (message_id, part, content_type, text, search_text, size) VALUES (1, '2', 'text/plain', 'second', 'second part', 5);
      INSERT INTO parts (message_id, part, content_type, text, search_text, size) VALUES (1, '1', 'text/plain', '同期します', '同期します', 5);
    `);
    migrate(old, migrations.slice(0, 9));
    expect(old.pragma('user_version', { simple: true })).toBe(9);
    const match = (table: string, q: string) =>
      (old.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).all(q) as Array<{ rowid: number }>).map((r) => r.rowid);
    const rows = (table: string) => (old.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(match('message_search', '"議事録"')).toEqual([1]);
    expect(match('message_search', '"tanaka@example"')).toEqual([1]);
    expect(match('message_search', '"同期しま"')).toEqual([]); // text goes to the body index…
    // …after the upgrade, in the background (openEngine): the upgrade itself only lists what to index.
    expect([rows('message_search'), rows('message_search_cjk'), rows('body_search'), rows('body_search_cjk')]).toEqual([2, 2, 0, 0]);
    expect(old.prepare('SELECT message_id FROM body_backfill').pluck().all()).toEqual([1]);
    migrate(old, migrations); // the stores are today's
    const parts = new PartStore(old, path.dirname(file));
    expect(parts.search({ query: '議事録', limit: 10 }).messages.map((m) => m.id)).toEqual([1]); // by its header meanwhile
    expect(parts.backfillBodies()).toBe(1);
    expect(parts.backfillBodies()).toBe(0);
    expect(match('body_search', '"同期しま"')).toEqual([1]);
    expect(match('body_search', '"します\nsecond"')).toEqual([1]); // parts in part order, one line each
    expect(match('message_search_cjk', '"田中"')).toEqual([1]);
    expect(match('body_search_cjk', '"同期"')).toEqual([1]);
    expect([rows('message_search'), rows('message_search_cjk'), rows('body_search'), rows('body_search_cjk')]).toEqual([2, 2, 1, 1]);
    expect(parts.search({ query: '議事録 同期', limit: 10 }).messages.map((m) => m.id)).toEqual([1]);
    old.close();
  });

  it('indexes each waiting message once: writers that get there first take it off the backfill list', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 8));
    old.exec(`
      ${ONE_INBOX}
      INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, 1, 0, 'one'), (1, 1, 2, 0, 'two'),
        (1, 1, 3, 0, 'three'), (1, 1, 4, 0, 'four');
      INSERT INTO parts (message_id, part, content_type, text, search_text, size) VALUES
        (1, '1', 'text/plain', 'alpha text', 'alpha text', 1), (2, '1', 'text/plain', 'bravo text', 'bravo text', 1),
        (3, '1', 'text/plain', 'charlie text', 'charlie text', 1), (4, '1', 'text/plain', 'delta text', 'delta text', 1);
    `);
    migrate(old, migrations);
    const parts = new PartStore(old, path.dirname(file));
    const rows = (table: string) => (old.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const found = (q: string) => parts.search({ query: q, limit: 10 }).messages.map((m) => m.id);
    // 1: the prefetch stores a second part; 2: a part opened on demand (the trigger); 3: expunged.
    parts.storeTexts([
      {
        messageId: 1,
        parts: [{ part: '2', contentType: 'text/plain', charset: null, text: 'extra', searchText: 'extra', size: 1 }],
        snippet: null,
      },
    ]);
    old.prepare("UPDATE parts SET search_text = 'bravo changed' WHERE message_id = 2").run();
    old.prepare('DELETE FROM messages WHERE id = 3').run();
    expect(old.prepare('SELECT message_id FROM body_backfill').pluck().all()).toEqual([4]);
    expect(parts.backfillBodies(10)).toBe(1);
    expect(parts.backfillBodies(10)).toBe(0);
    expect([rows('body_search'), rows('body_search_cjk')]).toEqual([3, 3]);
    expect(found('alpha extra')).toEqual([1]);
    expect(found('bravo changed')).toEqual([2]);
    expect(found('bravo text')).toEqual([]);
    expect(found('charlie')).toEqual([]);
    expect(found('delta text')).toEqual([4]);
    old.close();
  });

  it('indexes headers once and text once; replaces text only when it was indexed before; update and delete triggers keep other writers in step', () => {
    const file = tempFile();
    const db = openDatabase(file);
    db.exec(`
      ${ONE_INBOX}
    `);
    const match = (table: string, q: string) =>
      (db.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).all(q) as Array<{ rowid: number }>).map((r) => r.rowid);
    const rows = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const messages = new MessageStore(db);
    const parts = new PartStore(db, path.dirname(file));
    const [id] = messages.insertHeaders(1, 1, 1, [header(10, '猫の写真')]) as [number];
    expect(match('message_search', '"tanaka@example"')).toEqual([id]);
    expect(match('message_search_cjk', '"田中"')).toEqual([id]);
    expect(rows('body_search')).toBe(0);

    parts.storeTexts([{ messageId: id, parts: [text('1', 'first body'), text('2', '検索の本文')], snippet: null }]);
    expect(match('body_search', '"first body"')).toEqual([id]);
    expect(match('body_search_cjk', '"本文"')).toEqual([id]);
    expect(match('message_search_cjk', '"写真"')).toEqual([id]); // the header row is untouched
    parts.storeTexts([{ messageId: id, parts: [text('1', 'second body')], snippet: null }]);
    expect(match('body_search', '"first body"')).toEqual([]);
    expect(match('body_search', '"second body"')).toEqual([id]);
    expect(match('body_search_cjk', '"本文"')).toEqual([id]); // part 2 is still cached
    expect([rows('message_search'), rows('message_search_cjk'), rows('body_search'), rows('body_search_cjk')]).toEqual([1, 1, 1, 1]);

    // raw writers go through the update triggers (a part's text changed, a subject changed); an insert
    // is indexed by its writer (migrations 19 and 20: storeTexts is the one writer of part text)
    db.prepare("INSERT INTO parts (message_id, part, content_type, search_text, size) VALUES (?, '3', 'text/plain', 'third body', 1)").run(
      id,
    );
    expect(match('body_search', '"third body"')).toEqual([]);
    db.prepare("UPDATE parts SET search_text = 'third body' WHERE message_id = ? AND part = '3'").run(id);
    expect(match('body_search', '"third body"')).toEqual([id]);
    expect(match('body_search', '"second body"')).toEqual([id]);
    db.prepare("UPDATE messages SET subject = 'Lunch' WHERE id = ?").run(id);
    expect(match('message_search', '"lunch"')).toEqual([id]);
    expect(match('message_search_cjk', '"写真"')).toEqual([]);
    expect(match('body_search', '"second body"')).toEqual([id]);

    // eviction (the parts' delete trigger) clears the text, not the header
    db.prepare('DELETE FROM parts WHERE message_id = ?').run(id);
    expect([rows('body_search'), rows('body_search_cjk')]).toEqual([0, 0]);
    expect(match('message_search_cjk', '"田中"')).toEqual([id]);
    // a message deleted with its text cached leaves no row anywhere
    parts.storeTexts([{ messageId: id, parts: [text('1', 'again')], snippet: null }]);
    db.prepare('DELETE FROM messages WHERE id = ?').run(id);
    expect([rows('message_search'), rows('message_search_cjk'), rows('body_search'), rows('body_search_cjk')]).toEqual([0, 0, 0, 0]);
    db.close();
  });
});
