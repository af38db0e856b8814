// Child process of the memory benchmark: one full sync into a fresh store, as the engine runs it
// with its default offline window (90 days: the mail in it mirrored whole), sampling this process's RSS. Run as `node --import tsx bench/memory-child.ts <input.json>`; the input holds the
// server's connection info and the store file; prints one line of JSON (ChildResult) on stdout.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { DovecotConnectionInfo } from '../test/dovecot/server.js';
import { DEFAULT_OFFLINE_DAYS } from '../electron/engine/db/parts.js';
import { addedIn, freshStore, tegamiSync } from './lib/fixture.js';

export interface ChildInput {
  info: DovecotConnectionInfo;
  file: string;
  sampleMs: number;
}

export interface ChildResult {
  added: number;
  seconds: number;
  /** Highest sampled process.memoryUsage().rss, bytes. */
  peakRss: number;
  /** process.resourceUsage().maxRSS at the end, bytes (the kernel's high-water mark). */
  maxRss: number;
  /** Highest sampled heapUsed, bytes. */
  peakHeap: number;
  samples: number;
  baselineRss: number;
  /** Seconds from the start of the sync (connect, login, LIST, SELECT included) until its first rows were stored. */
  firstRowsSeconds: number | null;
  /** How many rows that first batch held (the newest). */
  firstRows: number;
}

async function main(): Promise<void> {
  const inputFile = process.argv[2];
  if (!inputFile) throw new Error('usage: memory-child.ts <input.json>');
  const input = JSON.parse(readFileSync(inputFile, 'utf8')) as ChildInput;
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeap = 0;
  let samples = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    samples++;
  };
  const timer = setInterval(sample, input.sampleMs);
  const s = await freshStore(input.info, input.file);
  const t = performance.now();
  let added: number;
  let first = null as { seconds: number; rows: number } | null;
  try {
    added = addedIn(
      await tegamiSync(
        s,
        'all',
        (p) => {
          first ??= { seconds: (performance.now() - t) / 1000, rows: p.done };
        },
        DEFAULT_OFFLINE_DAYS,
      ),
    );
    await s.indexBacklog(); // after the pass, as the engine does: part of what a sync holds in memory
  } finally {
    clearInterval(timer);
    await s.close();
  }
  sample();
  const result: ChildResult = {
    added,
    seconds: (performance.now() - t) / 1000,
    peakRss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    peakHeap,
    samples,
    baselineRss,
    firstRowsSeconds: first?.seconds ?? null,
    firstRows: first?.rows ?? 0,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
