import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectImap, findUser, serverFlagsBySubject } from '../../../test/dovecot/client.js';
import { openTestStore, type TestStore } from '../../../test/engine-store.js';
import { OpStore } from '../db/ops.js';
import { openSession, syncAccount } from '../sync/account.js';
import { replayQueue } from './replay.js';

// The fallbacks for servers without MOVE or UIDPLUS (RFC 4549 4.2.4), and a folder whose
// UIDVALIDITY changed under queued operations (RFC 4549 4.1), run against the real Dovecot with the
// session told to act as if those extensions were missing.
const server = inject('dovecot');
const USER = 'heidi';
const user = findUser(server, USER);

let t: TestStore;
let ops: OpStore;
let other: ImapFlow;

const raw = (subject: string) =>
  Buffer.from(`From: x@example.com\r\nTo: ${user.email}\r\nSubject: ${subject}\r\nMessage-ID: <${subject}.fallback@x>\r\n\r\nbody\r\n`);
const sync = () => syncAccount(t.account, user.password, { store: t.store, messages: t.messages });
const folderId = (p: string) => t.store.listMailboxes(t.account.id).find((m) => m.path === p)!.id;
const idOf = (p: string, subject: string) => t.messages.all(folderId(p)).find((m) => m.subject === subject)!.id;
async function replay(without: string[]) {
  const session = await openSession(t.account, user.password, { without });
  try {
    return await replayQueue(session, ops, t.account.id);
  } finally {
    await session.logout();
  }
}
const serverView = (p: string) => serverFlagsBySubject(other, p);

beforeAll(async () => {
  t = openTestStore(server, USER);
  ops = new OpStore(t.db);
  other = await connectImap(server, USER);
  for (const s of ['f1', 'f2', 'f3', 'f4']) await other.append('INBOX', raw(s));
  await other.mailboxCreate('Box');
  await other.append('Box', raw('b1'));
  // Another client's message marked \Deleted: no expunge of ours may take it along.
  await other.append('INBOX', raw('theirs'), ['\\Deleted']);
  await sync();
});

afterAll(async () => {
  await other?.logout().catch(() => undefined);
  t?.close();
});

describe('replay fallbacks against the real Dovecot', () => {
  it('without MOVE: COPY, \\Deleted and UID EXPUNGE of exactly that message', async () => {
    ops.move([idOf('INBOX', 'f1')], folderId('Archive'));
    const report = await replay(['MOVE']);
    expect(report).toMatchObject({ done: 1, failed: 0 });
    expect((await serverView('Archive')).has('f1')).toBe(true);
    const inbox = await serverView('INBOX');
    expect(inbox.has('f1')).toBe(false);
    expect(inbox.get('theirs')).toEqual(['\\Deleted']);
    await sync();
    expect(t.messages.all(folderId('Archive')).filter((m) => m.subject === 'f1')).toHaveLength(1);
  });

  it('without MOVE and UIDPLUS: the original stays marked \\Deleted (no bare EXPUNGE), the copy arrives once', async () => {
    ops.move([idOf('INBOX', 'f2')], folderId('Archive'));
    expect(await replay(['MOVE', 'UIDPLUS'])).toMatchObject({ done: 1, failed: 0 });
    const inbox = await serverView('INBOX');
    expect(inbox.get('f2')).toEqual(['\\Deleted']);
    expect(inbox.get('theirs')).toEqual(['\\Deleted']);
    expect((await serverView('Archive')).has('f2')).toBe(true);
    // No COPYUID: the placeholder went, and the next sync brings the copy, once.
    await sync();
    expect(t.messages.all(folderId('Archive')).filter((m) => m.subject === 'f2')).toHaveLength(1);
    expect(t.messages.all(folderId('INBOX')).find((m) => m.subject === 'f2')?.flags).toEqual(['\\Deleted']);
  });

  it('without UIDPLUS, an expunge leaves the message marked \\Deleted instead of a bare EXPUNGE', async () => {
    ops.expunge([idOf('INBOX', 'f3')]);
    expect(await replay(['UIDPLUS'])).toMatchObject({ done: 1 });
    const inbox = await serverView('INBOX');
    expect(inbox.get('f3')).toEqual(['\\Deleted']);
    expect(inbox.get('theirs')).toEqual(['\\Deleted']);
  });

  it('a folder reset under queued operations: UID operations fail visibly and revert, appends still happen', async () => {
    const b1 = idOf('Box', 'b1');
    ops.setFlags([b1], ['\\Flagged'], []);
    const file = path.join(t.dir, 'queued.eml');
    await writeFile(file, raw('queued append'));
    ops.append(
      folderId('Box'),
      (target) => t.messages.insertHeaders(t.account.id, target, 0, [{ ...header('queued append'), uid: Number.MIN_SAFE_INTEGER }])[0]!,
      file,
      [],
      Date.now(),
    );
    await other.mailboxDelete('Box');
    await other.mailboxCreate('Box');
    await other.append('Box', raw('b1'));
    const report = await replay([]);
    expect(report).toMatchObject({ done: 1, failed: 1 });
    const failed = ops.list(t.account.id, ['failed']);
    expect(failed[0]?.kind).toBe('flags');
    expect(failed[0]?.error?.message).toMatch(/reset on the server|UIDVALIDITY/);
    expect(t.messages.all(folderId('Box')).find((m) => m.id === b1)?.flagged).toBe(false);
    expect((await serverView('Box')).has('queued append')).toBe(true);
    await sync();
    expect([...(await serverView('Box')).keys()].sort()).toEqual(
      t.messages
        .all(folderId('Box'))
        .map((m) => m.subject)
        .sort(),
    );
  });
});

function header(subject: string) {
  return {
    modseq: null,
    flags: [],
    internalDate: Date.now(),
    sentDate: null,
    size: 100,
    subject,
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    messageId: `<${subject.replace(/\W/g, '')}.fallback@x>`,
    inReplyTo: null,
    references: [],
    bodystructure: null,
    attachments: [],
  };
}
