import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestStore, type TestStore } from '../../../test/engine-store.js';
import { connectImap, findUser } from '../../../test/dovecot/client.js';
import type { Db } from '../db/database.js';
import { type MessageStore } from '../db/messages.js';
import { type Store, type AccountRecord } from '../db/store.js';
import { openImap } from '../imap/connect.js';
import { ImapSession } from '../imap/session.js';
import { syncAccount } from './account.js';
import { syncMailbox } from './mailbox.js';

const server = inject('dovecot');
const USER = 'carol';
const user = findUser(server, USER);

let testStore: TestStore;
let db: Db;
let store: Store;
let messages: MessageStore;
let account: AccountRecord;
let other: ImapFlow; // "the other device"

const raw = (i: number, extra: { subject?: string; messageId?: string; inReplyTo?: string; references?: string } = {}) =>
  Buffer.from(
    [
      `From: Sender ${i} <sender${i}@example.com>`,
      `To: ${user.email}`,
      `Subject: ${extra.subject ?? `Message ${i}`}`,
      `Date: Tue, 10 Nov 2026 10:${String(i % 60).padStart(2, '0')}:00 +0900`,
      `Message-ID: ${extra.messageId ?? `<m${i}.${Date.now()}@example.com>`}`,
      ...(extra.inReplyTo ? [`In-Reply-To: ${extra.inReplyTo}`] : []),
      ...(extra.references ? [`References: ${extra.references}`] : []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of message ${i}`,
      '',
    ].join('\r\n'),
  );

/** The server's view of a folder: uid → sorted flags, subject. */
async function serverView(folder: string) {
  const lock = await other.getMailboxLock(folder);
  try {
    const out = new Map<number, { flags: string[]; subject: string }>();
    for await (const m of other.fetch('1:*', { uid: true, flags: true, envelope: true }, { uid: true })) {
      out.set(m.uid, { flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(), subject: m.envelope?.subject ?? '' });
    }
    return out;
  } finally {
    lock.release();
  }
}

function localView(folder: string) {
  const mailbox = store.listMailboxes(account.id).find((m) => m.path === folder);
  if (!mailbox) throw new Error(`no local ${folder}`);
  return new Map(messages.all(mailbox.id).map((m) => [m.uid, { flags: [...m.flags].sort(), subject: m.subject }]));
}

/** A connection of our own on the STARTTLS port, for syncMailbox with options the account pass does not take. */
async function openTestSession() {
  const client = await openImap(
    {
      host: server.host,
      port: server.imapPort,
      security: 'starttls',
      user: USER,
      trustedCertificate: server.certFingerprint256,
      trustedCertificatePem: server.certPem,
    },
    user.password,
  );
  return { client, session: new ImapSession(client, { host: server.host, port: server.imapPort, user: USER }) };
}

const sync = (extensions?: 'all' | 'condstore' | 'none') =>
  syncAccount(account, user.password, { store, messages, ...(extensions ? { extensions } : {}) });
const report = (r: Awaited<ReturnType<typeof sync>>, folder: string) => r.mailboxes.find((m) => m.path === folder);

beforeAll(async () => {
  testStore = openTestStore(server, USER);
  ({ db, store, messages, account } = testStore);
  other = await connectImap(server, USER);
  for (let i = 1; i <= 40; i++) {
    await other.append('INBOX', raw(i, i === 1 ? { subject: '日本語の件名 テスト' } : {}), i % 3 === 0 ? ['\\Seen'] : []);
  }
  await other.append('INBOX', raw(41, { messageId: '<root@example.com>', subject: 'Plans' }));
  await other.append(
    'INBOX',
    raw(42, { messageId: '<reply@example.com>', subject: 'Re: Plans', inReplyTo: '<root@example.com>', references: '<root@example.com>' }),
  );
  await other.mailboxCreate('Box');
  for (let i = 1; i <= 5; i++) await other.append('Box', raw(100 + i, { messageId: `<box${i}@example.com>` }));
});

afterAll(async () => {
  await other?.logout().catch(() => undefined);
  testStore?.close();
});

describe('sync against the real Dovecot', () => {
  it('mirrors every message of every folder on the first pass, flags included', async () => {
    const r = await sync();
    expect(report(r, 'INBOX')).toMatchObject({ method: 'initial', added: 42 });
    expect(localView('INBOX')).toEqual(await serverView('INBOX'));
    expect(localView('Box')).toEqual(await serverView('Box'));
    const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX');
    expect(inbox).toMatchObject({ total: 42, unread: 42 - 13, readOnly: false });
    expect(inbox?.uidvalidity).toBeGreaterThan(0);
    expect(inbox?.permanentFlags).toEqual(expect.arrayContaining(['\\Seen', '\\Flagged', '\\*']));
  });

  it('handles empty folders, and records which flags a shared folder lets us keep (PERMANENTFLAGS)', () => {
    const byPath = new Map(store.listMailboxes(account.id).map((m) => [m.path, m]));
    expect(byPath.get('Drafts')).toMatchObject({ total: 0, unread: 0 });
    expect(byPath.get('Drafts')?.uidvalidity).toBeGreaterThan(0);
    // Public/Announcements grants every user lookup, read and keep-seen only (ACL "anyone lrs"):
    // Dovecot opens it read-write but keeps nothing but \Seen.
    expect(byPath.get('Public/Announcements')).toMatchObject({ total: 3, permanentFlags: ['\\Seen'] });
  });

  it('decodes Japanese subjects and threads replies with their parent', () => {
    const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX')!;
    const all = messages.all(inbox.id);
    expect(all.some((m) => m.subject === '日本語の件名 テスト')).toBe(true);
    const root = all.find((m) => m.messageId === '<root@example.com>');
    const reply = all.find((m) => m.messageId === '<reply@example.com>');
    expect(root?.threadId).toBeTruthy();
    expect(reply?.threadId).toBe(root?.threadId);
  });

  it('skips every folder when nothing changed (one LIST-STATUS, no SELECT)', async () => {
    const r = await sync();
    expect(r.mailboxes.every((m) => m.method === 'skipped')).toBe(true);
  });

  it('converges after the other device flags, expunges and adds mail (QRESYNC)', async () => {
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd('1:3', ['\\Flagged', '$Work'], { uid: true });
      await other.messageFlagsRemove('3', ['\\Seen'], { uid: true });
      await other.messageDelete('10:11', { uid: true });
    } finally {
      lock.release();
    }
    await other.append('INBOX', raw(43));
    const r = await sync();
    expect(report(r, 'INBOX')).toMatchObject({ method: 'qresync', added: 1, removed: 2 });
    expect(localView('INBOX')).toEqual(await serverView('INBOX'));
  });

  it('converges through the CONDSTORE rung (CHANGEDSINCE plus an expunge check)', async () => {
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd('4:6', ['\\Answered'], { uid: true });
      await other.messageDelete('12', { uid: true });
    } finally {
      lock.release();
    }
    const r = await sync('condstore');
    expect(report(r, 'INBOX')).toMatchObject({ method: 'condstore', removed: 1 });
    expect(localView('INBOX')).toEqual(await serverView('INBOX'));
  });

  it('converges through a full UID/FLAGS scan when the server offers neither', async () => {
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd('7', ['\\Seen', 'Later'], { uid: true });
      await other.messageDelete('13', { uid: true });
    } finally {
      lock.release();
    }
    await other.append('INBOX', raw(44));
    const r = await sync('none');
    expect(report(r, 'INBOX')).toMatchObject({ method: 'full-scan', added: 1, removed: 1 });
    expect(localView('INBOX')).toEqual(await serverView('INBOX'));
  });

  it('survives a UIDVALIDITY change, re-matching messages by Message-ID so local ids survive', async () => {
    const box = store.listMailboxes(account.id).find((m) => m.path === 'Box')!;
    const before = new Map(messages.all(box.id).map((m) => [m.messageId, m.id]));
    await other.mailboxDelete('Box');
    await other.mailboxCreate('Box');
    for (let i = 1; i <= 4; i++) await other.append('Box', raw(100 + i, { messageId: `<box${i}@example.com>` }));
    const r = await sync();
    expect(report(r, 'Box')).toMatchObject({ reset: true });
    const after = store.listMailboxes(account.id).find((m) => m.path === 'Box')!;
    const rows = messages.all(after.id);
    expect(rows).toHaveLength(4);
    for (const m of rows) expect(m.id).toBe(before.get(m.messageId));
    expect(localView('Box')).toEqual(await serverView('Box'));
  });

  it('resumes a pass broken in the middle of a fetch: nothing doubled, nothing missing', async () => {
    await other.mailboxCreate('Big');
    for (let i = 1; i <= 30; i++) await other.append('Big', raw(300 + i));
    // Pick the folder up in the folder list, then break the connection after the first chunk.
    await sync();
    const big = store.listMailboxes(account.id).find((m) => m.path === 'Big')!;
    for (let i = 31; i <= 60; i++) await other.append('Big', raw(300 + i));
    const { client, session } = await openTestSession();
    await expect(syncMailbox(session, messages, big.id, { chunks: [10], onBatch: () => client.close() })).rejects.toMatchObject({
      code: expect.stringMatching(/NETWORK|SERVER_ERROR/),
    });
    expect(messages.all(big.id).length).toBeLessThan(60);
    await sync();
    const uids = messages.all(big.id).map((m) => m.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(localView('Big')).toEqual(await serverView('Big'));
  });

  it('runs one pass per folder at a time when two connections sync it at once (the open folder’s watch and the sync pass)', async () => {
    await other.mailboxCreate('Twice');
    await sync(); // lists the folder, empty
    const twice = store.listMailboxes(account.id).find((m) => m.path === 'Twice')!;
    for (let i = 1; i <= 40; i++) await other.append('Twice', raw(500 + i));
    const a = await openTestSession();
    const b = await openTestSession();
    try {
      const [first, second] = await Promise.all([
        syncMailbox(a.session, messages, twice.id, { chunks: [5], insertBatch: 5 }),
        syncMailbox(b.session, messages, twice.id, { chunks: [5], insertBatch: 5 }),
      ]);
      // The second starts from the state the first saved: it finds nothing new, and nothing is reported twice.
      expect(first.changes.added).toHaveLength(40);
      expect(second.changes.added).toEqual([]);
      expect(second.method).toBe('qresync');
    } finally {
      await a.session.logout();
      await b.session.logout();
    }
    expect(localView('Twice')).toEqual(await serverView('Twice'));
    await other.mailboxDelete('Twice');
    await sync();
  });

  it('numbers rows by date though a first pass fetches the newest chunk first (local search takes the highest ids as the newest)', async () => {
    await other.mailboxCreate('Ordered');
    await sync(); // lists the folder, empty
    const ordered = store.listMailboxes(account.id).find((m) => m.path === 'Ordered')!;
    // A message an hour, oldest first, so UID order is date order.
    for (let i = 1; i <= 12; i++) await other.append('Ordered', raw(400 + i), [], new Date(Date.UTC(2026, 10, 1, i)));
    const { session } = await openTestSession();
    try {
      await syncMailbox(session, messages, ordered.id, { chunks: [2, 3], insertBatch: 2 });
    } finally {
      await session.logout();
    }
    const uids = db.prepare('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY id').pluck().all(ordered.id) as number[];
    expect(uids).toHaveLength(12);
    expect(uids).toEqual([...uids].sort((a, b) => a - b));
    await other.mailboxDelete('Ordered');
    await sync();
  });

  it('drops a folder deleted by another client, with its messages', async () => {
    await other.mailboxDelete('Big');
    await sync();
    expect(store.listMailboxes(account.id).some((m) => m.path === 'Big')).toBe(false);
    expect(
      db.prepare('SELECT count(*) AS n FROM messages m LEFT JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.id IS NULL').get(),
    ).toEqual({ n: 0 });
  });

  it('keeps a renamed folder and its messages (same UIDVALIDITY)', async () => {
    const box = store.listMailboxes(account.id).find((m) => m.path === 'Box')!;
    const ids = messages.all(box.id).map((m) => m.id);
    await other.mailboxRename('Box', 'Crate');
    const r = await sync();
    const crate = store.listMailboxes(account.id).find((m) => m.path === 'Crate');
    expect(crate?.id).toBe(box.id);
    expect(messages.all(box.id).map((m) => m.id)).toEqual(ids);
    expect(report(r, 'Crate')?.reset).toBe(false);
  });
});
