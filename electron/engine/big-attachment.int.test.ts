// A 50 MB attachment through messages.part (the bodies service): streamed to the part cache in
// partial fetches, with progress, in bounded memory, byte for byte.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PartProgress } from '../../shared/domain/body.js';
import { findUser } from '../../test/dovecot/client.js';
import { createBodiesService, sessionPerRequest, type BodiesService } from './bodies-service.js';
import { openDatabase, type Db } from './db/database.js';
import { MessageStore } from './db/messages.js';
import { PartStore } from './db/parts.js';
import { Store, type AccountRecord } from './db/store.js';
import { syncAccount } from './sync/account.js';

const server = inject('dovecot');
const USER = 'grace';
const user = findUser(server, USER);
const SIZE = 50 * 1024 * 1024;
const MiB = 1024 * 1024;

let dir: string;
let db: Db;
let store: Store;
let messages: MessageStore;
let parts: PartStore;
let account: AccountRecord;
let service: BodiesService;
let originalSha256: string;
const progress: PartProgress[] = [];
let onProgress: (() => void) | null = null;

// A full GC before each sample, so RSS shows what the download keeps alive rather than how lazily
// V8 collects the ~1 MiB buffers each range leaves behind (without it the sampled RSS wanders by
// 20–35 MiB between runs, which is garbage, not retention).
v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Writes the message to a file, 57 bytes of data per 76-character base64 line, never holding more
 * than one block: the test process must not keep 50 MB alive itself, or the RSS check below would
 * measure the test instead of the engine. Returns the SHA-256 of the attachment's bytes.
 */
async function writeBigMessage(file: string): Promise<string> {
  const out = createWriteStream(file);
  const hash = createHash('sha256');
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(
    [
      'From: Big <big@example.com>',
      `To: ${user.email}`,
      'Subject: Fifty megabytes',
      `Date: ${new Date().toUTCString()}`,
      'Message-ID: <fifty@tegami.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b50"',
      '',
      '--b50',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The disk image is attached.',
      '--b50',
      'Content-Type: application/octet-stream; name="disk.img"',
      'Content-Disposition: attachment; filename="disk.img"',
      'Content-Transfer-Encoding: base64',
      '',
      '',
    ].join('\r\n'),
  );
  const BLOCK = 57 * 4096; // a whole number of base64 lines
  for (let offset = 0, n = 0; offset < SIZE; offset += BLOCK, n++) {
    // Deterministic bytes that do not compress: SHA-256 in counter mode.
    const length = Math.min(BLOCK, SIZE - offset);
    const block = Buffer.alloc(length);
    for (let at = 0, i = 0; at < length; at += 32, i++) createHash('sha256').update(`${n}:${i}`).digest().copy(block, at);
    hash.update(block);
    const b64 = block.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
    await write(`${lines.join('\r\n')}\r\n`);
  }
  await write('--b50--\r\n');
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

/** `doveadm save` delivers the file straight from disk into the user's INBOX. */
async function deliver(file: string): Promise<void> {
  const fd = openSync(file, 'r');
  try {
    const child = spawn('doveadm', ['-c', server.configPath, 'save', '-u', USER, '-m', 'INBOX'], { stdio: [fd, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    if (code !== 0) throw new Error(`doveadm save failed (${code}): ${stderr}`);
  } finally {
    closeSync(fd);
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-big-'));
  db = openDatabase(path.join(dir, 'tegami.db'));
  store = new Store(db);
  messages = new MessageStore(db);
  parts = new PartStore(db, dir);
  account = store.insertAccount({
    name: 'Grace',
    email: user.email,
    user: user.user,
    host: server.host,
    port: server.imapPort,
    security: 'starttls',
    trustedCertificate: server.certFingerprint256,
    trustedCertificatePem: server.certPem,
  });
  service = createBodiesService({
    store,
    parts,
    withSession: sessionPerRequest(store, async () => user.password),
    emit: (_e, p) => {
      progress.push(p);
      onProgress?.();
    },
    chunkSize: MiB,
  });
  const file = path.join(dir, 'fifty.eml');
  originalSha256 = await writeBigMessage(file);
  await deliver(file);
  rmSync(file);
  await syncAccount(account, user.password, { store, messages });
}, 180_000);

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a 50 MB attachment', () => {
  it('is counted in the account’s quota after the sync', () => {
    const quota = store.getAccount(account.id).quota;
    // base64 makes 50 MiB about 68 MiB on the server, inside the fixture's 100 MiB.
    expect(quota?.storage?.usedKb).toBeGreaterThan(60 * 1024);
    expect(quota?.storage?.limitKb).toBe(100 * 1024);
  });

  it('streams to the part cache with progress, in bounded memory, byte for byte', { timeout: 120_000 }, async () => {
    const inbox = store.listMailboxes(account.id).find((m) => m.path === 'INBOX');
    const m = inbox && messages.all(inbox.id).find((x) => x.messageId === '<fifty@tegami.test>');
    if (!m) throw new Error('the 50 MB message was not synced');
    expect(m.hasAttachments).toBe(true);
    const detail = await service.getMessage({ id: m.id });
    expect(detail.parts.find((p) => p.part === '2')).toMatchObject({ filename: 'disk.img', contentType: 'application/octet-stream' });

    gc();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    onProgress = () => {
      gc();
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    progress.length = 0;
    const content = await service.getPart({ id: m.id, part: '2' });
    onProgress = null;
    peak = Math.max(peak, process.memoryUsage().rss);

    expect(content).toMatchObject({ kind: 'file', size: SIZE, filename: 'disk.img' });
    if (content.kind !== 'file') throw new Error('not a file');
    expect(await sha256File(content.file)).toBe(originalSha256);

    const steps = progress.filter((p) => p.id === m.id && p.part === '2');
    expect(steps.length).toBeGreaterThanOrEqual(Math.floor((SIZE * 4) / 3 / MiB)); // one event per 1 MiB range
    expect(steps.map((p) => p.received)).toEqual([...steps.map((p) => p.received)].sort((a, b) => a - b));
    expect(steps.at(-1)?.received).toBe(steps.at(-1)?.total);

    // Never anywhere near the whole attachment in memory: well under 50 MB of growth (a service
    // that collected the ranges in memory would keep 50 MiB of decoded bytes alive here).
    const growthMb = (peak - baseline) / MiB;
    console.log(`50 MB attachment: RSS grew by ${growthMb.toFixed(1)} MiB during the download (${steps.length} ranges)`);
    expect(growthMb).toBeLessThan(40);
  });
});
