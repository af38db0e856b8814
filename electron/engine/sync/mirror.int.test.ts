// The mirror (sync/mirror.ts) against Dovecot: small mail in the offline window is stored whole
// during the header pass, and the store ends up exactly as the server's path leaves it (header rows
// from ENVELOPE/BODYSTRUCTURE, texts from the body prefetch).
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestStore, type TestStore } from '../../../test/engine-store.js';
import { connectImap, findUser } from '../../../test/dovecot/client.js';
import { fixtureMessages } from '../../../test/seed/fixtures.js';
import { attachment, buildMessage, multipart, samplePdf, textPart } from '../../../test/seed/mime.js';
import { bulkStores, openBulkWriter, type BulkWriter } from '../db/bulk-writer.js';
import { PartStore } from '../db/parts.js';
import { parseSource } from '../mime/source.js';
import { openSession, syncAccount } from './account.js';
import { prefetchBodies } from './bodies.js';
import { syncMailbox } from './mailbox.js';
import { MIRROR_MAX_BYTES } from './mirror.js';

const server = inject('dovecot');
const USER = 'leo';
const user = findUser(server, USER);
const DAY = 86_400_000;
const FOLDER = 'Mirror';
const WINDOW_DAYS = 90;

const plain = (i: number, date: Date, extra = '') =>
  buildMessage(
    { from: `Sender ${i} <s${i}@example.com>`, to: user.email, subject: `Plain ${i}${extra}`, date, messageId: `plain-${i}@tegami.test` },
    textPart(`Plain body ${i}\nsecond line\n`),
  );

interface Side {
  t: TestStore;
  parts: PartStore;
  writer: BulkWriter;
  mailboxId: () => number;
}

async function openSide(): Promise<Side> {
  const t = openTestStore(server, USER);
  const parts = new PartStore(t.db, t.dir);
  const writer = await openBulkWriter(path.join(t.dir, 'tegami.db'), bulkStores(t.db, t.messages, parts));
  t.messages.writer = writer;
  parts.writer = writer;
  const mailboxId = () => {
    const m = t.store.listMailboxes(t.account.id).find((b) => b.path === FOLDER);
    if (!m) throw new Error(`no ${FOLDER}`);
    return m.id;
  };
  return { t, parts, writer, mailboxId };
}

/** Everything the store holds of a folder's messages that the two paths must agree on, by UID. */
function snapshot(side: Side) {
  const rows = side.t.db
    .prepare<[number], Record<string, unknown> & { id: number; uid: number; bodystructure: string | null; body_state: number }>(
      `SELECT id, uid, flags, internal_date, sent_date, size, subject, from_name, from_addr, addresses, message_id, in_reply_to,
         refs, bodystructure, has_attachments, attachments, snippet, body_state FROM messages WHERE mailbox_id = ? ORDER BY uid`,
    )
    .all(side.mailboxId());
  const parts = side.t.db.prepare<[number], Record<string, unknown>>(
    'SELECT part, content_type, charset, text, search_text, size FROM parts WHERE message_id = ? ORDER BY part',
  );
  return new Map(
    rows.map(({ id, uid, bodystructure, ...row }) => [
      uid,
      {
        ...row,
        bodystructure: bodystructure ? (JSON.parse(bodystructure) as unknown) : null,
        parts: parts.all(id),
        source: side.parts.storedSource(id),
      },
    ]),
  );
}

let other: ImapFlow;
const raws = new Map<number, { raw: Buffer; date: Date }>();
let mirrored: Side;
let serverPath: Side;

beforeAll(async () => {
  other = await connectImap(server, USER);
  await other.mailboxCreate(FOLDER);
  mirrored = await openSide();
  serverPath = await openSide();
  // The folder list (and the empty folder's state) first, so the pass below is a folder's first fill.
  for (const side of [mirrored, serverPath])
    await syncAccount(side.t.account, user.password, { store: side.t.store, messages: side.t.messages });
  const recent = (days: number) => new Date(Date.now() - days * DAY);
  const messages: Array<{ raw: Buffer; date: Date }> = [
    ...fixtureMessages().map((f) => ({ raw: f.raw, date: f.date })),
    ...Array.from({ length: 30 }, (_, i) => ({ raw: plain(i, recent(i + 1)), date: recent(i + 1) })),
    // Too large to mirror: its text comes from the prefetch.
    {
      raw: buildMessage(
        { from: 'Big <big@example.com>', to: user.email, subject: 'Large', date: recent(3), messageId: 'large@tegami.test' },
        multipart('mixed', [
          textPart('See the attachment.\n'),
          attachment(Buffer.alloc(MIRROR_MAX_BYTES, 7), 'application/octet-stream', 'blob.bin'),
        ]),
      ),
      date: recent(3),
    },
    {
      raw: buildMessage(
        { from: 'P <p@example.com>', to: user.email, subject: 'Report', date: recent(2), messageId: 'pdf@tegami.test' },
        multipart('mixed', [textPart('Report attached.\n'), attachment(samplePdf('R'), 'application/pdf', 'r.pdf')]),
      ),
      date: recent(2),
    },
    // Refused by the parse (a raw 8-bit subject): the server's path, then the prefetch.
    {
      raw: Buffer.concat([
        plain(900, recent(4)).subarray(0, 0),
        Buffer.from(
          `From: a@example.com\r\nTo: ${user.email}\r\nSubject: caf\xe9\r\nMessage-ID: <raw8@tegami.test>\r\n\r\nBody\r\n`,
          'latin1',
        ),
      ]),
      date: recent(4),
    },
    // Outside the window.
    { raw: plain(901, recent(400)), date: recent(400) },
  ];
  for (const m of messages) {
    const appended = await other.append(FOLDER, m.raw, [], m.date);
    if (appended && appended.uid) raws.set(appended.uid, m);
  }
}, 60_000);

afterAll(async () => {
  await other?.logout().catch(() => undefined);
  for (const side of [mirrored, serverPath]) {
    await side?.writer.close();
    side?.t.close();
  }
});

describe('the mirror', () => {
  it('stores small mail of the window whole during the pass, and leaves the store as the server path does', async () => {
    const since = new Date(Date.now() - WINDOW_DAYS * DAY);
    const first = 5;
    const m = mirrored;
    const session = await openSession(m.t.account, user.password);
    try {
      await syncMailbox(session, m.t.messages, m.mailboxId(), { chunks: [first, 20], mirrorSince: since });
      // Cached by the pass itself: what the parse reads, small, in the window, past the first chunk.
      const cached = [...snapshot(m)].filter(([, row]) => row.body_state > 0).map(([uid]) => uid);
      const uids = [...raws.keys()].sort((a, b) => b - a);
      const expected = uids
        .slice(first)
        .filter((uid) => {
          const { raw, date } = raws.get(uid)!;
          return raw.length < MIRROR_MAX_BYTES && date.getTime() >= since.getTime() - DAY && parseSource(raw) !== null;
        })
        .sort((a, b) => a - b);
      expect(cached).toEqual(expected);
      expect(cached.length).toBeGreaterThan(25);
      await prefetchBodies(session, m.parts, m.t.account.id, { window: WINDOW_DAYS });
    } finally {
      await session.logout();
    }

    const s = serverPath;
    const theirs = await openSession(s.t.account, user.password);
    try {
      await syncMailbox(theirs, s.t.messages, s.mailboxId(), { chunks: [first, 20] });
      expect([...snapshot(s)].filter(([, row]) => row.body_state > 0)).toEqual([]);
      await prefetchBodies(theirs, s.parts, s.t.account.id, { window: WINDOW_DAYS });
    } finally {
      await theirs.logout();
    }
    const mine = snapshot(m);
    expect(mine.size).toBe(raws.size);
    expect(mine).toEqual(snapshot(s));
    // Small mail of the window is kept whole, byte for byte, whichever path brought it (the message
    // the parse refused too); larger mail and mail outside the window are not.
    for (const [uid, row] of mine) {
      const { raw, date } = raws.get(uid)!;
      const whole = raw.length < MIRROR_MAX_BYTES && date.getTime() >= since.getTime() - DAY;
      expect([uid, row.source], raw.subarray(0, 200).toString()).toEqual([uid, whole ? raw : null]);
    }
    expect([...mine.values()].filter((r) => r.source !== null).length).toBeGreaterThan(30);
  });

  it('is what an account pass does with the account offline window, past the first screenful', async () => {
    await other.mailboxCreate('Many');
    const n = 260;
    for (let i = 0; i < n; i++) await other.append('Many', plain(1000 + i, new Date(Date.now() - (n - i) * 60_000)));
    const m = mirrored;
    await syncAccount(m.t.account, user.password, { store: m.t.store, messages: m.t.messages, offlineWindow: () => 'all' });
    const many = m.t.store.listMailboxes(m.t.account.id).find((b) => b.path === 'Many');
    const states = m.t.db
      .prepare<[number], { uid: number; body_state: number }>('SELECT uid, body_state FROM messages WHERE mailbox_id = ? ORDER BY uid DESC')
      .all(many?.id ?? -1);
    expect(states).toHaveLength(n);
    // The newest 250 are the first chunk (headers only); the rest came whole.
    expect(states.slice(0, 250).every((r) => r.body_state === 0)).toBe(true);
    expect(states.slice(250).every((r) => r.body_state > 0)).toBe(true);
  });

  /** A folder created on the server and listed (empty) in the mirrored store. */
  const newFolder = async (name: string) => {
    await other.mailboxCreate(name);
    await syncAccount(mirrored.t.account, user.password, { store: mirrored.t.store, messages: mirrored.t.messages });
    const found = mirrored.t.store.listMailboxes(mirrored.t.account.id).find((b) => b.path === name);
    if (!found) throw new Error(`no ${name}`);
    return found;
  };

  it('leaves a folder not kept for offline reading to its headers: the mirror pass and the body prefetch pass it over', async () => {
    const m = mirrored;
    const skipped = await newFolder('Skipped');
    expect(m.t.store.setMailboxOffline(skipped.id, false).offline).toBe(false);
    const n = 255; // past the first chunk (250, headers only whatever the folder)
    for (let i = 0; i < n; i++) await other.append('Skipped', plain(3000 + i, new Date(Date.now() - (n - i) * 60_000)));
    await syncAccount(m.t.account, user.password, { store: m.t.store, messages: m.t.messages, offlineWindow: () => 'all' });
    const states = () => m.t.db.prepare<[number], number>('SELECT body_state FROM messages WHERE mailbox_id = ?').pluck().all(skipped.id);
    expect(states()).toHaveLength(n);
    expect(states().every((state) => state === 0)).toBe(true);
    const prefetch = async () => {
      const session = await openSession(m.t.account, user.password);
      try {
        await prefetchBodies(session, m.parts, m.t.account.id, { window: 'all' });
      } finally {
        await session.logout();
      }
    };
    await prefetch();
    expect(states().every((state) => state === 0)).toBe(true);
    expect(
      m.t.db
        .prepare('SELECT count(*) FROM message_sources s JOIN messages x ON x.id = s.message_id WHERE x.mailbox_id = ?')
        .pluck()
        .get(skipped.id),
    ).toBe(0);
    // Put back, the next prefetch downloads it.
    m.t.store.setMailboxOffline(skipped.id, true);
    await prefetch();
    expect(states().every((state) => state > 0)).toBe(true);
  });

  it('resumes a mirror broken in the middle: nothing doubled, nothing missing, every text cached once', async () => {
    const m = mirrored;
    const broken = await newFolder('Broken');
    for (let i = 0; i < 40; i++) await other.append('Broken', plain(2000 + i, new Date(Date.now() - (40 - i) * 60_000)));
    const options = { chunks: [5, 50], insertBatch: 5, mirrorSince: null };
    const first = await openSession(m.t.account, user.password);
    let batches = 0;
    await expect(
      syncMailbox(first, m.t.messages, broken.id, {
        ...options,
        onBatch: () => {
          if (++batches === 3) first.client.close(); // the first chunk, then a mirrored batch, then gone
        },
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/NETWORK|SERVER_ERROR/) });
    const rows = () =>
      m.t.db
        .prepare<[number], { uid: number; body_state: number; parts: number }>(
          'SELECT uid, body_state, (SELECT count(*) FROM parts p WHERE p.message_id = m.id) AS parts FROM messages m WHERE mailbox_id = ? ORDER BY uid',
        )
        .all(broken.id);
    expect(rows().length).toBeGreaterThan(5);
    expect(rows().length).toBeLessThan(40);
    const second = await openSession(m.t.account, user.password);
    try {
      await syncMailbox(second, m.t.messages, broken.id, options);
    } finally {
      await second.logout();
    }
    const after = rows();
    expect(after.map((r) => r.uid)).toEqual([...new Set(after.map((r) => r.uid))]);
    expect(after).toHaveLength(40);
    // The second pass's first chunk is again headers only; every other message came whole, once.
    expect(after.filter((r) => r.body_state > 0 && r.parts === 1).length).toBeGreaterThanOrEqual(35 - 5);
    expect(after.every((r) => r.parts <= 1)).toBe(true);
  });
});
