import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestStore, type TestStore } from '../../../test/engine-store.js';
import { connectImap, findUser } from '../../../test/dovecot/client.js';
import { type MessageStore } from '../db/messages.js';
import { PartStore } from '../db/parts.js';
import { afterHeaderPass } from './bodies.js';
import { type Store, type AccountRecord } from '../db/store.js';
import type { MailboxChanges } from './mailbox.js';
import { AccountRunner, backoffDelay, type ConnectionState } from './runner.js';

const server = inject('dovecot');
const USER = 'erin';
const user = findUser(server, USER);

let testStore: TestStore;
let store: Store;
let messages: MessageStore;
let parts: PartStore;
let account: AccountRecord;
let other: ImapFlow;
let runner: AccountRunner;
const states: ConnectionState[] = [];
const changes: MailboxChanges[] = [];
const passes: string[] = [];

const message = (subject: string) =>
  Buffer.from(
    `From: a@example.com\r\nTo: ${user.email}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}.${Date.now()}@x>\r\n\r\nhello\r\n`,
  );

/** Resolves when `predicate` holds, polling every 25 ms; rejects after `ms`. */
async function until(predicate: () => boolean, ms: number, what: string): Promise<number> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

/** The IMAP connections Dovecot has open for the test user (doveadm who: one line per connection). */
async function imapConnections(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('doveadm', ['-c', server.configPath, 'who', '-1', USER]);
  return stdout.split('\n').filter((line) => line.includes('imap'));
}

const inboxId = () => store.listMailboxes(account.id).find((m) => m.role === 'inbox')!.id;

beforeAll(async () => {
  testStore = openTestStore(server, USER, 'tls');
  ({ store, messages, account } = testStore);
  parts = new PartStore(testStore.db, testStore.dir);
  other = await connectImap(server, USER);
  await other.append('INBOX', message('before start'));
  runner = new AccountRunner(account, {
    store,
    messages,
    password: async () => user.password,
    onState: (s) => states.push(s),
    onPass: (r) => passes.push(r.mailboxes.map((m) => `${m.path}:${m.method}:${m.added}`).join(' ')),
    onChanges: (c) => changes.push(c),
    afterPass: (session) => afterHeaderPass(session, parts, account.id),
    pollIntervalMs: 60_000,
    backoff: { initialMs: 100, maxMs: 1000 },
  });
  runner.start();
  await until(() => runner.state === 'idle', 15_000, 'first pass and IDLE');
});

afterAll(async () => {
  await runner?.stop();
  await other?.logout().catch(() => undefined);
  testStore?.close();
});

describe('AccountRunner (IDLE, reconnect) against the real Dovecot', () => {
  it('mirrors the mailbox on start, then idles', () => {
    expect(store.listMailboxes(account.id).length, `states ${states.join(',')}; passes: ${passes.join(' | ')}`).toBeGreaterThan(0);
    expect(messages.all(inboxId()).map((m) => m.subject)).toEqual(['before start']);
    expect(states.slice(0, 3)).toEqual(['connecting', 'syncing', 'idle']);
  });

  it('shows new mail from another device within 2 seconds (IDLE push)', async () => {
    changes.length = 0;
    await other.append('INBOX', message('pushed'));
    const ms = await until(() => messages.all(inboxId()).some((m) => m.subject === 'pushed'), 2000, 'new mail during IDLE');
    expect(ms).toBeLessThan(2000);
    expect(changes.some((c) => c.added.length === 1)).toBe(true);
  });

  it('caches the text of new mail as it arrives, not at the next poll, and idles again', async () => {
    await other.append('INBOX', message('read me offline'));
    const cached = () => {
      const m = messages.all(inboxId()).find((r) => r.subject === 'read me offline');
      return m !== undefined && parts.cachedParts(m.id).size > 0;
    };
    await until(cached, 10_000, 'the new message’s text cached (the poll is a minute away)');
    await until(() => runner.state === 'idle', 5000, 'IDLE again');
    // Still idling on INBOX: the next message is pushed too.
    await other.append('INBOX', message('pushed after the prefetch'));
    await until(() => messages.all(inboxId()).some((m) => m.subject === 'pushed after the prefetch'), 2000, 'new mail during IDLE');
  });

  it('shows flag changes from another device while idling', async () => {
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd('1:*', ['\\Flagged'], { uid: true });
    } finally {
      lock.release();
    }
    await until(() => messages.all(inboxId()).every((m) => m.flagged), 2000, 'flags during IDLE');
  });

  it('gives the open folder push too, on a connection of its own, while INBOX keeps its push', async () => {
    await other.mailboxCreate('Projects');
    runner.requestPass();
    await until(() => store.listMailboxes(account.id).some((m) => m.path === 'Projects'), 10_000, 'the new folder listed');
    const projects = () => store.listMailboxes(account.id).find((m) => m.path === 'Projects')!.id;
    const connections = async () => (await imapConnections()).length;
    const before = await connections();
    expect(runner.watch(projects())).toBe(true);
    // The poll is a minute away: only a push brings these.
    await other.append('Projects', message('filed elsewhere'));
    await until(() => messages.all(projects()).some((m) => m.subject === 'filed elsewhere'), 5000, 'the first mail in the watched folder');
    expect(await connections()).toBe(before + 1);
    await other.append('Projects', message('filed again'));
    const ms = await until(() => messages.all(projects()).some((m) => m.subject === 'filed again'), 2000, 'new mail in the watched folder');
    expect(ms).toBeLessThan(2000);
    // Its text is cached at once too (by the sync connection's prefetch).
    const cached = () => messages.all(projects()).every((m) => parts.cachedParts(m.id).size > 0);
    await until(cached, 10_000, 'the watched folder’s new mail cached');
    // INBOX still has its push meanwhile.
    await other.append('INBOX', message('inbox while watching'));
    await until(() => messages.all(inboxId()).some((m) => m.subject === 'inbox while watching'), 2000, 'INBOX push while watching');
    // INBOX open: the sync connection's IDLE is enough, and the second connection is logged out.
    expect(runner.watch(inboxId())).toBe(false);
    const after = Date.now();
    while ((await connections()) !== before && Date.now() - after < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(await connections()).toBe(before);
  });

  it('lists the folders again when the open folder was deleted by another device', async () => {
    await other.mailboxCreate('Doomed');
    runner.requestPass();
    await until(() => store.listMailboxes(account.id).some((m) => m.path === 'Doomed'), 10_000, 'the folder listed');
    const doomed = store.listMailboxes(account.id).find((m) => m.path === 'Doomed')!.id;
    // Deleted elsewhere, still listed here (the poll is a minute away), and opened: its SELECT is
    // refused, and the runner lists the folders again at once.
    await other.mailboxDelete('Doomed');
    expect(runner.watch(doomed)).toBe(true);
    await until(() => !store.listMailboxes(account.id).some((m) => m.path === 'Doomed'), 10_000, 'the folder gone locally');
    runner.watch(null);
    await until(() => runner.state === 'idle', 5000, 'idle again');
  });

  it('reconnects after the server drops the connection, and catches up', async () => {
    await until(() => runner.state === 'idle', 5000, 'idle again');
    const before = states.length;
    await promisify(execFile)('doveadm', ['-c', server.configPath, 'kick', USER]);
    await other.logout().catch(() => undefined);
    other = await connectImap(server, USER);
    await other.append('INBOX', message('while away'));
    await until(() => messages.all(inboxId()).some((m) => m.subject === 'while away'), 10_000, 'caught up after reconnect');
    expect(states.slice(before)).toContain('connecting');
  });

  it('stops cleanly with LOGOUT', async () => {
    await runner.stop();
    expect(runner.state).toBe('stopped');
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with at most a quarter of jitter', () => {
    expect(backoffDelay(0, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(6000);
  });
});
