// CPU profiles of the Tegami side of a benchmark (BENCH_PROFILE=1), and their summary.
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

export const outputDir = path.resolve(import.meta.dirname, '..', '..', 'bench-output');

const log = (text: string): void => void process.stderr.write(`${text}\n`);

export const profiling = (): boolean => process.env.BENCH_PROFILE === '1';

/**
 * Runs `fn` under the V8 CPU profiler when BENCH_PROFILE=1: writes bench-output/<name>.cpuprofile
 * (open it in Chrome DevTools) and logs the functions with the most self time. Otherwise just runs it.
 */
export async function withProfile<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!profiling()) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(outputDir, { recursive: true });
    const file = path.join(outputDir, `${name}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    log(`CPU profile written to ${file}; top self time:\n${topSelfTime(profile as CpuProfile)}`);
  }
}

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The functions with the most self time in a V8 CPU profile, as "  12.3%  1234 ms  fn  file:line" lines. */
export function topSelfTime(profile: CpuProfile, top = 25): string {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    byNode.set(id, (byNode.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const byFn = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules|electron|bench|test)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}  ${where}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  return [...byFn.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([k, us]) => `  ${((100 * us) / Math.max(1, total)).toFixed(1).padStart(5)}%  ${String(Math.round(us / 1000)).padStart(6)} ms  ${k}`,
    )
    .join('\n');
}
