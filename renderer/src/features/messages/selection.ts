/**
 * The message list's selection, by message id so that it survives live updates (rows moving,
 * appearing, disappearing). "Select all" is a mode, not a list of ids: a 100,000-row folder is
 * never materialised; ids clicked away afterwards are kept as exceptions.
 */
export interface SelectionState {
  all: boolean;
  /** all=false: the selected ids; all=true: the ids taken out of "all". */
  ids: ReadonlySet<number>;
  /** Where a shift-range starts, and the row the keyboard is on. */
  anchor: number | null;
  focus: number | null;
}

export const emptySelection: SelectionState = { all: false, ids: new Set(), anchor: null, focus: null };

/** How to find rows: by index (undefined when not loaded) and by id (-1 when not in the list). */
export interface RowLookup {
  idAt(index: number): number | undefined;
  indexOf(id: number): number;
}

export interface Modifiers {
  /** Shift: extend from the anchor. */
  range?: boolean;
  /** Ctrl / Cmd: toggle one row, keep the rest. */
  toggle?: boolean;
}

export function isSelected(s: SelectionState, id: number): boolean {
  return s.all ? !s.ids.has(id) : s.ids.has(id);
}

export function selectedCount(s: SelectionState, rowCount: number): number {
  return s.all ? Math.max(0, rowCount - s.ids.size) : s.ids.size;
}

function rangeIds(rows: RowLookup, from: number, to: number): Set<number> {
  const out = new Set<number>();
  const [a, b] = from <= to ? [from, to] : [to, from];
  for (let i = a; i <= b; i++) {
    const id = rows.idAt(i);
    if (id !== undefined) out.add(id);
  }
  return out;
}

/** A click (or Enter / Space) on row `index`. */
export function clickRow(s: SelectionState, index: number, rows: RowLookup, mods: Modifiers = {}): SelectionState {
  const id = rows.idAt(index);
  if (id === undefined) return s;
  if (mods.range && s.anchor !== null) {
    const anchorIndex = rows.indexOf(s.anchor);
    if (anchorIndex >= 0) {
      const range = rangeIds(rows, anchorIndex, index);
      if (mods.toggle && !s.all) return { ...s, ids: new Set([...s.ids, ...range]), focus: id };
      return { all: false, ids: range, anchor: s.anchor, focus: id };
    }
  }
  if (mods.toggle) {
    const ids = new Set(s.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { all: s.all, ids, anchor: id, focus: id };
  }
  return { all: false, ids: new Set([id]), anchor: id, focus: id };
}

/** Keyboard move to row `index`: selects it alone, or extends the range from the anchor. */
export function moveTo(s: SelectionState, index: number, rows: RowLookup, extend = false): SelectionState {
  const id = rows.idAt(index);
  if (id === undefined) return s;
  if (extend) return clickRow(s.anchor === null ? { ...s, anchor: s.focus ?? id } : s, index, rows, { range: true });
  return { all: false, ids: new Set([id]), anchor: id, focus: id };
}

export function selectAll(s: SelectionState): SelectionState {
  return { ...s, all: true, ids: new Set() };
}

/** Drops ids that left the list (all=false) or stopped existing (the exceptions of all=true). */
export function pruneSelection(s: SelectionState, exists: (id: number) => boolean): SelectionState {
  const ids = new Set([...s.ids].filter(exists));
  const focus = s.focus !== null && exists(s.focus) ? s.focus : null;
  const anchor = s.anchor !== null && exists(s.anchor) ? s.anchor : null;
  if (ids.size === s.ids.size && focus === s.focus && anchor === s.anchor) return s;
  return { all: s.all, ids, anchor, focus };
}

/** The one selected message id, when exactly one is selected. */
export function singleSelected(s: SelectionState): number | null {
  if (s.all || s.ids.size !== 1) return null;
  const [id] = s.ids;
  return id ?? null;
}
