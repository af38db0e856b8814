import { describe, expect, it } from 'vitest';
import { formatCount, formatMs, formatSeconds, formatTable, median, pairedRatios, percentile, resultTable, sizeFromEnv } from './stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const v = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(v, 50)).toBe(5);
    expect(percentile(v, 95)).toBe(10);
    expect(percentile(v, 90)).toBe(9);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 100)).toBe(10);
    expect(median([3])).toBe(3);
    expect(percentile([], 50)).toBeNaN();
  });
  it('does not reorder its input and rejects a bad p', () => {
    const v = [3, 1, 2];
    percentile(v, 50);
    expect(v).toEqual([3, 1, 2]);
    expect(() => percentile(v, 101)).toThrow(RangeError);
  });
});

describe('pairedRatios', () => {
  it('divides each run by the mean of the baseline runs around it', () => {
    expect(pairedRatios([8, 10, 6], [13.5, 10.5])).toEqual([1.5, 1.3125]);
  });

  it('refuses runs that are not interleaved baseline first and last', () => {
    expect(() => pairedRatios([8, 10], [12, 12])).toThrow(RangeError);
    expect(() => pairedRatios([8], [])).toThrow(RangeError);
  });
});

describe('formatting', () => {
  it('prints times and counts', () => {
    expect(formatSeconds(0.0123)).toBe('12.3 ms');
    expect(formatSeconds(1.234)).toBe('1.23 s');
    expect(formatSeconds(41.26)).toBe('41.3 s');
    expect(formatSeconds(123.4)).toBe('123 s');
    expect(formatMs(1.234)).toBe('1.23 ms');
    expect(formatMs(25.55)).toBe('25.6 ms');
    expect(formatCount(50000)).toBe('50,000');
  });
  it('pads table columns, counting CJK characters as two cells', () => {
    const t = formatTable(
      ['a', 'b'],
      [
        ['会議', 'x'],
        ['long cell', 'y'],
      ],
    );
    expect(t.split('\n')).toEqual(['a          b', '---------  -', '会議       x', 'long cell  y']);
  });
  it('prints skip, PASS, FAIL and - in the result column', () => {
    const row = { bench: 'b', measured: 'm', baseline: '', target: '', unit: '' as const };
    const t = resultTable([
      { ...row, name: 'one', value: 1, pass: true },
      { ...row, name: 'two', value: 1, pass: false },
      { ...row, name: 'three', value: null, pass: null },
      { ...row, name: 'four', value: 1, pass: null },
    ]);
    expect(
      t
        .split('\n')
        .slice(2)
        .map((l) => l.split(/\s+/).at(-1)),
    ).toEqual(['PASS', 'FAIL', 'skip', '-']);
  });
});

describe('sizeFromEnv', () => {
  it('scales the base size, and an explicit size wins', () => {
    expect(sizeFromEnv({}, 'X', 50_000)).toBe(50_000);
    expect(sizeFromEnv({ BENCH_SCALE: '0.1' }, 'X', 50_000)).toBe(5_000);
    expect(sizeFromEnv({ BENCH_SCALE: '0.00001' }, 'X', 50_000, 10)).toBe(10);
    expect(sizeFromEnv({ BENCH_SCALE: '0.1', BENCH_X: '123' }, 'X', 50_000)).toBe(123);
    expect(sizeFromEnv({ BENCH_SCALE: '0.1' }, 'X', 20, 1, false)).toBe(20);
    expect(() => sizeFromEnv({ BENCH_SCALE: 'fast' }, 'X', 1)).toThrow(/BENCH_SCALE/);
    expect(() => sizeFromEnv({ BENCH_X: '1.5' }, 'X', 1)).toThrow(/BENCH_X/);
  });
});
