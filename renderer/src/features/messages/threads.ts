/**
 * Conversation view: a folder's rows (in the list's sort order) grouped by the engine's threadId.
 * Pure: no DOM, no engine. A conversation sits where its first message (in sort order) would be;
 * collapsed it is one row (that message) with the count and the unread count of the conversation;
 * expanded, its other messages follow it, indented.
 */
import type { MessageSummary } from '../../../../shared/domain/message.js';

export interface ThreadRow {
  message: MessageSummary;
  /** 0: a conversation's first row (or a lone message); 1: another message of an expanded conversation. */
  depth: 0 | 1;
  /** The conversation this row belongs to (threadId, or the negated message id for a lone message). */
  key: number;
  /** Messages in the conversation, and how many of them are unread. */
  count: number;
  unread: number;
  expanded: boolean;
  /** Every message of the conversation, in sort order (what an action on a collapsed row applies to). */
  ids: number[];
}

export const threadKey = (m: Pick<MessageSummary, 'id' | 'threadId'>): number => m.threadId ?? -m.id;

export function groupThreads(rows: readonly MessageSummary[], expanded: ReadonlySet<number>): ThreadRow[] {
  const groups = new Map<number, MessageSummary[]>();
  for (const m of rows) {
    const k = threadKey(m);
    const g = groups.get(k);
    if (g) g.push(m);
    else groups.set(k, [m]);
  }
  const out: ThreadRow[] = [];
  // Map keeps insertion order: a conversation comes where its first message came.
  for (const [key, members] of groups) {
    const ids = members.map((m) => m.id);
    const unread = members.filter((m) => !m.seen).length;
    const open = expanded.has(key) && members.length > 1;
    members.forEach((message, i) => {
      if (i > 0 && !open) return;
      out.push({ message, depth: i === 0 ? 0 : 1, key, count: members.length, unread, expanded: open, ids });
    });
  }
  return out;
}

/** The ids an action on these selected rows applies to: a collapsed conversation stands for all its messages. */
export function expandSelection(rows: readonly ThreadRow[], selected: (id: number) => boolean): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const r of rows) {
    if (!selected(r.message.id)) continue;
    const ids = r.depth === 0 && !r.expanded ? r.ids : [r.message.id];
    for (const id of ids)
      if (!seen.has(id)) {
        seen.add(id);
        out.push(id);
      }
  }
  return out;
}
