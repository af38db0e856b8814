import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../../../shared/domain/message.js';
import { engineQuery, matchesFilters, parseQuery, serverQuery, tokenize } from './query.js';

const msg = (over: Partial<MessageSummary>): MessageSummary => ({
  id: 1,
  mailboxId: 1,
  uid: 1,
  uidvalidity: 1,
  flags: [],
  seen: true,
  flagged: false,
  answered: false,
  draft: false,
  subject: 'Lunch on Friday?',
  from: { name: 'Bob Example', address: 'bob@tegami.test' },
  date: '2024-01-01T00:00:00Z',
  sentDate: null,
  size: 100,
  messageId: null,
  threadId: null,
  hasAttachments: false,
  snippet: null,
  ...over,
});

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
    expect(engineQuery(parseQuery('lunch from:bob'))).toBe('lunch bob');
    expect(engineQuery(parseQuery('is:unread has:attachment'))).toBeNull();
  });
});

describe('matchesFilters', () => {
  it('checks sender, subject, flags and attachments on a result', () => {
    expect(matchesFilters(parseQuery('from:bob subject:lunch'), msg({}))).toBe(true);
    expect(matchesFilters(parseQuery('from:carol'), msg({}))).toBe(false);
    expect(matchesFilters(parseQuery('from:TEGAMI.test'), msg({}))).toBe(true);
    expect(matchesFilters(parseQuery('is:unread'), msg({ seen: true }))).toBe(false);
    expect(matchesFilters(parseQuery('is:unread'), msg({ seen: false }))).toBe(true);
    expect(matchesFilters(parseQuery('has:attachment'), msg({ hasAttachments: false }))).toBe(false);
    expect(matchesFilters(parseQuery('is:flagged'), msg({ flagged: true }))).toBe(true);
  });
});

describe('serverQuery', () => {
  it('chooses the IMAP SEARCH key', () => {
    expect(serverQuery(parseQuery('lunch'))).toEqual({ field: 'text', query: 'lunch' });
    expect(serverQuery(parseQuery('subject:lunch'))).toEqual({ field: 'subject', query: 'lunch' });
    expect(serverQuery(parseQuery('from:bob'))).toEqual({ field: 'from', query: 'bob' });
    expect(serverQuery(parseQuery('is:unread'))).toBeNull();
  });
});
