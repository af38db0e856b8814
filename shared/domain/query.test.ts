import { describe, expect, it } from 'vitest';
import { joinTerms, queryTerms, searchTerms } from './query.js';

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

describe('queryTerms', () => {
  it('reads -word and -"a phrase" as excluded, and a minus inside a word or alone as text', () => {
    expect(queryTerms('lunch -friday -"team meeting" e-mail - x')).toEqual({
      terms: ['lunch', 'e-mail', '-', 'x'],
      excluded: ['friday', 'team meeting'],
    });
    expect(queryTerms('-会議')).toEqual({ terms: [], excluded: ['会議'] });
    expect(searchTerms('lunch -friday')).toEqual(['lunch']);
  });

  it('round-trips excluded terms through joinTerms', () => {
    const typed = ['lunch', '-friday', '-team meeting'];
    expect(joinTerms(typed)).toBe('lunch -friday -"team meeting"');
    expect(queryTerms(joinTerms(typed))).toEqual({ terms: ['lunch'], excluded: ['friday', 'team meeting'] });
  });
});
