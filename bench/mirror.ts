// 2. Full offline mirror of one folder: Tegami (the account pass with the offline window "all", which
// mirrors small mail whole, then the body prefetch for what it left) against mbsync (Pull New into a Maildir) and a bare imapflow FETCH 1:* BODY.PEEK[].
import path from 'node:path';
import { connectionInfo, type DovecotServer } from '../test/dovecot/server.js';
import { openSession } from '../electron/engine/sync/account.js';
import { prefetchBodies } from '../electron/engine/sync/bodies.js';
import type { Bench, BenchContext } from './lib/bench.js';
import { bareSourceFetch, freshStore, log, tegamiSync, tempDir, timed, USER } from './lib/fixture.js';
import { withProfile } from './lib/profile.js';
import { mbsyncAvailable, runMbsync } from './lib/mbsync.js';
import { formatCount, formatSeconds, median, pairedRatios, sizeFromEnv, type ResultRow } from './lib/stats.js';

/** One Tegami mirror of the folder into a fresh store: the pass, then the prefetch of what it left. */
async function tegamiMirror(server: DovecotServer, n: number, profile: boolean) {
  const info = connectionInfo(server);
  const tmp = tempDir('mirror');
  try {
    const s = await freshStore(info, path.join(tmp.dir, 'tegami.db'));
    try {
      const parts = s.parts;
      const profiled = <T>(name: string, fn: () => Promise<T>) => (profile ? withProfile(name, fn) : fn());
      // The engine's pass with the offline window "all": small mail is mirrored whole as its rows are written.
      const headers = await profiled(`mirror-${n}-headers`, () => timed(() => tegamiSync(s, 'all', undefined, 'all')));
      const bodies = await profiled(`mirror-${n}-bodies`, () =>
        timed(async () => {
          const session = await openSession(s.account, s.password);
          try {
            // What the mirror left (large or refused messages) and the pass's header search rows, as the engine does after a pass.
            const [prefetched] = await Promise.all([
              prefetchBodies(session, parts, s.account.id, { window: 'all' }),
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
      const seconds = headers.seconds + bodies.seconds;
      log(
        `Tegami: mirror pass ${formatSeconds(headers.seconds)} + prefetch of the rest ${formatSeconds(bodies.seconds)} (${bodies.value.cached} texts), ${cached} cached = ${formatSeconds(seconds)}; client CPU ${formatSeconds(headers.cpuSeconds + bodies.cpuSeconds)}; texts indexed for search after it in ${formatSeconds(indexing.seconds)}`,
      );
      return { seconds, pass: headers.seconds, rest: bodies.seconds, indexing: indexing.seconds };
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
  // Each mbsync run writes into a fresh Maildir, kept until all runs are done: creating files soon
  // after thousands were deleted is slow on ext4 (its inode allocator skips recently deleted inodes,
  // which showed as seconds of kernel time in mbsync), and the harness's cleanup is no part of mbsync's work.
  const maildirs: { remove: () => void }[] = [];
  const mbRun = async () => {
    if (!mbsync.ok) return;
    const tmp = tempDir('mbsync');
    maildirs.push(tmp);
    const run = await runMbsync(mbsync.binary, info, USER, 'Bulk', tmp.dir);
    log(`mbsync (${mbsync.version}): ${formatSeconds(run.seconds)}, ${run.files} files, peak RSS ${run.maxRssMb?.toFixed(0) ?? '?'} MB`);
    if (run.files !== n) throw new Error(`mbsync wrote ${run.files} messages, expected ${n}`);
    mb.push(run.seconds);
  };
  if (!mbsync.ok) log(`mbsync skipped: ${mbsync.reason}`);

  // Interleaved: mbsync, Tegami, mbsync, …, mbsync, as the header sync is measured. A single mbsync
  // run of 10,000 messages took anywhere from 1.3 to 8.2 s on this machine (most of it in the
  // kernel, creating files); each Tegami run is compared with the mbsync runs either side of it
  // (pairedRatios), and the median ratio is the verdict.
  const ours: Awaited<ReturnType<typeof tegamiMirror>>[] = [];
  try {
    await mbRun();
    for (let round = 0; round < rounds; round++) {
      ours.push(await tegamiMirror(server, n, round === 0));
      await mbRun();
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
        `median of ${rounds} interleaved runs; Tegami ${list(seconds)}${mbsync.ok ? `, mbsync ${list(mb)}, ratios ${ratios.map((r) => r.toFixed(2)).join(' / ')}` : `; mbsync skipped: ${mbsync.ok ? '' : mbsync.reason}`}; ` +
        `median run: mirror pass ${formatSeconds(run.pass)} + prefetch of the rest ${formatSeconds(run.rest)}, then the texts' search rows ${formatSeconds(run.indexing)} more (search scans those texts meanwhile); bare imapflow BODY.PEEK[] ${formatSeconds(bare.seconds)}`,
    },
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
