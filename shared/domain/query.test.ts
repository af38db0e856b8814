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
      anyOf: [],
    });
    expect(queryTerms('-会議')).toEqual({ terms: [], excluded: ['会議'], anyOf: [] });
    expect(searchTerms('lunch -friday')).toEqual(['lunch']);
  });

  it('round-trips excluded terms through joinTerms', () => {
    const typed = ['lunch', '-friday', '-team meeting'];
    expect(joinTerms(typed)).toBe('lunch -friday -"team meeting"');
    expect(queryTerms(joinTerms(typed))).toEqual({ terms: ['lunch'], excluded: ['friday', 'team meeting'], anyOf: [] });
  });

  it('reads OR in capitals between two terms as alternatives, and drops an OR with nothing to join', () => {
    expect(queryTerms('invoice OR receipt 2024')).toEqual({ terms: ['2024'], excluded: [], anyOf: [['invoice', 'receipt']] });
    expect(queryTerms('"team lunch" OR 会議 OR dinner -ramen x OR y')).toEqual({
      terms: [],
      excluded: ['ramen'],
      anyOf: [
        ['team lunch', '会議', 'dinner'],
        ['x', 'y'],
      ],
    });
    // Nothing to join: first, last, doubled, or beside an excluded term.
    expect(queryTerms('OR a OR OR b -c OR d OR')).toEqual({ terms: ['a', 'b', 'd'], excluded: ['c'], anyOf: [] });
    // "OR" quoted, or not in capitals, is a word.
    expect(queryTerms('black or white "OR"')).toEqual({ terms: ['black', 'or', 'white', 'OR'], excluded: [], anyOf: [] });
    expect(searchTerms('a OR b c')).toEqual(['c', 'a', 'b']);
    expect(queryTerms(joinTerms(['a', 'OR', 'two words']))).toEqual({ terms: [], excluded: [], anyOf: [['a', 'two words']] });
  });
});
