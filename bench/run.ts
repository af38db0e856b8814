// npm run bench [-- <name> …] [-- --list]: runs the benchmarks (all, or the named ones), prints a
// table (name, measured, baseline, target, result) and writes bench-output/results.json.
// Sizes: BENCH_SCALE=0.1 for a quick run, or BENCH_<NAME>=<count> per size (printed at the start).
// BENCH_PROFILE=1 writes V8 CPU profiles of the Tegami side to bench-output/.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ENGINE_V8_FLAGS, hasEngineV8Flags } from '../electron/engine-host/v8-flags.js';
import { headerSync } from './header-sync.js';
import { memory } from './memory.js';
import { mirror } from './mirror.js';
import { renderer } from './renderer.js';
import { opsBench } from './ops.js';
import { resync } from './resync.js';
import { search } from './search.js';
import { BenchContext, type Bench } from './lib/bench.js';
import { log } from './lib/fixture.js';
import { outputDir } from './lib/profile.js';
import { formatSeconds, resultTable, type ResultRow } from './lib/stats.js';

const benches: Bench[] = [headerSync, mirror, resync, memory, search, opsBench, renderer];

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args.includes('--list') || args.includes('--help')) {
    for (const b of benches) console.log(`${b.name.padEnd(14)} ${b.title}`);
    return 0;
  }
  const unknown = args.filter((a) => !benches.some((b) => b.name === a));
  if (unknown.length) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${benches.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = args.length ? benches.filter((b) => args.includes(b.name)) : benches;
  const ctx = new BenchContext();
  // The benchmarks that sync in this process measure the engine as it runs: with its V8 flags
  // (npm run bench passes them; a bare `tsx bench/run.ts` does not, and is told so).
  const engineFlags = hasEngineV8Flags();
  ctx.sizes['engine V8 flags'] = engineFlags ? ENGINE_V8_FLAGS.join(' ') : 'MISSING';
  if (!engineFlags) log(`warning: started without the engine's V8 flags (${ENGINE_V8_FLAGS.join(' ')}); run it as npm run bench`);
  const rows: ResultRow[] = [];
  const started = Date.now();
  let failed = false;
  try {
    for (const bench of selected) {
      log(`=== ${bench.name}: ${bench.title}`);
      const t = Date.now();
      try {
        rows.push(...(await bench.run(ctx)));
      } catch (error) {
        failed = true;
        log(`${bench.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        rows.push({
          bench: bench.name,
          name: bench.name,
          measured: 'error',
          value: null,
          unit: '',
          baseline: '',
          target: '',
          pass: false,
          note: error instanceof Error ? error.message : String(error),
        });
      }
      log(`=== ${bench.name} done in ${formatSeconds((Date.now() - t) / 1000)}`);
    }
  } finally {
    await ctx.cleanup();
  }
  const total = (Date.now() - started) / 1000;
  console.log(
    `\nTegami benchmarks — ${new Date().toISOString()} — ${os.cpus().length} CPUs, Node ${process.version}, ${formatSeconds(total)}`,
  );
  console.log(
    `Sizes: ${
      Object.entries(ctx.sizes)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || '(none)'
    }\n`,
  );
  console.log(resultTable(rows));
  const notes = rows.filter((r) => r.note);
  if (notes.length) console.log(`\nNotes:\n${notes.map((r) => `  ${r.name}: ${r.note}`).join('\n')}`);
  await mkdir(outputDir, { recursive: true });
  const file = path.join(outputDir, 'results.json');
  await writeFile(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, seconds: total, sizes: ctx.sizes, results: rows }, null, 2)}\n`,
  );
  console.log(`\nResults written to ${path.relative(process.cwd(), file)}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
