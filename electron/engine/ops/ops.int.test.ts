import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectImap, findUser, serverFlagsBySubject, trustedAccountInput } from '../../../test/dovecot/client.js';
import { fixtureMessages } from '../../../test/seed/fixtures.js';
import type { MessageSummary } from '../../../shared/domain/message.js';
import type { Mailbox } from '../../../shared/domain/mailbox.js';
import type { Op } from '../../../shared/domain/ops.js';
import type { Result } from '../../../shared/domain/errors.js';
import { MemoryCredentialStore } from '../credentials.js';
import { openEngine, type Engine } from '../index.js';
import { openDatabase } from '../db/database.js';
import { OpStore } from '../db/ops.js';
import { sweepOutbox } from './replay.js';

const server = inject('dovecot');
const USER = 'ivan';
const user = findUser(server, USER);

let dir: string;
let engine: Engine;
let accountId: number;
let other: ImapFlow; // "the other device"

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = (await engine.invoke(name, input)) as Result<T>;
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value;
}
const sync = () => call<{ accounts: { warnings: string[] }[] }>('sync.run', { accountId });
const folders = async () => (await call<{ mailboxes: Mailbox[] }>('mailboxes.list', { accountId })).mailboxes;
const folder = async (p: string) => {
  const f = (await folders()).find((m) => m.path === p);
  if (!f) throw new Error(`no folder ${p}`);
  return f;
};
async function rows(p: string): Promise<MessageSummary[]> {
  const f = await folder(p);
  return (await call<{ messages: MessageSummary[] }>('messages.page', { mailboxId: f.id, limit: 500 })).messages;
}
const bySubject = async (p: string, subject: string) => {
  const m = (await rows(p)).find((r) => r.subject === subject);
  if (!m) throw new Error(`no “${subject}” in ${p}`);
  return m;
};
const opsList = (states = ['pending', 'failed']) => call<Op[]>('ops.list', { accountId, states });

const serverView = (p: string) => serverFlagsBySubject(other, p);
async function localView(p: string) {
  return new Map((await rows(p)).map((m) => [m.subject, [...m.flags].sort()]));
}

const raw = (subject: string) =>
  Buffer.from(
    `From: x@example.com\r\nTo: ${user.email}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}.${Math.random().toString(36).slice(2)}@x>\r\nDate: Tue, 10 Nov 2026 10:00:00 +0900\r\n\r\nbody of ${subject}\r\n`,
  );

/** Makes the account unreachable (a closed port) or reachable again, as a network outage would. */
function setReachable(reachable: boolean) {
  const db = new Database(path.join(dir, 'tegami.db'));
  db.prepare('UPDATE accounts SET port = ? WHERE id = ?').run(reachable ? server.imapsPort : 1, accountId);
  db.close();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-ops-'));
  engine = await openEngine({ dataDir: dir, host: 'cli', credentials: new MemoryCredentialStore(), version: 'test' });
  other = await connectImap(server, USER);
  for (let i = 1; i <= 12; i++) await other.append('INBOX', raw(`m${i}`));
  const added = await call<{ id: number }>('accounts.add', trustedAccountInput(server, USER));
  accountId = added.id;
  await sync();
});

afterAll(async () => {
  await other?.logout().catch(() => undefined);
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('offline operations against the real Dovecot', () => {
  it('applies a flag change locally at once, keeps it while offline, and replays it when back', async () => {
    const m = await bySubject('INBOX', 'm1');
    setReachable(false);
    await call('messages.setFlags', { ids: [m.id], add: ['\\Flagged', '$Work'], remove: [] });
    expect((await bySubject('INBOX', 'm1')).flags).toEqual(expect.arrayContaining(['\\Flagged', '$Work']));
    const offline = await engine.invoke('sync.run', { accountId });
    expect(offline).toMatchObject({ ok: false, error: { code: 'CONNECTION_REFUSED' } });
    expect((await opsList()).map((o) => [o.kind, o.state])).toEqual([['flags', 'pending']]);
    expect((await opsList())[0]?.subjects).toEqual(['m1']); // which mail it is about
    // Sync never reverts a pending change.
    expect((await bySubject('INBOX', 'm1')).flagged).toBe(true);
    setReachable(true);
    await sync();
    expect(await opsList()).toEqual([]);
    expect((await serverView('INBOX')).get('m1')).toEqual(['$Work', '\\Flagged']);
  });

  it('merges with the other device: its flag change since our sync is kept, ours added (UNCHANGEDSINCE, then merge)', async () => {
    const m = await bySubject('INBOX', 'm1');
    await call('messages.setFlags', { ids: [m.id], add: ['\\Seen'], remove: ['$Work'] });
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd({ header: { subject: 'm1' } }, ['$Theirs', '\\Answered']);
    } finally {
      lock.release();
    }
    await sync();
    expect((await serverView('INBOX')).get('m1')).toEqual(['$Theirs', '\\Answered', '\\Flagged', '\\Seen']);
    expect((await localView('INBOX')).get('m1')).toEqual(['$Theirs', '\\Answered', '\\Flagged', '\\Seen']);
  });

  it('updates the folder counts at once, and undoes a chosen action (not only the last)', async () => {
    const unreadBefore = (await folder('INBOX')).unread ?? 0;
    const m4 = await bySubject('INBOX', 'm4');
    const m5 = await bySubject('INBOX', 'm5');
    const first = await call<{ actionId: number }>('messages.setFlags', { ids: [m4.id], add: ['\\Seen'], remove: [] });
    await call('messages.setFlags', { ids: [m5.id], add: ['\\Seen'], remove: [] });
    expect((await folder('INBOX')).unread).toBe(unreadBefore - 2);
    await call('ops.undo', { accountId, actionId: first.actionId });
    expect((await bySubject('INBOX', 'm4')).seen).toBe(false);
    expect((await bySubject('INBOX', 'm5')).seen).toBe(true);
    expect((await folder('INBOX')).unread).toBe(unreadBefore - 1);
    await expect(call('ops.undo', { accountId, actionId: first.actionId })).rejects.toThrow(/undone already/);
    await call('ops.undo', { accountId });
    await sync();
    expect((await serverView('INBOX')).get('m4')).toEqual([]);
    expect((await serverView('INBOX')).get('m5')).toEqual([]);
  });

  it('passes over a change the app made by itself (marked read on opening) when undoing the last action', async () => {
    const m4 = await bySubject('INBOX', 'm4');
    const m5 = await bySubject('INBOX', 'm5');
    // The user flags m4; then opening m5 marks it read (undoable: false).
    await call('messages.setFlags', { ids: [m4.id], add: ['\\Flagged'], remove: [] });
    await call('messages.setFlags', { ids: [m5.id], add: ['\\Seen'], remove: [], undoable: false });
    await call('ops.undo', { accountId });
    expect((await bySubject('INBOX', 'm4')).flagged).toBe(false); // the user's flag is taken back
    expect((await bySubject('INBOX', 'm5')).seen).toBe(true); // the automatic read stays
    await sync();
    expect((await serverView('INBOX')).get('m4')).toEqual([]);
    expect((await serverView('INBOX')).get('m5')).toEqual(['\\Seen']);
    // Undone by its own id (the toast does that), it goes too.
    const auto = await call<{ actionId: number }>('messages.setFlags', { ids: [m4.id], add: ['\\Seen'], remove: [], undoable: false });
    await call('ops.undo', { accountId, actionId: auto.actionId });
    expect((await bySubject('INBOX', 'm4')).seen).toBe(false);
    await call('messages.setFlags', { ids: [m5.id], add: [], remove: ['\\Seen'] });
    await sync();
  });

  it('moves with COPYUID: the local row keeps its id and takes the new UID', async () => {
    const m = await bySubject('INBOX', 'm2');
    await call('messages.move', { ids: [m.id], target: (await folder('Archive')).id });
    expect((await rows('INBOX')).some((r) => r.subject === 'm2')).toBe(false);
    await sync();
    const moved = await bySubject('Archive', 'm2');
    expect(moved.id).toBe(m.id);
    expect(moved.uid).toBeGreaterThan(0);
    expect((await serverView('Archive')).has('m2')).toBe(true);
    expect((await serverView('INBOX')).has('m2')).toBe(false);
  });

  it('chains offline: create a folder, move mail into it, flag it there, rename the folder', async () => {
    setReachable(false);
    const { actionId } = await call<{ actionId: number }>('folders.create', { accountId, parentId: null, name: '取引先' });
    expect(actionId).toBeGreaterThan(0);
    const target = await folder('取引先');
    const m3 = await bySubject('INBOX', 'm3');
    await call('messages.move', { ids: [m3.id], target: target.id });
    await call('messages.setFlags', { ids: [m3.id], add: ['\\Seen'], remove: [] });
    await call('folders.rename', { mailboxId: target.id, name: '取引先2026' });
    expect((await rows('取引先2026')).map((r) => r.subject)).toEqual(['m3']);
    setReachable(true);
    await sync();
    expect(await opsList()).toEqual([]);
    expect(await serverView('取引先2026')).toEqual(new Map([['m3', ['\\Seen']]]));
    expect(await localView('取引先2026')).toEqual(new Map([['m3', ['\\Seen']]]));
  });

  it('copies and deletes (to Trash), and expunges exactly the chosen messages', async () => {
    const m4 = await bySubject('INBOX', 'm4');
    const m5 = await bySubject('INBOX', 'm5');
    const trashBefore = (await folder('Trash')).total ?? 0;
    const archiveBefore = (await folder('Archive')).total ?? 0;
    await call('messages.copy', { ids: [m4.id], target: (await folder('Archive')).id });
    await call('messages.delete', { ids: [m5.id] });
    // The folders' counts follow at once, the Trash's too (before the replay).
    expect((await folder('Archive')).total).toBe(archiveBefore + 1);
    expect((await folder('Trash')).total).toBe(trashBefore + 1);
    // Another client's \Deleted message must survive our expunge (no bare EXPUNGE).
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd({ header: { subject: 'm6' } }, ['\\Deleted']);
    } finally {
      lock.release();
    }
    await sync();
    const m7 = await bySubject('INBOX', 'm7');
    await call('messages.expunge', { ids: [m7.id] });
    await sync();
    const inbox = await serverView('INBOX');
    expect(inbox.has('m4')).toBe(true);
    expect(inbox.has('m5')).toBe(false);
    expect(inbox.has('m7')).toBe(false);
    expect(inbox.get('m6')).toContain('\\Deleted');
    expect((await serverView('Archive')).has('m4')).toBe(true);
    expect((await serverView('Trash')).has('m5')).toBe(true);
    expect(await localView('Trash')).toEqual(await serverView('Trash'));
  });

  it('appends a message and learns its UID from APPENDUID', async () => {
    const drafts = await folder('Drafts');
    await call('messages.append', { mailboxId: drafts.id, raw: raw('draft one').toString('base64'), flags: ['\\Draft'] });
    expect((await rows('Drafts')).map((r) => r.subject)).toEqual(['draft one']);
    await sync();
    const [d] = await rows('Drafts');
    expect(d?.uid).toBeGreaterThan(0);
    expect(await serverView('Drafts')).toEqual(new Map([['draft one', ['\\Draft']]]));
    expect((await rows('Drafts')).length).toBe(1);
    // Its file goes once the operation is recorded done.
    expect(readdirSync(path.join(dir, 'outbox'))).toEqual([]);
  });

  it('appends a message with HTML and an attachment: read as the server has it, its attachment fetched by part once there', async () => {
    const drafts = await folder('Drafts');
    const pdf = Buffer.from('%PDF-1.4 appended attachment bytes');
    const multipart = (subject: string, extraHeader = '') =>
      Buffer.from(
        [
          'From: x@example.com',
          `To: ${user.email}`,
          `Subject: ${subject}`,
          ...(extraHeader ? [extraHeader] : []),
          `Message-ID: <${subject.replace(/\W/g, '')}.${Math.random().toString(36).slice(2)}@x>`,
          'Date: Tue, 10 Nov 2026 10:00:00 +0900',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="outer"',
          '',
          '--outer',
          'Content-Type: multipart/alternative; boundary="inner"',
          '',
          '--inner',
          'Content-Type: text/plain; charset=utf-8',
          '',
          `Plain ${subject}`,
          '--inner',
          'Content-Type: text/html; charset=utf-8',
          '',
          `<p>Rich <b>${subject}</b></p>`,
          '--inner--',
          '--outer',
          'Content-Type: application/pdf; name="plan.pdf"',
          'Content-Disposition: attachment; filename="plan.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          pdf.toString('base64'),
          '--outer',
          'Content-Type: text/csv; name="numbers.csv"',
          'Content-Disposition: attachment; filename="numbers.csv"',
          'Content-Transfer-Encoding: quoted-printable',
          '',
          'a,b=2Cc',
          '--outer--',
          '',
        ].join('\r\n'),
      );
    type Opened = {
      detail: { htmlPart: string | null; attachments: Array<{ part: string; filename: string | null }> };
      part: { text?: string } | null;
    };
    setReachable(false);
    await call('messages.append', { mailboxId: drafts.id, raw: multipart('rich draft').toString('base64'), flags: ['\\Draft'] });
    const queued = await bySubject('Drafts', 'rich draft');
    // Offline, before it is on the server: its HTML version, and its attachment listed by its part.
    const offline = await call<Opened>('messages.open', { id: queued.id });
    expect(offline.detail.htmlPart).toBe('1.2');
    expect(offline.part?.text).toContain('<b>rich draft</b>');
    expect(offline.detail.attachments).toMatchObject([
      { part: '2', filename: 'plan.pdf' },
      { part: '3', filename: 'numbers.csv' },
    ]);
    // Its attachment and its source open offline: cut from the message it was saved from.
    const local = await call<{ kind: string; file: string }>('messages.part', { id: queued.id, part: '2' });
    expect(readFileSync(local.file)).toEqual(pdf);
    expect((await call<{ text: string }>('messages.source', { id: queued.id })).text).toContain('Subject: rich draft');
    setReachable(true);
    await sync();
    const placed = await bySubject('Drafts', 'rich draft');
    expect(placed.id).toBe(queued.id);
    expect(placed.uid).toBeGreaterThan(0);
    // On the server now; with the server out of reach, a part not opened yet still comes from the source.
    setReachable(false);
    const csv = await call<{ kind: string; file: string }>('messages.part', { id: placed.id, part: '3' });
    expect(readFileSync(csv.file, 'utf8')).toBe('a,b,c');
    setReachable(true);

    // One the local parse is not sure of (a duplicated Subject): its row goes after the APPEND and
    // the sync stores the server's, whose attachment then opens the same way.
    await call('messages.append', {
      mailboxId: drafts.id,
      raw: multipart('odd draft', 'Subject: odd draft').toString('base64'),
      flags: ['\\Draft'],
    });
    const odd = await bySubject('Drafts', 'odd draft');
    expect((await call<Opened>('messages.open', { id: odd.id })).detail.htmlPart).toBeNull(); // no structure
    await sync();
    const fetched = await bySubject('Drafts', 'odd draft');
    expect(fetched.uid).toBeGreaterThan(0);
    expect((await call<Opened>('messages.open', { id: fetched.id })).detail.htmlPart).toBe('1.2'); // the server's
    expect((await rows('Drafts')).filter((r) => r.subject === 'odd draft')).toHaveLength(1);
    // The server's row, its own attachment fetched from the server.
    const oddFile = await call<{ file: string }>('messages.part', { id: fetched.id, part: '2' });
    expect(readFileSync(oddFile.file)).toEqual(pdf);
    expect(await opsList()).toEqual([]);
  });

  it('opens the attachments of a message moved or copied while the change waits for the replay, from where the server has it', async () => {
    const f = fixtureMessages().find((m) => m.key === 'attachments')!;
    await other.append('INBOX', Buffer.from(f.raw.toString('latin1').replace(/Message-ID: <[^>]+>/i, 'Message-ID: <waiting@x>'), 'latin1'));
    await sync();
    const original = (await rows('INBOX')).find((r) => r.messageId === '<waiting@x>')!;
    const detail = await call<{ attachments: Array<{ part: string; inline: boolean }> }>('messages.get', { id: original.id });
    const part = detail.attachments.find((a) => !a.inline)!.part;
    // Queued, not replayed (no sync yet): the copy and the moved message have no UID on the server.
    await call('messages.copy', { ids: [original.id], target: (await folder('Archive')).id });
    const copy = (await rows('Archive')).find((r) => r.messageId === '<waiting@x>')!;
    expect(copy.uid).toBeLessThan(0);
    const fromCopy = await call<{ file: string }>('messages.part', { id: copy.id, part });
    await call('messages.move', { ids: [original.id], target: (await folder('Junk')).id });
    expect((await bySubject('Junk', original.subject)).uid).toBeLessThan(0);
    const fromMoved = await call<{ file: string }>('messages.part', { id: original.id, part });
    expect(readFileSync(fromCopy.file).equals(readFileSync(fromMoved.file))).toBe(true);
    expect(readFileSync(fromMoved.file).length).toBeGreaterThan(100);
    await sync();
    expect(await opsList()).toEqual([]);
    expect((await serverView('Junk')).has(original.subject)).toBe(true);
    expect((await serverView('Archive')).has(original.subject)).toBe(true);
  });

  it('tidies the outbox of message files no queued APPEND needs, once they are an hour old', async () => {
    const drafts = await folder('Drafts');
    setReachable(false); // the APPEND stays queued: its file is in use
    try {
      await call('messages.append', { mailboxId: drafts.id, raw: raw('draft queued').toString('base64'), flags: ['\\Draft'] });
      const outbox = path.join(dir, 'outbox');
      const [queued] = readdirSync(outbox);
      const orphan = path.join(outbox, 'left-by-a-crash.eml');
      const young = path.join(outbox, 'being-queued.eml');
      writeFileSync(orphan, 'x');
      writeFileSync(young, 'x');
      const hoursAgo = new Date(Date.now() - 2 * 3600_000);
      utimesSync(orphan, hoursAgo, hoursAgo);
      utimesSync(path.join(outbox, queued!), hoursAgo, hoursAgo);
      const db = openDatabase(path.join(dir, 'tegami.db'));
      try {
        expect(await sweepOutbox(new OpStore(db), dir)).toEqual([orphan]);
      } finally {
        db.close();
      }
      expect(readdirSync(outbox).sort()).toEqual([queued, 'being-queued.eml'].sort());
      rmSync(young);
    } finally {
      setReachable(true);
    }
    await sync();
    expect(readdirSync(path.join(dir, 'outbox'))).toEqual([]);
    expect((await rows('Drafts')).filter((r) => r.subject === 'draft queued')).toHaveLength(1);
  });

  it('finds by Message-ID an APPEND that reached the server before the engine died, its file gone: not lost, not doubled', async () => {
    const drafts = await folder('Drafts');
    const bytes = raw('draft two');
    await call('messages.append', { mailboxId: drafts.id, raw: bytes.toString('base64'), flags: ['\\Draft'] });
    // What an earlier version could leave after a crash: the APPEND on the server (here the other
    // device appends the same message), one attempt recorded, and the file deleted before the
    // operation was recorded done.
    await other.append('Drafts', bytes, ['\\Draft']);
    const db = new Database(path.join(dir, 'tegami.db'));
    const op = db.prepare("SELECT id, payload FROM ops WHERE kind = 'append' AND state = 'pending'").get() as {
      id: number;
      payload: string;
    };
    db.prepare('UPDATE ops SET attempts = 1 WHERE id = ?').run(op.id);
    db.close();
    rmSync((JSON.parse(op.payload) as { file: string }).file);
    const onServer = async () => {
      const status = await other.status('Drafts', { messages: true });
      if (!status) throw new Error('STATUS Drafts failed');
      return status.messages;
    };
    const before = await onServer();
    await sync();
    expect(await opsList()).toEqual([]);
    expect(await onServer()).toBe(before);
    expect((await rows('Drafts')).filter((r) => r.subject === 'draft two')).toHaveLength(1);
  });

  it('undoes the last actions, before and after replay, as new operations', async () => {
    const m8 = await bySubject('INBOX', 'm8');
    await call('messages.setFlags', { ids: [m8.id], add: ['\\Flagged'], remove: [] });
    await sync();
    await call('messages.move', { ids: [m8.id], target: (await folder('Archive')).id });
    expect(await call('ops.undo', { accountId })).toMatchObject({ undone: expect.any(Number) }); // the move
    expect(await call('ops.undo', { accountId })).toMatchObject({ undone: expect.any(Number) }); // the flag
    await sync();
    expect((await serverView('INBOX')).get('m8')).toEqual([]);
    expect((await serverView('Archive')).has('m8')).toBe(false);
    expect((await bySubject('INBOX', 'm8')).flagged).toBe(false);
  });

  it('conflict: we flag, they delete — the change fails with a reason and the message goes', async () => {
    const m9 = await bySubject('INBOX', 'm9');
    await call('messages.setFlags', { ids: [m9.id], add: ['\\Flagged'], remove: [] });
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageDelete({ header: { subject: 'm9' } });
    } finally {
      lock.release();
    }
    await sync();
    const failed = await opsList(['failed']);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error?.message).toBe('The message no longer exists on the server; its flags could not be changed.');
    expect(failed[0]?.subjects).toEqual(['m9']); // gone locally too: the subject it had is kept with the change
    expect((await rows('INBOX')).some((r) => r.subject === 'm9')).toBe(false);
    await call('ops.discard', { opId: failed[0]?.id });
    expect(await opsList()).toEqual([]);
  });

  it('conflict: we delete, they flag — the delete wins, their flag is not resurrected', async () => {
    const m10 = await bySubject('INBOX', 'm10');
    await call('messages.delete', { ids: [m10.id] });
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd({ header: { subject: 'm10' } }, ['\\Flagged']);
    } finally {
      lock.release();
    }
    await sync();
    expect((await serverView('INBOX')).has('m10')).toBe(false);
    expect((await serverView('Trash')).get('m10')).toContain('\\Flagged');
    expect((await rows('INBOX')).some((r) => r.subject === 'm10')).toBe(false);
  });

  it('conflict: we move, they move it elsewhere first — ours fails visibly and the row follows the server', async () => {
    const m11 = await bySubject('INBOX', 'm11');
    setReachable(false);
    await call('messages.move', { ids: [m11.id], target: (await folder('Archive')).id });
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageMove({ header: { subject: 'm11' } }, 'Junk');
    } finally {
      lock.release();
    }
    setReachable(true);
    await sync();
    // The server would have answered OK to a MOVE of a UID that is not there, moving nothing.
    const [failed] = await opsList(['failed']);
    expect(failed).toMatchObject({ kind: 'move', state: 'failed', subjects: ['m11'] });
    expect(failed?.error?.message).toBe(
      'The message is no longer in “INBOX” on the server (moved or deleted on another device); it could not be moved.',
    );
    await sync();
    expect((await serverView('Junk')).has('m11')).toBe(true);
    expect((await serverView('Archive')).has('m11')).toBe(false);
    expect(await localView('Junk')).toEqual(await serverView('Junk'));
    expect(await localView('Archive')).toEqual(await serverView('Archive'));

    // The message it was about is gone from here (it came back from Junk as the server has it):
    // a retry says so, and the change stays in the failed list until discarded.
    await expect(call('ops.retry', { opId: failed!.id })).rejects.toThrow(/NOT_FOUND Some of those messages no longer exist/);
    expect((await opsList(['failed'])).map((o) => o.id)).toEqual([failed!.id]);
    await call('ops.discard', { opId: failed!.id });
    expect(await opsList()).toEqual([]);
    // Only a failed operation can be retried or discarded.
    await expect(call('ops.retry', { opId: failed!.id })).rejects.toThrow(/NOT_FOUND/);
    await expect(call('ops.discard', { opId: failed!.id })).rejects.toThrow(/NOT_FOUND/);
  });

  it('retries a failed move from the failed list: made again locally, the counts follow, replayed again', async () => {
    const shared = (await folders()).find((m) => m.namespace === 'shared' && m.selectable);
    expect(shared).toBeTruthy();
    const m8 = await bySubject('INBOX', 'm8');
    const counts = async () => [(await folder('INBOX')).total, (await folder(shared!.path)).total];
    const [inbox, there] = await counts();
    await call('messages.move', { ids: [m8.id], target: shared!.id });
    await sync();
    // The server refuses mail in the shared folder: the move fails and the message is back.
    const [failed] = await opsList(['failed']);
    expect(failed).toMatchObject({ kind: 'move', state: 'failed', subjects: ['m8'] });
    expect(await counts()).toEqual([inbox, there]);
    expect((await bySubject('INBOX', 'm8')).id).toBe(m8.id);

    await call('ops.retry', { opId: failed!.id });
    expect((await opsList()).map((o) => [o.kind, o.state])).toEqual([['move', 'pending']]);
    expect(await counts()).toEqual([inbox! - 1, there! + 1]);
    expect((await rows(shared!.path)).some((r) => r.id === m8.id)).toBe(true);
    await sync();
    expect((await opsList(['failed'])).map((o) => o.kind)).toEqual(['move']);
    expect(await counts()).toEqual([inbox, there]);
    expect((await serverView('INBOX')).has('m8')).toBe(true);
    await call('ops.discard', { opId: (await opsList(['failed']))[0]!.id });
  });

  it('conflict: we append to a folder they deleted — it is created again (TRYCREATE) and the message lands', async () => {
    await other.mailboxCreate('Later');
    await sync();
    const later = await folder('Later');
    await call('messages.append', { mailboxId: later.id, raw: raw('for later').toString('base64'), flags: [] });
    await other.mailboxDelete('Later');
    await sync();
    expect(await serverView('Later')).toEqual(new Map([['for later', []]]));
  });

  it('conflict: we rename a folder, they add mail to it — the mail is there under the new name', async () => {
    await other.mailboxCreate('Old name');
    await sync();
    const f = await folder('Old name');
    await call('folders.rename', { mailboxId: f.id, name: 'New name' });
    await other.append('Old name', raw('added meanwhile'));
    await sync();
    expect((await folder('New name')).id).toBe(f.id);
    expect((await serverView('New name')).has('added meanwhile')).toBe(true);
    expect((await rows('New name')).some((r) => r.subject === 'added meanwhile')).toBe(true);
  });

  it('subscribes, unsubscribes and deletes folders (offline, then replayed)', async () => {
    const f = await folder('New name');
    setReachable(false);
    await call('folders.subscribe', { mailboxId: f.id, subscribed: false });
    expect((await folder('New name')).subscribed).toBe(false);
    setReachable(true);
    await sync();
    const listed = (await other.list()).find((m) => m.path === 'New name');
    expect(listed).toBeTruthy();
    expect(listed?.subscribed).not.toBe(true); // imapflow leaves it unset for an unsubscribed folder
    expect((await folder('New name')).subscribed).toBe(false);
    await call('folders.delete', { mailboxId: f.id });
    expect((await folders()).some((m) => m.path === 'New name')).toBe(false);
    await sync();
    expect((await other.list()).some((m) => m.path === 'New name')).toBe(false);
    expect(await opsList()).toEqual([]);
  });

  it('renames a folder tree with its subscriptions, and deletes it with its subfolders', async () => {
    const mine = await connectImap(server, USER, 'tls'); // a client of its own: nothing selected
    // Subscriptions as the server keeps them: imapflow's list() merges LSUB, whose names need not
    // exist any more (RFC 3501 6.3.9; such entries come with listed: false).
    const lsub = async () =>
      (await mine.list())
        .filter((m) => m.subscribed)
        .map((m) => m.path)
        .sort();
    const before = await lsub();
    for (const p of ['会議メモ', '会議メモ/2025年', '会議メモ/2025年/12月', '会議メモ/Hidden']) await mine.mailboxCreate(p);
    await mine.mailboxUnsubscribe('会議メモ/Hidden'); // imapflow subscribes what it creates
    await mine.append('会議メモ/2025年', raw('in the subfolder'));
    await sync();
    const oldNames = (await lsub()).filter((n) => !before.includes(n));
    expect(oldNames).toHaveLength(3);
    const subscribed = async () =>
      (await mine.list())
        .filter((m) => m.subscribed && m.path.startsWith('議事録'))
        .map((m) => m.path)
        .sort();

    await call('folders.rename', { mailboxId: (await folder('会議メモ')).id, name: '議事録' });
    await sync();
    expect(await subscribed()).toEqual(['議事録', '議事録/2025年', '議事録/2025年/12月']);
    expect((await lsub()).filter((n) => oldNames.includes(n))).toEqual([]); // the old names' subscriptions went
    expect((await folder('議事録/2025年')).subscribed).toBe(true);
    expect((await folder('議事録/Hidden')).subscribed).toBe(false);
    expect((await rows('議事録/2025年')).some((r) => r.subject === 'in the subfolder')).toBe(true);

    await call('folders.delete', { mailboxId: (await folder('議事録')).id });
    // The subfolders go from the tree at once, with the folder.
    expect((await folders()).some((m) => m.path.startsWith('議事録'))).toBe(false);
    await sync();
    expect((await mine.list()).some((m) => m.path.startsWith('議事録'))).toBe(false);
    expect(await lsub()).toEqual(before); // and their subscriptions
    expect((await folders()).some((m) => m.path.startsWith('議事録'))).toBe(false);
    expect(await opsList()).toEqual([]);
    await mine.logout();
  });

  it('empties a folder: exactly its messages are expunged, on the server too', async () => {
    const trash = await folder('Trash');
    expect((await rows('Trash')).length).toBeGreaterThan(0);
    await call('folders.empty', { mailboxId: trash.id });
    expect(await rows('Trash')).toEqual([]);
    await sync();
    expect((await serverView('Trash')).size).toBe(0);
    expect((await serverView('INBOX')).size).toBeGreaterThan(0);
  });

  it('refuses a permanent failure without blocking the queue: a read-only folder', async () => {
    const shared = (await folders()).find((m) => m.namespace === 'shared' && m.selectable);
    expect(shared).toBeTruthy();
    const [msg] = await rows(shared!.path);
    const m12 = await bySubject('INBOX', 'm12');
    await call('messages.setFlags', { ids: [msg!.id], add: ['\\Flagged'], remove: [] });
    await call('messages.setFlags', { ids: [m12.id], add: ['\\Answered'], remove: [] });
    await sync();
    // \\Flagged is not among the shared folder's PERMANENTFLAGS: the server keeps nothing, the
    // local state follows the server, and the change behind it went through.
    expect((await rows(shared!.path)).find((r) => r.id === msg!.id)?.flagged).toBe(false);
    expect((await serverView('INBOX')).get('m12')).toContain('\\Answered');
  });
});
