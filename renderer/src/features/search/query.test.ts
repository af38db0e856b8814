import { describe, expect, it } from 'vitest';
import { engineQuery, parseQuery, searchConditions, serverQuery, tokenize } from './query.js';

describe('tokenize', () => {
  it('keeps quoted phrases and field:"quoted values" together', () => {
    expect(tokenize('from:bob "lunch on friday" subject:"next week"')).toEqual(['from:bob', 'lunch on friday', 'subject:next week']);
    expect(tokenize('  会議   資料 ')).toEqual(['会議', '資料']);
    expect(tokenize('"unterminated phrase')).toEqual(['unterminated phrase']);
  });
});

describe('parseQuery', () => {
  it('separates fields from free words', () => {
    const q = parseQuery('会議 from:yamada subject:来週 has:attachment is:unread is:flagged');
    expect(q).toEqual({
      words: ['会議'],
      from: ['yamada'],
      subject: ['来週'],
      to: [],
      hasAttachment: true,
      unread: true,
      flagged: true,
    });
  });

  it('treats unknown fields and empty values as words', () => {
    expect(parseQuery('http://x foo: bar').words).toEqual(['http://x', 'foo:', 'bar']);
    expect(parseQuery('is:read').unread).toBe(false);
  });
});

describe('engineQuery', () => {
  it('sends words and field values as text, or nothing for flag-only queries', () => {
    expect(engineQuery(parseQuery('lunch from:bob'))).toBe('bob lunch');
    expect(engineQuery(parseQuery('"Friday on Lunch" from:"Bob Smith"'))).toBe('"Bob Smith" "Friday on Lunch"');
    expect(engineQuery(parseQuery('is:unread has:attachment'))).toBeNull();
  });

  it('keeps -word and -"a phrase" excluded, for the engine and the server', () => {
    expect(engineQuery(parseQuery('lunch -friday -"team meeting" is:unread'))).toBe('lunch -friday -"team meeting"');
    expect(engineQuery(parseQuery('-会議'))).toBe('-会議');
    expect(serverQuery(parseQuery('lunch -"team meeting"'))).toMatchObject({ query: 'lunch -"team meeting"' });
  });
});

describe('OR', () => {
  it('passes OR between words on as the operator, a quoted "OR" as the word, and never joins a field value', () => {
    expect(engineQuery(parseQuery('invoice OR receipt is:unread'))).toBe('invoice OR receipt');
    expect(serverQuery(parseQuery('invoice OR "team lunch"'))).toEqual({ field: 'text', query: 'invoice OR "team lunch"' });
    expect(engineQuery(parseQuery('black "OR" white'))).toBe('black or white');
    // The field's value comes first: the OR at the end of the words has nothing to join.
    expect(engineQuery(parseQuery('lunch OR from:bob'))).toBe('bob lunch OR');
  });

  it('joins terms of one field: from:a OR from:b is either sender, chained too, beside the other terms', () => {
    const q = parseQuery('lunch from:alice OR from:"Bob Smith" OR from:carol subject:plan to:x OR to:y is:unread');
    expect(q).toMatchObject({ words: ['lunch'], from: [['alice', 'Bob Smith', 'carol']], subject: ['plan'], to: [['x', 'y']] });
    expect(engineQuery(q)).toBe('alice OR "Bob Smith" OR carol plan x OR y lunch');
    expect(searchConditions(q)).toEqual({ unread: true, from: [['alice', 'Bob Smith', 'carol']], to: [['x', 'y']], subject: ['plan'] });
    expect(serverQuery(parseQuery('from:a OR from:b'))).toEqual({ field: 'text', query: '', from: [['a', 'b']] });
    // Only terms of one field: across fields, or with a word, OR stays the words' operator.
    expect(parseQuery('from:a OR subject:b')).toMatchObject({ from: ['a'], subject: ['b'], words: ['OR'] });
    expect(parseQuery('from:a from:b OR from:c')).toMatchObject({ from: ['a', ['b', 'c']] });
    expect(parseQuery('from:a "OR" from:b')).toMatchObject({ from: ['a', 'b'], words: ['or'] });
  });
});

describe('serverQuery', () => {
  it('sends the words and phrases as TEXT keys and every condition as its own', () => {
    expect(serverQuery(parseQuery('lunch'))).toEqual({ field: 'text', query: 'lunch' });
    expect(serverQuery(parseQuery('"Friday on Lunch" jam'))).toEqual({ field: 'text', query: '"Friday on Lunch" jam' });
    expect(serverQuery(parseQuery('subject:lunch'))).toEqual({ field: 'text', query: '', subject: ['lunch'] });
    expect(serverQuery(parseQuery('jam from:bob to:carol is:read has:attachment is:flagged'))).toEqual({
      field: 'text',
      query: 'jam',
      from: ['bob'],
      to: ['carol'],
      read: true,
      flagged: true,
      hasAttachments: true,
    });
    expect(serverQuery(parseQuery('is:unread'))).toEqual({ field: 'text', query: '', unread: true });
    expect(serverQuery(parseQuery(''))).toBeNull();
  });
});
