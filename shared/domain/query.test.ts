import { describe, expect, it } from 'vitest';
import { joinTerms, searchTerms } from './query.js';

describe('searchTerms', () => {
  it('splits words and keeps quoted phrases whole, their white space collapsed', () => {
    expect(searchTerms('  lunch "Friday  on\tLunch" 会議 ')).toEqual(['lunch', 'Friday on Lunch', '会議']);
    expect(searchTerms('"unclosed phrase here')).toEqual(['unclosed phrase here']);
    expect(searchTerms('a"b c"d')).toEqual(['a', 'b c', 'd']);
    expect(searchTerms('"" "  "')).toEqual([]);
  });

  it('round-trips through joinTerms', () => {
    const terms = ['Friday on Lunch', 'jam', '見積 書'];
    expect(searchTerms(joinTerms(terms))).toEqual(terms);
    expect(joinTerms(['say "hi" now'])).toBe('"say hi now"');
  });
});
