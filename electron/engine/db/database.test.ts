import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TegamiError } from '../../../shared/domain/errors.js';
import { migrate, openDatabase, storageError } from './database.js';
import { migrations } from './migrations.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-db-'));
  dirs.push(dir);
  return path.join(dir, 'tegami.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates a WAL store with foreign keys on at the latest schema', () => {
    const db = openDatabase(tempFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)?.version);
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
