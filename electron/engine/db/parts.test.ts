import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Db } from './database.js';
import { MessageStore, type HeaderRecord } from './messages.js';
import { migrations } from './migrations.js';
import { Store } from './store.js';
import { BODY_FULL, BODY_NONE, BODY_TEXT, DEFAULT_WHOLE_BELOW, PartStore, SEARCH_WINDOW, SOURCE_PART, splitQuery } from './parts.js';
import { addressText, cjkGrams, cjkGramsByRegex, isCjkTerm } from './search-text.js';
import { headerRecord, seedAccount } from '../../../test/db-fixture.js';
import { mulberry32 } from '../../../test/prng.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);

let dir: string;
let db: Db;
let messages: MessageStore;
let parts: PartStore;
let accountId: number;
let inbox: number;
let work: number;

const header = (uid: number, subject: string, daysAgo: number, from = 'someone@example.com'): HeaderRecord =>
  headerRecord(uid, { internalDate: NOW - daysAgo * DAY, subject, from: { name: '', address: from } });

const body = (messageId: number, text: string, part = '1') =>
  parts.storeTexts([
    {
      messageId,
      parts: [{ part, contentType: 'text/plain', charset: 'utf-8', text, searchText: text, size: text.length }],
      snippet: text.slice(0, 20),
    },
  ]);

const found = (text: string) => parts.search({ query: text, limit: 10 }).messages.map((m) => m.id);
const subjects = (r: { messages: Array<{ subject: string }> }) => r.messages.map((m) => m.subject);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-parts-'));
  db = openDatabase(path.join(dir, 'tegami.db'));
  messages = new MessageStore(db);
  parts = new PartStore(db, dir);
  const seeded = seedAccount(db, ['INBOX', 'Work']);
  accountId = seeded.accountId;
  inbox = seeded.mailbox['INBOX'] as number;
  work = seeded.mailbox['Work'] as number;
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('migration 3', () => {
  it('upgrades a schema-2 store: new triggers, offline window column, pending index', () => {
    const file = path.join(dir, 'old.db');
    const old = openDatabase(file, migrations.slice(0, 2));
    expect(old.pragma('user_version', { simple: true })).toBe(2);
    migrate(old, migrations.slice(0, 3));
    expect(old.pragma('user_version', { simple: true })).toBe(3);
    const names = (old.prepare("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')").all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
    expect(names).toEqual(
      expect.arrayContaining(['parts_search_insert', 'parts_search_update', 'parts_search_delete', 'messages_body_pending']),
    );
    expect(names).not.toContain('parts_search_text');
    expect(old.prepare('SELECT offline_window_days FROM accounts').all()).toEqual([]);
    old.close();
  });

  it('keeps the search body equal to the cached parts: replaced once, cleared on delete', () => {
    const [id] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'Hello', 1)]);
    body(id!, 'first version');
    body(id!, 'second version');
    body(id!, 'html text', '2');
    expect(found('second version')).toEqual([id]);
    expect(found('html text')).toEqual([id]);
    expect(found('first version')).toEqual([]);
    db.prepare('DELETE FROM parts WHERE message_id = ?').run(id);
    expect(found('version')).toEqual([]);
    expect(found('Hello')).toEqual([id]);
  });
});

describe('PartStore text cache', () => {
  it('stores text parts with snippet and body state, and reads them back', () => {
    const [id] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'Hello', 1)]);
    expect(parts.message(id!).bodyState).toBe(BODY_NONE);
    body(id!, '本文のテキスト');
    expect(parts.get(id!, '1')).toEqual({
      kind: 'text',
      part: '1',
      contentType: 'text/plain',
      charset: 'utf-8',
      text: '本文のテキスト',
      size: 7,
    });
    expect(parts.get(id!, '2')).toBeNull();
    const m = parts.message(id!);
    expect(m).toMatchObject({ bodyState: BODY_TEXT, path: 'INBOX', accountId, uid: 1 });
    expect(m.summary.snippet).toBe('本文のテキスト');
  });

  it('writes files atomically and records them', async () => {
    const [id] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'File', 1)]);
    const w = await parts.openFile(id!, '2');
    w.stream.write(Buffer.from('%PDF-1.4 data'));
    const cached = await w.commit({ contentType: 'application/pdf' });
    expect(cached).toMatchObject({ kind: 'file', size: 13, file: parts.partFile(id!, '2') });
    expect(readFileSync(cached.file, 'latin1')).toBe('%PDF-1.4 data');
    expect(parts.get(id!, '2')).toEqual(cached);
    const aborted = await parts.openFile(id!, '3');
    aborted.stream.write('partial');
    await aborted.abort();
    expect(readdirSync(path.dirname(cached.file))).toEqual(['2']);
    expect(() => parts.partFile(id!, '../../x')).toThrow(/not a MIME part number/);
  });

  it('shares cached files with copies: linked, recorded, whole-message state kept, each evictable alone', async () => {
    const [original, copy, undone] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'o', 1), header(2, 'c', 1), header(3, 'u', 1)]);
    const cache = async (id: number, part: string, bytes: string, contentType: string) => {
      const w = await parts.openFile(id, part);
      w.stream.write(bytes);
      return w.commit({ contentType });
    };
    await cache(original!, '2', '%PDF data', 'application/pdf');
    await cache(original!, SOURCE_PART, 'Subject: o\r\n\r\nbody', 'message/rfc822');
    parts.raiseBodyState(original!, BODY_FULL);
    body(original!, 'inline text'); // inline parts are the copy's by OpStore.copy, not here
    db.prepare('DELETE FROM messages WHERE id = ?').run(undone!);

    expect(
      await parts.shareFiles([
        { original: original!, copy: copy! },
        { original: original!, copy: undone! },
      ]),
    ).toBe(2);
    expect(parts.get(copy!, '2')).toEqual({
      kind: 'file',
      part: '2',
      contentType: 'application/pdf',
      file: parts.partFile(copy!, '2'),
      size: 9,
    });
    expect(parts.get(copy!, SOURCE_PART)).toMatchObject({ kind: 'file', contentType: 'message/rfc822' });
    expect(parts.get(copy!, '1')).toBeNull();
    expect(parts.message(copy!).bodyState).toBe(BODY_FULL);
    // Hard links: one file, two names.
    expect(statSync(parts.partFile(copy!, '2')).ino).toBe(statSync(parts.partFile(original!, '2')).ino);
    // A copy that is gone meanwhile keeps nothing on disk.
    expect(existsSync(path.join(dir, 'parts', String(undone)))).toBe(false);

    // Evicting the original leaves the copy's files.
    db.prepare('UPDATE messages SET internal_date = ? WHERE id = ?').run(NOW - 200 * DAY, original!);
    expect(await parts.evictBefore(accountId, NOW - 90 * DAY)).toEqual([original]);
    expect(readFileSync(parts.partFile(copy!, '2'), 'latin1')).toBe('%PDF data');

    // A file the original no longer has on disk is not shared (the copy fetches it when opened).
    const [third] = messages.insertHeaders(accountId, inbox, 1, [header(4, 't', 1)]);
    rmSync(parts.partFile(copy!, '2'));
    expect(await parts.shareFiles([{ original: copy!, copy: third! }])).toBe(1);
    expect(parts.get(third!, '2')).toBeNull();
    expect(parts.get(third!, SOURCE_PART)).toMatchObject({ kind: 'file' });
  });

  it('says what the store takes on disk: the database pages in use and the part files', async () => {
    const [id] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'big', 200)]);
    const empty = await parts.diskUsage();
    parts.storeTexts([{ messageId: id!, parts: [], snippet: null, source: Buffer.alloc(300_000, 0x61) }]);
    const withSource = await parts.diskUsage();
    expect(withSource - empty).toBeGreaterThan(290_000); // in pages: about its size
    const w = await parts.openFile(id!, '2');
    w.stream.write(Buffer.alloc(50_000, 0x62));
    await w.commit({ contentType: 'application/octet-stream' });
    expect((await parts.diskUsage()) - withSource).toBeGreaterThanOrEqual(50_000);
    // Evicted: the pages go back to SQLite's free list, the file is removed; neither counts.
    expect(await parts.evictBefore(accountId, NOW - 90 * DAY)).toEqual([id]);
    expect(await parts.diskUsage()).toBeLessThan(empty + 20_000);
  });

  it('keeps the source stored with a text: the message whole; copies get it, eviction and deletion drop it', async () => {
    const [whole, textOnly, copy, deleted] = messages.insertHeaders(accountId, inbox, 1, [
      header(1, 'w', 200),
      header(2, 't', 1),
      header(3, 'c', 1),
      header(4, 'd', 1),
    ]);
    const source = Buffer.from('Subject: w\r\nContent-Type: text/plain\r\n\r\nkept whole\r\n');
    const text = { part: '1', contentType: 'text/plain', charset: 'utf-8', text: 'kept whole', searchText: 'kept whole', size: 12 };
    parts.storeTexts([
      { messageId: whole!, parts: [text], snippet: 'kept whole', source: new Uint8Array(source) }, // as it comes from the writer's thread
      { messageId: textOnly!, parts: [text], snippet: 'kept whole' },
      { messageId: deleted!, parts: [], snippet: null, source },
    ]);
    expect(parts.storedSource(whole!)).toEqual(source);
    expect(parts.message(whole!).bodyState).toBe(BODY_FULL);
    expect(parts.storedSource(textOnly!)).toBeNull();
    expect(parts.hasStoredSource(textOnly!)).toBe(false);
    expect(parts.message(textOnly!).bodyState).toBe(BODY_TEXT);

    // A copy made offline gets the bytes (not a link: they are in the database) and is whole too.
    expect(await parts.shareFiles([{ original: whole!, copy: copy! }])).toBe(1);
    expect(parts.storedSource(copy!)).toEqual(source);
    expect(parts.message(copy!).bodyState).toBe(BODY_FULL);

    // Out of the window: evicted with its parts; the copy keeps its own.
    expect(await parts.evictBefore(accountId, NOW - 90 * DAY)).toEqual([whole]);
    expect(parts.hasStoredSource(whole!)).toBe(false);
    expect(parts.message(whole!).bodyState).toBe(BODY_NONE);
    expect(parts.storedSource(copy!)).toEqual(source);

    // A message deleted (expunged) takes its source with it.
    db.prepare('DELETE FROM messages WHERE id = ?').run(deleted!);
    expect(db.prepare('SELECT count(*) FROM message_sources WHERE message_id = ?').pluck().get(deleted!)).toBe(0);
  });
});

describe('offline window and eviction', () => {
  it('defaults to 90 days; "all" and a number are stored', () => {
    expect(parts.offlineWindow(accountId)).toBe(90);
    parts.setOfflineWindow(accountId, 'all');
    expect(parts.offlineWindow(accountId)).toBe('all');
    parts.setOfflineWindow(accountId, 30);
    expect(parts.offlineWindow(accountId)).toBe(30);
  });

  it('lists pending bodies newest first within the window, resumably', () => {
    messages.insertHeaders(accountId, inbox, 1, [header(1, 'a', 1), header(2, 'b', 5), header(3, 'c', 100), header(4, 'd', 3)]);
    const cutoff = NOW - 90 * DAY;
    const first = parts.pendingBodies(accountId, cutoff, 2);
    expect(first.map((p) => p.uid)).toEqual([1, 4]);
    const last = first.at(-1)!;
    expect(parts.pendingBodies(accountId, cutoff, 10, { date: last.internalDate, id: last.id }).map((p) => p.uid)).toEqual([2]);
  });

  it('keeps mail whole below 128 KB unless set; lists text-only mail below the set size as pending, not larger or whole mail', async () => {
    expect(parts.wholeBelow(accountId)).toBe(DEFAULT_WHOLE_BELOW);
    const sized = (uid: number, size: number): HeaderRecord => ({ ...header(uid, `m${uid}`, uid), size });
    const [textOnly, large, whole, none] = messages.insertHeaders(accountId, inbox, 1, [
      sized(1, 300_000),
      sized(2, 3_000_000),
      sized(3, 400_000),
      sized(4, 500_000),
    ]);
    body(textOnly!, 'text');
    body(large!, 'text');
    body(whole!, 'text');
    const w = await parts.openFile(whole!, SOURCE_PART);
    await w.write(Buffer.from('Subject: m3\r\n\r\ntext'));
    await w.commit({ contentType: 'message/rfc822' });
    parts.raiseBodyState(whole!, BODY_FULL);
    const pending = () => parts.pendingBodies(accountId, NOW - 90 * DAY, 10).map((p) => p.id);
    expect(pending()).toEqual([none]); // only mail whose text is missing
    parts.setWholeBelow(accountId, 1024 * 1024);
    expect(parts.wholeBelow(accountId)).toBe(1024 * 1024);
    expect(pending()).toEqual([textOnly, none]); // 300 KB with its text only: now to be downloaded whole
  });

  it('drops whole copies at or above a size, unless opened lately or not on the server yet: the file goes, the text stays', async () => {
    const sized = (uid: number, size: number): HeaderRecord => ({ ...header(uid, `m${uid}`, 1), size });
    const [withText, bare, opened, smaller, localOnly] = messages.insertHeaders(accountId, inbox, 1, [
      sized(1, 2_000_000),
      sized(2, 2_000_000),
      sized(3, 2_000_000),
      sized(4, 500_000),
      sized(5, 2_000_000),
    ]);
    db.prepare('UPDATE messages SET uid = -id WHERE id = ?').run(localOnly!); // moved offline: not on the server yet
    for (const id of [withText!, bare!, opened!, smaller!, localOnly!]) {
      const w = await parts.openFile(id, SOURCE_PART);
      await w.write(Buffer.from('Subject: x\r\n\r\nbody'));
      await w.commit({ contentType: 'message/rfc822' });
      parts.raiseBodyState(id, BODY_FULL);
    }
    body(withText!, 'the text');
    parts.markOpened(opened!, NOW - DAY);
    expect(await parts.dropWholeFrom(accountId, 1024 * 1024, NOW - 14 * DAY)).toEqual([withText, bare]);
    expect(existsSync(parts.partFile(withText!, SOURCE_PART))).toBe(false);
    expect(parts.get(withText!, SOURCE_PART)).toBeNull();
    expect(parts.message(withText!).bodyState).toBe(BODY_TEXT);
    expect(found('the text')).toEqual([withText]);
    expect(parts.message(bare!).bodyState).toBe(BODY_NONE); // nothing of it left: the prefetch takes it again
    expect(parts.message(opened!).bodyState).toBe(BODY_FULL);
    expect(existsSync(parts.partFile(smaller!, SOURCE_PART))).toBe(true);
    expect(parts.message(smaller!).bodyState).toBe(BODY_FULL);
    expect(existsSync(parts.partFile(localOnly!, SOURCE_PART))).toBe(true); // its only copy to read
    expect(parts.message(localOnly!).bodyState).toBe(BODY_FULL);
  });

  it('reports a file write that fails (a full disk) as STORAGE, worded for a person, and leaves nothing', async () => {
    const [id] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'x', 1)]);
    const w = await parts.openFile(id!, '2');
    await w.write(Buffer.from('start'));
    // What the file system answers when the disk is full: without a listener it would end the process.
    w.stream.destroy(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    await expect(w.write(Buffer.from('more'))).rejects.toMatchObject({
      code: 'STORAGE',
      message: 'Could not save a copy on this computer: the disk is full.',
    });
    await expect(w.commit({ contentType: 'application/pdf' })).rejects.toMatchObject({ code: 'STORAGE' });
    await w.abort();
    expect(parts.get(id!, '2')).toBeNull();
    expect(readdirSync(path.dirname(parts.partFile(id!, '2')))).toEqual([]);
  });

  it('downloads no folder the user took out, nor the \\All one unless put back; evicting a folder spares what was opened lately or is not on the server yet', async () => {
    const store = new Store(db);
    const [inInbox] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'inbox', 1)]);
    const [inWork, opened, moved, sent] = messages.insertHeaders(accountId, work, 1, [
      header(1, 'work', 2),
      header(2, 'opened', 3),
      header(3, 'moved', 4),
      header(4, 'sent', 5),
    ]);
    const pending = () => parts.pendingBodies(accountId, NOW - 90 * DAY, 10).map((p) => p.id);
    expect(store.getMailbox(work).offline).toBe(true);
    expect(pending()).toEqual([inInbox, inWork, opened, moved, sent]);

    for (const id of [inWork!, opened!, moved!]) body(id, `text of ${id}`);
    parts.markOpened(opened!, NOW - DAY);
    db.prepare('UPDATE messages SET uid = -id WHERE id = ?').run(moved!);
    expect(store.setMailboxOffline(work, false).offline).toBe(false);
    expect(await parts.evictMailbox(work, NOW - 14 * DAY)).toEqual([inWork]);
    expect(parts.message(inWork!).bodyState).toBe(BODY_NONE);
    expect(found(`text of ${inWork!}`)).toEqual([]);
    expect(parts.message(opened!).bodyState).toBe(BODY_TEXT);
    expect(parts.message(moved!).bodyState).toBe(BODY_TEXT);
    expect(pending()).toEqual([inInbox]); // nothing of Work is downloaded any more
    expect(store.setMailboxOffline(work, true).offline).toBe(true);
    expect(pending()).toEqual([inInbox, inWork, sent]);

    // The \All folder (RFC 6154) holds every message of the others again: not downloaded unless set.
    db.prepare("UPDATE mailboxes SET role = 'all' WHERE id = ?").run(work);
    db.prepare('UPDATE mailboxes SET offline = NULL WHERE id = ?').run(work);
    expect(store.getMailbox(work).offline).toBe(false);
    expect(pending()).toEqual([inInbox]);
    expect(store.setMailboxOffline(work, true).offline).toBe(true);
    expect(pending()).toEqual([inInbox, inWork, sent]);
  });

  it('applies is:unread / is:read / is:flagged / has:attachment before the limit', () => {
    const records = Array.from({ length: 30 }, (_, i) => ({
      ...header(i + 1, `Build failed #${i + 1}`, i),
      flags: i % 10 === 0 ? ['\\Seen', '\\Flagged'] : i < 25 ? ['\\Seen'] : [],
    }));
    messages.insertHeaders(accountId, inbox, 1, records);
    const search = (filters: NonNullable<Parameters<PartStore['search']>[0]['filters']>) =>
      subjects(parts.search({ query: 'failed', limit: 3, filters }));
    // The five unread ones are the oldest: a limit applied before the filter would find none.
    expect(search({ unread: true })).toEqual(['Build failed #26', 'Build failed #27', 'Build failed #28']);
    expect(parts.search({ query: 'failed', limit: 10, filters: { unread: true } }).messages).toHaveLength(5);
    expect(search({ read: true })).toHaveLength(3);
    expect(parts.search({ query: 'failed', limit: 10, filters: { flagged: true } }).messages).toHaveLength(3);
    expect(parts.search({ query: 'failed', limit: 10, filters: { hasAttachments: true } }).messages).toHaveLength(0);
  });

  it('spares a message outside the window that was opened after the given time, or is not on the server yet', async () => {
    const [opened, other, moved] = messages.insertHeaders(accountId, inbox, 1, [
      header(1, 'opened', 200),
      header(2, 'other', 200),
      header(3, 'moved', 200),
    ]);
    body(opened!, 'opened body');
    body(other!, 'other body');
    body(moved!, 'moved body');
    db.prepare('UPDATE messages SET uid = -id WHERE id = ?').run(moved!); // an offline move's copy: its parts are all there is
    parts.markOpened(opened!, NOW - DAY);
    expect(await parts.evictBefore(accountId, NOW - 90 * DAY, NOW - 14 * DAY)).toEqual([other]);
    expect(parts.message(moved!).bodyState).toBe(BODY_TEXT);
    expect(parts.message(opened!).bodyState).toBe(BODY_TEXT);
    expect(await parts.evictBefore(accountId, NOW - 90 * DAY, NOW)).toEqual([opened]); // opened before that time
  });

  it('evicts parts, files and search text of messages outside the window, keeping snippets', async () => {
    const [recent, old] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'recent', 1), header(2, 'old', 200)]);
    body(recent!, 'recent body text');
    body(old!, 'old body text');
    const w = await parts.openFile(old!, '2');
    w.stream.write('x');
    await w.commit({ contentType: 'image/png' });
    expect(parts.search({ query: 'body text', limit: 10 }).messages).toHaveLength(2);

    expect(await parts.evictBefore(accountId, NOW - 90 * DAY)).toEqual([old]);
    expect(parts.get(old!, '1')).toBeNull();
    expect(existsSync(parts.partFile(old!, '2'))).toBe(false);
    expect(parts.message(old!)).toMatchObject({ bodyState: BODY_NONE, summary: { snippet: 'old body text' } });
    expect(found('old body')).toEqual([]);
    expect(subjects(parts.search({ query: 'body text', limit: 10 }))).toEqual(['recent']);
    expect(parts.message(recent!).bodyState).toBe(BODY_TEXT);
  });

  it('sweeps files of messages that no longer exist', async () => {
    const [id] = messages.insertHeaders(accountId, inbox, 1, [header(1, 'x', 1)]);
    const w = await parts.openFile(id!, '2');
    w.stream.write('x');
    await w.commit({ contentType: 'image/png' });
    messages.removeUids(inbox, 1, [1]);
    expect(await parts.sweepOrphanFiles()).toBe(1);
    expect(existsSync(parts.partFile(id!, '2'))).toBe(false);
  });
});

describe('local search', () => {
  beforeEach(() => {
    const ids = messages.insertHeaders(accountId, inbox, 1, [
      header(1, '猫の写真', 3),
      header(2, 'Meeting notes', 2),
      header(3, 'Lunch', 1, 'tanaka@example.jp'),
    ]);
    const [w] = messages.insertHeaders(accountId, work, 1, [header(1, 'Quarterly report', 4)]);
    body(ids[0]!, 'かわいい猫です。');
    body(ids[1]!, 'The quarterly report is attached. 来週の会議について');
    body(ids[2]!, 'ramen?');
    body(w!, 'Numbers for the quarter. 猫 again');
  });

  it('splits queries by trigram reach', () => {
    expect(splitQuery('猫 quarterly 会議 ab')).toEqual([{ long: ['quarterly'], short: ['猫', '会議', 'ab'], phrases: [], excluded: [] }]);
    expect(splitQuery('"Friday on  Lunch" lunch -ramen -"on Monday"')).toEqual([
      {
        long: ['Friday', 'Lunch', 'lunch'],
        short: ['on'],
        phrases: ['Friday on Lunch'],
        excluded: ['ramen', 'on Monday'],
      },
    ]);
  });

  it('seeks OR groups of words the indexes have as unions, in one query', () => {
    expect(splitQuery('invoice OR 会議 OR 猫 lunch -ramen')).toEqual([
      {
        long: ['lunch'],
        short: [],
        phrases: [],
        excluded: ['ramen'],
        anyOf: [
          [
            { kind: 'trigram', match: '"invoice"', term: 'invoice' },
            { kind: 'cjk', match: '"会議"', term: '会議' },
            { kind: 'cjk', match: '"猫"*', term: '猫' },
          ],
        ],
      },
    ]);
    // A group of 32 such choices is still one query.
    expect(splitQuery('aaa OR bbb ccc OR ddd eee OR fff ggg OR hhh iii OR jjj')).toHaveLength(1);
  });

  it('multiplies OR groups out into AND queries, and refuses too many of them', () => {
    expect(splitQuery('lunch "team dinner" OR 会議 -ramen')).toEqual([
      { long: ['lunch', 'team', 'dinner'], short: [], phrases: ['team dinner'], excluded: ['ramen'] },
      { long: ['lunch'], short: ['会議'], phrases: [], excluded: ['ramen'] },
    ]);
    expect(splitQuery('a OR b c OR d').map((q) => q.short)).toEqual([
      ['a', 'c'],
      ['a', 'd'],
      ['b', 'c'],
      ['b', 'd'],
    ]);
    expect(splitQuery('a OR b OR c OR d e OR f g OR h')).toHaveLength(16);
    expect(() => splitQuery('a OR b c OR d e OR f g OR h i OR j')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('32 combinations; at most 16') }),
    );
  });

  it('finds 3+ character substrings with the trigram index, ranking subject hits first', () => {
    expect(subjects(parts.search({ query: 'quarterly', limit: 10 }))).toEqual(['Quarterly report', 'Meeting notes']);
    expect(subjects(parts.search({ query: '会議につ', limit: 10 }))).toEqual(['Meeting notes']);
    expect(subjects(parts.search({ query: 'tanaka', limit: 10 }))).toEqual(['Lunch']);
  });

  it('finds 1 and 2 character Japanese queries through the LIKE fallback, newest first', () => {
    expect(subjects(parts.search({ query: '猫', limit: 10 }))).toEqual(['猫の写真', 'Quarterly report']);
    expect(subjects(parts.search({ query: '会議', limit: 10 }))).toEqual(['Meeting notes']);
  });

  it('requires every term, filters by folder and account, and reports more', () => {
    expect(subjects(parts.search({ query: '猫 quarter', limit: 10 }))).toEqual(['Quarterly report']);
    expect(subjects(parts.search({ query: '猫', mailboxId: inbox, limit: 10 }))).toEqual(['猫の写真']);
    expect(subjects(parts.search({ query: '猫', accountId: accountId + 1, limit: 10 }))).toEqual([]);
    expect(parts.search({ query: '猫', limit: 1 })).toMatchObject({ more: true, messages: [{ subject: '猫の写真' }] });
  });

  it('intersects a trigram term with a 2-character CJK term exactly, however dense or sparse each is', () => {
    // 3,000 messages: メール in every 2nd, 確認 in every 3rd (both: every 6th), and the two words in
    // runs and gaps so the merge crosses chunk boundaries and skips long stretches.
    const texts = Array.from({ length: 3000 }, (_, i) => {
      const words = [i % 2 === 0 || (i > 1200 && i < 1500) ? 'メール' : 'メモ', i % 3 === 0 && !(i > 1500 && i < 2600) ? '確認' : '確定'];
      return `${words.join('を')}しました ${i}`;
    });
    const ids = messages.insertHeaders(
      accountId,
      inbox,
      1,
      texts.map((_, i) => header(i + 10, `件名 ${i}`, 3000 - i)),
    );
    ids.forEach((id, i) => body(id, texts[i]!));
    const expected = (a: string, b: string) => ids.filter((_, i) => texts[i]!.includes(a) && texts[i]!.includes(b)).sort((x, y) => y - x); // same date order as ids here: newer messages got higher ids
    for (const [q, a, b] of [
      ['メール 確認', 'メール', '確認'],
      ['確認 メール', 'メール', '確認'],
      ['メールを 確定', 'メールを', '確定'],
    ] as const) {
      const found = parts.search({ query: q, mailboxId: inbox, limit: 5000 }).messages.map((m) => m.id);
      expect(found, q).toEqual(expected(a, b));
    }
    // A small match set is ranked (bm25) but is the same set.
    const few = parts.search({ query: 'メール 確認 しました 1299', mailboxId: inbox, limit: 10 }).messages.map((m) => m.id);
    expect(few).toEqual(expected('メール', '確認').filter((id) => texts[ids.indexOf(id)]!.includes('しました 1299')));
    expect(parts.search({ query: 'メール 確認', mailboxId: inbox, limit: 3 })).toMatchObject({ more: true });
    expect(parts.search({ query: 'メール 猫', limit: 10 }).messages).toEqual([]);
  });

  /**
   * 2,000 messages in INBOX, the newest last; each of five words lands in the subject, the body,
   * both or neither (by a seeded PRNG, each with `chance`), so multi-term queries need terms split
   * across the two indexes (migration 9). `has(i, text)`: the i-th message's subject or text has it.
   */
  const wordMessages = (seed: number, chance: number) => {
    const rand = mulberry32(seed);
    const words = ['alpha', 'bravo', 'charlie', '会議', '確認'];
    const docs = Array.from({ length: 2000 }, () => {
      const pick = () => words.filter(() => rand() < chance);
      return { subject: pick().join(' '), text: pick().join(' ') };
    });
    const ids = messages.insertHeaders(
      accountId,
      inbox,
      1,
      docs.map((d, i) => header(i + 100, d.subject, 2000 - i)),
    );
    ids.forEach((id, i) => {
      if (docs[i]!.text) body(id, docs[i]!.text);
    });
    return { ids, has: (i: number, text: string) => docs[i]!.subject.includes(text) || docs[i]!.text.includes(text) };
  };

  it('matches each term in the header or the cached text, in any combination, exactly', () => {
    const { ids, has } = wordMessages(9, 0.35);
    const expected = (terms: string[]) => ids.filter((_, i) => terms.every((t) => has(i, t))).sort((x, y) => y - x);
    for (const q of ['alpha', 'alpha bravo', 'bravo charlie alpha', 'alpha 会議', '会議 確認', 'charlie 確認 会議', 'alph rav']) {
      const got = parts.search({ query: q, mailboxId: inbox, limit: 5000 }).messages.map((m) => m.id);
      expect(got.length, q).toBeGreaterThan(0);
      expect(
        [...got].sort((x, y) => y - x),
        q,
      ).toEqual(expected(q.split(' ')));
    }
  });

  it('matches OR alternatives beside required, excluded and phrase terms exactly, newest first', () => {
    const { ids, has } = wordMessages(11, 0.3);
    const cases: Array<[string, (i: number) => boolean]> = [
      ['alpha OR bravo', (i) => has(i, 'alpha') || has(i, 'bravo')],
      ['charlie alpha OR 会議', (i) => has(i, 'charlie') && (has(i, 'alpha') || has(i, '会議'))],
      ['会議 OR 確認 OR rav -alpha', (i) => (has(i, '会議') || has(i, '確認') || has(i, 'rav')) && !has(i, 'alpha')],
      ['"alpha bravo" OR rl', (i) => has(i, 'alpha bravo') || has(i, 'rl')],
      ['alpha OR bravo charlie OR 確認', (i) => (has(i, 'alpha') || has(i, 'bravo')) && (has(i, 'charlie') || has(i, '確認'))],
      // OR with nothing to join on one side is dropped; quoted, it is a word (found nowhere here).
      ['OR alpha -bravo OR', (i) => has(i, 'alpha') && !has(i, 'bravo')],
      ['alpha "OR" bravo', () => false],
    ];
    const mine = new Set(ids); // not the messages every test of this block has
    for (const [q, matches] of cases) {
      const got = parts
        .search({ query: q, mailboxId: inbox, limit: 5000 })
        .messages.map((m) => m.id)
        .filter((id) => mine.has(id));
      // Newest first: the ids follow the dates (ID_SLOTS).
      const expected = ids.filter((_, i) => matches(i)).sort((x, y) => y - x);
      expect(got, q).toEqual(expected);
      if (expected.length > 3) expect(parts.search({ query: q, mailboxId: inbox, limit: 3 }), q).toMatchObject({ more: true });
    }
    // Each message once, though it matches several alternatives; the newest `limit` of all.
    const both = ids.filter((_, i) => has(i, 'alpha') && has(i, 'bravo')).length;
    expect(both).toBeGreaterThan(0);
    const newest = parts.search({ query: 'alpha OR bravo', mailboxId: inbox, limit: 7 });
    expect(newest.messages.map((m) => m.id)).toEqual(
      ids
        .filter((_, i) => has(i, 'alpha') || has(i, 'bravo'))
        .sort((x, y) => y - x)
        .slice(0, 7),
    );
  });

  it('finds the newest matches of a common term, whatever order a sync stored them in', () => {
    // All match, more than the window of most recent matches search ranks (SEARCH_WINDOW): INBOX
    // first (today's mail), then an archive of older mail, in chunks, newest first, each in UID order.
    messages.insertHeaders(accountId, inbox, 1, [header(900, 'Invoice (this morning)', 0.5), header(901, 'Invoice (just now)', 0.1)]);
    const count = SEARCH_WINDOW + 500;
    const desc = Array.from({ length: count }, (_, i) => 1000 + count - i);
    for (const chunk of [desc.slice(0, 250), desc.slice(250)]) {
      const ascending = [...chunk].reverse();
      for (let at = 0; at < ascending.length; at += 500)
        messages.insertHeaders(
          accountId,
          work,
          1,
          ascending.slice(at, at + 500).map((uid) => header(uid, `Invoice ${uid}`, (2000 + count - uid) / 24)),
        );
    }
    expect(subjects(parts.search({ query: 'invoice', limit: 3 }))).toEqual([
      'Invoice (just now)',
      'Invoice (this morning)',
      `Invoice ${desc[0]}`,
    ]);
    expect(subjects(parts.search({ query: 'invoice', mailboxId: work, limit: 2 }))).toEqual(
      desc.slice(0, 2).map((uid) => `Invoice ${uid}`),
    );
  });

  it('applies from:, to: and subject: conditions before the limit', () => {
    // 300 messages that all hold the word; the 3 from Tanaka (and to 佐藤) are the oldest, beyond
    // any window of the newest matches.
    const records = Array.from({ length: 300 }, (_, i) =>
      headerRecord(i + 500, {
        internalDate: NOW - (i < 3 ? 400 - i : i / 10) * DAY,
        subject: i < 3 ? `Quarterly plan ${i}` : `Plan ${i}`,
        from: i < 3 ? { name: '田中 Taro', address: 'taro@example.jp' } : { name: 'Someone', address: `s${i}@example.com` },
        to: i < 3 ? [{ name: '佐藤 花子', address: 'hanako@example.jp' }] : [{ name: '', address: 'team@example.com' }],
        cc: i === 2 ? [{ name: 'Carol', address: 'carol@example.org' }] : [],
      }),
    );
    messages.insertHeaders(accountId, work, 1, records);
    const search = (filters: NonNullable<Parameters<PartStore['search']>[0]['filters']>, query = 'plan') =>
      subjects(parts.search({ query, mailboxId: work, limit: 2, filters }));
    expect(search({ from: ['TARO@'] })).toEqual(['Quarterly plan 2', 'Quarterly plan 1']);
    expect(search({ from: ['田中'] })).toEqual(['Quarterly plan 2', 'Quarterly plan 1']);
    expect(search({ to: ['佐藤'] })).toEqual(['Quarterly plan 2', 'Quarterly plan 1']);
    expect(search({ to: ['carol'] })).toEqual(['Quarterly plan 2']); // any recipient: Cc too
    expect(search({ subject: ['quarterly'], from: ['taro'] })).toEqual(['Quarterly plan 2', 'Quarterly plan 1']);
    expect(search({ subject: ['PLAN 1'] }, 'pla')).toEqual(['Plan 10', 'Plan 11']); // newest first: 300 match 'pla'
    expect(search({ from: ['taro'], to: ['team@'] })).toEqual([]);
    expect(search({ from: ['taro'], to: ['name'] })).toEqual([]); // the stored JSON's keys are not text
    expect(search({ from: ['taro'], to: ['address'] })).toEqual([]);
    expect(search({ from: ['%'] })).toEqual([]); // a wildcard is text
    expect(parts.search({ query: 'plan', mailboxId: work, limit: 2, filters: { from: ['taro'] } }).more).toBe(true);
    // Alternatives (from:a OR from:b): any one of them, each group beside the other terms.
    expect(search({ from: [['nobody', 'taro']] })).toEqual(['Quarterly plan 2', 'Quarterly plan 1']);
    const three = parts.search({ query: 'plan', mailboxId: work, limit: 10, filters: { from: [['s299@', 'taro', 's298@']] } });
    expect(subjects(three).sort()).toEqual(['Plan 298', 'Plan 299', 'Quarterly plan 0', 'Quarterly plan 1', 'Quarterly plan 2']);
    expect(subjects(parts.search({ query: 'plan', mailboxId: work, limit: 5, filters: { from: [['s299@', 's298@']] } }))).toEqual([
      'Plan 298',
      'Plan 299',
    ]);
    expect(search({ from: [['taro', 's299@']], to: [['carol', 'nobody']] })).toEqual(['Quarterly plan 2']);
    expect(search({ subject: [['quarterly plan 0', 'quarterly plan 1']], from: ['taro'] })).toEqual([
      'Quarterly plan 1',
      'Quarterly plan 0',
    ]);
    expect(search({ from: [['nobody', 'no one']] })).toEqual([]);
  });

  it('matches "quoted phrases" as words in that order, across a line break, in the header or the text', () => {
    const [a, b, c] = messages.insertHeaders(accountId, work, 1, [
      header(20, 'Plans', 5),
      header(21, 'Other plans', 6),
      header(22, 'Tanaka Taro', 7),
    ]);
    body(a!, 'See you on Friday. Friday on\r\n  Lunch break, as usual.');
    body(b!, 'Lunch on Friday, then.');
    body(c!, 'Nothing here.');
    const find = (query: string) => subjects(parts.search({ query, limit: 10 }));
    expect(find('"Friday on Lunch"')).toEqual(['Plans']);
    expect(find('"friday ON lunch"')).toEqual(['Plans']); // case folded, as the index folds it
    expect(find('"Lunch on Friday"')).toEqual(['Other plans']);
    expect(find('Friday Lunch')).toEqual(expect.arrayContaining(['Plans', 'Other plans']));
    expect(find('"quarterly report"')).toEqual(['Quarterly report', 'Meeting notes']); // subject, then text
    expect(find('"report quarterly"')).toEqual([]);
    expect(find('"report is attached" 会議')).toEqual(['Meeting notes']);
    expect(find('"is at"')).toEqual(['Meeting notes']); // short words only: scanned, then checked as a phrase
    expect(find('"Taro Tanaka"')).toEqual([]);
    expect(find('"Tanaka Taro"')).toEqual(['Tanaka Taro']);
    expect(find('"a.b (c"')).toEqual([]); // regex syntax is text
  });

  it('leaves out messages with an excluded word or phrase (-word) in the subject, the addresses or the text', () => {
    const [a, b, c] = messages.insertHeaders(accountId, work, 1, [
      header(30, 'Lunch plans', 5),
      header(31, 'Lunch on Friday', 6),
      { ...header(32, 'Lunch with the team', 7), from: { name: 'Ramen Shop', address: 'shop@example.jp' } },
    ]);
    body(a!, 'Sushi at noon. 会議の後で。');
    body(b!, 'Friday lunch, then.');
    body(c!, 'The usual place.');
    // Sorted: the hits are ranked, and only which ones is tested here.
    const find = (query: string) => subjects(parts.search({ query, mailboxId: work, limit: 10 })).sort();
    expect(find('lunch')).toEqual(['Lunch on Friday', 'Lunch plans', 'Lunch with the team']);
    expect(find('lunch -friday')).toEqual(['Lunch plans', 'Lunch with the team']); // subject and text
    expect(find('lunch -FRIDAY -ramen')).toEqual(['Lunch plans']); // case folded; the sender's name
    expect(find('lunch -"at noon"')).toEqual(['Lunch on Friday', 'Lunch with the team']);
    expect(find('lunch -"noon at"')).toHaveLength(3); // a phrase's words in order only
    expect(find('lunch -会議')).toEqual(['Lunch on Friday', 'Lunch with the team']); // Japanese, in the text
    expect(find('ch -friday')).toEqual(['Lunch plans', 'Lunch with the team']); // short terms: scanned
    // Exclusions alone: every message of the folder without them, newest first.
    const all = find('-lunch');
    expect(all.length).toBeGreaterThan(0);
    expect(all.some((subject) => /lunch/i.test(subject))).toBe(false);
    // Across folders too (a scan in id order), and a phrase across a line break.
    const everywhere = subjects(parts.search({ query: '-lunch -quarterly', limit: 50 }));
    expect(everywhere).toContain('猫の写真'); // INBOX
    expect(everywhere.some((subject) => /lunch|quarterly/i.test(subject))).toBe(false);
    expect(everywhere).not.toContain('Meeting notes'); // "quarterly" in its text only
  });

  it('finds what is left when an excluded word is in all of the newest messages (the scan reads on, range by range)', () => {
    // 2,500 messages, the newest 2,300 with "common" in their subject: the first range (2,000) has
    // none without it, the second some, the third the rest.
    const records = Array.from({ length: 2500 }, (_, i) => header(1000 + i, i >= 200 ? `common note ${i}` : `rare note ${i}`, 2500 - i));
    messages.insertHeaders(accountId, work, 1, records);
    // (-quarterly: the folder's "Quarterly report" is newer than all of them.)
    const found = parts.search({ query: '-common -quarterly', mailboxId: work, limit: 150 });
    expect(found.messages).toHaveLength(150);
    expect(found.more).toBe(true);
    expect(found.messages.map((m) => m.subject)).toEqual(Array.from({ length: 150 }, (_, k) => `rare note ${199 - k}`));
    // With a word, the same through the index: every "note" without "common".
    const words = parts.search({ query: 'note -common', mailboxId: work, limit: 500 });
    expect(words.messages.map((m) => m.subject).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `rare note ${i}`).sort());
    // Nothing left: every range read, nothing found.
    expect(parts.search({ query: '-note -quarterly -numbers', mailboxId: work, limit: 50 }).messages).toEqual([]);
  });

  it('leaves out a message whose text the index does not have yet (a prefetch backlog), and a phrase the index cannot see', () => {
    const deferred = new PartStore(db, dir, { deferBodyIndex: true });
    const [a, b] = messages.insertHeaders(accountId, work, 1, [header(40, 'Budget draft', 5), header(41, 'Budget final', 6)]);
    deferred.storeTexts([
      {
        messageId: a!,
        parts: [{ part: '1', contentType: 'text/plain', charset: 'utf-8', text: 'Due on Friday.', searchText: 'Due on Friday.', size: 14 }],
        snippet: null,
      },
    ]);
    body(b!, 'Signed off\r\n  on Monday.');
    const find = (query: string) => subjects(parts.search({ query, mailboxId: work, limit: 10 })).sort();
    expect(find('budget')).toEqual(['Budget draft', 'Budget final']);
    expect(find('budget -friday')).toEqual(['Budget final']); // not indexed yet: read from the text
    expect(find('budget -"off on"')).toEqual(['Budget draft']); // across a line break: not one trigram phrase
    expect(find('-friday -monday').filter((subject) => subject.startsWith('Budget'))).toEqual([]);
    // An OR group's word only in the text not indexed yet, the other's in an indexed one.
    expect(find('friday OR monday')).toEqual(['Budget draft', 'Budget final']);
    expect(find('budget friday OR tuesday')).toEqual(['Budget draft']);
  });

  it('treats query syntax and LIKE wildcards as text', () => {
    expect(parts.search({ query: '"OR NEAR(', limit: 10 }).messages).toEqual([]);
    expect(parts.search({ query: '%', limit: 10 }).messages).toEqual([]);
    expect(parts.search({ query: '_', limit: 10 }).messages).toEqual([]);
  });
});

describe('search text', () => {
  it('flattens addresses and splits CJK runs into bigrams plus each run’s last character', () => {
    expect(addressText('{"from":[{"name":"田中 太郎","address":"tanaka@example.jp"}],"to":[{"name":"","address":"b@x"}],"cc":[]}')).toBe(
      '田中 太郎 tanaka@example.jp, b@x',
    );
    expect(addressText('not json')).toBe('');
    expect(cjkGrams('会議の議事録 #12', 'Re: 猫。カレー')).toBe('会議 議の の議 議事 事録 録 猫 カレ レー ー');
    expect(isCjkTerm('会議')).toBe(true);
    expect(isCjkTerm('ab')).toBe(false);
    expect(isCjkTerm('猫。')).toBe(false);
  });

  it('makes the same grams as the regex definition for every BMP character and for mixed text with surrogate pairs', () => {
    // Each BMP character alone, and in a run with a kanji on either side.
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      const text = `会${ch}議 ${ch}`;
      if (cjkGrams(text) !== cjkGramsByRegex(text)) expect(cjkGrams(text), `U+${c.toString(16)}`).toBe(cjkGramsByRegex(text));
    }
    const rand = mulberry32(5);
    const alphabet = ['a', ' ', '。', 'ー', '会', '議', 'カ', 'ﾒ', '한', '𠮷', '🍣', '\uD842', '\uDFB7', 'é', '1', '１', 'ゝ', '〆'];
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      expect(cjkGrams(text, null, text), JSON.stringify(text)).toBe(cjkGramsByRegex(text, null, text));
    }
    expect(cjkGrams('𠮷野家の会議')).toBe('𠮷野 野家 家の の会 会議 議');
  });

  it('answers 1-2 character terms of other scripts by scanning, and ranks among the newest matches of a common term', () => {
    const ids = messages.insertHeaders(accountId, inbox, 1, [header(10, 'ab test', 1), header(11, 'xy', 2)]);
    expect(parts.search({ query: 'ab', limit: 10 }).messages.map((m) => m.id)).toEqual([ids[0]]);
    expect(parts.search({ query: 'zz', limit: 10 }).messages).toEqual([]);
  });
});
