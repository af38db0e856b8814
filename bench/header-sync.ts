// 1. Initial header sync of one large folder: Tegami's syncAccount into a fresh SQLite store, against
// a bare imapflow FETCH 1:* of the same fields over the same transport (the lower bound).
import path from 'node:path';
import { connectionInfo } from '../test/dovecot/server.js';
import type { Bench, BenchContext } from './lib/bench.js';
import { bareHeaderFetch, freshStore, log, tegamiSync, tempDir, timed } from './lib/fixture.js';
import { withProfile } from './lib/profile.js';
import { formatCount, formatSeconds, sizeFromEnv, type ResultRow } from './lib/stats.js';

const TARGET_RATIO = 1.3;

export const headerSync: Bench = {
  name: 'header-sync',
  title: 'initial header sync of one folder vs a bare imapflow fetch of the same fields',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = sizeFromEnv(ctx.env, 'HEADER_SYNC_N', 50_000, 100);
    ctx.sizes['header-sync messages'] = n;
    const server = await ctx.singleFolderServer(n);
    const info = connectionInfo(server);

    // Dovecot parses each message once and caches ENVELOPE/BODYSTRUCTURE after the first fetch: the
    // warm-up puts both contenders on a server that has been serving this mailbox.
    const warm = await bareHeaderFetch(info, 'Bulk');
    log(`warm-up bare fetch: ${warm.count} messages in ${formatSeconds(warm.seconds)} (untimed)`);

    const bare1 = await bareHeaderFetch(info, 'Bulk');
    log(`bare fetch: ${formatSeconds(bare1.seconds)}`);
    const tmp = tempDir('headers');
    try {
      const s = await freshStore(info, path.join(tmp.dir, 'tegami.db'));
      let tegami;
      try {
        tegami = await withProfile('header-sync', () => timed(() => tegamiSync(s)));
      } finally {
        await s.close();
      }
      const added = tegami.value.mailboxes.find((m) => m.path === 'Bulk')?.added ?? 0;
      if (added !== n) throw new Error(`Tegami stored ${added} messages, expected ${n}`);
      log(`Tegami syncAccount: ${formatSeconds(tegami.seconds)} (client CPU ${formatSeconds(tegami.cpuSeconds)})`);
      const bare2 = await bareHeaderFetch(info, 'Bulk');
      log(`bare fetch again: ${formatSeconds(bare2.seconds)}`);
      if (bare1.count !== n || bare2.count !== n) throw new Error(`bare fetch counted ${bare1.count}/${bare2.count}, expected ${n}`);
      const bare = Math.min(bare1.seconds, bare2.seconds);
      const ratio = tegami.seconds / bare;
      return [
        {
          bench: 'header-sync',
          name: `header sync ${formatCount(n)} msgs`,
          measured: `${formatSeconds(tegami.seconds)} (${ratio.toFixed(2)}× bare)`,
          value: tegami.seconds,
          unit: 's',
          baseline: `bare imapflow ${formatSeconds(bare)}`,
          target: `≤ ${TARGET_RATIO}× bare`,
          pass: ratio <= TARGET_RATIO,
          note: `bare runs ${formatSeconds(bare1.seconds)} / ${formatSeconds(bare2.seconds)}; Tegami client CPU ${formatSeconds(tegami.cpuSeconds)}; ${Math.round(n / tegami.seconds)} msg/s`,
        },
      ];
    } finally {
      tmp.remove();
    }
  },
};
