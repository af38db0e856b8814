import { describe, expect, it } from 'vitest';
import { formatCount } from './format.js';

describe('formatCount', () => {
  it('writes a count as the locale does', () => {
    expect(formatCount(2000, 'en-US')).toBe('2,000');
    expect(formatCount(2000, 'ja-JP')).toBe('2,000');
    expect(formatCount(2000, 'de-DE')).toBe('2.000');
    expect(formatCount(7, 'en-US')).toBe('7');
  });
});
