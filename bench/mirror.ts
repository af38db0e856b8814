// 2. Full offline mirror of one folder: Tegami (the account pass with the offline window "all", which
// mirrors small mail whole, then the body prefetch for what it left, on one connection as the engine runs them) against mbsync (Pull New into a Maildir) and a bare imapflow FETCH 1:* BODY.PEEK[].
import path from 'node:path';
import { connectionInfo, type DovecotServer } from '../test/dovecot/server.js';
import { openSession, syncAccountWith } from '../electron/engine/sync/account.js';
import { prefetchBodies } from '../electron/engine/sync/bodies.js';
import type { Bench, BenchContext } from './lib/bench.js';
import { bareMaildirFetch, bareSourceFetch, freshStore, log, tempDir, timed, USER } from './lib/fixture.js';
import { withProfile } from './lib/profile.js';
import { mbsyncAvailable, mbsyncWorkDir, runMbsync } from './lib/mbsync.js';
import { formatCount, formatSeconds, median, pairedRatios, sizeFromEnv, type ResultRow } from './lib/stats.js';

/**
 * One Tegami mirror of the folder into a fresh store, as the engine's sync pass runs (service.ts
 * syncOnce): on one connection, the account pass with the offline window "all" (small mail is
 * mirrored whole as its rows are written), then the body prefetch of what it left (large messages,
 * and the first chunk, fetched headers-only so the first screenful lands fast) beside the pass's
 * header search rows, then LOGOUT.
 */
async function tegamiMirror(server: DovecotServer, n: number, profile: boolean) {
  const info = connectionInfo(server);
  const tmp = tempDir('mirror');
  try {
    const s = await freshStore(info, path.join(tmp.dir, 'tegami.db'));
    try {
      const profiled = <T>(name: string, fn: () => Promise<T>) => (profile ? withProfile(name, fn) : fn());
      const pass = await profiled(`mirror-${n}-headers`, () =>
        timed(async () => {
          const session = await openSession(s.account, s.password);
          try {
            await syncAccountWith(session, s.account, { store: s.store, messages: s.messages, offlineWindow: () => 'all' });
          } catch (error) {
            await session.logout();
            throw error;
          }
          return session;
        }),
      );
      const session = pass.value;
      const rest = await profiled(`mirror-${n}-bodies`, () =>
        timed(async () => {
          try {
            const [prefetched] = await Promise.all([
              prefetchBodies(session, s.parts, s.account.id, { window: 'all' }),
              s.indexBacklog('headers'),
            ]);
            return prefetched;
          } finally {
            await session.logout();
          }
        }),
      );
      const cached = s.db.prepare<[], number>('SELECT count(*) FROM messages WHERE body_state > 0').pluck().get() ?? 0;
      if (cached < n) throw new Error(`Tegami cached ${cached} bodies, expected at least ${n}`);
      // The texts' search rows, written after the prefetch (search scans those texts meanwhile).
      const indexing = await timed(() => s.indexBacklog());
      const seconds = pass.seconds + rest.seconds;
      log(
        `Tegami: mirror pass ${formatSeconds(pass.seconds)} + prefetch of the rest ${formatSeconds(rest.seconds)} (${rest.value.cached} texts), ${cached} cached = ${formatSeconds(seconds)}; client CPU ${formatSeconds(pass.cpuSeconds + rest.cpuSeconds)}; texts indexed for search after it in ${formatSeconds(indexing.seconds)}`,
      );
      return { seconds, pass: pass.seconds, rest: rest.seconds, indexing: indexing.seconds };
    } finally {
      await s.close();
    }
  } finally {
    tmp.remove();
  }
}

async function mirrorOnce(server: DovecotServer, n: number, rounds: number): Promise<ResultRow[]> {
  const info = connectionInfo(server);
  // Warm the server's caches the same way for everybody (Dovecot reads each file once).
  await bareSourceFetch(info, 'Bulk');
  const bare = await bareSourceFetch(info, 'Bulk');
  log(`bare imapflow BODY.PEEK[] of ${bare.count} messages (${(bare.bytes / 1024 ** 2).toFixed(0)} MB): ${formatSeconds(bare.seconds)}`);

  const mbsync = await mbsyncAvailable();
  const mb: number[] = [];
  const where = new Set<string>();
  // On the disk (no tmpfs with room), each run's Maildir is kept until all runs are done: creating
  // files soon after thousands were deleted is slow on ext4 (see mbsyncWorkDir), and the harness's
  // cleanup is no part of mbsync's work. On tmpfs each is removed at once.
  const maildirs: { remove: () => void }[] = [];
  const mbRun = async () => {
    if (!mbsync.ok) return;
    const tmp = mbsyncWorkDir(n, () => tempDir('mbsync'));
    where.add(tmp.tmpfs ? 'tmpfs' : 'disk');
    try {
      const run = await runMbsync(mbsync.binary, info, USER, 'Bulk', tmp.dir);
      log(
        `mbsync (${mbsync.version}, Maildir on ${tmp.tmpfs ? 'tmpfs' : 'disk'}): ${formatSeconds(run.seconds)}, ${run.files} files, peak RSS ${run.maxRssMb?.toFixed(0) ?? '?'} MB`,
      );
      if (run.files !== n) throw new Error(`mbsync wrote ${run.files} messages, expected ${n}`);
      mb.push(run.seconds);
    } finally {
      if (tmp.tmpfs) tmp.remove();
      else maildirs.push(tmp);
    }
  };
  if (!mbsync.ok) log(`mbsync skipped: ${mbsync.reason}`);

  // mbsync's work done by imapflow (bareMaildirFetch), into a directory where mbsync's go: how far
  // imapflow alone stands from mbsync on this machine. Run after each mbsync run.
  const flow: number[] = [];
  const flowRun = async () => {
    if (!mbsync.ok) return;
    const tmp = mbsyncWorkDir(n, () => tempDir('imapflow-maildir'));
    try {
      const run = await bareMaildirFetch(info, 'Bulk', tmp.dir);
      if (run.count !== n) throw new Error(`imapflow into a Maildir wrote ${run.count} messages, expected ${n}`);
      log(
        `imapflow into a Maildir on ${tmp.tmpfs ? 'tmpfs' : 'disk'}: ${formatSeconds(run.seconds)}, client CPU ${formatSeconds(run.cpuSeconds)}`,
      );
      flow.push(run.seconds);
    } finally {
      if (tmp.tmpfs) tmp.remove();
      else maildirs.push(tmp);
    }
  };

  // Interleaved: mbsync, Tegami, mbsync, as the header sync is measured: each Tegami run
  // is compared with the mbsync runs either side of it (pairedRatios), and the median ratio is the verdict.
  const ours: Awaited<ReturnType<typeof tegamiMirror>>[] = [];
  try {
    await mbRun();
    for (let round = 0; round < rounds; round++) {
      ours.push(await tegamiMirror(server, n, round === 0));
      await mbRun();
      await flowRun();
    }
  } finally {
    for (const dir of maildirs) dir.remove();
  }
  const seconds = ours.map((r) => r.seconds);
  const ratios = mbsync.ok ? pairedRatios(mb, seconds) : [];
  const ratio = mbsync.ok ? median(ratios) : null;
  const typical = median(seconds);
  const run = ours[seconds.indexOf(typical)] as (typeof ours)[number];
  const list = (values: number[]) => values.map((v) => formatSeconds(v)).join(' / ');
  const flowRatios = mbsync.ok ? flow.map((seconds, i) => seconds / (mb[i + 1] as number)) : [];
  const flowRow: ResultRow[] = mbsync.ok
    ? [
        {
          bench: 'mirror',
          name: `imapflow into a Maildir ${formatCount(n)} msgs`,
          measured: `${formatSeconds(median(flow))} (${median(flowRatios).toFixed(2)}× mbsync)`,
          value: median(flow),
          unit: 's',
          baseline: `mbsync ${formatSeconds(median(mb))}`,
          target: 'reference',
          pass: null,
          note:
            `mbsync's work (FETCH 1:* BODY.PEEK[], one file per message, no parse, no database) done by imapflow, each run right after an mbsync run: ${list(flow)}, ratios ${flowRatios.map((r) => r.toFixed(2)).join(' / ')}; ` +
            "mbsync's job done with imapflow, without the parse, the rows, the threads and the search index Tegami's mirror adds to it",
        },
      ]
    : [];
  return [
    {
      bench: 'mirror',
      name: `full mirror ${formatCount(n)} msgs`,
      measured: `${formatSeconds(typical)}${ratio === null ? '' : ` (${ratio.toFixed(2)}× mbsync)`}`,
      value: typical,
      unit: 's',
      baseline: mbsync.ok ? `mbsync ${formatSeconds(median(mb))}` : `mbsync n/a`,
      target: '< mbsync',
      pass: ratio === null ? null : ratio < 1,
      note:
        `median of ${rounds} interleaved runs; Tegami ${list(seconds)}${mbsync.ok ? `, mbsync (Maildir on ${[...where].join(' and ')}) ${list(mb)}, ratios ${ratios.map((r) => r.toFixed(2)).join(' / ')}` : `; mbsync skipped: ${mbsync.ok ? '' : mbsync.reason}`}; ` +
        `median run: mirror pass ${formatSeconds(run.pass)} + prefetch of the rest ${formatSeconds(run.rest)}, then the texts' search rows ${formatSeconds(run.indexing)} more (search scans those texts meanwhile); bare imapflow BODY.PEEK[] ${formatSeconds(bare.seconds)}`,
    },
    ...flowRow,
  ];
}

export const mirror: Bench = {
  name: 'mirror',
  title: 'full offline mirror (headers + all bodies) vs mbsync Pull New',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const sizesText = ctx.env.BENCH_MIRROR_SIZES;
    const sizes = sizesText
      ? sizesText.split(',').map((s) => Number(s.trim()))
      : [sizeFromEnv(ctx.env, 'MIRROR_SMALL', 10_000, 100), sizeFromEnv(ctx.env, 'MIRROR_LARGE', 50_000, 100)];
    if (sizes.some((n) => !Number.isInteger(n) || n <= 0))
      throw new Error(`BENCH_MIRROR_SIZES must be positive integers, got ${sizesText}`);
    ctx.sizes['mirror messages'] = sizes.join('/');
    const rows: ResultRow[] = [];
    // The header-sync benchmark's server holds 50,000 in "Bulk": reused when the sizes match.
    const rounds = sizeFromEnv(ctx.env, 'MIRROR_ROUNDS', 3, 1, false);
    for (const n of sizes) rows.push(...(await mirrorOnce(await ctx.singleFolderServer(n), n, rounds)));
    return rows;
  },
};
