// Working offline (sync.setOffline), against the real Dovecot: every connection is logged out
// (counted with doveadm who), none is made while offline (not even after a restart: the profile
// keeps it), what needs the server is refused in words of its own, changes queue, and going online
// replays them and catches up with what another device did meanwhile.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectImap, findUser } from '../../test/dovecot/client.js';
import { MemoryCredentialStore } from './credentials.js';
import type { Engine } from './engine.js';
import { openEngine } from './index.js';

const server = inject('dovecot');
const USER = 'mike';
const user = findUser(server, USER);
const DAY = 24 * 3600_000;

const mail = (subject: string, date: Date) =>
  Buffer.from(
    [
      'From: Someone <someone@example.com>',
      `To: ${user.email}`,
      `Subject: ${subject}`,
      `Date: ${date.toUTCString()}`,
      `Message-ID: <${subject.replace(/\W/g, '')}@offline.test>`,
      '',
      `The text of ${subject}.`,
      '',
    ].join('\r\n'),
  );

/** "The other device", connected only while it acts: the connections counted are then Tegami's alone. */
async function otherDevice<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = await connectImap(server, USER);
  try {
    return await fn(client);
  } finally {
    await client.logout();
  }
}

/** The IMAP connections Dovecot has open for the user (doveadm who: one line per connection). */
async function connections(): Promise<number> {
  const { stdout } = await promisify(execFile)('doveadm', ['-c', server.configPath, 'who', '-1', USER]);
  return stdout.split('\n').filter((line) => line.includes('imap')).length;
}

let dataDir: string;
const credentials = new MemoryCredentialStore();
let engine: Engine;
let accountId = 0;
const events: Array<{ name: string; payload: unknown }> = [];

async function open(): Promise<Engine> {
  const e = await openEngine({ dataDir, host: 'cli', credentials, version: 'test' });
  e.onEvent((name, payload) => events.push({ name, payload }));
  return e;
}

async function call<T>(name: string, input: unknown): Promise<T> {
  const result = await engine.invoke(name, input);
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  return result.value as T;
}
const refusal = async (name: string, input: unknown) => {
  const result = await engine.invoke(name, input);
  return result.ok ? null : { code: result.error.code, message: result.error.message };
};
const states = async () => (await call<Array<{ state: string }>>('sync.status', {})).map((s) => s.state);
const inboxId = async () =>
  (await call<{ mailboxes: Array<{ id: number; role: string | null }> }>('mailboxes.list', { accountId })).mailboxes.find(
    (m) => m.role === 'inbox',
  )!.id;
const subjects = async () =>
  (await call<{ messages: Array<{ subject: string }> }>('messages.page', { mailboxId: await inboxId() })).messages.map((m) => m.subject);

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-offline-'));
  await otherDevice(async (other) => {
    await other.append('INBOX', mail('Recent letter', new Date(Date.now() - DAY)));
    // Older than the offline window: its text is not cached, only the server has it.
    await other.append('INBOX', mail('Old letter', new Date(Date.now() - 400 * DAY)), [], new Date(Date.now() - 400 * DAY));
  });
  engine = await open();
  const added = await call<{ id: number }>('accounts.add', {
    name: 'Mike',
    email: user.email,
    user: user.user,
    host: server.host,
    port: server.imapsPort,
    security: 'tls',
    password: user.password,
    trustCertificate: server.certFingerprint256,
  });
  accountId = added.id;
  engine.startBackgroundSync?.();
  // Synced, its in-window text cached, and idling on INBOX (expect.poll works in tests only).
  for (const start = Date.now(); (await states()).join() !== 'idle'; await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() - start > 20_000) throw new Error(`the first pass did not end: ${(await states()).join()}`);
  // Its source viewed once online (a file in the part cache): a copy made offline brings that too.
  const recent = (
    await call<{ messages: Array<{ id: number; subject: string }> }>('messages.page', { mailboxId: await inboxId() })
  ).messages.find((m) => m.subject === 'Recent letter')!;
  await call('messages.source', { id: recent.id });
});

afterAll(async () => {
  await engine?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('working offline', () => {
  it('logs every connection out, says so, and refuses what needs the server in its own words', async () => {
    expect(await connections()).toBeGreaterThan(0);
    expect(await call('sync.offline', {})).toEqual({ offline: false });
    expect(await call('sync.setOffline', { offline: true })).toEqual({ offline: true });
    expect(events).toContainEqual({ name: 'sync.offline', payload: { offline: true } });
    expect(await states()).toEqual(['paused']);
    await expect.poll(connections, { timeout: 10_000 }).toBe(0);

    const old = (
      await call<{ messages: Array<{ id: number; subject: string }> }>('messages.page', { mailboxId: await inboxId() })
    ).messages.find((m) => m.subject === 'Old letter')!;
    expect(await refusal('messages.part', { id: old.id, part: '1' })).toEqual({
      code: 'WORKING_OFFLINE',
      message: 'This is not on this computer yet, and you are working offline. Go online to download it.',
    });
    for (const [name, input] of [
      ['search.server', { accountId, query: 'letter' }],
      ['sync.run', { accountId }],
      ['mailboxes.refresh', { accountId }],
      ['remote.image', { url: 'http://127.0.0.1:9/image.png' }],
      [
        'accounts.add',
        { name: 'Again', email: 'x@example.com', user: 'x', host: server.host, port: server.imapsPort, security: 'tls', password: 'x' },
      ],
    ] as const)
      expect(await refusal(name, input), name).toMatchObject({
        code: 'WORKING_OFFLINE',
        message: expect.stringMatching(/^You are working offline\. Go online to /),
      });
    // What is on this computer reads and searches as ever.
    const recent = (
      await call<{ messages: Array<{ id: number; subject: string }> }>('messages.page', { mailboxId: await inboxId() })
    ).messages.find((m) => m.subject === 'Recent letter')!;
    expect(await call('messages.part', { id: recent.id, part: '1' })).toMatchObject({
      kind: 'text',
      text: expect.stringContaining('Recent letter'),
    });
    expect(await connections()).toBe(0);
  });

  it('queues changes and connects to nothing, even after a restart, while another device changes the server', async () => {
    const recent = (
      await call<{ messages: Array<{ id: number; subject: string }> }>('messages.page', { mailboxId: await inboxId() })
    ).messages.find((m) => m.subject === 'Recent letter')!;
    await call('messages.setFlags', { ids: [recent.id], add: ['\\Flagged'] });
    // Filed into a folder made offline: the copy reads offline as the original does (its cached
    // text comes with it) and local search finds it by its text.
    await call('folders.create', { accountId, name: 'Kept' });
    const kept = (await call<{ mailboxes: Array<{ id: number; path: string }> }>('mailboxes.list', { accountId })).mailboxes.find(
      (m) => m.path === 'Kept',
    )!;
    await call('messages.copy', { ids: [recent.id], target: kept.id });
    const copy = (await call<{ messages: Array<{ id: number; subject: string }> }>('messages.page', { mailboxId: kept.id })).messages[0]!;
    expect(copy.subject).toBe('Recent letter');
    expect(await call('messages.part', { id: copy.id, part: '1' })).toMatchObject({
      kind: 'text',
      text: expect.stringContaining('Recent letter'),
    });
    const source = await call<{ file: string; text: string }>('messages.source', { id: copy.id });
    expect(source.text).toContain('Subject: Recent letter');
    expect(source.file).toContain(`${path.sep}${copy.id}${path.sep}`);
    // A message saved offline (a draft, an imported .eml) reads offline before it reaches the server.
    await call('messages.append', { mailboxId: kept.id, raw: mail('Saved offline', new Date()).toString('base64'), flags: ['\\Seen'] });
    const saved = (await call<{ messages: Array<{ id: number; subject: string }> }>('messages.page', { mailboxId: kept.id })).messages.find(
      (m) => m.subject === 'Saved offline',
    )!;
    const opened = await call<{ part: { text: string } | null }>('messages.open', { id: saved.id });
    expect(opened.part?.text).toContain('The text of Saved offline.');
    await otherDevice((other) => other.append('INBOX', mail('Arrived meanwhile', new Date())));

    // The profile keeps it: a restarted engine makes no connection either.
    await engine.close();
    engine = await open();
    expect(await call('sync.offline', {})).toEqual({ offline: true });
    engine.startBackgroundSync?.();
    expect(await states()).toEqual(['paused']);
    // A connection would show in well under a second (the first test saw the sync connection at once).
    await new Promise((r) => setTimeout(r, 1500));
    await expect.poll(connections).toBe(0); // the other device's logout may show a moment late
    expect(await subjects()).not.toContain('Arrived meanwhile');
    const ops = await call<Array<{ state: string }>>('ops.list', { accountId });
    expect(ops.map((o) => o.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    const flagged = await otherDevice(async (other) => {
      await other.mailboxOpen('INBOX');
      return other.search({ flagged: true }, { uid: true });
    });
    expect(flagged).toEqual([]);
  });

  it('going online replays the queue and catches up', async () => {
    expect(await call('sync.setOffline', { offline: false })).toEqual({ offline: false });
    expect(events).toContainEqual({ name: 'sync.offline', payload: { offline: false } });
    await expect.poll(states, { timeout: 20_000 }).toEqual(['idle']);
    await expect.poll(subjects, { timeout: 10_000 }).toContain('Arrived meanwhile');
    await expect.poll(async () => (await call<unknown[]>('ops.list', { accountId })).length, { timeout: 10_000 }).toBe(0);
    const [flagged, recent] = await otherDevice(async (other) => {
      await other.mailboxOpen('INBOX');
      return [await other.search({ flagged: true }, { uid: true }), await other.search({ subject: 'Recent letter' }, { uid: true })];
    });
    expect(flagged).toEqual(recent);
    expect(recent).toHaveLength(1);
    const filed = await otherDevice(async (other) => {
      await other.mailboxOpen('Kept');
      return [
        await other.search({ subject: 'Recent letter' }, { uid: true }),
        await other.search({ subject: 'Saved offline' }, { uid: true }),
      ];
    });
    expect(filed.map((uids) => (uids || []).length)).toEqual([1, 1]);
    await expect.poll(connections).toBeGreaterThan(0);
    expect(await call('sync.offline', {})).toEqual({ offline: false });
  });
});
