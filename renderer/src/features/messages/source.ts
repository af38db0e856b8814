import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { MessageSort, MessageSummary } from '../../../../shared/domain/message.js';
import { asTegamiError, call, subscribe, type TegamiError } from '../../ipc/client.js';
import { PagedCache, type FetchPage, type JumpTo } from './pagedCache.js';
import { expandSelection, groupThreads, type ThreadRow } from './threads.js';

/** What the message list renders from: a folder (paged, live) or a fixed list (search results). */
export interface ListSource {
  /** Changes whenever rows change, so the list re-renders. */
  version: number;
  rowCount: number;
  exact: boolean;
  /** The row count is exact (counted by the engine), even when not every row is loaded. */
  counted?: boolean | undefined;
  loading: boolean;
  error: TegamiError | null;
  rowAt(index: number): MessageSummary | undefined;
  indexOf(id: number): number;
  /** Asks for rows [start, end); `ahead` more rows after `end` (or, negative, before `start`) are read next. */
  ensure(start: number, end: number, ahead?: number): void;
  /** Conversation view: the row's conversation (count, depth, expanded), and expanding / collapsing it. */
  thread?: ((index: number) => ThreadRow | undefined) | undefined;
  toggleThread?: ((key: number) => void) | undefined;
  /** The messages an action on the selected rows applies to, when rows stand for more than themselves. */
  actionIds?: ((selected: (id: number) => boolean) => number[]) | undefined;
  /** A note about what the list does not show (a conversation view of a very large folder). */
  note?: string | undefined;
  /** Names the query (folder, sort, filters) of a live list: rows it adds or removes above the viewport do not move the view. */
  query?: string | undefined;
  /** How many messages the rows stand for, when that is not rowCount (conversations: a row per thread). */
  messageCount?: number | undefined;
}

export interface Filters {
  unread: boolean;
  /** Only read messages: the search box's is:read alone (no chip for it). */
  read?: boolean;
  flagged: boolean;
  hasAttachments: boolean;
}

export const noFilters: Filters = { unread: false, flagged: false, hasAttachments: false };

/**
 * Resolves once the browser has painted what was just rendered: the task after the next animation
 * frame (or after 100 ms, when the page does not paint: a hidden window has no animation frames).
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

/**
 * One folder's messages through the sparse PagedCache. On `messages.changed` for this folder, the
 * rows the user is looking at are read again into a fresh cache, which replaces the old one only
 * when ready: the list never blanks, and selection (by id) and scroll position stay.
 */
export function useFolderSource(
  mailboxId: number,
  sort: MessageSort,
  descending: boolean,
  filters: Filters,
  hint: number,
  onReset: () => void,
): ListSource {
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const want = useRef({ start: 0, end: 60 });
  const onResetRef = useRef(onReset);
  useEffect(() => {
    onResetRef.current = onReset;
  });
  // The folder's count only sizes the scrollbar before the last page is read; captured once, so a
  // new count after a sync does not throw the list away (messages.changed reloads it instead).
  const [initialHint] = useState(hint);
  const { unread, flagged, hasAttachments } = filters;
  const read = filters.read === true;
  const fetch = useCallback<FetchPage>(
    async (after, limit) => call('messages.page', { mailboxId, sort, descending, after, limit, unread, read, flagged, hasAttachments }),
    [mailboxId, sort, descending, unread, read, flagged, hasAttachments],
  );
  const jump = useCallback<JumpTo>(
    async (index) => call('messages.cursorAt', { mailboxId, sort, descending, unread, read, flagged, hasAttachments, index }),
    [mailboxId, sort, descending, unread, read, flagged, hasAttachments],
  );
  const count = useCallback(
    (cache: PagedCache) =>
      void call('messages.count', { mailboxId, unread, read, flagged, hasAttachments }).then(
        (r) => !cache.closed && cache.setTotal(r.count),
        () => undefined,
      ),
    [mailboxId, unread, read, flagged, hasAttachments],
  );
  // A new cache for every query; constructing one does not fetch (ensure does). It reads the rows in
  // view first, and the rest of their page and the rows ahead only once those are painted.
  const initial = useMemo(() => new PagedCache(fetch, bump, initialHint, undefined, jump, afterPaint), [fetch, jump, initialHint]);
  // After a live update, a freshly read cache replaces the initial one (for this query only).
  const [replaced, setReplaced] = useState<{ of: PagedCache; by: PagedCache } | null>(null);
  const cache = replaced?.of === initial ? replaced.by : initial;

  useEffect(() => {
    let current = initial;
    let timer: ReturnType<typeof setTimeout> | null = null;
    // The count only after the first rows are read: counting a large folder takes the engine far
    // longer (about 0.5 s for 100,000 messages) than the first page, and it answers one at a time;
    // until then the folder's own count sizes the scrollbar.
    initial.ensure(want.current.start, want.current.end);
    void initial.idle().then(() => !initial.closed && count(initial));
    const reload = () => {
      const next = new PagedCache(fetch, () => undefined, current.rowCount, undefined, jump);
      const { start, end } = want.current;
      void Promise.all([
        call('messages.count', { mailboxId, unread, read, flagged, hasAttachments }).then(
          (r) => next.setTotal(r.count),
          () => undefined,
        ),
        next.fill(start, end),
      ]).then(() => {
        if (next.closed) return;
        current.close();
        current = next;
        next.onChangeTo(bump);
        setReplaced({ of: initial, by: next });
      });
      pending = next;
    };
    let pending: PagedCache | null = null;
    const off = subscribe('messages.changed', (e) => {
      if (e.mailboxId !== mailboxId) return;
      if (e.reset) onResetRef.current();
      // Bursts of changes (a sync pass) are read once.
      if (timer) clearTimeout(timer);
      timer = setTimeout(reload, 120);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
      // `initial` is memoized and may be used again (StrictMode runs effects twice): never closed here;
      // it stops by itself once the rows last asked for are read.
      if (current !== initial) current.close();
      pending?.close();
    };
  }, [initial, fetch, jump, count, initialHint, mailboxId, unread, read, flagged, hasAttachments]);

  const query = `${mailboxId}:${sort}:${descending}:${unread}:${flagged}:${hasAttachments}`;
  return useMemo<ListSource>(
    () => ({
      version,
      query,
      rowCount: cache.rowCount,
      exact: cache.exact,
      counted: cache.counted,
      loading: cache.loading || (!cache.exact && cache.rowAt(0) === undefined),
      error: cache.error ? asTegamiError(cache.error) : null,
      rowAt: (i) => cache.rowAt(i),
      indexOf: (id) => cache.indexOf(id),
      ensure: (start, end, ahead) => {
        want.current = { start, end };
        cache.ensure(start, end, ahead);
      },
    }),
    // `version` changes after every page the cache reads: a new object tells the list to read rows again.
    [cache, version, query],
  );
}

/** A fixed array (search results) as a list source. */
export function useStaticSource(rows: readonly MessageSummary[], loading: boolean, error: TegamiError | null): ListSource {
  return useMemo<ListSource>(() => {
    const index = new Map(rows.map((m, i) => [m.id, i]));
    return {
      version: rows.length,
      rowCount: rows.length,
      exact: true,
      counted: true,
      loading,
      error,
      rowAt: (i) => rows[i],
      indexOf: (id) => index.get(id) ?? -1,
      ensure: () => {},
    };
  }, [rows, loading, error]);
}

/** How many messages the conversation view groups (the newest, in the list's order). */
export const CONVERSATION_LIMIT = 20_000;

/**
 * Conversation view of a folder: its rows (up to CONVERSATION_LIMIT, in the list's order) grouped by
 * threadId. Read again on `messages.changed`; expanded conversations stay expanded.
 */
export function useConversationSource(
  mailboxId: number,
  sort: MessageSort,
  descending: boolean,
  filters: Filters,
  enabled: boolean,
  limitNote: (n: number) => string,
): ListSource {
  const [state, setState] = useState<{ rows: MessageSummary[]; loading: boolean; error: TegamiError | null; more: boolean }>({
    rows: [],
    loading: true,
    error: null,
    more: false,
  });
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const { unread, flagged, hasAttachments } = filters;
  const read = filters.read === true;
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const load = async () => {
      const rows: MessageSummary[] = [];
      let after: { key: string | number; id: number } | null = null;
      for (;;) {
        const page: { messages: MessageSummary[]; next: { key: string | number; id: number } | null } = await call('messages.page', {
          mailboxId,
          sort,
          descending,
          after,
          limit: 500,
          unread,
          read,
          flagged,
          hasAttachments,
        });
        if (!live) return;
        rows.push(...page.messages);
        after = page.next;
        if (after === null || rows.length >= CONVERSATION_LIMIT) break;
      }
      setState({ rows, loading: false, error: null, more: after !== null });
    };
    const run = () => load().catch((e: unknown) => live && setState((prev) => ({ ...prev, loading: false, error: asTegamiError(e) })));
    void run();
    const off = subscribe('messages.changed', (e) => {
      if (e.mailboxId !== mailboxId) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    return () => {
      live = false;
      off();
      if (timer) clearTimeout(timer);
    };
  }, [enabled, mailboxId, sort, descending, unread, read, flagged, hasAttachments]);

  const grouped = useMemo(() => groupThreads(state.rows, expanded), [state.rows, expanded]);
  return useMemo<ListSource>(() => {
    const index = new Map(grouped.map((r, i) => [r.message.id, i]));
    return {
      version: grouped.length,
      rowCount: grouped.length,
      messageCount: state.rows.length,
      exact: true,
      counted: true,
      loading: state.loading,
      error: state.error,
      rowAt: (i) => grouped[i]?.message,
      indexOf: (id) => index.get(id) ?? -1,
      ensure: () => {},
      thread: (i) => grouped[i],
      toggleThread: (key) =>
        setExpanded((prev) => {
          const next = new Set(prev);
          if (next.has(key)) next.delete(key);
          else next.add(key);
          return next;
        }),
      actionIds: (selected) => expandSelection(grouped, selected),
      note: state.more ? limitNote(CONVERSATION_LIMIT) : undefined,
    };
  }, [grouped, state.rows.length, state.loading, state.error, state.more, limitNote]);
}
