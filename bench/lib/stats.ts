// Pure helpers of the benchmark suite: percentiles, formatting, the result table, sizes from the
// environment. No I/O here (unit-tested in stats.test.ts).

/** Nearest-rank percentile (p in 0..100) of the values; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be in 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/**
 * Runs interleaved as baseline, ours, baseline, ours, …, baseline: each of ours against the mean of
 * the baseline runs just before and after it. On a shared machine the speed of both drifts over
 * a minute by more than the margins measured; a run's neighbours saw the machine as it did.
 */
export function pairedRatios(baseline: readonly number[], ours: readonly number[]): number[] {
  if (ours.length === 0 || baseline.length !== ours.length + 1)
    throw new RangeError(`pairedRatios: needs one baseline run more than ours, got ${baseline.length} and ${ours.length}`);
  return ours.map((t, i) => t / (((baseline[i] as number) + (baseline[i + 1] as number)) / 2));
}

/** 0.1234 s → "0.123 s", 12.3456 s → "12.3 s", 0.0123 → "12.3 ms". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  if (seconds < 1) return `${(seconds * 1000).toPrecision(3)} ms`;
  if (seconds < 100) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  return `${Math.round(seconds)} s`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 100 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export function formatMb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 ** 2).toFixed(0)} MB` : 'n/a';
}

/** 50000 → "50,000". */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** One line of the results: what was measured, against what, and whether it met the target. */
export interface ResultRow {
  /** Which benchmark module produced it (header-sync, mirror, …). */
  bench: string;
  name: string;
  /** Human text of the measurement, e.g. "41.2 s (1.25× bare)". */
  measured: string;
  /** The number behind `measured` in `unit`, for results.json; null when skipped. */
  value: number | null;
  unit: 's' | 'ms' | 'MB' | 'ratio' | '';
  baseline: string;
  target: string;
  /** null: no target, or skipped. */
  pass: boolean | null;
  note?: string;
}

export const verdict = (pass: boolean | null, skipped = false): string => (skipped ? 'skip' : pass === null ? '-' : pass ? 'PASS' : 'FAIL');

/** A plain-text table with a header row and columns padded to their widest cell (by code points, CJK counted twice). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (s: string): number => {
    let w = 0;
    for (const ch of s)
      w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
    return w;
  };
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c))))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function resultTable(rows: readonly ResultRow[]): string {
  return formatTable(
    ['name', 'measured', 'baseline', 'target', 'result'],
    rows.map((r) => [r.name, r.measured, r.baseline, r.target, verdict(r.pass, r.value === null && r.pass === null)]),
  );
}

/**
 * A size from the environment: `BENCH_<NAME>` when set (an integer), else `base × BENCH_SCALE`
 * (default scale 1; not applied when `scaled` is false, e.g. for repeat counts), rounded, at least `min`.
 */
export function sizeFromEnv(env: Record<string, string | undefined>, name: string, base: number, min = 1, scaled = true): number {
  const own = env[`BENCH_${name}`];
  if (own !== undefined && own !== '') {
    const n = Number(own);
    if (!Number.isInteger(n) || n < 0) throw new Error(`BENCH_${name} must be a non-negative integer, got ${own}`);
    return n;
  }
  if (!scaled) return base;
  const scaleText = env.BENCH_SCALE;
  const scale = scaleText === undefined || scaleText === '' ? 1 : Number(scaleText);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE must be a positive number, got ${scaleText}`);
  return Math.max(min, Math.round(base * scale));
}
