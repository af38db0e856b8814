import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../../../shared/domain/message.js';
import { expandSelection, groupThreads } from './threads.js';

const m = (id: number, threadId: number | null, seen = true): MessageSummary => ({
  id,
  mailboxId: 1,
  uid: id,
  uidvalidity: 1,
  flags: seen ? ['\\Seen'] : [],
  seen,
  flagged: false,
  answered: false,
  draft: false,
  subject: `s${id}`,
  from: null,
  date: new Date(2026, 0, id).toISOString(),
  sentDate: null,
  size: 1,
  messageId: null,
  threadId,
  hasAttachments: false,
  snippet: null,
});

// Newest first: 6 (t1), 5 (alone), 4 (t2), 3 (t1, unread), 2 (t2), 1 (t1)
const rows = [m(6, 1), m(5, null), m(4, 2), m(3, 1, false), m(2, 2), m(1, 1)];

describe('groupThreads', () => {
  it('collapses each conversation to its first row, in list order, with counts', () => {
    const g = groupThreads(rows, new Set());
    expect(g.map((r) => [r.message.id, r.count, r.unread, r.depth])).toEqual([
      [6, 3, 1, 0],
      [5, 1, 0, 0],
      [4, 2, 0, 0],
    ]);
    expect(g[0]?.ids).toEqual([6, 3, 1]);
  });

  it('expands a conversation in place, its other messages indented', () => {
    const g = groupThreads(rows, new Set([1]));
    expect(g.map((r) => [r.message.id, r.depth])).toEqual([
      [6, 0],
      [3, 1],
      [1, 1],
      [5, 0],
      [4, 0],
    ]);
    expect(g[0]?.expanded).toBe(true);
  });

  it('treats messages without a threadId as conversations of one, never expanded', () => {
    const g = groupThreads([m(1, null), m(2, null)], new Set([-1]));
    expect(g.map((r) => [r.message.id, r.count, r.expanded])).toEqual([
      [1, 1, false],
      [2, 1, false],
    ]);
  });

  it('keeps an empty list empty', () => {
    expect(groupThreads([], new Set())).toEqual([]);
  });
});

describe('expandSelection', () => {
  it('applies an action on a collapsed conversation to all its messages, on an expanded one to the row', () => {
    expect(expandSelection(groupThreads(rows, new Set()), (id) => id === 6)).toEqual([6, 3, 1]);
    expect(expandSelection(groupThreads(rows, new Set([1])), (id) => id === 3)).toEqual([3]);
    expect(expandSelection(groupThreads(rows, new Set([1])), (id) => id === 6 || id === 3)).toEqual([6, 3]);
  });
});
