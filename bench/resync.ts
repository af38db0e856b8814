// 3. No-change resync: an account with many messages spread over many folders, fully synced once;
// then the time of a second syncAccount pass with QRESYNC, with CONDSTORE only and with neither.
import path from 'node:path';
import { connectionInfo, type DovecotConnectionInfo } from '../test/dovecot/server.js';
import type { Bench, BenchContext } from './lib/bench.js';
import { connectImap } from '../test/dovecot/client.js';
import { addedIn, freshStore, type TegamiStore, log, seed, startServer, tegamiSync, tempDir, timed, USER } from './lib/fixture.js';
import { withProfile } from './lib/profile.js';
import { formatCount, formatSeconds, median, sizeFromEnv, type ResultRow } from './lib/stats.js';

const QRESYNC_TARGET_S = 0.2;

/** "The other device" changes a few flags and expunges a few messages in two folders; then one QRESYNC pass. */
async function changedPass(
  s: TegamiStore,
  info: DovecotConnectionInfo,
  total: number,
  folders: number,
  perFolder: number,
): Promise<ResultRow> {
  const other = await connectImap(info, USER, 'tls');
  const expunged = Math.max(1, Math.min(10, Math.floor(perFolder / 4)));
  const flagged = Math.max(1, Math.min(100, Math.floor(perFolder / 2)));
  const last = `Folder${String(folders).padStart(2, '0')}`;
  try {
    // A keyword no seeded message has, so every one of them changes (and gets a new MODSEQ).
    let lock = await other.getMailboxLock('Folder01');
    try {
      await other.messageFlagsAdd(`${expunged + 1}:${expunged + flagged}`, ['$BenchChanged'], { uid: true });
    } finally {
      lock.release();
    }
    lock = await other.getMailboxLock(last);
    try {
      await other.messageDelete(`1:${expunged}`, { uid: true });
    } finally {
      lock.release();
    }
  } finally {
    await other.logout().catch(() => other.close());
  }
  const r = await timed(() => tegamiSync(s, 'all'));
  const changed = r.value.mailboxes.reduce((n, m) => n + m.changed, 0);
  const removed = r.value.mailboxes.reduce((n, m) => n + m.removed, 0);
  const how = r.value.mailboxes
    .filter((m) => m.method !== 'skipped')
    .map((m) => `${m.path}: ${m.method}`)
    .join(', ');
  log(
    `QRESYNC after ${flagged} flag changes + ${expunged} expunges: ${formatSeconds(r.seconds)} (${changed} changed, ${removed} removed; ${how})`,
  );
  if (changed !== flagged || removed !== expunged)
    throw new Error(`QRESYNC pass saw ${changed} changed / ${removed} removed, expected ${flagged} / ${expunged}`);
  return {
    bench: 'resync',
    name: `resync ${formatCount(total)} msgs after ${flagged} flag changes + ${expunged} expunges, QRESYNC`,
    measured: formatSeconds(r.seconds),
    value: r.seconds,
    unit: 's',
    baseline: '',
    target: '',
    pass: null,
    note: `selected: ${how}`,
  };
}

export const resync: Bench = {
  name: 'resync',
  title: 'no-change resync of an account with many folders: QRESYNC, CONDSTORE only, neither',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const folders = sizeFromEnv(ctx.env, 'RESYNC_FOLDERS', 20, 1, false);
    const perFolder = sizeFromEnv(ctx.env, 'RESYNC_PER_FOLDER', 2_500, 10);
    const repeat = sizeFromEnv(ctx.env, 'RESYNC_REPEAT', 5, 1, false);
    ctx.sizes['resync folders'] = folders;
    ctx.sizes['resync messages per folder'] = perFolder;
    const total = folders * perFolder;
    const server = await startServer(total);
    const tmp = tempDir('resync');
    try {
      log(`seeding ${folders} folders × ${perFolder} messages …`);
      let seedSeconds = 0;
      for (let f = 0; f < folders; f++) seedSeconds += await seed(server, `Folder${String(f + 1).padStart(2, '0')}`, perFolder, f + 1);
      log(`seeded ${formatCount(total)} messages in ${seedSeconds.toFixed(1)} s`);
      const info = connectionInfo(server);
      const s = await freshStore(info, path.join(tmp.dir, 'tegami.db'));
      try {
        const first = await timed(() => tegamiSync(s));
        await s.indexBacklog(); // as the engine does after a pass: the resyncs below start from a settled store
        const added = addedIn(first.value);
        if (added < total) throw new Error(`first pass stored ${added} messages, expected at least ${total}`);
        log(`first pass: ${formatCount(added)} messages in ${formatSeconds(first.seconds)}`);

        // Order matters: a pass without CONDSTORE saves no HIGHESTMODSEQ, so the ladder goes down.
        const passes: { ext: 'all' | 'condstore' | 'none'; label: string; runs: number }[] = [
          { ext: 'all', label: 'QRESYNC', runs: repeat },
          { ext: 'condstore', label: 'CONDSTORE only', runs: Math.max(1, Math.ceil(repeat / 2)) },
          { ext: 'none', label: 'no extensions', runs: Math.max(1, Math.ceil(repeat / 2)) },
        ];
        const rows: ResultRow[] = [];
        let qresyncSeconds = Number.NaN;
        for (const pass of passes) {
          const times: number[] = [];
          const methods = new Map<string, number>();
          let changes = 0;
          for (let i = 0; i < pass.runs; i++) {
            const r = await withProfile(`resync-${pass.ext}-${i}`, () => timed(() => tegamiSync(s, pass.ext)));
            times.push(r.seconds);
            for (const m of r.value.mailboxes) {
              methods.set(m.method, (methods.get(m.method) ?? 0) + 1);
              changes += m.added + m.changed + m.removed;
            }
          }
          const t = median(times);
          if (pass.ext === 'all') qresyncSeconds = t;
          const how = [...methods].map(([m, n]) => `${m}×${n / pass.runs}`).join(', ');
          log(`${pass.label}: ${times.map(formatSeconds).join(', ')} (folders: ${how}; changes seen: ${changes})`);
          rows.push({
            bench: 'resync',
            name: `no-change resync ${formatCount(total)} msgs/${folders} folders, ${pass.label}`,
            measured: formatSeconds(t),
            value: t,
            unit: 's',
            baseline: pass.ext === 'all' ? '' : `QRESYNC ${formatSeconds(qresyncSeconds)}`,
            target: pass.ext === 'all' ? `< ${QRESYNC_TARGET_S} s` : '',
            pass: pass.ext === 'all' ? t < QRESYNC_TARGET_S : null,
            note: `median of ${pass.runs}: ${times.map(formatSeconds).join(', ')}; folders by method: ${how}${changes ? `; ${changes} changes reported (expected 0)` : ''}`,
          });
          if (pass.ext === 'all') rows.push(await changedPass(s, info, total, folders, perFolder));
        }
        rows.push({
          bench: 'resync',
          name: `first full pass ${formatCount(total)} msgs/${folders} folders`,
          measured: formatSeconds(first.seconds),
          value: first.seconds,
          unit: 's',
          baseline: '',
          target: '',
          pass: null,
          note: `${Math.round(total / first.seconds)} msg/s, client CPU ${formatSeconds(first.cpuSeconds)}`,
        });
        return rows;
      } finally {
        await s.close();
      }
    } finally {
      tmp.remove();
      await server.stop();
    }
  },
};
