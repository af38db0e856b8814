import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectImap, findUser } from '../../../test/dovecot/client.js';
import { mulberry32 } from '../../../test/prng.js';
import { appRoot } from '../paths.js';
import { withUserLock } from '../../../test/dovecot/user-lock.js';

/**
 * A crash between the local apply and the replay (DESIGN.md 5): the real CLI queues changes (each
 * process exits right after its local transaction), then `sync --once` processes are killed with
 * SIGKILL at random moments of their replay and sync, and a last one finishes the job. Nothing may
 * be lost and nothing doubled: the appended message once, the moved ones once and in the target,
 * the flags set.
 */

const server = inject('dovecot');
const USER = 'judy';
const user = findUser(server, USER);
const SEED = Number(process.env.TEGAMI_SEED ?? 7);
const ROUNDS = 4;
const run = promisify(execFile);

let dataDir: string;
let other: ImapFlow;

function cli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--data', dataDir, ...args], {
    cwd: appRoot(),
    env: { ...process.env, JUDY_PASSWORD: user.password },
  });
}

type Trigger = 'op-done' | 'append-sent' | 'timer';

/**
 * Starts `sync --once` and SIGKILLs it at a chosen moment, watched in its database: right after an
 * operation is recorded done with others still queued ('op-done'), right after the APPEND's attempt
 * is counted, i.e. with the APPEND on its way to the server ('append-sent'), or after `ms` ('timer').
 * Resolves with how it ended.
 */
function killedSync(trigger: Trigger, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--data', dataDir, 'sync', '--once'], {
      cwd: appRoot(),
      stdio: 'ignore',
    });
    const db = new Database(path.join(dataDir, 'tegami.db'), { readonly: true });
    const state = db.prepare<[], { done: number; pending: number; sent: number }>(
      `SELECT sum(state = 'done') AS done, sum(state = 'pending') AS pending,
         sum(state = 'pending' AND kind = 'append' AND attempts > 0) AS sent FROM ops`,
    );
    const doneAtStart = state.get()?.done ?? 0;
    let why = '';
    const kill = (reason: string) => {
      if (why) return;
      why = reason;
      child.kill('SIGKILL');
    };
    const timer = trigger === 'timer' ? setTimeout(() => kill(`after ${ms} ms`), ms) : undefined;
    const poll =
      trigger === 'timer'
        ? undefined
        : setInterval(() => {
            const s = state.get();
            if (!s) return;
            if (trigger === 'op-done' && s.done > doneAtStart && s.pending > 0) kill(`with ${s.pending} still queued`);
            if (trigger === 'append-sent' && s.sent > 0) kill('with the APPEND sent');
          }, 1);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      db.close();
      resolve(`${trigger}: ${signal ? `${signal} ${why}` : `exit ${code}`}`);
    });
  });
}

const raw = (id: string, subject: string) =>
  Buffer.from(
    `From: x@example.com\r\nTo: ${user.email}\r\nSubject: ${subject}\r\nMessage-ID: <${id}@crash.test>\r\nDate: Tue, 10 Nov 2026 10:00:00 +0900\r\n\r\nbody of ${subject}\r\n`,
  );

/** Every message on the server: folder, Message-ID, flags. */
async function serverMail(): Promise<{ path: string; messageId: string; flags: string[] }[]> {
  const out: { path: string; messageId: string; flags: string[] }[] = [];
  for (const box of await other.list()) {
    if (/^(Other|Public)(\/|$)/.test(box.path) || box.flags.has('\\Noselect')) continue;
    const lock = await other.getMailboxLock(box.path, { readOnly: true });
    try {
      await other.noop();
      if (!other.mailbox || other.mailbox.exists === 0) continue;
      for await (const m of other.fetch('1:*', { uid: true, flags: true, envelope: true }, { uid: true })) {
        out.push({ path: box.path, messageId: m.envelope?.messageId ?? '', flags: [...(m.flags ?? [])] });
      }
    } finally {
      lock.release();
    }
  }
  return out;
}

let release: () => void;
beforeAll(async () => {
  release = await withUserLock(server, USER);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-crash-'));
  other = await connectImap(server, USER);
  // A clean account: the special-use folders empty, nothing else.
  for (const box of await other.list()) {
    if (/^(Other|Public)(\/|$)/.test(box.path)) continue;
    if (!['INBOX', 'Drafts', 'Sent', 'Trash', 'Junk', 'Archive'].includes(box.path)) {
      await other.mailboxDelete(box.path).catch(() => undefined);
      continue;
    }
    const lock = await other.getMailboxLock(box.path);
    try {
      if (other.mailbox && other.mailbox.exists > 0) await other.messageDelete('1:*');
    } finally {
      lock.release();
    }
  }
  for (let i = 1; i <= 3 * ROUNDS; i++) await other.append('INBOX', raw(`c${i}`, `crash ${i}`));
});

afterAll(async () => {
  await other?.logout().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  release?.();
});

describe('a crash between the local apply and the replay', () => {
  it(`loses nothing and doubles nothing when sync is killed -9 mid-way (seed ${SEED})`, async () => {
    await cli(
      'account',
      'add',
      '--name',
      'Judy',
      '--host',
      server.host,
      '--port',
      String(server.imapsPort),
      '--security',
      'tls',
      '--user',
      user.user,
      '--email',
      user.email,
      '--password-env',
      'JUDY_PASSWORD',
      '--trust-certificate',
      server.certFingerprint256,
    );
    await cli('sync', '--once');
    const listed = (await cli('list', '--account', 'Judy', '--folder', 'INBOX', '--json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { uid: number; messageId: string });
    const uid = (n: number) => String(listed.find((m) => m.messageId === `<c${n}@crash.test>`)?.uid);

    const pendingNow = () => {
      const db = new Database(path.join(dataDir, 'tegami.db'), { readonly: true });
      try {
        return (db.prepare("SELECT count(*) AS n FROM ops WHERE state = 'pending'").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    // Which kill moment each round uses, and the timer's delay: the same for the same seed.
    const rand = mulberry32(SEED);
    const triggers: Trigger[] = ['append-sent', 'op-done', 'timer'];
    const endings: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Each of these processes applies locally and exits; nothing reaches the server yet.
      const started = Date.now();
      await cli('flag', '--account', 'Judy', '--folder', 'INBOX', '--uid', uid(3 * round + 1), '--add', '\\Flagged', '$Crash');
      const startup = Date.now() - started;
      await cli(
        'move',
        '--account',
        'Judy',
        '--folder',
        'INBOX',
        '--uid',
        `${uid(3 * round + 2)},${uid(3 * round + 3)}`,
        '--to',
        'Archive',
      );
      const eml = path.join(dataDir, `new${round}.eml`);
      writeFileSync(eml, raw(`appended${round}`, `appended while offline ${round}`));
      await cli('append', '--account', 'Judy', '--folder', 'INBOX', eml, '--flags', '\\Seen');
      expect(pendingNow()).toBeGreaterThanOrEqual(3);
      const trigger = round < triggers.length ? (triggers[round] as Trigger) : (triggers[Math.floor(rand() * 3)] as Trigger);
      const ended = await killedSync(trigger, Math.max(100, startup - 300 + Math.floor(rand() * 800)));
      endings.push(`${ended}, ${pendingNow()} pending after`);
    }

    const final = await cli('sync', '--once');
    console.info(`crash test (seed ${SEED}): ${endings.join('; ')}`);
    expect(final.stderr, `seed ${SEED}, kills: ${endings.join(', ')}`).toContain('Synced 1 account');
    const why = `seed ${SEED} (TEGAMI_SEED=${SEED} to replay), kills: ${endings.join(', ')}`;

    const pending = (await cli('ops', '--account', 'Judy', '--json')).stdout.trim();
    expect(pending, why).toBe('');

    const mail = await serverMail();
    const where = (id: string) => mail.filter((m) => m.messageId === `<${id}@crash.test>`);
    for (let round = 0; round < ROUNDS; round++) {
      expect(
        where(`appended${round}`).map((m) => m.path),
        why,
      ).toEqual(['INBOX']);
      expect(where(`appended${round}`)[0]?.flags, why).toContain('\\Seen');
      expect(
        where(`c${3 * round + 1}`).map((m) => m.path),
        why,
      ).toEqual(['INBOX']);
      expect(where(`c${3 * round + 1}`)[0]?.flags, why).toEqual(expect.arrayContaining(['\\Flagged', '$Crash']));
      for (const n of [3 * round + 2, 3 * round + 3])
        expect(
          where(`c${n}`).map((m) => m.path),
          why,
        ).toEqual(['Archive']);
    }
    expect(mail.length, why).toBe(4 * ROUNDS);

    // And the local mirror agrees: every message once, no placeholder left.
    for (const folder of ['INBOX', 'Archive']) {
      const local = (await cli('list', '--account', 'Judy', '--folder', folder, '--json')).stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { uid: number; messageId: string; flags: string[] });
      expect(
        local.every((m) => m.uid > 0),
        why,
      ).toBe(true);
      expect(local.map((m) => `${m.messageId} ${[...m.flags].sort().join(' ')}`).sort(), `${folder}: ${why}`).toEqual(
        mail
          .filter((m) => m.path === folder)
          .map(
            (m) =>
              `${m.messageId} ${m.flags
                .filter((f) => f !== '\\Recent')
                .sort()
                .join(' ')}`,
          )
          .sort(),
      );
    }
  }, 120_000);
});
