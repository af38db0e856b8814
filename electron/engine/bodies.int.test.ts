import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PartProgress } from '../../shared/domain/body.js';
import { openTestStore, type TestStore } from '../../test/engine-store.js';
import { connectImap, findUser } from '../../test/dovecot/client.js';
import { fixtureMessages } from '../../test/seed/fixtures.js';
import { attachment, buildMessage, encodeWords, multipart, samplePdf, textPart } from '../../test/seed/mime.js';
import { createBodiesService, sessionPerRequest, type BodiesService, type WithSession } from './bodies-service.js';
import type { Db } from './db/database.js';
import { type MessageStore } from './db/messages.js';
import { BODY_FULL, BODY_NONE, BODY_TEXT, DEFAULT_WHOLE_BELOW, PartStore, SOURCE_PART } from './db/parts.js';
import { type Store, type AccountRecord } from './db/store.js';
import { evictOutsideWindow, evictWholeFrom, KEEP_OPENED_DAYS, prefetchBodies } from './sync/bodies.js';
import { syncAccount } from './sync/account.js';
import { openImap } from './imap/connect.js';
import { ImapSession } from './imap/session.js';
import { headerRecordOfRaw } from './mime/headers.js';
import { targetOf } from './sync/account.js';
import { UserSessions } from './sync/user-session.js';

const server = inject('dovecot');
const USER = 'dave';
const user = findUser(server, USER);
const DAY = 86_400_000;

let testStore: TestStore;
let dir: string;
let db: Db;
let store: Store;
let messages: MessageStore;
let parts: PartStore;
let account: AccountRecord;
let other: ImapFlow; // "the other device"
let service: BodiesService;
let online = true;
let sessionsOpened = 0;
const progress: PartProgress[] = [];

const fixtures = new Map(fixtureMessages().map((f) => [f.key, f]));
const fixture = (key: string) => {
  const f = fixtures.get(key);
  if (!f) throw new Error(`no fixture ${key}`);
  return f;
};

/** 5 MB of deterministic, incompressible-looking bytes. */
const bigData = Buffer.concat(
  Array.from({ length: 160 }, (_, i) => createHash('sha256').update(`block ${i}`).digest()).map((b) => Buffer.concat(Array(1024).fill(b))),
);
const bigMessage = buildMessage(
  {
    from: 'Big <big@example.com>',
    to: user.email,
    subject: 'A large attachment',
    date: new Date(Date.now() - 2 * DAY),
    messageId: 'big@tegami.test',
  },
  multipart('mixed', [textPart('The archive is attached.\n'), attachment(bigData, 'application/octet-stream', 'archive.bin')]),
);

const malformed = Buffer.concat([
  Buffer.from('From: Broken <broken@example.com>\r\nTo: dave@example.com\r\nMessage-ID: <malformed@tegami.test>\r\nDate: '),
  Buffer.from(new Date(Date.now() - DAY).toUTCString()),
  Buffer.from('\r\nSubject: '),
  Buffer.from('生の8ビット件名', 'utf8'),
  Buffer.from(
    '\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="real-boundary"\r\n\r\n--wrong-boundary\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n',
  ),
  Buffer.from('壊れたメールの本文です。', 'utf8'),
  Buffer.from('\r\n--real-boundary'),
]);
const unknownCharset = Buffer.concat([
  Buffer.from(
    'From: a@example.com\r\nTo: dave@example.com\r\nSubject: unknown charset\r\nMessage-ID: <unknown-charset@tegami.test>\r\nMIME-Version: 1.0\r\n',
  ),
  Buffer.from('Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
  Buffer.from('\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\x90\xa2\x8a\x45\r\n', 'latin1'), // こんにちは世界 in Shift_JIS
]);

const byMessageId = (mid: string) => {
  const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX')!;
  const found = messages.all(inbox.id).find((m) => m.messageId === mid);
  if (!found) throw new Error(`no local message ${mid}`);
  return found;
};

async function serverFlags(uid: number): Promise<string[]> {
  const lock = await other.getMailboxLock('INBOX');
  try {
    const m = await other.fetchOne(String(uid), { uid: true, flags: true }, { uid: true });
    return m ? [...(m.flags ?? [])] : [];
  } finally {
    lock.release();
  }
}

beforeAll(async () => {
  testStore = openTestStore(server, USER);
  ({ dir, db, store, messages, account } = testStore);
  parts = new PartStore(db, dir);
  const perRequest = sessionPerRequest(store, async () => user.password);
  const withSession: WithSession = (accountId, fn) => {
    if (!online) throw new Error('the test is offline: no session may be opened');
    sessionsOpened++;
    return perRequest(accountId, fn);
  };
  service = createBodiesService({ store, parts, withSession, emit: (_e, p) => progress.push(p), chunkSize: 1024 * 1024 });

  other = await connectImap(server, USER);
  for (const key of ['iso2022jp', 'shiftJis', 'eucJp', 'utf8Japanese', 'attachments', 'related', 'alternative']) {
    const f = fixture(key);
    await other.append(
      'INBOX',
      f.raw,
      f.flags.filter((fl) => fl !== '\\Seen'),
      f.date,
    );
  }
  const old = fixture('archive-1'); // 230 days old: outside the 90-day window
  await other.append('INBOX', old.raw, [], old.date);
  await other.append('INBOX', bigMessage, [], new Date(Date.now() - 2 * DAY));
  await other.append('INBOX', malformed, [], new Date(Date.now() - DAY));
  await other.append('INBOX', unknownCharset, [], new Date(Date.now() - DAY));
  await syncAccount(account, user.password, { store, messages });
});

afterAll(async () => {
  await other?.logout().catch(() => undefined);
  testStore?.close();
});

describe('parts on demand against the real Dovecot', () => {
  it.each([
    ['iso2022jp', 'iso-2022-jp', '来週の会議は水曜日の午後三時からに変更になりました。'],
    ['shiftJis', 'shift_jis', '新しいプロジェクトの見積もりをお願いできますでしょうか。'],
    ['eucJp', 'euc-jp', '京都旅行の写真を共有します。紅葉がとてもきれいでした。'],
    ['utf8Japanese', 'utf-8', '絵文字も大丈夫です 📎✉️'],
  ])('decodes the %s text part', async (key, charset, line) => {
    const m = byMessageId(`<${key}@tegami.test>`);
    const detail = await service.getMessage({ id: m.id });
    expect(detail.textPart).not.toBeNull();
    const content = await service.getPart({ id: m.id, part: detail.textPart! });
    expect(content).toMatchObject({ kind: 'text', contentType: 'text/plain', charset });
    expect(content.kind === 'text' && content.text).toContain(line);
  });

  it('never sets \\Seen on the server when fetching parts (BODY.PEEK)', async () => {
    for (const key of ['iso2022jp', 'shiftJis', 'eucJp', 'utf8Japanese']) {
      expect(await serverFlags(byMessageId(`<${key}@tegami.test>`).uid)).not.toContain('\\Seen');
    }
  });

  it('describes the MIME tree: text, HTML, attachments, inline cid image', async () => {
    const related = await service.getMessage({ id: byMessageId('<related@tegami.test>').id });
    expect(related).toMatchObject({ textPart: '1.1', htmlPart: '1.2', bodyState: 'none' });
    expect(related.parts.find((p) => p.part === '2')).toMatchObject({
      contentType: 'image/png',
      contentId: 'checkerboard@tegami.test',
      disposition: 'inline',
    });
    const utf8 = await service.getMessage({ id: byMessageId('<utf8Japanese@tegami.test>').id });
    expect(utf8.parts.find((p) => p.part === '2')).toMatchObject({ filename: '見積書 2024年度.pdf', contentType: 'application/pdf' });
    expect(utf8.from[0]).toMatchObject({ name: '田中 太郎', address: 'tanaka@example.jp' });
  });

  it('opens a message in one request: the first part only once its text is cached, never fetched', async () => {
    const m = byMessageId('<related@tegami.test>');
    const before = await service.openMessage({ id: m.id });
    expect(before.detail).toEqual(await service.getMessage({ id: m.id }));
    expect(before.part).toBeNull();
    expect(parts.get(m.id, '1.2')).toBeNull();
    const html = await service.getPart({ id: m.id, part: '1.2' });
    const after = await service.openMessage({ id: m.id });
    expect(after.part).toEqual(html);
    expect(after.part).toMatchObject({ kind: 'text', contentType: 'text/html' });
  });

  it('streams an attachment to a file, with progress, byte for byte', async () => {
    const m = byMessageId('<attachments@tegami.test>');
    progress.length = 0;
    const pdf = await service.getPart({ id: m.id, part: '2' });
    expect(pdf).toMatchObject({ kind: 'file', contentType: 'application/pdf', filename: 'report.pdf' });
    if (pdf.kind !== 'file') throw new Error('not a file');
    expect(readFileSync(pdf.file)).toEqual(samplePdf('Quarterly report'));
    // The size shown is the file's (about: BODYSTRUCTURE gives the base64 text's size).
    const shown = (await service.getMessage({ id: m.id })).attachments.find((a) => a.part === '2')?.size ?? 0;
    expect(Math.abs(shown - pdf.size)).toBeLessThanOrEqual(3);
    expect(progress.filter((p) => p.id === m.id && p.part === '2').length).toBeGreaterThan(0);
    const opened = sessionsOpened;
    expect(await service.getPart({ id: m.id, part: '2' })).toEqual(pdf); // from the cache
    expect(sessionsOpened).toBe(opened);
    const img = await service.getPart({ id: byMessageId('<related@tegami.test>').id, part: '2' });
    expect(img.kind === 'file' && readFileSync(img.file).subarray(1, 4).toString()).toBe('PNG');
  });

  it('fetches a 5 MB attachment in 1 MB partial fetches', async () => {
    const m = byMessageId('<big@tegami.test>');
    progress.length = 0;
    const big = await service.getPart({ id: m.id, part: '2' });
    expect(big).toMatchObject({ kind: 'file', size: bigData.length, filename: 'archive.bin' });
    if (big.kind !== 'file') throw new Error('not a file');
    expect(createHash('sha256').update(readFileSync(big.file)).digest('hex')).toBe(createHash('sha256').update(bigData).digest('hex'));
    const steps = progress.filter((p) => p.id === m.id);
    // base64 makes 5 MB about 6.9 MB on the wire: at least 7 ranges of 1 MB
    expect(steps.length).toBeGreaterThanOrEqual(7);
    expect(steps.map((p) => p.received)).toEqual([...steps.map((p) => p.received)].sort((a, b) => a - b));
    expect(steps.at(-1)?.received).toBe(steps.at(-1)?.total);
  });

  it('returns the raw source, cached, identical to what was appended', async () => {
    const m = byMessageId('<shiftJis@tegami.test>');
    const source = await service.getSource({ id: m.id });
    expect(readFileSync(source.file)).toEqual(fixture('shiftJis').raw);
    expect(source).toMatchObject({ size: fixture('shiftJis').raw.length, truncated: false });
    expect(source.text).toContain('Subject: =?Shift_JIS?B?');
    expect((await service.getMessage({ id: m.id })).bodyState).toBe('full');
  });

  it('gives best-effort text for malformed mail without throwing', async () => {
    const broken = byMessageId('<malformed@tegami.test>');
    const detail = await service.getMessage({ id: broken.id });
    expect(detail).toMatchObject({ textPart: 'TEXT', parts: [] }); // Dovecot reports one empty part: unusable
    expect(detail.summary.subject).toBe('生の8ビット件名');
    const content = await service.getPart({ id: broken.id, part: 'TEXT' });
    expect(content.kind === 'text' && content.text).toContain('壊れたメールの本文です。');
    const unknown = byMessageId('<unknown-charset@tegami.test>');
    const text = await service.getPart({ id: unknown.id, part: (await service.getMessage({ id: unknown.id })).textPart ?? 'TEXT' });
    expect(text).toMatchObject({ kind: 'text', charset: 'shift_jis' });
    expect(text.kind === 'text' && text.text).toContain('こんにちは世界');
  });

  it('says what is missing, not "check the port", when an uncached part is opened with the server unreachable', async () => {
    // A real refused connection (nothing listens on port 1), as when the laptop is offline.
    const unreachable: WithSession = async (_accountId, fn) => {
      const target = { ...targetOf(account), port: 1 };
      return fn(new ImapSession(await openImap(target, user.password), target));
    };
    const offline = createBodiesService({ store, parts, withSession: unreachable, emit: () => undefined });
    const id = byMessageId('<alternative@tegami.test>').id;
    expect(parts.get(id, SOURCE_PART)).toBeNull(); // not cached: it has to come from the server
    expect(parts.hasStoredSource(id)).toBe(false);
    await expect(offline.getSource({ id })).rejects.toMatchObject({
      code: 'OFFLINE',
      message: expect.stringContaining('server cannot be reached right now'),
    });
  });

  it('reports a part that does not exist as NOT_FOUND', async () => {
    await expect(service.getPart({ id: byMessageId('<iso2022jp@tegami.test>').id, part: '7' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('prefetch, offline search and eviction', () => {
  it('caches the text of in-window messages only, in batches, resumably', async () => {
    const target = targetOf(account);
    const session = new ImapSession(await openImap(target, user.password), target);
    try {
      const first = await prefetchBodies(session, parts, account.id, { batchSize: 3, maxMessages: 3 });
      expect(first.cached).toBeGreaterThan(0);
      const rest = await prefetchBodies(session, parts, account.id, { batchSize: 3 });
      expect(rest.failedFolders).toEqual([]);
      expect(await prefetchBodies(session, parts, account.id, { batchSize: 3 })).toMatchObject({ cached: 0 }); // nothing left
    } finally {
      await session.logout();
    }
    expect(parts.message(byMessageId('<archive-1@tegami.test>').id).bodyState).toBe(BODY_NONE);
    for (const key of ['iso2022jp', 'eucJp', 'alternative', 'big', 'malformed']) {
      expect(parts.message(byMessageId(`<${key}@tegami.test>`).id).bodyState, key).toBeGreaterThanOrEqual(BODY_TEXT);
    }
    expect(byMessageId('<eucJp@tegami.test>').snippet).toBe('アリスさん 京都旅行の写真を共有します。紅葉がとてもきれいでした。 鈴木');
    expect(byMessageId('<alternative@tegami.test>').snippet).toContain('This week in Tegami');
  });

  it('keeps small mail whole: attachments and source open offline, cut from it byte for byte; large mail keeps its text only', async () => {
    const utf8 = byMessageId('<utf8Japanese@tegami.test>');
    const iso = byMessageId('<iso2022jp@tegami.test>');
    expect(parts.storedSource(utf8.id)).toEqual(fixture('utf8Japanese').raw); // BODY[] as appended
    expect((await service.getMessage({ id: utf8.id })).bodyState).toBe('full');
    expect((await service.getMessage({ id: utf8.id })).parts.filter((p) => p.part !== '').every((p) => p.cached)).toBe(true);
    expect(parts.get(utf8.id, '2')).toBeNull(); // its attachment was never opened
    const big = byMessageId('<big@tegami.test>'); // 5 MB: its text only
    expect(parts.hasStoredSource(big.id)).toBe(false);
    expect(parts.message(big.id).bodyState).toBe(BODY_TEXT);
    online = false;
    const opened = sessionsOpened;
    try {
      const pdf = await service.getPart({ id: utf8.id, part: '2' });
      expect(pdf).toMatchObject({ kind: 'file', contentType: 'application/pdf', filename: '見積書 2024年度.pdf' });
      expect(pdf.kind === 'file' && readFileSync(pdf.file)).toEqual(samplePdf('Estimate'));
      const source = await service.getSource({ id: iso.id });
      expect(readFileSync(source.file)).toEqual(fixture('iso2022jp').raw);
      expect(source.text).toContain('Subject: =?ISO-2022-JP?B?');
    } finally {
      online = true;
    }
    expect(sessionsOpened).toBe(opened);
  });

  it('keeps larger mail whole when the account says so: the next pass downloads it to a file, its attachment opens offline; lowered, the file is freed and the text stays', async () => {
    const big = byMessageId('<big@tegami.test>'); // 5 MB, its text cached by the passes above
    expect(parts.message(big.id).bodyState).toBe(BODY_TEXT);
    parts.setWholeBelow(account.id, 8 * 1024 * 1024);
    expect(parts.wholeBelow(account.id)).toBe(8 * 1024 * 1024);
    // The attachment opened by an earlier test: gone from the cache, so it must come from the source.
    const opened = parts.get(big.id, '2');
    if (opened?.kind === 'file') rmSync(opened.file);
    const target = targetOf(account);
    const session = new ImapSession(await openImap(target, user.password), target);
    try {
      expect((await prefetchBodies(session, parts, account.id)).cached).toBe(1); // big alone was left
      expect((await prefetchBodies(session, parts, account.id)).cached).toBe(0);
    } finally {
      await session.logout();
    }
    expect(parts.message(big.id).bodyState).toBe(BODY_FULL);
    const source = parts.get(big.id, SOURCE_PART);
    expect(source?.kind === 'file' && readFileSync(source.file).equals(bigMessage)).toBe(true); // byte for byte (toEqual on 7 MB is slow)
    expect(parts.hasStoredSource(big.id)).toBe(false); // a file, not a row: the database stays small

    online = false;
    const sessions = sessionsOpened;
    try {
      expect((await service.getMessage({ id: big.id })).parts.filter((p) => p.part !== '').every((p) => p.cached)).toBe(true);
      const archive = await service.getPart({ id: big.id, part: '2' });
      expect(archive).toMatchObject({ kind: 'file', filename: 'archive.bin', size: bigData.length });
      expect(archive.kind === 'file' && readFileSync(archive.file).equals(bigData)).toBe(true);
    } finally {
      online = true;
    }
    expect(sessionsOpened).toBe(sessions);

    // Lowered back: the whole copy goes, unless the message was opened lately (as eviction spares it).
    const file = source?.kind === 'file' ? source.file : '';
    parts.setWholeBelow(account.id, DEFAULT_WHOLE_BELOW);
    expect(await evictWholeFrom(parts, account.id, DEFAULT_WHOLE_BELOW)).not.toContain(big.id);
    const later = Date.now() + (KEEP_OPENED_DAYS + 1) * DAY;
    expect(await evictWholeFrom(parts, account.id, DEFAULT_WHOLE_BELOW, later)).toEqual([big.id]);
    expect(existsSync(file)).toBe(false);
    expect(parts.get(big.id, SOURCE_PART)).toBeNull();
    expect(parts.message(big.id).bodyState).toBe(BODY_TEXT);
    expect(parts.get(big.id, '1')).toMatchObject({ kind: 'text', text: 'The archive is attached.\n' });
    // Small mail (kept in the database) is never dropped by this.
    expect(parts.hasStoredSource(byMessageId('<utf8Japanese@tegami.test>').id)).toBe(true);

    // One without a usable structure, too large to parse here: kept whole all the same (its text is
    // read from the file when opened), and not downloaded again by the next pass.
    const structure = db.prepare('SELECT bodystructure FROM messages WHERE id = ?').pluck().get(big.id);
    db.prepare('UPDATE messages SET bodystructure = NULL WHERE id = ?').run(big.id);
    parts.setWholeBelow(account.id, 8 * 1024 * 1024);
    const again = new ImapSession(await openImap(target, user.password), target);
    try {
      expect((await prefetchBodies(again, parts, account.id, { maxSourceBytes: 1024 * 1024 })).cached).toBe(1);
      expect(parts.message(big.id).bodyState).toBe(BODY_FULL);
      expect((await prefetchBodies(again, parts, account.id, { maxSourceBytes: 1024 * 1024 })).cached).toBe(0);
    } finally {
      await again.logout();
      db.prepare('UPDATE messages SET bodystructure = ? WHERE id = ?').run(structure, big.id);
      parts.setWholeBelow(account.id, DEFAULT_WHOLE_BELOW);
    }
  });

  it('searches offline: 2-character and 3+ character Japanese substrings of bodies', async () => {
    online = false;
    try {
      const ids = async (query: string) =>
        (await service.searchLocal({ query, limit: 50 })).hits.map((h) => (h.source === 'local' ? h.message.messageId : null));
      expect(await ids('三時')).toEqual(['<iso2022jp@tegami.test>']);
      expect(await ids('午後三時から')).toEqual(['<iso2022jp@tegami.test>']);
      expect(await ids('納期')).toEqual(['<shiftJis@tegami.test>']);
      expect(await ids('紅葉')).toEqual(['<eucJp@tegami.test>']);
      expect(await ids('きれいでした')).toEqual(['<eucJp@tegami.test>']);
      expect(await ids('壊れたメール')).toEqual(['<malformed@tegami.test>']);
      expect(await ids('Offline sync')).toEqual(['<alternative@tegami.test>']); // HTML and text parts indexed
      expect(await ids('number')).toEqual([]); // the old message's body was never cached
      const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX')!;
      expect((await service.searchLocal({ query: '紅葉', mailboxId: inbox.id + 1000, limit: 50 })).hits).toEqual([]);
    } finally {
      online = true;
    }
  });

  it('evicts messages that left the window, unless opened lately: parts gone, no longer searchable', async () => {
    const eucJp = byMessageId('<eucJp@tegami.test>');
    // A 3-day window: the 6-day-old EUC-JP message falls out of it. It was opened (fetched from the
    // server) by the tests above, so it keeps its text for KEEP_OPENED_DAYS…
    expect(await evictOutsideWindow(parts, account.id, { window: 3 })).not.toContain(eucJp.id);
    expect(parts.message(eucJp.id).bodyState).not.toBe(BODY_NONE);
    expect((await service.searchLocal({ query: '紅葉', limit: 50 })).hits).toHaveLength(1);
    // …and loses it after them (the same 3-day window, KEEP_OPENED_DAYS + 1 days on).
    const later = Date.now() + (KEEP_OPENED_DAYS + 1) * DAY;
    const evicted = await evictOutsideWindow(parts, account.id, { window: KEEP_OPENED_DAYS + 4, now: later });
    expect(evicted).toContain(eucJp.id);
    expect(parts.message(eucJp.id).bodyState).toBe(BODY_NONE);
    expect((await service.searchLocal({ query: '紅葉', limit: 50 })).hits).toEqual([]);
    expect((await service.searchLocal({ query: '三時', limit: 50 })).hits).toHaveLength(1);
  });
});

describe('server search', () => {
  it('returns UIDs, marking the ones stored locally and the ones only on the server', async () => {
    const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX')!;
    const fresh = buildMessage(
      {
        from: 'x@example.com',
        to: user.email,
        subject: encodeWords('Not synced yet: 会議の資料'),
        date: new Date(),
        messageId: 'fresh@tegami.test',
      },
      textPart('新しい会議の資料です。\n'),
    );
    const appended = await other.append('INBOX', fresh);
    const result = await service.searchServer({ accountId: account.id, mailboxId: inbox.id, query: '会議', field: 'text', limit: 100 });
    const local = result.hits.filter((h) => h.source === 'local').map((h) => h.source === 'local' && h.message.messageId);
    expect(local).toContain('<iso2022jp@tegami.test>');
    // Not stored yet: shown from its ENVELOPE, fetched with the search.
    expect(result.hits).toContainEqual({
      source: 'server',
      mailboxId: inbox.id,
      uid: appended && appended.uid,
      preview: {
        from: { name: '', address: 'x@example.com' },
        subject: 'Not synced yet: 会議の資料',
        date: expect.any(String),
        size: expect.any(Number),
      },
    });
    const preview = result.hits.find((h) => h.source === 'server')?.preview;
    expect(Date.parse(preview?.date ?? '')).toBeGreaterThan(Date.now() - 3_600_000);
    expect(preview?.size).toBeGreaterThan(100);
    const bySubject = await service.searchServer({
      accountId: account.id,
      mailboxId: inbox.id,
      query: 'Weekly newsletter',
      field: 'subject',
      limit: 100,
    });
    expect(bySubject.hits.map((h) => h.source === 'local' && h.message.messageId)).toEqual(['<alternative@tegami.test>']);
  });

  it('applies every word, "quoted phrases" and the search box’s conditions on the server (is:, has:attachment, from:, to: any recipient)', async () => {
    await other.mailboxCreate('Searched');
    await syncAccount(account, user.password, { store, messages }); // lists the folder, empty
    const folder = store.listMailboxes(account.id).find((m) => m.path === 'Searched')!;
    const put = async (key: string, text: string, h: { cc?: string; flags?: string[]; file?: boolean } = {}) => {
      const root = h.file
        ? multipart('mixed', [textPart(text), attachment(Buffer.from('data'), 'application/pdf', 'plan.pdf')])
        : textPart(text);
      const raw = buildMessage(
        {
          from: `${key} <${key}@example.com>`,
          to: 'team@example.com',
          ...(h.cc ? { cc: h.cc } : {}),
          subject: `Plan ${key}`,
          date: new Date(),
          messageId: `${key}@search.test`,
        },
        root,
      );
      await other.append('Searched', raw, h.flags ?? []);
    };
    await put('alpha', 'See you Friday on Lunch break.', { flags: ['\\Seen'] });
    await put('beta', 'Lunch on Friday, then.', { cc: 'Carol <carol@example.com>', file: true });
    await put('gamma', 'Friday is the day; lunch is at noon.', { flags: ['\\Seen', '\\Flagged'], file: true });
    // None is stored: every hit is a server hit, named by its preview's sender.
    const find = async (q: Partial<Parameters<BodiesService['searchServer']>[0]>) =>
      (await service.searchServer({ accountId: account.id, mailboxId: folder.id, query: '', field: 'text', limit: 100, ...q })).hits
        .map((h) => (h.source === 'server' ? h.preview?.from?.name : 'stored'))
        .sort();
    expect(await find({ query: 'friday lunch' })).toEqual(['alpha', 'beta', 'gamma']); // every word, anywhere
    expect(await find({ query: '"Friday on Lunch"' })).toEqual(['alpha']);
    expect(await find({ query: '"lunch on friday"' })).toEqual(['beta']);
    expect(await find({ query: 'friday', read: true })).toEqual(['alpha', 'gamma']);
    expect(await find({ unread: true })).toEqual(['beta']); // conditions alone
    expect(await find({ flagged: true, hasAttachments: true })).toEqual(['gamma']);
    expect(await find({ hasAttachments: true, limit: 1 })).toHaveLength(1);
    expect(await find({ query: 'lunch', hasAttachments: true })).toEqual(['beta', 'gamma']);
    expect(await find({ to: ['carol'] })).toEqual(['beta']); // Cc counts
    expect(await find({ to: ['team'], from: ['gamma'] })).toEqual(['gamma']);
    expect(await find({ to: ['team'], subject: ['Plan'], query: 'noon', read: true })).toEqual(['gamma']);
    // Alternatives of one field (from:a OR from:b): an OR key of them, beside the rest.
    expect(await find({ from: [['alpha', 'gamma']] })).toEqual(['alpha', 'gamma']);
    expect(await find({ from: [['alpha', 'beta', 'gamma']], read: true })).toEqual(['alpha', 'gamma']);
    expect(await find({ from: [['alpha', 'beta']], to: [['carol', 'nobody']] })).toEqual(['beta']);
    // -word and -"a phrase": NOT keys, with the rest or alone.
    expect(await find({ query: 'friday -noon' })).toEqual(['alpha', 'beta']);
    expect(await find({ query: 'lunch -"lunch on friday" -carol' })).toEqual(['alpha', 'gamma']);
    expect(await find({ query: '-then -noon' })).toEqual(['alpha']);
    expect(await find({ query: '-noon', to: ['carol'] })).toEqual(['beta']);
    expect(await find({ query: 'plan -alpha', field: 'subject' })).toEqual(['beta', 'gamma']); // NOT SUBJECT
    // a OR b: one OR key, required beside the rest; chained OR groups and exclusions.
    expect(await find({ query: 'noon OR "Friday on Lunch"' })).toEqual(['alpha', 'gamma']);
    expect(await find({ query: 'noon OR then OR "Friday on Lunch" -alpha' })).toEqual(['beta', 'gamma']);
    expect(await find({ query: 'friday noon OR then', read: true })).toEqual(['gamma']);
    expect(await find({ query: 'noon OR then carol OR break' })).toEqual(['beta']);
    expect(await find({ query: 'plan OR nothing', field: 'subject', flagged: true })).toEqual(['gamma']); // OR SUBJECT
    await expect(
      service.searchServer({
        accountId: account.id,
        mailboxId: folder.id,
        query: 'x',
        field: 'text',
        limit: 1,
        to: ['carol'],
        from: ['beta'],
        read: true,
      }),
    ).resolves.toMatchObject({ hits: [] });
  });

  it('searches every folder of the account when no folder is given, INBOX first, passing over one gone from the server', async () => {
    await other.mailboxCreate('Wide A');
    await other.mailboxCreate('Wide Gone');
    await syncAccount(account, user.password, { store, messages });
    const a = await other.append(
      'Wide A',
      buildMessage({ from: 'w@example.com', to: user.email, subject: 'wombat in A', date: new Date(), messageId: 'wa@w' }, textPart('x')),
    );
    await other.append(
      'INBOX',
      buildMessage(
        { from: 'w@example.com', to: user.email, subject: 'wombat in INBOX', date: new Date(), messageId: 'wi@w' },
        textPart('x'),
      ),
    );
    await other.mailboxDelete('Wide Gone'); // still listed locally until the next sync
    const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX')!;
    const wideA = store.listMailboxes(account.id).find((m) => m.path === 'Wide A')!;
    const all = await service.searchServer({ accountId: account.id, query: 'wombat', field: 'subject', limit: 100 });
    expect(all.hits.map((h) => (h.source === 'server' ? [h.mailboxId, h.preview?.subject] : null))).toEqual([
      [inbox.id, 'wombat in INBOX'],
      [wideA.id, 'wombat in A'],
    ]);
    expect(all.hits[1]).toMatchObject({ uid: a && a.uid });
    // The limit spans the folders.
    expect(await service.searchServer({ accountId: account.id, query: 'wombat', field: 'subject', limit: 1 })).toMatchObject({
      hits: [{ mailboxId: inbox.id }],
      more: true,
    });
    // Asked for by itself, the deleted folder is an error that names it.
    const gone = store.listMailboxes(account.id).find((m) => m.path === 'Wide Gone')!;
    await expect(
      service.searchServer({ accountId: account.id, mailboxId: gone.id, query: 'wombat', field: 'subject', limit: 5 }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'The folder “Wide Gone” no longer exists on the server.',
    });
  });

  it('finds mail that arrived after the long-lived user connection selected the folder', async () => {
    const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX')!;
    const sessions = new UserSessions(store, async () => user.password);
    const longLived = createBodiesService({ store, parts, withSession: sessions.withSession, emit: () => undefined });
    try {
      const query = { accountId: account.id, mailboxId: inbox.id, query: 'Late arrival', field: 'subject' as const, limit: 100 };
      expect((await longLived.searchServer(query)).hits).toEqual([]); // INBOX is selected on it from now on
      for (const n of [1, 2]) {
        const appended = await other.append('INBOX', `Subject: Late arrival ${n}\r\nMessage-ID: <late-${n}@tegami.test>\r\n\r\nx\r\n`);
        const found = await longLived.searchServer(query);
        expect(found.hits, `after append ${n}`).toContainEqual(
          expect.objectContaining({
            source: 'server',
            mailboxId: inbox.id,
            uid: appended && appended.uid,
            preview: expect.objectContaining({ subject: `Late arrival ${n}` }),
          }),
        );
        expect(found.hits).toHaveLength(n);
      }
    } finally {
      await sessions.closeAll();
    }
  });

  it('cuts a part from the cached source of a message with no UID on the server yet; without one, says why', async () => {
    const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX')!;
    const f = fixture('attachments');
    // A message not on the server (a queued APPEND, move or copy has a negative UID until replayed).
    const record = await headerRecordOfRaw(f.raw, [], Date.now());
    const [id] = messages.insertHeaders(account.id, inbox.id, 0, [{ ...record, uid: -424242 }]);
    const attachment = (await service.getMessage({ id: id! })).attachments.find((a) => !a.inline)!;
    const opened = sessionsOpened;
    await expect(service.getPart({ id: id!, part: attachment.part })).rejects.toMatchObject({
      code: 'OFFLINE',
      message: expect.stringMatching(/^This message has not reached its folder on the server yet/),
    });
    const file = path.join(dir, 'held.eml');
    writeFileSync(file, f.raw);
    expect(await parts.adoptSource(id!, file)).toBe(true);
    const part = await service.getPart({ id: id!, part: attachment.part });
    expect(part).toMatchObject({ kind: 'file', filename: attachment.filename });
    expect(sessionsOpened).toBe(opened); // no server asked
    // The same bytes the server gives for the same message's part.
    const fromServer = await service.getPart({ id: byMessageId(`<attachments@tegami.test>`).id, part: attachment.part });
    expect(part.kind === 'file' && fromServer.kind === 'file' && readFileSync(part.file).equals(readFileSync(fromServer.file))).toBe(true);
  });

  it('opens the text, attachment and source of mail that arrived after the long-lived user connection selected the folder', async () => {
    const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX')!;
    const sessions = new UserSessions(store, async () => user.password);
    const longLived = createBodiesService({ store, parts, withSession: sessions.withSession, emit: () => undefined });
    try {
      // INBOX selected on it by opening a message.
      await longLived.getSource({ id: byMessageId('<alternative@tegami.test>').id });
      const f = fixture('attachments');
      const raw = Buffer.from(
        f.raw.toString('latin1').replace(/Message-ID: <[^>]+>/i, 'Message-ID: <late-attachments@tegami.test>'),
        'latin1',
      );
      await other.append('INBOX', raw, [], new Date());
      await syncAccount(account, user.password, { store, messages }); // on another connection
      const m = byMessageId('<late-attachments@tegami.test>');
      const detail = await longLived.getMessage({ id: m.id });
      // Each would be "no longer on the server" to a connection not shown the message yet.
      expect(await longLived.getPart({ id: m.id, part: detail.textPart! })).toMatchObject({ kind: 'text' });
      const attachment = detail.attachments.find((a) => !a.inline)!;
      expect(await longLived.getPart({ id: m.id, part: attachment.part })).toMatchObject({ kind: 'file' });
      expect((await longLived.getSource({ id: m.id })).text).toContain('late-attachments@tegami.test');
      expect(inbox.id).toBe(m.mailboxId);
    } finally {
      await sessions.closeAll();
    }
  });
});
