import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withImap } from '../../test/dovecot/client.js';
import { FileCredentialStore } from '../engine/credentials-file.js';
import { subjectSortKey } from '../engine/db/subject.js';
import { openDatabase } from '../engine/db/database.js';
import { openEngine, type Engine } from '../engine/index.js';
import { appRoot } from '../engine/paths.js';
import { describeFailure, runCli } from './cli.js';

const server = inject('dovecot');
const seed = inject('dovecotSeed');
const alice = server.users.find((u) => u.user === 'alice')!;

let dataDir: string;
let engine: Engine;

/** Runs one CLI command in-process over a real engine; stdout lines and the exit code. */
async function cliOn(on: Engine, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code: number;
  try {
    code = await runCli(args, on, {
      stdout: (t) => (out += t),
      stdoutBytes: (b) => (out += Buffer.from(b).toString('utf8')),
      stderr: (t) => (err += t),
      env: { ALICE_PASSWORD: alice.password, WRONG: 'nope' },
      readStdin: async () => '',
      readFile: (f) => readFile(f),
      untilInterrupted: () => Promise.resolve(),
    });
  } catch (error) {
    const failure = describeFailure(error);
    err += failure.message;
    code = failure.exitCode;
  }
  return { code, out, err };
}
const cli = (...args: string[]) => cliOn(engine, ...args);
const jsonLines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const addOn = (on: Engine, ...extra: string[]) =>
  cliOn(
    on,
    'account',
    'add',
    '--name',
    'Alice',
    '--host',
    server.host,
    '--port',
    String(server.imapsPort),
    '--security',
    'tls',
    '--user',
    'alice',
    ...extra,
  );
const add = (...extra: string[]) => addOn(engine, ...extra);

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-cli-'));
  engine = await openEngine({ dataDir, host: 'cli', credentials: new FileCredentialStore(dataDir), version: 'test' });
});
afterAll(async () => {
  await engine?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the command line against the real Dovecot', () => {
  it('refuses an untrusted certificate with its fingerprint, and a wrong password, exiting 1 with nothing on stdout', async () => {
    const untrusted = await add('--password-env', 'ALICE_PASSWORD');
    expect(untrusted).toMatchObject({ code: 1, out: '' });
    expect(untrusted.err).toContain(server.certFingerprint256);
    const wrong = await add('--password-env', 'WRONG', '--trust-certificate', server.certFingerprint256);
    expect(wrong).toMatchObject({ code: 1, out: '' });
    expect(wrong.err).toMatch(/refused the user name or password/);
  });

  it('refuses a password given on the command line (usage error, exit 2)', async () => {
    expect((await add('--password', 'x')).code).toBe(2);
  });

  it('adds the account, mirrors it with sync --once, and list --json agrees with the server, flag for flag', async () => {
    expect((await add('--password-env', 'ALICE_PASSWORD', '--trust-certificate', server.certFingerprint256)).code).toBe(0);
    const synced = await cli('sync', '--once');
    expect(synced.code, synced.err).toBe(0);
    expect(synced.out).toBe('');
    // The pass ends complete: the header search rows it left for after it (migration 12) are written,
    // and those of the texts it cached.
    const db = openDatabase(path.join(dataDir, 'tegami.db'));
    try {
      expect(db.prepare('SELECT count(*) FROM header_backfill').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM message_search').pluck().get()).toBe(
        db.prepare('SELECT count(*) FROM messages').pluck().get(),
      );
      expect(db.prepare('SELECT count(*) FROM body_backfill').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM body_search').pluck().get()).toBe(
        db.prepare("SELECT count(DISTINCT message_id) FROM parts WHERE search_text IS NOT NULL AND search_text != ''").pluck().get(),
      );
    } finally {
      db.close();
    }

    for (const folder of ['INBOX', '仕事/請求書', 'Other/bob/Shared']) {
      const listed = await cli('list', '--account', 'Alice', '--folder', folder, '--json');
      expect(listed.code).toBe(0);
      const local = new Map(jsonLines(listed.out).map((m) => [m.uid as number, [...(m.flags as string[])].sort()]));
      const remote = await withImap(server, 'alice', async (c) => {
        const lock = await c.getMailboxLock(folder, { readOnly: true });
        try {
          const out = new Map<number, string[]>();
          for await (const m of c.fetch('1:*', { uid: true, flags: true }, { uid: true }))
            out.set(m.uid, [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort());
          return out;
        } finally {
          lock.release();
        }
      });
      expect(local, folder).toEqual(remote);
      expect(local.size).toBe(seed.folders[folder]);
    }
  });

  it('prints the folder list as JSON with the contract fields', async () => {
    const { out } = await cli('folders', '--account', 'Alice', '--json');
    const rows = jsonLines(out);
    const inbox = rows.find((r) => r.path === 'INBOX');
    expect(Object.keys(inbox ?? {})).toEqual(
      expect.arrayContaining(['path', 'name', 'delimiter', 'role', 'subscribed', 'total', 'unread', 'uidvalidity']),
    );
    expect(inbox).toMatchObject({ role: 'inbox', delimiter: '/', total: seed.folders.INBOX });
    expect(rows.find((r) => r.path === '仕事/請求書')).toMatchObject({ name: '請求書' });
  });

  it('sets the offline window: a smaller one frees what falls out of it at once, a larger one is filled by the next sync', async () => {
    const shown = await cli('account', 'window', '--account', 'Alice');
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(
      /^Alice: the last 90 days kept for offline reading, whole \(attachments too\) when smaller than 128 KB \(the mail store takes \d+\.\d MB on this computer, every account's\)\n$/,
    );
    const db = openDatabase(path.join(dataDir, 'tegami.db'));
    try {
      const count = (sql: string, ...args: number[]) =>
        db
          .prepare(sql)
          .pluck()
          .get(...args) as number;
      const cachedBefore = (cutoff: number) => count('SELECT count(*) FROM messages WHERE body_state > 0 AND internal_date < ?', cutoff);
      const keptBefore = (cutoff: number) =>
        count('SELECT count(*) FROM message_sources s JOIN messages m ON m.id = s.message_id WHERE m.internal_date < ?', cutoff);
      const day = 86_400_000;
      const inWindow = count('SELECT count(*) FROM messages WHERE body_state > 0');
      expect(cachedBefore(Date.now() - day)).toBeGreaterThan(0);
      expect(keptBefore(Date.now() - day)).toBeGreaterThan(0);

      const before = jsonLines((await cli('account', 'window', '--account', 'Alice', '--json')).out)[0]?.bytes as number;
      expect(before).toBeGreaterThan(0);
      const one = await cli('account', 'window', '--account', 'Alice', '1', '--json');
      expect(one.code, one.err).toBe(0);
      expect(cachedBefore(Date.now() - day)).toBe(0);
      expect(keptBefore(Date.now() - day)).toBe(0);
      // What the store takes now, as the account's page shows it: less than before.
      const [set] = jsonLines(one.out);
      expect(set).toMatchObject({ account: 'Alice', offlineWindow: 1, wholeBelow: 128 * 1024 });
      expect(set?.bytes).toBeLessThan(before);

      expect((await cli('account', 'window', '--account', 'Alice', 'all')).out).toMatch(/^Alice: all mail kept for offline reading, /);
      expect((await cli('sync', '--once')).code).toBe(0);
      // Everything now, the corpus's 2002 mail too.
      expect(count('SELECT count(*) FROM messages WHERE body_state > 0')).toBeGreaterThan(inWindow);

      expect((await cli('account', 'window', '--account', 'Alice', '90')).code).toBe(0);
      expect(cachedBefore(Date.now() - 91 * day)).toBe(0);
    } finally {
      db.close();
    }
    const bad = await cli('account', 'window', '--account', 'Alice', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('a number of days (1 to 36500) or "all"');
    expect(bad.out).toBe('');
  });

  it('sets the size below which mail of the offline window is kept whole, and says it', async () => {
    const set = await cli('account', 'window', '--account', 'Alice', '--whole-below', '10M', '--json');
    expect(set.code, set.err).toBe(0);
    expect(jsonLines(set.out)[0]).toMatchObject({ account: 'Alice', offlineWindow: 90, wholeBelow: 10 * 1024 * 1024 });
    expect((await cli('account', 'window', '--account', 'Alice')).out).toMatch(/, whole \(attachments too\) when smaller than 10 MB \(/);
    const listed = jsonLines((await cli('account', 'list', '--json')).out);
    expect(listed[0]).toMatchObject({ name: 'Alice', wholeBelow: 10 * 1024 * 1024 });
    for (const wrong of ['100K', '97M', 'big', '0']) {
      const bad = await cli('account', 'window', '--account', 'Alice', '--whole-below', wrong);
      expect(bad.code, wrong).toBe(2);
      expect(bad.err).toContain(`--whole-below is a size from 128K to 96M (such as 128K, 10M or 1048576), not “${wrong}”`);
    }
    const back = await cli('account', 'window', '--account', 'Alice', '--whole-below', '131072', '--json');
    expect(jsonLines(back.out)[0]).toMatchObject({ wholeBelow: 128 * 1024 });
  });

  it('takes a folder out of offline reading and puts it back: what was downloaded of it is freed, folders --json says so', async () => {
    const folder = (rows: Record<string, unknown>[]) => rows.find((r) => r.path === '仕事/請求書');
    expect(folder(jsonLines((await cli('folders', '--account', 'Alice', '--json')).out))).toMatchObject({ offline: true });
    const db = openDatabase(path.join(dataDir, 'tegami.db'));
    try {
      const cached = () =>
        db
          .prepare(
            "SELECT count(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.path = '仕事/請求書' AND m.body_state > 0",
          )
          .pluck()
          .get() as number;
      expect(cached()).toBeGreaterThan(0);
      const off = await cli('folder', 'offline', '--account', 'Alice', '--folder', '仕事/請求書', 'off', '--json');
      expect(off.code, off.err).toBe(0);
      expect(jsonLines(off.out)).toEqual([{ path: '仕事/請求書', offline: false }]);
      expect(cached()).toBe(0);
      expect((await cli('sync', '--once')).code).toBe(0);
      expect(cached()).toBe(0); // the next pass downloads none of it
      expect((await cli('folder', 'offline', '--account', 'Alice', '--folder', '仕事/請求書')).out).toBe(
        '仕事/請求書: not kept for offline reading (read from the server)\n',
      );
      expect((await cli('folder', 'offline', '--account', 'Alice', '--folder', '仕事/請求書', 'on')).code).toBe(0);
      expect((await cli('sync', '--once')).code).toBe(0);
      expect(cached()).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    const bad = await cli('folder', 'offline', '--account', 'Alice', '--folder', '仕事/請求書', 'maybe');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('folder offline takes on or off, not “maybe”');
  });

  it('lists a folder in the order asked for: by sent date, by subject ascending; a wrong --sort is refused', async () => {
    const bySent = jsonLines((await cli('list', '--account', 'Alice', '--folder', 'INBOX', '--sort', 'sent', '--json')).out);
    expect(bySent.length).toBeGreaterThan(10);
    const sentKeys = bySent.map((m) => Date.parse((m.sentDate as string | null) ?? (m.date as string)));
    expect(sentKeys.every((k, i) => i === 0 || k <= (sentKeys[i - 1] as number))).toBe(true);
    // Not the arrival order: the 2002 corpus was delivered after the newer mail was written.
    const byArrival = jsonLines((await cli('list', '--account', 'Alice', '--folder', 'INBOX', '--json')).out);
    expect(bySent.map((m) => m.uid)).not.toEqual(byArrival.map((m) => m.uid));
    expect(new Set(bySent.map((m) => m.uid))).toEqual(new Set(byArrival.map((m) => m.uid)));
    const bySubject = jsonLines(
      (await cli('list', '--account', 'Alice', '--folder', 'INBOX', '--sort', 'subject', '--ascending', '--json')).out,
    );
    expect(bySubject.length).toBe(byArrival.length);
    const first = bySubject.map((m) => subjectSortKey(m.subject as string));
    expect(first.every((k, i) => i === 0 || (first[i - 1] as string) <= k)).toBe(true);
    const bad = await cli('list', '--account', 'Alice', '--folder', 'INBOX', '--sort', 'newest');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--sort is one of date, sent, from, subject, size, not “newest”');
    expect(bad.out).toBe('');
  });

  it('shows a Japanese ISO-2022-JP message decoded, and its raw source on request', async () => {
    const listed = jsonLines((await cli('list', '--account', 'Alice', '--folder', 'INBOX', '--json')).out);
    const msg = listed.find((m) => m.messageId === `<${seed.messageIds.iso2022jp}>`);
    expect(msg?.subject).toBe('来週の会議について（ISO-2022-JP）');
    const shown = await cli('show', '--account', 'Alice', '--folder', 'INBOX', '--uid', String(msg?.uid));
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain('来週の会議は水曜日の午後三時からに変更になりました。');
    const raw = await cli('show', '--account', 'Alice', '--folder', 'INBOX', '--uid', String(msg?.uid), '--raw');
    expect(raw.out).toContain('Content-Type: text/plain; charset=ISO-2022-JP');
    const missing = await cli('show', '--account', 'Alice', '--folder', 'INBOX', '--uid', '999999');
    expect(missing.code).toBe(1);
  });

  it('serves an inline cid: image as data for the message view (messages.partData)', async () => {
    const listed = jsonLines((await cli('list', '--account', 'Alice', '--folder', 'INBOX', '--json')).out);
    const msg = listed.find((m) => m.messageId === `<${seed.messageIds.related}>`);
    const inbox = (
      (await engine.invoke('mailboxes.list', { accountId: 1 })) as { ok: true; value: { mailboxes: { id: number; path: string }[] } }
    ).value.mailboxes.find((m) => m.path === 'INBOX')!;
    const found = (await engine.invoke('messages.byUid', { mailboxId: inbox.id, uid: msg?.uid })) as { ok: true; value: { id: number } };
    const detail = (await engine.invoke('messages.get', { id: found.value.id })) as {
      ok: true;
      value: { textPart: string | null; parts: { part: string; contentType: string; contentId: string | null }[] };
    };
    const image = detail.value.parts.find((p) => p.contentType.startsWith('image/'));
    expect(image?.contentId).toBeTruthy();
    const data = (await engine.invoke('messages.partData', { id: found.value.id, part: image?.part })) as {
      ok: boolean;
      value: { contentType: string; base64: string; size: number };
    };
    expect(data.ok).toBe(true);
    expect(data.value.contentType).toBe(image?.contentType);
    expect(Buffer.from(data.value.base64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const text = (await engine.invoke('messages.partData', { id: found.value.id, part: detail.value.textPart })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(text).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('finds mail by a Japanese substring, locally and on the server', async () => {
    const local = jsonLines((await cli('search', '--account', 'Alice', '会議', '--json')).out);
    expect(local.some((h) => h.source === 'local' && h.subject === '来週の会議について（ISO-2022-JP）')).toBe(true);
    const remote = jsonLines((await cli('search', '--account', 'Alice', 'Lunch', '--folder', 'INBOX', '--server', '--json')).out);
    // Everything in INBOX is synced, so every server hit is already local (and says so).
    expect(remote.length).toBeGreaterThanOrEqual(3);
    expect(remote.every((h) => h.source === 'local' && String(h.subject).includes('Lunch'))).toBe(true);
    // -word leaves out, locally and on the server. Of INBOX's three "Lunch on Friday?" messages, one
    // says "ramen" and one is from Carol. The query is one argument, or (when it starts with a minus)
    // comes after --.
    const lunch = async (server: boolean, ...query: string[]) =>
      jsonLines((await cli('search', '--account', 'Alice', '--folder', 'INBOX', ...(server ? ['--server'] : []), '--json', ...query)).out)
        .length;
    expect(await lunch(false, 'Lunch')).toBe(3);
    expect(await lunch(false, 'Lunch -ramen')).toBe(2);
    expect(await lunch(false, 'Lunch -ramen -carol')).toBe(1);
    expect(await lunch(true, 'Lunch -"the ramen place"')).toBe(2);
    expect(await lunch(true, '--', '-ramen', '-carol', 'Lunch')).toBe(1);
    // OR: either word, locally and on the server.
    expect(await lunch(false, 'Lunch ramen OR carol')).toBe(2);
    expect(await lunch(true, 'Lunch ramen OR carol')).toBe(2);
  });

  it('names the folder of every hit by its path, which show --folder takes as it is', async () => {
    const paths = jsonLines((await cli('folders', '--account', 'Alice', '--json')).out).map((f) => f.path);
    const hits = jsonLines((await cli('search', '--account', 'Alice', '写真', '--json')).out);
    expect(new Set(hits.map((h) => h.folder)).size).toBeGreaterThan(1);
    for (const hit of hits) {
      expect(hit).toMatchObject({ source: 'local', folderId: expect.any(Number), uid: expect.any(Number) });
      expect(paths).toContain(hit.folder);
      const shown = await cli('show', '--account', 'Alice', '--folder', String(hit.folder), '--uid', String(hit.uid), '--json');
      expect(shown.code, shown.err).toBe(0);
      expect(JSON.parse(shown.out)).toMatchObject({ summary: { uid: hit.uid, messageId: hit.messageId, subject: hit.subject } });
    }

    // A folder below another, named in Japanese: its path, not its name (請求書).
    const invoice = jsonLines((await cli('search', '--account', 'Alice', '第1号', '--json')).out).find((h) => h.subject === '請求書 第1号');
    expect(invoice).toMatchObject({ source: 'local', folder: '仕事/請求書' });
    const shown = await cli('show', '--account', 'Alice', '--folder', String(invoice?.folder), '--uid', String(invoice?.uid));
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain('請求書 第1号を送付いたします。');
    // The human output names it too, before the UID.
    expect((await cli('search', '--account', 'Alice', '第1号')).out).toContain(`仕事/請求書\t${String(invoice?.uid)}\t`);
  });

  it('adds an account with its offline window and whole-message size; a wrong one adds nothing (usage error)', async () => {
    const freshDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-cli-'));
    const fresh = await openEngine({ dataDir: freshDir, host: 'cli', credentials: new FileCredentialStore(freshDir), version: 'test' });
    try {
      const trust = ['--password-env', 'ALICE_PASSWORD', '--trust-certificate', server.certFingerprint256];
      for (const wrong of [
        ['--offline-window', 'forever'],
        ['--whole-below', '64K'],
      ]) {
        const bad = await addOn(fresh, ...trust, ...wrong);
        expect(bad.code, wrong.join(' ')).toBe(2);
        expect(bad.out).toBe('');
      }
      expect(jsonLines((await cliOn(fresh, 'account', 'list', '--json')).out)).toEqual([]);
      const added = await addOn(fresh, ...trust, '--offline-window', 'all', '--whole-below', '1M', '--json');
      expect(added.code, added.err).toBe(0);
      expect(jsonLines(added.out)[0]).toMatchObject({ name: 'Alice', offlineWindow: 'all', wholeBelow: 1024 * 1024 });
    } finally {
      await fresh.close();
      rmSync(freshDir, { recursive: true, force: true });
    }
  });

  it('names the folder of a server hit (not synced yet) by its path too', async () => {
    const freshDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-cli-'));
    const fresh = await openEngine({ dataDir: freshDir, host: 'cli', credentials: new FileCredentialStore(freshDir), version: 'test' });
    try {
      // Added (the folder list is stored), not synced: every hit is one the server found.
      expect((await addOn(fresh, '--password-env', 'ALICE_PASSWORD', '--trust-certificate', server.certFingerprint256)).code).toBe(0);
      const search = await cliOn(fresh, 'search', '--account', 'Alice', '請求書', '--folder', '仕事/請求書', '--server', '--json');
      expect(search.code, search.err).toBe(0);
      const hits = jsonLines(search.out);
      expect(hits).toHaveLength(seed.folders['仕事/請求書']!);
      for (const hit of hits)
        expect(hit).toMatchObject({
          source: 'server',
          folderId: expect.any(Number),
          folder: '仕事/請求書',
          // What its ENVELOPE says, before it is stored.
          subject: expect.stringMatching(/^請求書 第\d号$/),
          from: { address: expect.stringContaining('@') },
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          size: expect.any(Number),
        });
      const human = await cliOn(fresh, 'search', '--account', 'Alice', '請求書', '--folder', '仕事/請求書', '--server');
      expect(human.out).toContain(
        `仕事/請求書\t${String(hits[0]?.uid)}\t${String(hits[0]?.date).slice(0, 16)}\t${String(hits[0]?.subject)} (on the server`,
      );

      // Without --folder, the server is searched in every folder of the account.
      const wide = jsonLines((await cliOn(fresh, 'search', '--account', 'Alice', '写真', '--server', '--json')).out);
      expect(new Set(wide.map((h) => h.folder)).size).toBeGreaterThan(1);
      expect(wide.every((h) => h.source === 'server')).toBe(true);

      expect((await cliOn(fresh, 'sync', '--once')).code).toBe(0);
      // Once synced, the same search finds each of them locally, once.
      const synced = jsonLines((await cliOn(fresh, 'search', '--account', 'Alice', '写真', '--server', '--json')).out);
      expect(synced.map((h) => `${String(h.folder)}:${String(h.uid)}:${String(h.source)}`).sort()).toEqual(
        wide.map((h) => `${String(h.folder)}:${String(h.uid)}:local`).sort(),
      );
      const shown = await cliOn(fresh, 'show', '--account', 'Alice', '--folder', String(hits[0]?.folder), '--uid', String(hits[0]?.uid));
      expect(shown.code, shown.err).toBe(0);
      expect(shown.out).toMatch(/^Subject: 請求書 第\d号$/m);
    } finally {
      await fresh.close();
      rmSync(freshDir, { recursive: true, force: true });
    }
  });
});

describe('offline', () => {
  it('works offline until told otherwise: sync --once is refused with the way back, kept across engines', async () => {
    const freshDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-cli-'));
    const open = () => openEngine({ dataDir: freshDir, host: 'cli', credentials: new FileCredentialStore(freshDir), version: 'test' });
    let fresh = await open();
    try {
      expect((await addOn(fresh, '--password-env', 'ALICE_PASSWORD', '--trust-certificate', server.certFingerprint256)).code).toBe(0);
      expect(await cliOn(fresh, 'offline')).toMatchObject({ code: 0, out: 'Online\n' });
      expect(await cliOn(fresh, 'offline', 'on')).toMatchObject({ code: 0, out: 'Working offline\n' });
      const refused = await cliOn(fresh, 'sync', '--once');
      expect(refused).toMatchObject({ code: 1, out: '' });
      expect(refused.err).toContain('You are working offline. Go online to check for mail.');
      expect(refused.err).toContain('npm run cli -- offline off');
      await fresh.close();
      fresh = await open();
      expect(await cliOn(fresh, 'offline', '--json')).toMatchObject({ code: 0, out: '{"offline":true}\n' });
      expect((await cliOn(fresh, 'offline', 'sideways')).code).toBe(2);
      expect(await cliOn(fresh, 'offline', 'off')).toMatchObject({ code: 0, out: 'Online\n' });
      expect((await cliOn(fresh, 'sync', '--once')).code).toBe(0);
    } finally {
      await fresh.close();
      rmSync(freshDir, { recursive: true, force: true });
    }
  });
});

describe('npm run cli (a real process)', () => {
  it('ends quietly when its output is piped to a reader that has gone (| head)', async () => {
    const cmd = `node --import tsx electron/cli/main.ts --data '${dataDir}' list --account Alice --folder INBOX --json 2>"$ERR" | true; echo \${PIPESTATUS[0]}`;
    const errFile = path.join(dataDir, 'cli-stderr.txt');
    const result = await promisify(execFile)('bash', ['-c', cmd], { cwd: appRoot(), env: { ...process.env, ERR: errFile } });
    expect(result.stdout.trim()).toBe('0');
    expect(await readFile(errFile, 'utf8')).not.toMatch(/EPIPE|Error/);
  });

  it('prints usage errors on stderr and exits 2, data only on stdout', async () => {
    const root = appRoot();
    const run = promisify(execFile);
    const result = await run(
      process.execPath,
      ['--import', 'tsx', 'electron/cli/main.ts', '--data', dataDir, 'account', 'list', '--json'],
      { cwd: root },
    );
    expect(jsonLines(result.stdout)[0]).toMatchObject({ name: 'Alice', host: server.host });
    await expect(
      run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--data', dataDir, 'frobnicate'], { cwd: root }),
    ).rejects.toMatchObject({
      code: 2,
      stdout: '',
    });
  });
});
