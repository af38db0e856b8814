import { describe, expect, it } from 'vitest';
import {
  clickRow,
  emptySelection,
  isSelected,
  moveTo,
  pruneSelection,
  selectAll,
  selectedCount,
  singleSelected,
  type RowLookup,
} from './selection.js';

// Rows 0..9 hold ids 100..109.
const rows: RowLookup = { idAt: (i) => (i >= 0 && i < 10 ? 100 + i : undefined), indexOf: (id) => (id >= 100 && id < 110 ? id - 100 : -1) };
const ids = (s: { ids: ReadonlySet<number> }) => [...s.ids].sort((a, b) => a - b);

describe('selection model', () => {
  it('a plain click selects one row and sets the anchor', () => {
    const s = clickRow(emptySelection, 3, rows);
    expect(ids(s)).toEqual([103]);
    expect(singleSelected(s)).toBe(103);
    expect(s.anchor).toBe(103);
  });

  it('shift-click selects the range from the anchor, in either direction', () => {
    const a = clickRow(emptySelection, 5, rows);
    expect(ids(clickRow(a, 8, rows, { range: true }))).toEqual([105, 106, 107, 108]);
    expect(ids(clickRow(a, 2, rows, { range: true }))).toEqual([102, 103, 104, 105]);
  });

  it('ctrl/cmd-click toggles one row and keeps the others', () => {
    let s = clickRow(emptySelection, 1, rows);
    s = clickRow(s, 4, rows, { toggle: true });
    expect(ids(s)).toEqual([101, 104]);
    s = clickRow(s, 1, rows, { toggle: true });
    expect(ids(s)).toEqual([104]);
  });

  it('select all is a mode that counts every row, with exceptions', () => {
    let s = selectAll(clickRow(emptySelection, 0, rows));
    expect(selectedCount(s, 100_000)).toBe(100_000);
    expect(isSelected(s, 99_999)).toBe(true);
    s = clickRow(s, 2, rows, { toggle: true });
    expect(isSelected(s, 102)).toBe(false);
    expect(selectedCount(s, 100_000)).toBe(99_999);
    expect(singleSelected(s)).toBeNull();
  });

  it('keyboard moves select one row, or extend with shift', () => {
    let s = moveTo(emptySelection, 2, rows);
    s = moveTo(s, 3, rows, true);
    s = moveTo(s, 4, rows, true);
    expect(ids(s)).toEqual([102, 103, 104]);
    s = moveTo(s, 5, rows);
    expect(ids(s)).toEqual([105]);
  });

  it('ignores rows that are not loaded', () => {
    const s = clickRow(emptySelection, 3, rows);
    expect(clickRow(s, 42, rows)).toBe(s);
  });

  it('survives rows disappearing (live updates)', () => {
    let s = clickRow(clickRow(emptySelection, 1, rows), 2, rows, { toggle: true });
    s = pruneSelection(s, (id) => id !== 102);
    expect(ids(s)).toEqual([101]);
    expect(s.focus).toBeNull();
    expect(pruneSelection(s, () => true)).toBe(s);
  });
});
