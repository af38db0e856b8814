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

/** Rows [start, end) the list renders. */
export interface RowWindow {
  start: number;
  end: number;
}

/**
 * The rows to render for a scroll position: the rows in the viewport, `ahead` more in the direction
 * of scrolling and `behind` more against it (rows behind are leaving anyway).
 */
export function windowRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  direction: 1 | -1,
  ahead: number,
  behind: number,
): RowWindow {
  const inView = visibleRange(scrollTop, viewportHeight, rowHeight, rowCount, 0);
  if (inView.end === 0) return { start: 0, end: 0 };
  return {
    start: Math.max(0, inView.start - (direction < 0 ? ahead : behind)),
    end: Math.min(rowCount, inView.end + (direction > 0 ? ahead : behind)),
  };
}

/**
 * Overscan for a scroll that moved `delta` pixels since the last event: none when it jumped at least a
 * viewport (the next event replaces every row anyway, so rows rendered beyond the viewport would only
 * cost time), else `ahead` and `behind`.
 */
export function overscanFor(delta: number, viewportHeight: number, ahead: number, behind: number): { ahead: number; behind: number } {
  return Math.abs(delta) >= Math.max(1, viewportHeight) ? { ahead: 0, behind: 0 } : { ahead, behind };
}

export function sameWindow(a: RowWindow, b: RowWindow): boolean {
  return a.start === b.start && a.end === b.end;
}

/**
 * Rows to read ahead of the viewport while scrolling at `rowsPerSecond`: enough for `seconds` of
 * scrolling, at least `min` and at most `max` rows.
 */
export function prefetchRows(rowsPerSecond: number, seconds: number, min: number, max: number): number {
  const want = Math.ceil(Math.abs(rowsPerSecond) * seconds);
  return Math.max(min, Math.min(max, want));
}
