import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCredentialStore } from './credentials.js';
import { FileCredentialStore } from './credentials-file.js';
import { openDatabase } from './db/database.js';
import { MessageStore } from './db/messages.js';
import { migrations } from './db/migrations.js';
import { PartStore, SOURCE_PART } from './db/parts.js';
import { openEngine } from './index.js';
import { headerRecord, seedAccount } from '../../test/db-fixture.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-engine-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('engine dispatch', () => {
  it('answers a valid request with ok', async () => {
    const engine = await openEngine({ dataDir: tempDir(), host: 'cli', credentials: new MemoryCredentialStore(), version: '1.2.3' });
    expect(await engine.invoke('accounts.list', {})).toEqual({ ok: true, value: [] });
    expect(await engine.invoke('app.info', {})).toMatchObject({ ok: true, value: { version: '1.2.3', host: 'cli' } });
    await engine.close();
  });

  it('refuses an unknown request name', async () => {
    const engine = await openEngine({ dataDir: tempDir(), host: 'cli', credentials: new MemoryCredentialStore(), version: '0' });
    expect(await engine.invoke('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await engine.invoke('__proto__', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await engine.close();
  });

  it('refuses input that does not match the schema, naming the field', async () => {
    const engine = await openEngine({ dataDir: tempDir(), host: 'cli', credentials: new MemoryCredentialStore(), version: '0' });
    const result = await engine.invoke('accounts.add', {
      name: 'x',
      email: 'x@y',
      user: 'x',
      host: 'h',
      port: 99999,
      security: 'tls',
      password: 'p',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(!result.ok && result.error.message).toContain('port');
    await engine.close();
  });

  it('leaves files.save and files.open to the desktop app’s main process, saying how browser mode does it', async () => {
    const engine = await openEngine({ dataDir: tempDir(), host: 'web', credentials: new MemoryCredentialStore(), version: '0' });
    for (const name of ['files.save', 'files.open']) {
      const result = await engine.invoke(name, { id: 1, part: '2' });
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(!result.ok && result.error.message).toContain('In the browser, the file is downloaded instead.');
    }
    expect(await engine.invoke('files.save', { id: 1, part: '../x' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('part') },
    });
    await engine.close();
  });

  it('reports a missing account as NOT_FOUND', async () => {
    const engine = await openEngine({ dataDir: tempDir(), host: 'cli', credentials: new MemoryCredentialStore(), version: '0' });
    expect(await engine.invoke('mailboxes.list', { accountId: 5 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await engine.invoke('accounts.setOfflineWindow', { accountId: 5, window: 30 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await engine.invoke('accounts.setWholeBelow', { accountId: 5, bytes: 1024 * 1024 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await engine.invoke('folders.setOffline', { mailboxId: 7, offline: false })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'That folder does not exist (any more).' },
    });
    expect(await engine.invoke('folders.setOffline', { mailboxId: 7, offline: 'no' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    await engine.close();
  });

  it('refuses a whole-message size under 128 KB, over 96 MB or not a whole number of bytes', async () => {
    const engine = await openEngine({ dataDir: tempDir(), host: 'cli', credentials: new MemoryCredentialStore(), version: '0' });
    for (const bytes of [0, 1000, 131_071, 96 * 1024 * 1024 + 1, 1.5e6 + 0.5, '10M', null])
      expect(await engine.invoke('accounts.setWholeBelow', { accountId: 1, bytes }), String(bytes)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: expect.stringContaining('bytes') },
      });
    await engine.close();
  });

  it('frees whole copies when the whole-message size is lowered, not when it is raised', async () => {
    const dataDir = tempDir();
    const db = openDatabase(path.join(dataDir, 'tegami.db'));
    const { accountId, mailbox } = seedAccount(db);
    const [id] = new MessageStore(db).insertHeaders(accountId, mailbox['INBOX']!, 1, [{ ...headerRecord(1), size: 20 * 1024 * 1024 }]);
    // Its source, cached by "view source" long ago (not opened lately: nothing spares it but the rule).
    const parts = new PartStore(db, dataDir);
    const w = await parts.openFile(id!, SOURCE_PART);
    await w.write(Buffer.from('Subject: big\r\n\r\nbody'));
    await w.commit({ contentType: 'message/rfc822' });
    parts.markOpened(id!, Date.now() - 30 * 86_400_000);
    const file = parts.partFile(id!, SOURCE_PART);
    db.close();

    const engine = await openEngine({ dataDir, host: 'cli', credentials: new MemoryCredentialStore(), version: '0' });
    try {
      // Raised from the default to 10 MB: a 20 MB message is no more "small enough" than before, and keeps its copy.
      expect(await engine.invoke('accounts.setWholeBelow', { accountId, bytes: 10 * 1024 * 1024 })).toMatchObject({
        ok: true,
        value: { wholeBelow: 10 * 1024 * 1024 },
      });
      expect(existsSync(file)).toBe(true);
      expect(await engine.invoke('accounts.setWholeBelow', { accountId, bytes: 50 * 1024 * 1024 })).toMatchObject({ ok: true });
      expect(existsSync(file)).toBe(true);
      // Lowered under its size: freed.
      expect(await engine.invoke('accounts.setWholeBelow', { accountId, bytes: 1024 * 1024 })).toMatchObject({ ok: true });
      expect(existsSync(file)).toBe(false);
    } finally {
      await engine.close();
    }
  });

  it('refuses an offline window that is not a number of days or "all"', async () => {
    const engine = await openEngine({ dataDir: tempDir(), host: 'cli', credentials: new MemoryCredentialStore(), version: '0' });
    for (const window of [0, -3, 1.5, 'forever', null])
      expect(await engine.invoke('accounts.setOfflineWindow', { accountId: 1, window }), String(window)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: expect.stringContaining('window') },
      });
    await engine.close();
  });

  it('answers nothing after close', async () => {
    const engine = await openEngine({ dataDir: tempDir(), host: 'cli', credentials: new MemoryCredentialStore(), version: '0' });
    await engine.close();
    expect(await engine.invoke('accounts.list', {})).toMatchObject({ ok: false });
  });
});

describe('FileCredentialStore', () => {
  it('keeps passwords in a file only the user can read, and forgets them on delete', async () => {
    const dir = tempDir();
    const store = new FileCredentialStore(dir);
    await Promise.all([store.set(1, 'one'), store.set(2, 'two')]);
    expect(await store.get(1)).toBe('one');
    expect(await new FileCredentialStore(dir).get(2)).toBe('two');
    expect(statSync(path.join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    await store.delete(1);
    expect(await store.get(1)).toBeNull();
    expect(store.description).toContain('not encrypted');
  });
});

describe('upgrading a store', () => {
  it('answers at once after the upgrade and indexes text cached before it in the background', async () => {
    const dataDir = tempDir();
    const old = openDatabase(path.join(dataDir, 'tegami.db'), migrations.slice(0, 8));
    old.exec(`
      INSERT INTO accounts (name, email, user, host, port, security) VALUES ('Work', 'a@x', 'a', 'h', 993, 'tls');
      INSERT INTO mailboxes (account_id, path, name, namespace) VALUES (1, 'INBOX', 'INBOX', 'personal');
    `);
    const message = old.prepare("INSERT INTO messages (mailbox_id, uidvalidity, uid, internal_date, subject) VALUES (1, 1, ?, 0, 'Hello')");
    const part = old.prepare(
      "INSERT INTO parts (message_id, part, content_type, text, search_text, size) VALUES (?, '1', 'text/plain', ?, ?, 1)",
    );
    old.transaction(() => {
      for (let uid = 1; uid <= 1200; uid++) {
        const id = Number(message.run(uid).lastInsertRowid);
        const text = uid === 7 ? 'the quokkaberry recipe' : `ordinary text ${uid}`;
        part.run(id, text, text);
      }
    })();
    old.close();
    const engine = await openEngine({ dataDir, host: 'cli', credentials: new MemoryCredentialStore(), version: '0' });
    try {
      expect(await engine.invoke('accounts.list', {})).toMatchObject({ ok: true, value: [{ name: 'Work' }] });
      const search = async () =>
        ((await engine.invoke('search.local', { query: 'quokkaberry', limit: 10 })) as { ok: true; value: { hits: unknown[] } }).value.hits
          .length;
      // Found while its text waits to be indexed (search scans the waiting texts), and after.
      expect(await search()).toBe(1);
      const db = openDatabase(path.join(dataDir, 'tegami.db'));
      try {
        await expect.poll(() => db.prepare('SELECT count(*) FROM body_backfill').pluck().get(), { timeout: 10_000 }).toBe(0);
        expect(db.prepare('SELECT count(*) FROM body_search').pluck().get()).toBe(1200);
      } finally {
        db.close();
      }
      expect(await search()).toBe(1);
    } finally {
      await engine.close();
    }
  });
});
