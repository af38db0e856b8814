// 6. Offline operations (DESIGN.md 5): the replay of 1,000 flag changes on 1,000 messages made as
// 1,000 separate user actions (IMAP commands counted by replayQueue's report and on the wire), the
// replay of 10,000 mixed operations (flags, moves, copies, deletes, expunges), and the local apply latency of one action (flag, move) on a
// 100,000-message mailbox.
import { performance } from 'node:perf_hooks';
import type { HeaderRecord } from '../electron/engine/db/messages.js';
import { OpStore } from '../electron/engine/db/ops.js';
import { replayQueue, type ReplayReport } from '../electron/engine/ops/replay.js';
import { openSession } from '../electron/engine/sync/account.js';
import { connectImap } from '../test/dovecot/client.js';
import { connectionInfo, type DovecotConnectionInfo } from '../test/dovecot/server.js';
import { mulberry32 } from '../test/prng.js';
import type { Bench, BenchContext } from './lib/bench.js';
import { freshStore, log, seed, startServer, tegamiSync, tempDir, USER, type TegamiStore } from './lib/fixture.js';
import { formatCount, formatMs, formatSeconds, median, percentile, sizeFromEnv, type ResultRow } from './lib/stats.js';

const FLAG_COMMANDS_TARGET = 3;
const LOCAL_APPLY_TARGET_MS = 10;

/** Replays the account's queue on a fresh session, counting the tagged commands imapflow writes (its 'log' events). */
async function replayCounted(s: TegamiStore, ops: OpStore): Promise<{ report: ReplayReport; wire: number; seconds: number }> {
  const session = await openSession(s.account, s.password);
  let wire = 0;
  try {
    // emitLogs is read at every log call: switched on after login, only the replay's commands count.
    (session.client as unknown as { emitLogs: boolean }).emitLogs = true;
    session.client.on('log', (entry: { src?: string; msg?: string }) => {
      // One entry per command line the client sends ("<tag> UID STORE …"); literals' continuations are logged apart.
      if (entry.src === 'c' && typeof entry.msg === 'string' && !entry.msg.startsWith('(*')) {
        wire++;
        if (process.env.BENCH_OPS_TRACE) log(entry.msg.slice(0, 120));
      }
    });
    const t = performance.now();
    const report = await replayQueue(session, ops, s.account.id);
    return { report, wire, seconds: (performance.now() - t) / 1000 };
  } finally {
    await session.logout();
  }
}

const idsIn = (s: TegamiStore, path: string): number[] => {
  const box = s.store.listMailboxes(s.account.id).find((m) => m.path === path);
  if (!box) throw new Error(`no folder ${path}`);
  return s.db
    .prepare<[number], { id: number }>('SELECT id FROM messages WHERE mailbox_id = ? ORDER BY uid')
    .all(box.id)
    .map((r) => r.id);
};
const mailboxId = (s: TegamiStore, path: string): number => {
  const box = s.store.listMailboxes(s.account.id).find((m) => m.path === path);
  if (!box) throw new Error(`no folder ${path}`);
  return box.id;
};

async function flagReplay(info: DovecotConnectionInfo, file: string, n: number): Promise<ResultRow> {
  const s = await freshStore(info, file);
  try {
    await tegamiSync(s);
    await s.indexBacklog();
    const ops = new OpStore(s.db);
    const ids = idsIn(s, 'Flags');
    if (ids.length !== n) throw new Error(`Flags holds ${ids.length} messages, expected ${n}`);
    for (const id of ids) ops.setFlags([id], ['$BenchOps'], []);
    const { report, wire, seconds } = await replayCounted(s, ops);
    log(
      `${n} flag actions replayed in ${formatSeconds(seconds)}: ${report.done} done, ${report.failed} failed, ${report.commands} commands (${wire} on the wire)`,
    );
    if (report.done !== n || report.failed) throw new Error(`flag replay: ${report.done} done, ${report.failed} failed of ${n}`);
    return {
      bench: 'ops',
      name: `replay ${formatCount(n)} flag actions on ${formatCount(n)} msgs`,
      measured: `${report.commands} commands (${wire} on the wire), ${formatSeconds(seconds)}`,
      value: Math.max(report.commands, wire),
      unit: '',
      baseline: `${formatCount(n)} actions`,
      target: `≤ ${FLAG_COMMANDS_TARGET} commands`,
      pass: Math.max(report.commands, wire) <= FLAG_COMMANDS_TARGET,
      note: 'replayQueue counts SELECT and one conditional UID STORE +FLAGS (UNCHANGEDSINCE) whose FETCH answers carry the merged flags; on the wire imapflow adds a LIST "" <folder> before its SELECT',
    };
  } finally {
    await s.close();
  }
}

async function mixedReplay(info: DovecotConnectionInfo, file: string, count: number): Promise<ResultRow> {
  const s = await freshStore(info, file);
  try {
    await tegamiSync(s);
    await s.indexBacklog();
    const ops = new OpStore(s.db);
    const rand = mulberry32(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    const live = new Set(idsIn(s, 'Mixed'));
    const boxes = ['Mixed', 'Archive', 'Junk'].map((p) => mailboxId(s, p));
    const flags = ['\\Seen', '\\Flagged', '\\Answered', '$Work', '$Later'];
    const kinds: Record<string, number> = {};
    const t = performance.now();
    for (let i = 0; i < count; i++) {
      const roll = rand();
      const id = pick([...live]);
      if (roll < 0.7) {
        const f = pick(flags);
        if (rand() < 0.6) ops.setFlags([id], [f], []);
        else ops.setFlags([id], [], [f]);
        kinds.flags = (kinds.flags ?? 0) + 1;
      } else if (roll < 0.82) {
        ops.move([id], pick(boxes));
        kinds.move = (kinds.move ?? 0) + 1;
      } else if (roll < 0.88) {
        const { copies } = ops.copy([id], pick(boxes));
        for (const c of copies) live.add(c);
        kinds.copy = (kinds.copy ?? 0) + 1;
      } else if (roll < 0.94) {
        ops.delete([id]);
        kinds.delete = (kinds.delete ?? 0) + 1;
      } else {
        ops.expunge([id]);
        live.delete(id);
        kinds.expunge = (kinds.expunge ?? 0) + 1;
      }
    }
    const applySeconds = (performance.now() - t) / 1000;
    const { report, wire, seconds } = await replayCounted(s, ops);
    const mix = Object.entries(kinds)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    log(
      `${count} mixed operations (${mix}) applied locally in ${formatSeconds(applySeconds)}, replayed in ${formatSeconds(seconds)}: ${report.done} done, ${report.failed} failed, ${report.commands} commands (${wire} on the wire)`,
    );
    if (report.done + report.failed !== ops.list(s.account.id, ['done', 'failed']).length)
      throw new Error('mixed replay left operations pending');
    return {
      bench: 'ops',
      name: `replay ${formatCount(count)} mixed ops`,
      measured: `${formatSeconds(seconds)}, ${report.commands} commands (${wire} on the wire)`,
      value: seconds,
      unit: 's',
      baseline: '',
      target: '',
      pass: null,
      note: `${mix}; ${report.done} done, ${report.failed} failed; local apply of all ${formatSeconds(applySeconds)}`,
    };
  } finally {
    await s.close();
  }
}

/** Local apply latency on a big mailbox: 100,000 rows are written straight into the store (no server needed for a local action). */
async function localLatency(info: DovecotConnectionInfo, file: string, size: number, samples: number): Promise<ResultRow[]> {
  const s = await freshStore(info, file);
  try {
    await tegamiSync(s);
    await s.indexBacklog();
    const big = s.store.listMailboxes(s.account.id).find((m) => m.path === 'Archive');
    const other = mailboxId(s, 'Junk');
    if (!big?.uidvalidity) throw new Error('Archive was not synced');
    const t = performance.now();
    const batch = 5_000;
    for (let start = 0; start < size; start += batch) {
      const records: HeaderRecord[] = [];
      for (let i = start; i < Math.min(size, start + batch); i++) {
        records.push({
          uid: 1_000_000 + i,
          modseq: null,
          flags: i % 3 ? ['\\Seen'] : [],
          internalDate: Date.UTC(2026, 0, 1) + i * 60_000,
          sentDate: Date.UTC(2026, 0, 1) + i * 60_000,
          size: 2_000 + (i % 500),
          subject: `Bulk message ${i} 会議の件`,
          from: { name: `Sender ${i % 300}`, address: `s${i % 300}@example.com` },
          to: [{ name: '', address: 'me@example.com' }],
          cc: [],
          bcc: [],
          replyTo: [],
          messageId: `<bulk${i}@bench.test>`,
          inReplyTo: null,
          references: [],
          bodystructure: null,
          attachments: [],
        });
      }
      s.messages.insertHeaders(s.account.id, big.id, big.uidvalidity, records);
    }
    log(`wrote ${formatCount(size)} rows into Archive in ${formatSeconds((performance.now() - t) / 1000)}`);
    const ops = new OpStore(s.db);
    const ids = s.db
      .prepare<[number], { id: number }>('SELECT id FROM messages WHERE mailbox_id = ?')
      .all(big.id)
      .map((r) => r.id);
    const rand = mulberry32(7);
    const flagMs: number[] = [];
    const moveMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const id = ids[Math.floor(rand() * ids.length)] as number;
      let t0 = performance.now();
      ops.setFlags([id], i % 2 ? ['\\Flagged'] : [], i % 2 ? [] : ['\\Flagged']);
      flagMs.push(performance.now() - t0);
      t0 = performance.now();
      ops.move([id], i % 2 ? big.id : other);
      moveMs.push(performance.now() - t0);
    }
    const row = (what: string, ms: number[]): ResultRow => {
      const p95 = percentile(ms, 95);
      return {
        bench: 'ops',
        name: `local ${what} of 1 msg in a ${formatCount(size)}-msg folder`,
        measured: `median ${formatMs(median(ms))}, p95 ${formatMs(p95)}`,
        value: p95,
        unit: 'ms',
        baseline: '',
        target: `< ${LOCAL_APPLY_TARGET_MS} ms`,
        pass: p95 < LOCAL_APPLY_TARGET_MS,
        note: `${samples} samples, OpStore only (the SQLite transaction: row change + operation rows)`,
      };
    };
    log(`local setFlags: median ${formatMs(median(flagMs))}, p95 ${formatMs(percentile(flagMs, 95))}`);
    log(`local move: median ${formatMs(median(moveMs))}, p95 ${formatMs(percentile(moveMs, 95))}`);
    return [row('flag change', flagMs), row('move', moveMs)];
  } finally {
    await s.close();
  }
}

export const opsBench: Bench = {
  name: 'ops',
  title: 'offline operations: replay of 1,000 flag actions and 10,000 mixed ops; local apply latency at 100,000 msgs',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const flagN = sizeFromEnv(ctx.env, 'OPS_FLAGS', 1_000, 10, false);
    const mixedMsgs = sizeFromEnv(ctx.env, 'OPS_MIXED_MSGS', 5_000, 100);
    const mixedN = sizeFromEnv(ctx.env, 'OPS_MIXED', 10_000, 100);
    const localN = sizeFromEnv(ctx.env, 'OPS_LOCAL', 100_000, 1_000);
    ctx.sizes['ops flag actions'] = flagN;
    ctx.sizes['ops mixed'] = `${mixedN} ops on ${mixedMsgs} msgs`;
    ctx.sizes['ops local folder'] = localN;
    const server = await startServer(flagN + mixedMsgs + 1_000);
    const tmp = tempDir('ops');
    try {
      const info = connectionInfo(server);
      log(`seeding ${flagN} messages into Flags and ${mixedMsgs} into Mixed …`);
      await seed(server, 'Flags', flagN, 3);
      await seed(server, 'Mixed', mixedMsgs, 4);
      // Archive and Junk exist from the start (special-use): make sure they are there for the moves.
      const c = await connectImap(info, USER, 'tls');
      try {
        const have = new Set((await c.list()).map((m) => m.path));
        for (const p of ['Archive', 'Junk']) if (!have.has(p)) await c.mailboxCreate(p);
      } finally {
        await c.logout().catch(() => c.close());
      }
      const rows: ResultRow[] = [];
      rows.push(await flagReplay(info, `${tmp.dir}/flags.db`, flagN));
      rows.push(await mixedReplay(info, `${tmp.dir}/mixed.db`, mixedN));
      rows.push(...(await localLatency(info, `${tmp.dir}/local.db`, localN, 200)));
      return rows;
    } finally {
      tmp.remove();
      await server.stop();
    }
  },
};
