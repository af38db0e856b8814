import { describe, expect, it } from 'vitest';
import {
  anchoredScrollTop,
  overscanFor,
  pagesFor,
  prefetchRows,
  rowsPerPage,
  sameWindow,
  scrollToReveal,
  visibleRange,
  windowRange,
} from './virtual.js';

describe('visibleRange', () => {
  it('renders only the viewport plus overscan of a 100,000-row list', () => {
    const r = visibleRange(28 * 50_000, 560, 28, 100_000, 5);
    expect(r.firstVisible).toBe(50_000);
    expect(r.lastVisible).toBe(50_019);
    expect(r.start).toBe(49_995);
    expect(r.end).toBe(50_025);
    expect(r.end - r.start).toBeLessThan(40);
  });

  it('clamps at both ends', () => {
    expect(visibleRange(0, 100, 20, 3, 8)).toEqual({ start: 0, end: 3, firstVisible: 0, lastVisible: 2 });
    expect(visibleRange(99_999, 100, 20, 10, 2)).toMatchObject({ end: 10, firstVisible: 9, lastVisible: 9 });
    expect(visibleRange(-50, 100, 20, 10, 0)).toMatchObject({ start: 0, firstVisible: 0, lastVisible: 4 });
  });

  it('is empty for an empty list', () => {
    expect(visibleRange(0, 500, 28, 0)).toEqual({ start: 0, end: 0, firstVisible: 0, lastVisible: -1 });
  });
});

describe('scrollToReveal', () => {
  it('scrolls up to a row above, down to a row below, and not at all for a visible row', () => {
    expect(scrollToReveal(2, 200, 100, 20)).toBe(40);
    expect(scrollToReveal(20, 200, 100, 20)).toBe(320);
    expect(scrollToReveal(11, 200, 100, 20)).toBeNull();
  });
});

describe('paging helpers', () => {
  it('lists the pages a row range needs', () => {
    expect(pagesFor(0, 10, 250)).toEqual([0]);
    expect(pagesFor(240, 260, 250)).toEqual([0, 1]);
    expect(pagesFor(5, 5, 250)).toEqual([]);
  });
  it('counts rows per page', () => {
    expect(rowsPerPage(280, 28)).toBe(9);
    expect(rowsPerPage(10, 28)).toBe(1);
  });
});

describe('anchoredScrollTop', () => {
  const at = (map: Record<number, number>) => (id: number) => map[id] ?? -1;
  const anchor = { query: 'q', id: 50, index: 10 };

  it('keeps the top row in place when rows arrive or leave above it', () => {
    expect(anchoredScrollTop(anchor, 'q', 340, at({ 50: 11 }), 34)).toBe(374);
    expect(anchoredScrollTop(anchor, 'q', 340, at({ 50: 7 }), 34)).toBe(238);
  });

  it('leaves the scroll alone at the top, for another query, when nothing moved or the row is gone', () => {
    expect(anchoredScrollTop(anchor, 'q', 0, at({ 50: 11 }), 34)).toBeNull();
    expect(anchoredScrollTop(anchor, 'other', 340, at({ 50: 11 }), 34)).toBeNull();
    expect(anchoredScrollTop(anchor, undefined, 340, at({ 50: 11 }), 34)).toBeNull();
    expect(anchoredScrollTop(anchor, 'q', 340, at({ 50: 10 }), 34)).toBeNull();
    expect(anchoredScrollTop(anchor, 'q', 340, at({}), 34)).toBeNull();
    expect(anchoredScrollTop(null, 'q', 340, at({ 50: 11 }), 34)).toBeNull();
  });
});

describe('windowRange', () => {
  it('adds overscan ahead of the scrolling direction and less behind it', () => {
    // Rows 100..119 are in view (20 rows of 30 px).
    expect(windowRange(3000, 600, 30, 100_000, 1, 8, 3)).toEqual({ start: 97, end: 128 });
    expect(windowRange(3000, 600, 30, 100_000, -1, 8, 3)).toEqual({ start: 92, end: 123 });
  });

  it('clamps at both ends and is empty for an empty list', () => {
    expect(windowRange(0, 600, 30, 100_000, -1, 8, 3)).toEqual({ start: 0, end: 23 });
    expect(windowRange(30 * 99_990, 600, 30, 100_000, 1, 8, 3)).toEqual({ start: 99_987, end: 100_000 });
    expect(windowRange(0, 600, 30, 0, 1, 8, 3)).toEqual({ start: 0, end: 0 });
  });

  it('compares windows by their rows', () => {
    expect(sameWindow({ start: 1, end: 5 }, { start: 1, end: 5 })).toBe(true);
    expect(sameWindow({ start: 1, end: 5 }, { start: 2, end: 5 })).toBe(false);
  });
});

describe('overscanFor', () => {
  it('drops the overscan while the list jumps a viewport or more per event', () => {
    expect(overscanFor(3000, 750, 8, 3)).toEqual({ ahead: 0, behind: 0 });
    expect(overscanFor(-750, 750, 8, 3)).toEqual({ ahead: 0, behind: 0 });
    expect(overscanFor(100, 750, 8, 3)).toEqual({ ahead: 8, behind: 3 });
    expect(overscanFor(0, 750, 8, 3)).toEqual({ ahead: 8, behind: 3 });
  });
});

describe('prefetchRows', () => {
  it('reads about `seconds` of scrolling ahead, within bounds', () => {
    expect(prefetchRows(0, 1, 500, 3000)).toBe(500);
    expect(prefetchRows(1200, 1, 500, 3000)).toBe(1200);
    expect(prefetchRows(-1200, 1, 500, 3000)).toBe(1200);
    expect(prefetchRows(90_000, 1, 500, 3000)).toBe(3000);
  });
});
