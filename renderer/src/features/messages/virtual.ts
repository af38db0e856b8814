/** Windowing math for a list of fixed-height rows: which rows to render for a scroll position. */

export interface VisibleRange {
  /** First row to render (inclusive) and the row after the last (exclusive). */
  start: number;
  end: number;
  /** The first and last row actually inside the viewport (for paging and aria). */
  firstVisible: number;
  lastVisible: number;
}

export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 8): VisibleRange {
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0, firstVisible: 0, lastVisible: -1 };
  const top = Math.max(0, scrollTop);
  const firstVisible = Math.min(rowCount - 1, Math.floor(top / rowHeight));
  const lastVisible = Math.min(rowCount - 1, Math.max(firstVisible, Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight) - 1));
  return {
    start: Math.max(0, firstVisible - overscan),
    end: Math.min(rowCount, lastVisible + 1 + overscan),
    firstVisible,
    lastVisible,
  };
}

/** The scrollTop that brings row `index` fully into view, moving as little as possible (or null: already visible). */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}

/** Rows per page of a viewport, for PageUp / PageDown. */
export function rowsPerPage(viewportHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewportHeight / rowHeight) - 1);
}

/** Which fixed-size pages hold rows [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const first = Math.floor(start / pageSize);
  const last = Math.floor((end - 1) / pageSize);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** The row at the top of the viewport when the list last settled: its message, and where it was. */
export interface ScrollAnchor {
  /** The list's query (folder, sort, filters): a new query is a new list, not a live update. */
  query: string;
  id: number;
  index: number;
}

/**
 * After a live update (mail added or removed above the viewport), the scrollTop that keeps the row
 * the user was looking at in place; null to leave the scroll alone. At the very top the list is not
 * held: new mail should come into view there.
 */
export function anchoredScrollTop(
  anchor: ScrollAnchor | null,
  query: string | undefined,
  scrollTop: number,
  indexOf: (id: number) => number,
  rowHeight: number,
): number | null {
  if (!anchor || query === undefined || anchor.query !== query || scrollTop <= 0) return null;
  const now = indexOf(anchor.id);
  if (now < 0 || now === anchor.index) return null;
  return Math.max(0, scrollTop + (now - anchor.index) * rowHeight);
}
