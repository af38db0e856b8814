import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectImap, findUser, trustedAccountInput } from '../../../test/dovecot/client.js';
import { mulberry32 } from '../../../test/prng.js';
import { withUserLock } from '../../../test/dovecot/user-lock.js';
import type { MessageSummary } from '../../../shared/domain/message.js';
import type { Mailbox } from '../../../shared/domain/mailbox.js';
import type { Op } from '../../../shared/domain/ops.js';
import type { ErrorInfo, Result } from '../../../shared/domain/errors.js';
import { MemoryCredentialStore } from '../credentials.js';
import { openEngine, type Engine } from '../index.js';

/**
 * A seeded random test of the offline queue (DESIGN.md 5): random user actions while offline,
 * interleaved with random changes by another device on the server, then reconnect and sync twice.
 * Afterwards the local mirror must equal the server, folder for folder and flag for flag, and every
 * operation must be done or failed with a reason.
 *
 * Replay one sequence: TEGAMI_SEED=123 npx vitest run --project int electron/engine/ops/random.int.test.ts
 * More actions per sequence: TEGAMI_STEPS=80.
 */

const server = inject('dovecot');
const USER = 'judy';
const user = findUser(server, USER);

/** TEGAMI_SEED=123 (one), 1,5,9 (a list) or 1-50 (a range). */
function seedsFromEnv(text: string | undefined): number[] {
  if (!text) return [1, 2, 3, 4, 5, 6];
  return text.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    if (b === undefined) return [a as number];
    return Array.from({ length: b - (a as number) + 1 }, (_, i) => (a as number) + i);
  });
}
const SEEDS = seedsFromEnv(process.env.TEGAMI_SEED);
const STEPS = Number(process.env.TEGAMI_STEPS ?? 40);
const SPECIAL = new Set(['INBOX', 'Drafts', 'Sent', 'Trash', 'Junk', 'Archive']);
const FLAGS = ['\\Seen', '\\Flagged', '\\Answered', '\\Draft', '$Work', '$Later', 'Todo'];
const NAMES = ['Projects', 'Receipts', '旅行', 'Old', 'Work 2026', 'Misc'];
/** Errors a user action may answer with when the generator picks something impossible; anything else is a bug. */
const EXPECTED_REFUSALS = new Set(['NOT_FOUND', 'ALREADY_EXISTS', 'INVALID_INPUT']);

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T | undefined {
    return list.length ? list[this.int(list.length)] : undefined;
  }
  some<T>(list: readonly T[], max: number): T[] {
    const copy = [...list];
    const out: T[] = [];
    const n = Math.min(copy.length, 1 + this.int(max));
    for (let i = 0; i < n; i++) out.push(...copy.splice(this.int(copy.length), 1));
    return out;
  }
}

/** Judy's own folders: not the other-users and public namespaces (nor their prefix folders). */
const isPersonal = (p: string) => !/^(Other|Public)(\/|$)/.test(p);

const raw = (seed: number, n: number, subject: string) =>
  Buffer.from(
    `From: x@example.com\r\nTo: ${user.email}\r\nSubject: ${subject}\r\nMessage-ID: <r${seed}.${n}@random.test>\r\nDate: Tue, 10 Nov 2026 10:00:00 +0900\r\n\r\nbody of ${subject}\r\n`,
  );

/** Puts judy's account back to INBOX with a few messages, the special-use folders empty and nothing else. */
async function resetServer(other: ImapFlow, seed: number): Promise<void> {
  const list = await other.list();
  const mine = list.filter((m) => isPersonal(m.path) && !SPECIAL.has(m.path)).sort((a, b) => b.path.length - a.path.length);
  for (const m of mine) await other.mailboxDelete(m.path).catch(() => undefined);
  for (const p of SPECIAL) {
    if (!list.some((m) => m.path === p)) await other.mailboxCreate(p).catch(() => undefined);
    const lock = await other.getMailboxLock(p);
    try {
      if (other.mailbox && other.mailbox.exists > 0) await other.messageDelete('1:*');
    } finally {
      lock.release();
    }
  }
  for (let i = 1; i <= 10; i++) await other.append('INBOX', raw(seed, i, `s${seed} m${i}`), i % 3 === 0 ? ['\\Seen'] : []);
  for (let i = 11; i <= 13; i++) await other.append('Archive', raw(seed, i, `s${seed} a${i}`), ['$Work']);
  await other.mailboxCreate('Projects');
  await other.append('Projects', raw(seed, 14, `s${seed} p14`), ['\\Flagged']);
}

/** Server state: personal folder paths, and per selectable folder the multiset Message-ID → flags. */
async function serverState(other: ImapFlow): Promise<{ folders: string[]; mail: Record<string, string[]> }> {
  const list = (await other.list()).filter((m) => isPersonal(m.path));
  const mail: Record<string, string[]> = {};
  for (const m of list) {
    if (m.flags.has('\\Noselect') || m.flags.has('\\NonExistent')) continue;
    const lock = await other.getMailboxLock(m.path, { readOnly: true });
    try {
      await other.noop();
      const entries: string[] = [];
      if (other.mailbox && other.mailbox.exists > 0) {
        for await (const msg of other.fetch('1:*', { uid: true, flags: true, envelope: true }, { uid: true })) {
          const flags = [...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort();
          entries.push(`${msg.envelope?.messageId ?? `size:${msg.size}`} ${flags.join(' ')}`);
        }
      }
      mail[m.path] = entries.sort();
    } finally {
      lock.release();
    }
  }
  return { folders: list.map((m) => m.path).sort(), mail };
}

describe('random offline sequences against the real Dovecot', () => {
  let other: ImapFlow;
  let release: (() => void) | undefined;
  const dirs: string[] = [];

  beforeAll(async () => {
    // crash.int.test.ts uses judy too (files run in parallel): one at a time.
    release = await withUserLock(server, USER);
    other = await connectImap(server, USER);
  });
  afterAll(async () => {
    await other?.logout().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    release?.();
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} offline actions and another device's changes converge to the server's state`, async () => {
      const rng = new Rng(seed);
      const log: string[] = [];
      const why = () => `seed ${seed} (replay with TEGAMI_SEED=${seed})\n${log.join('\n')}`;
      await resetServer(other, seed);

      const dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-random-'));
      dirs.push(dir);
      const engine: Engine = await openEngine({ dataDir: dir, host: 'cli', credentials: new MemoryCredentialStore(), version: 'test' });
      try {
        const invoke = async (name: string, input: unknown) => (await engine.invoke(name, input)) as Result<unknown>;
        const call = async <T>(name: string, input: unknown): Promise<T> => {
          const r = await invoke(name, input);
          if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}\n${why()}`);
          return r.value as T;
        };
        const { id: accountId } = await call<{ id: number }>('accounts.add', trustedAccountInput(server, USER));
        const setReachable = (reachable: boolean) => {
          const db = new Database(path.join(dir, 'tegami.db'));
          db.prepare('UPDATE accounts SET port = ? WHERE id = ?').run(reachable ? server.imapsPort : 1, accountId);
          db.close();
        };
        const folders = async () =>
          (await call<{ mailboxes: Mailbox[] }>('mailboxes.list', { accountId })).mailboxes.filter((m) => m.namespace === 'personal');
        const messages = async (mailboxId: number) => {
          const out: MessageSummary[] = [];
          let after: unknown = null;
          do {
            const page = await call<{ messages: MessageSummary[]; next: unknown }>('messages.page', { mailboxId, limit: 500, after });
            out.push(...page.messages);
            after = page.next;
          } while (after);
          return out;
        };
        const allMessages = async () => {
          const out: (MessageSummary & { path: string })[] = [];
          for (const f of await folders()) if (f.selectable) out.push(...(await messages(f.id)).map((m) => ({ ...m, path: f.path })));
          return out;
        };
        /** A user action; an expected refusal (the generator asked for something impossible) is logged, anything else fails. */
        const act = async (what: string, name: string, input: unknown) => {
          const r = await invoke(name, input);
          log.push(`user: ${what}${r.ok ? '' : ` → refused ${r.error.code}: ${r.error.message}`}`);
          if (!r.ok) expect(EXPECTED_REFUSALS.has(r.error.code), `unexpected ${r.error.code}: ${r.error.message}\n${why()}`).toBe(true);
        };

        await call('sync.run', { accountId });
        setReachable(false);
        let appended = 100;

        // ------------------------------------------------------------ the user, offline
        const userAction = async () => {
          const mail = await allMessages();
          const fs = (await folders()).filter((f) => f.selectable);
          const userFolders = fs.filter((f) => !SPECIAL.has(f.path));
          const ids = (max: number) => rng.some(mail, max);
          const desc = (list: typeof mail) => list.map((m) => `${m.messageId ?? m.id}@${m.path}`).join(',');
          const roll = rng.int(100);
          if (roll < 30) {
            const chosen = ids(3);
            const add = rng.chance(0.6) ? rng.some(FLAGS, 2) : [];
            const remove = add.length && rng.chance(0.5) ? [] : rng.some(FLAGS, 2).filter((f) => !add.includes(f));
            if (!chosen.length || (!add.length && !remove.length)) return;
            await act(`flags ${desc(chosen)} +${add.join(' ')} -${remove.join(' ')}`, 'messages.setFlags', {
              ids: chosen.map((m) => m.id),
              add,
              remove,
            });
          } else if (roll < 45) {
            const chosen = ids(2);
            const target = rng.pick(fs);
            if (!chosen.length || !target) return;
            await act(`move ${desc(chosen)} → ${target.path}`, 'messages.move', { ids: chosen.map((m) => m.id), target: target.id });
          } else if (roll < 53) {
            const chosen = ids(2);
            const target = rng.pick(fs);
            if (!chosen.length || !target) return;
            await act(`copy ${desc(chosen)} → ${target.path}`, 'messages.copy', { ids: chosen.map((m) => m.id), target: target.id });
          } else if (roll < 60) {
            const chosen = ids(2);
            if (!chosen.length) return;
            await act(`delete ${desc(chosen)}`, 'messages.delete', { ids: chosen.map((m) => m.id) });
          } else if (roll < 65) {
            const chosen = ids(1);
            if (!chosen.length) return;
            await act(`expunge ${desc(chosen)}`, 'messages.expunge', { ids: chosen.map((m) => m.id) });
          } else if (roll < 73) {
            const target = rng.pick(fs);
            if (!target) return;
            const n = appended++;
            const flags = rng.some(FLAGS, 2).filter(() => rng.chance(0.5));
            await act(`append <r${seed}.${n}@random.test> → ${target.path} ${flags.join(' ')}`, 'messages.append', {
              mailboxId: target.id,
              raw: raw(seed, n, `s${seed} appended ${n}`).toString('base64'),
              flags,
            });
          } else if (roll < 79) {
            const parent = rng.chance(0.3) ? (rng.pick(userFolders) ?? null) : null;
            const name = rng.pick(NAMES) ?? 'Misc';
            await act(`create ${parent ? `${parent.path}/` : ''}${name}`, 'folders.create', {
              accountId,
              parentId: parent?.id ?? null,
              name,
            });
          } else if (roll < 84) {
            const f = rng.pick(userFolders);
            const name = `${rng.pick(NAMES) ?? 'Misc'} ${rng.int(3)}`;
            if (!f) return;
            await act(`rename ${f.path} → ${name}`, 'folders.rename', { mailboxId: f.id, name });
          } else if (roll < 88) {
            const f = rng.pick(userFolders);
            if (!f) return;
            await act(`delete folder ${f.path}`, 'folders.delete', { mailboxId: f.id });
          } else {
            await act('undo', 'ops.undo', { accountId });
          }
        };

        // ------------------------------------------------------------ the other device, online
        const otherAction = async () => {
          const list = (await other.list()).filter((m) => isPersonal(m.path) && !m.flags.has('\\Noselect'));
          const box = rng.pick(list.map((m) => m.path));
          if (!box) return;
          const roll = rng.int(100);
          if (roll < 10) {
            const name = `Theirs ${rng.int(4)}`;
            log.push(`other: create ${name}`);
            await other.mailboxCreate(name).catch((e: unknown) => log.push(`  → ${String(e)}`));
            return;
          }
          if (roll < 16) {
            const victim = rng.pick(list.map((m) => m.path).filter((p) => !SPECIAL.has(p)));
            if (!victim) return;
            log.push(`other: delete folder ${victim}`);
            await other.mailboxDelete(victim).catch((e: unknown) => log.push(`  → ${String(e)}`));
            return;
          }
          if (roll < 28) {
            const n = appended++;
            log.push(`other: append <r${seed}.${n}@random.test> → ${box}`);
            await other.append(box, raw(seed, n, `s${seed} theirs ${n}`), rng.chance(0.5) ? ['\\Seen'] : []);
            return;
          }
          const lock = await other.getMailboxLock(box);
          try {
            if (!other.mailbox || other.mailbox.exists === 0) return;
            const uids: number[] = [];
            for await (const m of other.fetch('1:*', { uid: true }, { uid: true })) uids.push(m.uid);
            const chosen = rng.some(uids, 2).join(',');
            if (!chosen) return;
            if (roll < 60) {
              const add = rng.chance(0.5);
              const flags = rng.some(FLAGS, 2);
              log.push(`other: ${add ? '+' : '-'}${flags.join(' ')} on ${box} uid ${chosen}`);
              if (add) await other.messageFlagsAdd(chosen, flags, { uid: true });
              else await other.messageFlagsRemove(chosen, flags, { uid: true });
            } else if (roll < 80) {
              const target = rng.pick(list.map((m) => m.path).filter((p) => p !== box));
              if (!target) return;
              log.push(`other: move ${box} uid ${chosen} → ${target}`);
              await other.messageMove(chosen, target, { uid: true });
            } else {
              log.push(`other: expunge ${box} uid ${chosen}`);
              await other.messageDelete(chosen, { uid: true });
            }
          } finally {
            lock.release();
          }
        };

        for (let step = 0; step < STEPS; step++) {
          if (rng.chance(0.3)) await otherAction();
          await userAction();
        }

        // ------------------------------------------------------------ back online
        setReachable(true);
        for (const pass of [1, 2]) {
          const r = await invoke('sync.run', { accountId });
          log.push(`sync ${pass}: ${r.ok ? 'ok' : `${r.error.code} ${r.error.message}`}`);
          expect(r.ok, why()).toBe(true);
        }

        const ops = await call<Op[]>('ops.list', { accountId, states: ['pending', 'failed'] });
        for (const op of ops.filter((o) => o.state === 'failed')) log.push(`failed: ${op.summary}: ${op.error?.message ?? '?'}`);
        expect(
          ops.filter((o) => o.state === 'pending').map((o) => o.summary),
          why(),
        ).toEqual([]);
        for (const op of ops) expect((op.error as ErrorInfo | null)?.message, why()).toBeTruthy();

        const remote = await serverState(other);
        const local = await folders();
        expect(local.map((f) => f.path).sort(), why()).toEqual(remote.folders);
        const localMail: Record<string, string[]> = {};
        for (const f of local) {
          if (!f.selectable) continue;
          const rows = await messages(f.id);
          for (const m of rows) expect(m.uid, `a local-only row is left in ${f.path}\n${why()}`).toBeGreaterThan(0);
          localMail[f.path] = rows.map((m) => `${m.messageId ?? `size:${m.size}`} ${[...m.flags].sort().join(' ')}`).sort();
        }
        expect(localMail, why()).toEqual(remote.mail);
      } finally {
        await engine.close();
      }
    });
  }
});
