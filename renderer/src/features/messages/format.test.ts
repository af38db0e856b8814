import { describe, expect, it } from 'vitest';
import { formatCount, listDate } from './format.js';

describe('formatCount', () => {
  it('writes a count as the locale does', () => {
    expect(formatCount(2000, 'en-US')).toBe('2,000');
    expect(formatCount(2000, 'ja-JP')).toBe('2,000');
    expect(formatCount(2000, 'de-DE')).toBe('2.000');
    expect(formatCount(7, 'en-US')).toBe('7');
  });
});

describe('listDate', () => {
  it('shows today’s mail by its time as the locale writes it (no leading zero in en-US), older mail by its day', () => {
    const now = new Date(2026, 10, 29, 18, 0);
    expect(listDate(new Date(2026, 10, 29, 9, 5).toISOString(), 'en-US', now)).toBe('9:05 AM');
    expect(listDate(new Date(2026, 10, 29, 9, 5).toISOString(), 'ja-JP', now)).toBe('9:05');
    expect(listDate(new Date(2026, 10, 2, 9, 5).toISOString(), 'en-US', now)).toBe('Nov 2');
    expect(listDate(new Date(2025, 10, 2, 9, 5).toISOString(), 'en-US', now)).toBe('Nov 2, 2025');
  });
});
