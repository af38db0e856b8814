// Sync faults against the real Dovecot: QUOTA, empty and emptied folders, malformed headers, a
// folder the server refuses (ACL), a folder deleted between LIST and SELECT, and a full disk.
import { execFileSync } from 'node:child_process';
import iconv from 'iconv-lite';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Account } from '../../../shared/domain/account.js';
import { openTestStore, type TestStore } from '../../../test/engine-store.js';
import { connectImap, findUser } from '../../../test/dovecot/client.js';
import type { Db } from '../db/database.js';
import { type MessageStore } from '../db/messages.js';
import { publicAccount, type Store, type AccountRecord } from '../db/store.js';
import { syncAccount, type AccountSyncDeps, type AccountSyncReport } from './account.js';

const server = inject('dovecot');
const USER = 'frank';
const user = findUser(server, USER);

let testStore: TestStore;
let db: Db;
let store: Store;
let messages: MessageStore;
let account: AccountRecord;
let other: ImapFlow; // "the other device"

const doveadm = (...args: string[]) => execFileSync('doveadm', ['-c', server.configPath, ...args], { encoding: 'utf8' });

const raw = (i: number, extra: { subject?: string; pad?: number; bodyPad?: number } = {}) =>
  Buffer.from(
    [
      `From: Sender ${i} <sender${i}@example.com>`,
      `To: ${user.email}`,
      `Subject: ${extra.subject ?? `Message ${i}`}${extra.pad ? ` ${'x'.repeat(extra.pad)}` : ''}`,
      `Date: Tue, 10 Nov 2026 10:${String(i % 60).padStart(2, '0')}:00 +0900`,
      `Message-ID: <f${i}.${Date.now()}@example.com>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of message ${i}`,
      ...(extra.bodyPad ? Array.from({ length: Math.ceil(extra.bodyPad / 100) }, () => 'y'.repeat(98)) : []),
      '',
    ].join('\r\n'),
  );

const sync = (extensions?: 'all' | 'condstore' | 'none', extra: Partial<AccountSyncDeps> = {}) =>
  syncAccount(account, user.password, { store, messages, ...(extensions ? { extensions } : {}), ...extra });
const report = (r: AccountSyncReport, folder: string) => r.mailboxes.find((m) => m.path === folder);
const mailbox = (folder: string) => store.listMailboxes(account.id).find((m) => m.path === folder);
const rows = (folder: string) => {
  const m = mailbox(folder);
  if (!m) throw new Error(`no local ${folder}`);
  return messages.all(m.id);
};

async function fill(folder: string, count: number, from = 1, pad = 0): Promise<void> {
  for (let i = from; i < from + count; i++) await other.append(folder, raw(i, { pad }));
}

async function expungeAll(folder: string): Promise<void> {
  const lock = await other.getMailboxLock(folder);
  try {
    await other.messageDelete('1:*', { uid: true });
  } finally {
    lock.release();
  }
}

beforeAll(async () => {
  testStore = openTestStore(server, USER);
  ({ db, store, messages, account } = testStore);
  other = await connectImap(server, USER);
  await fill('INBOX', 3);
});

afterAll(async () => {
  await other?.logout().catch(() => undefined);
  testStore?.close();
});

describe('QUOTA (RFC 9208)', () => {
  it('records the quota of INBOX’s root on every pass and lists it with the account', async () => {
    expect(store.getAccount(account.id).quota).toBeNull();
    await sync();
    const quota = store.getAccount(account.id).quota;
    // The fixture's Dovecot: "User quota", storage = 100 MiB, no message limit.
    expect(quota).toMatchObject({ root: 'User quota', storage: { limitKb: 100 * 1024 }, messages: null });
    expect(quota?.storage?.usedKb).toBeGreaterThan(0); // three small messages
    expect(quota?.storage?.usedKb).toBeLessThan(100);
    expect(Date.parse(quota?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);
    // accounts.list carries it, and it passes the contract's schema.
    expect(Account.parse(publicAccount(store.getAccount(account.id))).quota).toEqual(quota);

    await other.append('INBOX', raw(4, { bodyPad: 200_000 }));
    await sync();
    expect(store.getAccount(account.id).quota?.storage?.usedKb).toBeGreaterThan((quota?.storage?.usedKb ?? 0) + 190);
  });
});

describe('empty folders', () => {
  it('syncs a folder that was always empty to zero rows, with its state recorded', async () => {
    await other.mailboxCreate('Empty');
    const r = await sync();
    expect(report(r, 'Empty')).toMatchObject({ method: 'initial', added: 0 });
    expect(rows('Empty')).toEqual([]);
    expect(mailbox('Empty')).toMatchObject({ total: 0, unread: 0 });
    expect(mailbox('Empty')?.uidvalidity).toBeGreaterThan(0);
    expect(report(await sync(), 'Empty')?.method).toBe('skipped');
  });

  it.each([
    ['EmptiedQ', 'all', 'qresync'],
    ['EmptiedC', 'condstore', 'condstore'],
    ['EmptiedN', 'none', 'full-scan'],
  ] as const)('converges to zero rows when another client empties %s (%s → %s)', async (folder, extensions, method) => {
    await other.mailboxCreate(folder);
    await fill(folder, 4, 10);
    await sync(extensions);
    expect(rows(folder)).toHaveLength(4);
    await expungeAll(folder);
    const r = await sync(extensions);
    expect(report(r, folder)).toMatchObject({ method, removed: 4, added: 0 });
    expect(rows(folder)).toEqual([]);
    expect(mailbox(folder)).toMatchObject({ total: 0, unread: 0 });
    // and it stays converged
    await sync(extensions);
    expect(rows(folder)).toEqual([]);
  });
});

describe('malformed headers', () => {
  const internal = new Date('2026-01-02T03:04:05Z');
  const msg = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
  const body = 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n';

  beforeAll(async () => {
    await other.mailboxCreate('Malformed');
    const appends: Buffer[] = [
      // No Date; a raw (not RFC 2047 encoded) Shift_JIS Subject.
      msg(
        'From: a@example.com\r\nMessage-ID: <sjis-root@tegami.test>\r\nSubject: ',
        iconv.encode('シフトJISの件名', 'Shift_JIS'),
        '\r\n',
        body,
      ),
      // A reply to it with two Subject headers and a Date that is not a date.
      msg(
        'From: b@example.com\r\nSubject: Re: first\r\nSubject: Re: second\r\nDate: not a date\r\n',
        'Message-ID: <sjis-reply@tegami.test>\r\nIn-Reply-To: <sjis-root@tegami.test>\r\nReferences: <sjis-root@tegami.test>\r\n',
        body,
      ),
      // No Message-ID; a raw UTF-8 Subject.
      msg('From: c@example.com\r\nDate: Fri, 2 Jan 2026 12:00:00 +0900\r\nSubject: ', Buffer.from('UTF-8の生の件名'), '\r\n', body),
      // A reply to that one: nothing to reference, so it threads by subject.
      msg('From: d@example.com\r\nSubject: Re: ', Buffer.from('UTF-8の生の件名'), '\r\n', body),
      // An encoded-word with a charset label nobody knows, on UTF-8 bytes; the body's charset too.
      msg(
        `From: e@example.com\r\nMessage-ID: <unknown-label@tegami.test>\r\nSubject: =?x-unknown?B?${Buffer.from('不明な文字セット').toString('base64')}?=\r\n`,
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nbody\r\n',
      ),
      // A raw Big5 Subject (Outlook Express, 2002): only the body's charset, under a label of its
      // own ("CHINESEBIG5"), says how to read it.
      msg(
        'From: f@example.com\r\nMessage-ID: <big5@tegami.test>\r\nSubject: ',
        iconv.encode('還在用信用卡嗎', 'big5'),
        '\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset="CHINESEBIG5"\r\n\r\n<p>body</p>\r\n',
      ),
      // Raw Shift_JIS display names (the Subject is plain ASCII), one of them quoted.
      msg(
        'From: ',
        iconv.encode('山田 花子', 'Shift_JIS'),
        ' <yamada@example.jp>\r\nTo: "',
        iconv.encode('田中 太郎', 'Shift_JIS'),
        '" <tanaka@example.jp>, plain@example.com\r\nMessage-ID: <sjis-names@tegami.test>\r\nSubject: names\r\n',
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\nbody\r\n',
      ),
    ];
    for (const m of appends) await other.append('Malformed', m, [], internal);
  });

  it('stores them without throwing, with sensible values, and threads them', async () => {
    const r = await sync();
    expect(report(r, 'Malformed')).toMatchObject({ added: 7 });
    expect(report(r, 'Malformed')?.error).toBeUndefined();
    const all = rows('Malformed');
    const bySubject = (s: string) => all.find((m) => m.subject === s);

    const root = all.find((m) => m.messageId === '<sjis-root@tegami.test>');
    expect(root?.subject).toBe('シフトJISの件名'); // repaired from the raw header, not U+FFFD
    expect(root?.sentDate).toBeNull(); // no Date header…
    expect(root?.date).toBe(internal.toISOString()); // …so the list shows INTERNALDATE

    const reply = all.find((m) => m.messageId === '<sjis-reply@tegami.test>');
    expect(['Re: first', 'Re: second']).toContain(reply?.subject);
    expect(reply?.sentDate).toBeNull();
    expect(reply?.date).toBe(internal.toISOString());
    expect(reply?.threadId).toBe(root?.threadId);

    const noId = bySubject('UTF-8の生の件名');
    expect(noId).toMatchObject({ messageId: null, sentDate: '2026-01-02T03:00:00.000Z' });
    expect(noId?.threadId).toBeTruthy();
    expect(bySubject('Re: UTF-8の生の件名')?.threadId).toBe(noId?.threadId);

    expect(all.find((m) => m.messageId === '<unknown-label@tegami.test>')?.subject).toBe('不明な文字セット');
    expect(all.find((m) => m.messageId === '<big5@tegami.test>')?.subject).toBe('還在用信用卡嗎');
    const names = all.find((m) => m.messageId === '<sjis-names@tegami.test>');
    expect(names?.from).toEqual({ name: '山田 花子', address: 'yamada@example.jp' });
    const stored = db
      .prepare<[string], { addresses: string }>('SELECT addresses FROM messages WHERE message_id = ?')
      .get('<sjis-names@tegami.test>');
    expect(JSON.parse(stored?.addresses ?? '{}')).toMatchObject({
      to: [
        { name: '田中 太郎', address: 'tanaka@example.jp' },
        { name: '', address: 'plain@example.com' },
      ],
    });
    expect(all.every((m) => !m.subject.includes('\uFFFD') && !m.from?.name.includes('\uFFFD'))).toBe(true);
    expect(new Set(all.map((m) => m.threadId)).size).toBe(5);
  });
});

describe('a folder the server refuses', () => {
  it('is reported as skipped with the server’s words while the rest syncs; it syncs once readable again', async () => {
    await other.mailboxCreate('Secret');
    await fill('Secret', 2, 20);
    // Lookup right only: the folder is listed, but SELECT answers NO [NOPERM].
    doveadm('acl', 'set', '-u', USER, 'Secret', `user=${USER}`, 'lookup');
    await other.append('INBOX', raw(30));
    const before = rows('INBOX').length;
    const r = await sync();
    const secret = report(r, 'Secret');
    expect(secret).toMatchObject({ method: 'skipped', added: 0 });
    expect(secret?.error).toMatch(/Permission denied/);
    expect(mailbox('Secret')).toBeDefined(); // still listed
    expect(report(r, 'INBOX')).toMatchObject({ added: 1 });
    expect(rows('INBOX')).toHaveLength(before + 1);

    doveadm('acl', 'delete', '-u', USER, 'Secret', `user=${USER}`);
    const again = await sync();
    expect(report(again, 'Secret')).toMatchObject({ method: 'initial', added: 2 });
    expect(report(again, 'Secret')?.error).toBeUndefined();
  });
});

describe('a folder deleted by another client during the pass', () => {
  it('is skipped as NOT_FOUND between LIST and SELECT, and dropped with its messages by the next pass', async () => {
    await other.mailboxCreate('Gone');
    await fill('Gone', 3, 40);
    await sync();
    const gone = mailbox('Gone');
    expect(rows('Gone')).toHaveLength(3);
    await other.append('Gone', raw(43)); // so the pass SELECTs it
    let deleted = false;
    const r = await sync(undefined, {
      // Called right after the folder list is stored, before any SELECT.
      onFoldersChanged: () => {
        if (deleted) return;
        deleted = true;
        doveadm('mailbox', 'delete', '-u', USER, 'Gone');
      },
    });
    expect(report(r, 'Gone')).toMatchObject({ method: 'skipped' });
    expect(report(r, 'Gone')?.error).toMatch(/no longer exists/);
    expect(report(r, 'INBOX')?.error).toBeUndefined();
    expect(rows('Gone')).toHaveLength(3); // not dropped on a failed SELECT alone

    await sync();
    expect(mailbox('Gone')).toBeUndefined();
    expect(db.prepare('SELECT count(*) AS n FROM messages WHERE mailbox_id = ?').get(gone?.id)).toEqual({ n: 0 });
  });
});

describe('a full disk', () => {
  it('reports STORAGE, rolls back the failing batch only, and the next pass completes exactly', async () => {
    await other.mailboxCreate('Full');
    await fill('Full', 400, 1000, 300); // the first header batch is 250 messages
    let limited = false;
    const pageCount = () => db.pragma('page_count', { simple: true }) as number;
    const attempt = sync(undefined, {
      onChanges: (c) => {
        // After the first batch of Full is stored, the disk "fills up": the store may not grow.
        if (limited || c.added.length === 0 || c.mailboxId !== mailbox('Full')?.id) return;
        limited = true;
        db.pragma(`max_page_count = ${pageCount()}`);
      },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'STORAGE', message: expect.stringMatching(/the disk is full/) });
    expect(limited).toBe(true);

    db.pragma('max_page_count = 1073741823');
    const full = mailbox('Full');
    if (!full) throw new Error('no local Full');
    expect(messages.all(full.id)).toHaveLength(250); // the first batch intact, the second rolled back whole
    const state = messages.syncState(full.id);
    expect(state.uidnext).toBeNull(); // not advanced: the next pass looks for every missing UID
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) AS n FROM message_search').get()).toEqual(db.prepare('SELECT count(*) AS n FROM messages').get());

    const r = await sync();
    expect(report(r, 'Full')).toMatchObject({ added: 150 });
    const uids = messages.all(full.id).map((m) => m.uid);
    expect(uids).toHaveLength(400);
    expect(new Set(uids).size).toBe(400);
    const lock = await other.getMailboxLock('Full');
    try {
      const onServer = (await other.search({ all: true }, { uid: true })) || [];
      expect([...uids].sort((a, b) => a - b)).toEqual([...onServer].sort((a, b) => a - b));
    } finally {
      lock.release();
    }
    expect(messages.syncState(full.id).uidnext).toBe(Math.max(...uids) + 1);
  });
});
