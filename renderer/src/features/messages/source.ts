import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { MessageSort, MessageSummary } from '../../../../shared/domain/message.js';
import { asTegamiError, call, subscribe, type TegamiError } from '../../ipc/client.js';
import { PagedCache, type FetchPage } from './pagedCache.js';

/** What the message list renders from: a folder (paged, live) or a fixed list (search results). */
export interface ListSource {
  /** Changes whenever rows change, so the list re-renders. */
  version: number;
  rowCount: number;
  exact: boolean;
  loading: boolean;
  error: TegamiError | null;
  rowAt(index: number): MessageSummary | undefined;
  indexOf(id: number): number;
  ensure(start: number, end: number): void;
}

export interface Filters {
  unread: boolean;
  flagged: boolean;
  hasAttachments: boolean;
}

export const noFilters: Filters = { unread: false, flagged: false, hasAttachments: false };

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
  const fetch = useCallback<FetchPage>(
    async (after, limit) => call('messages.page', { mailboxId, sort, descending, after, limit, unread, flagged, hasAttachments }),
    [mailboxId, sort, descending, unread, flagged, hasAttachments],
  );
  // A new cache for every query; constructing one does not fetch (ensure does).
  const initial = useMemo(() => new PagedCache(fetch, bump, initialHint), [fetch, initialHint]);
  // After a live update, a freshly read cache replaces the initial one (for this query only).
  const [replaced, setReplaced] = useState<{ of: PagedCache; by: PagedCache } | null>(null);
  const cache = replaced?.of === initial ? replaced.by : initial;

  useEffect(() => {
    let current = initial;
    let timer: ReturnType<typeof setTimeout> | null = null;
    initial.ensure(want.current.start, want.current.end);
    const reload = () => {
      const next = new PagedCache(fetch, bump, initialHint);
      const { start, end } = want.current;
      void next.fill(start, end).then(() => {
        if (next.closed) return;
        current.close();
        current = next;
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
  }, [initial, fetch, initialHint, mailboxId]);

  return useMemo<ListSource>(
    () => ({
      version,
      rowCount: cache.rowCount,
      exact: cache.exact,
      loading: cache.loading || (!cache.exact && cache.rowAt(0) === undefined),
      error: cache.error ? asTegamiError(cache.error) : null,
      rowAt: (i) => cache.rowAt(i),
      indexOf: (id) => cache.indexOf(id),
      ensure: (start, end) => {
        want.current = { start, end };
        cache.ensure(start, end);
      },
    }),
    // `version` changes after every page the cache reads: a new object tells the list to read rows again.
    [cache, version],
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
      loading,
      error,
      rowAt: (i) => rows[i],
      indexOf: (id) => index.get(id) ?? -1,
      ensure: () => {},
    };
  }, [rows, loading, error]);
}
