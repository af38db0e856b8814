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
import { formatCount, formatSeconds, sizeFromEnv, type ResultRow } from './lib/stats.js';

async function mirrorOnce(server: DovecotServer, n: number): Promise<ResultRow[]> {
  const info = connectionInfo(server);
  const tmp = tempDir('mirror');
  try {
    // Warm the server's caches the same way for everybody (Dovecot reads each file once).
    await bareSourceFetch(info, 'Bulk');
    const bare = await bareSourceFetch(info, 'Bulk');
    log(`bare imapflow BODY.PEEK[] of ${bare.count} messages (${(bare.bytes / 1024 ** 2).toFixed(0)} MB): ${formatSeconds(bare.seconds)}`);

    const s = await freshStore(info, path.join(tmp.dir, 'tegami.db'));
    let headers;
    let bodies;
    let cached = 0;
    let indexing;
    try {
      const parts = s.parts;
      // The engine's pass with the offline window "all": small mail is mirrored whole as its rows are written.
      headers = await withProfile(`mirror-${n}-headers`, () => timed(() => tegamiSync(s, 'all', undefined, 'all')));
      bodies = await withProfile(`mirror-${n}-bodies`, () =>
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
      cached = s.db.prepare<[], number>('SELECT count(*) FROM messages WHERE body_state > 0').pluck().get() ?? 0;
      // The texts' search rows, written after the prefetch (search scans those texts meanwhile).
      indexing = await timed(() => s.indexBacklog());
    } finally {
      await s.close();
    }
    const tegamiSeconds = headers.seconds + bodies.seconds;
    log(
      `Tegami: mirror pass ${formatSeconds(headers.seconds)} + prefetch of the rest ${formatSeconds(bodies.seconds)} (${bodies.value.cached} texts), ${cached} cached = ${formatSeconds(tegamiSeconds)}; client CPU ${formatSeconds(headers.cpuSeconds + bodies.cpuSeconds)}; texts indexed for search after it in ${formatSeconds(indexing.seconds)}`,
    );
    if (cached < n) throw new Error(`Tegami cached ${cached} bodies, expected at least ${n}`);

    const mbsync = await mbsyncAvailable();
    let mb: Awaited<ReturnType<typeof runMbsync>> | null = null;
    if (mbsync.ok) {
      mb = await runMbsync(mbsync.binary, info, USER, 'Bulk', path.join(tmp.dir));
      log(`mbsync (${mbsync.version}): ${formatSeconds(mb.seconds)}, ${mb.files} files, peak RSS ${mb.maxRssMb?.toFixed(0) ?? '?'} MB`);
      if (mb.files !== n) throw new Error(`mbsync wrote ${mb.files} messages, expected ${n}`);
    } else {
      log(`mbsync skipped: ${mbsync.reason}`);
    }
    const rows: ResultRow[] = [
      {
        bench: 'mirror',
        name: `full mirror ${formatCount(n)} msgs`,
        measured: `${formatSeconds(tegamiSeconds)}${mb ? ` (${(tegamiSeconds / mb.seconds).toFixed(2)}× mbsync)` : ''}`,
        value: tegamiSeconds,
        unit: 's',
        baseline: mb ? `mbsync ${formatSeconds(mb.seconds)}` : `mbsync n/a`,
        target: '< mbsync',
        pass: mb ? tegamiSeconds < mb.seconds : null,
        note: `mirror pass ${formatSeconds(headers.seconds)} + prefetch of the rest ${formatSeconds(bodies.seconds)}, then the texts' search rows ${formatSeconds(indexing.seconds)} more (search scans those texts meanwhile); bare imapflow BODY.PEEK[] ${formatSeconds(bare.seconds)}${mb ? '' : `; mbsync skipped: ${mbsync.ok ? '' : mbsync.reason}`}`,
      },
    ];
    return rows;
  } finally {
    tmp.remove();
  }
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
    for (const n of sizes) rows.push(...(await mirrorOnce(await ctx.singleFolderServer(n), n)));
    return rows;
  },
};
