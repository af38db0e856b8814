/**
 * A sparse cache of one folder's message list over keyset paging (`messages.page`). Rows are kept in
 * fixed-size pages; the cursor that starts every page seen so far is kept even after the page's rows
 * are evicted, so coming back to any place costs one request. Reaching row N the first time: when a
 * `jump` is given (`messages.cursorAt`), one request finds the cursor of that page and one reads it;
 * without one, the pages before it are read in order. `total` (`messages.count`) makes the scrollbar
 * exact before the last page was seen.
 *
 * A list just opened (`firstRows`): the first request reads only the rows in view, not their whole
 * page, and nothing more is read until `firstRows` resolves (the list has painted them): the rest of
 * that page and the rows ahead follow. Reading and sending 250 rows, then a read-ahead page competing
 * with the first paint for the CPU, was most of a folder open's time (renderer benchmark).
 */
import type { MessageSummary } from '../../../../shared/domain/message.js';

export interface Cursor {
  key: string | number;
  id: number;
}

export type FetchPage = (after: Cursor | null, limit: number) => Promise<{ messages: MessageSummary[]; next: Cursor | null }>;
/** The cursor after which the page starting at row `index` begins (null: past the end). */
export type JumpTo = (index: number) => Promise<Cursor | null>;

/** Jump instead of walking when the wanted page is more than this many pages past the last known cursor. */
const WALK_PAGES = 2;

export const PAGE_SIZE = 250;
const MAX_PAGES = 48;
/** The first request of a list just opened reads at least this many rows (a tall window shows about 60). */
export const FIRST_ROWS_MIN = 64;

export class PagedCache {
  readonly #pages = new Map<number, MessageSummary[]>();
  /** The `after` of every page whose start is known (page 0: null). */
  readonly #cursors = new Map<number, Cursor | null>([[0, null]]);
  #total: number | null = null;
  readonly #index = new Map<number, number>();
  /** Pages read in part (only the rows in view of a list just opened): the cursor after their last row. */
  readonly #partial = new Map<number, Cursor>();
  #firstRows: (() => Promise<void>) | null;
  #end: number | null = null;
  #want = { start: 0, end: 0 };
  #ahead = 0;
  #running = false;
  #run: Promise<void> | null = null;
  #closed = false;
  error: unknown = null;

  constructor(
    private readonly fetch: FetchPage,
    private onChange: () => void,
    /** Rows the folder probably has (the folder's count), to size the scrollbar before the end is known. */
    private readonly hint: number,
    private readonly pageSize = PAGE_SIZE,
    private readonly jump: JumpTo | null = null,
    /** A list just opened: read the rows in view first, then wait for this (their paint) before reading on. */
    firstRows: (() => Promise<void>) | null = null,
  ) {
    this.#firstRows = firstRows;
  }

  /** Exact once the last page was seen or the count is known; an estimate before. */
  get rowCount(): number {
    if (this.#end !== null) return this.#end;
    if (this.#total !== null) return this.#total;
    const known = Math.max(...this.#cursors.keys()) * this.pageSize;
    return Math.max(known + this.pageSize, this.hint);
  }

  /** True once every row is known to be loadable without guessing (the last page was read). */
  get exact(): boolean {
    return this.#end !== null;
  }

  /** True when the row count is exact (counted or the end seen). */
  get counted(): boolean {
    return this.#end !== null || this.#total !== null;
  }

  /** The folder's exact count under this query (`messages.count`). */
  setTotal(total: number): void {
    if (this.#end !== null || this.#total === total) return;
    this.#total = total;
    if (total === 0) this.#end = 0;
    this.onChange();
  }

  get loading(): boolean {
    return this.#running;
  }

  get loadedPages(): number {
    return this.#pages.size;
  }

  rowAt(index: number): MessageSummary | undefined {
    return this.#pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** The row of a loaded message, or -1. */
  indexOf(id: number): number {
    return this.#index.get(id) ?? -1;
  }

  /**
   * Asks for rows [start, end) (the viewport plus overscan); loads what is missing in the background.
   * `ahead`: that many rows after `end` (negative: before `start`) are read next, nearest first, so
   * that a list scrolling that way finds its rows already there.
   */
  ensure(start: number, end: number, ahead = 0): void {
    this.#want = { start, end };
    this.#ahead = ahead;
    void this.#pump();
  }

  /** Loads pages until rows [start,end) are present; resolves when done (for refreshes and tests). */
  async fill(start: number, end: number, ahead = 0): Promise<void> {
    this.#want = { start, end };
    this.#ahead = ahead;
    await this.#pump();
  }

  /** Who to tell about changes from now on (a cache read in the background, once it is shown). */
  onChangeTo(onChange: () => void): void {
    this.onChange = onChange;
  }

  close(): void {
    this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Every row of page p is read (or the folder ends in it). */
  #complete(p: number): boolean {
    return this.#pages.has(p) && !this.#partial.has(p);
  }

  #missingPage(): number | null {
    const { start, end } = this.#want;
    const limit = this.#end ?? this.#total ?? Number.POSITIVE_INFINITY;
    const stop = Math.min(end, limit);
    for (let p = Math.floor(start / this.pageSize); p * this.pageSize < stop; p++) {
      // A page read in part serves the rows it has.
      const rows = this.#pages.get(p);
      if (!rows || (this.#partial.has(p) && p * this.pageSize + rows.length < Math.min(stop, (p + 1) * this.pageSize))) return p;
    }
    if (this.#ahead !== 0) {
      // Reading ahead: the rest of a page in view read in part comes first.
      for (let p = Math.floor(start / this.pageSize); p * this.pageSize < stop; p++) {
        if (!this.#complete(p)) return p;
      }
    }
    if (this.#ahead > 0) {
      for (let p = Math.floor(Math.max(0, end - 1) / this.pageSize) + 1; p * this.pageSize < Math.min(end + this.#ahead, limit); p++) {
        if (!this.#complete(p)) return p;
      }
    } else if (this.#ahead < 0) {
      for (let p = Math.floor(start / this.pageSize) - 1; p >= 0 && (p + 1) * this.pageSize > start + this.#ahead; p--) {
        if (!this.#complete(p)) return p;
      }
    }
    return null;
  }

  /** Resolves once the rows asked for so far are read (at once when nothing is being read). */
  idle(): Promise<void> {
    return this.#run ?? Promise.resolve();
  }

  #pump(): Promise<void> {
    if (this.#run) return this.#run;
    this.#run = this.#loop().finally(() => {
      this.#run = null;
    });
    return this.#run;
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      for (;;) {
        if (this.#closed) return;
        const wanted = this.#missingPage();
        if (wanted === null) return;
        let page = wanted;
        if (!this.#cursors.has(wanted)) {
          // Keyset paging: a page's cursor is known once the page before it was read — or asked for.
          const before = Math.max(...[...this.#cursors.keys()].filter((p) => p < wanted));
          if (this.jump && wanted - before > WALK_PAGES) {
            const cursor = await this.jump(wanted * this.pageSize);
            if (this.#closed) return;
            if (cursor === null) {
              // Past the end: the folder is shorter than we thought.
              this.#end = Math.min(this.#end ?? Number.POSITIVE_INFINITY, wanted * this.pageSize);
              this.onChange();
              continue;
            }
            this.#cursors.set(wanted, cursor);
          } else page = before;
        }
        const partial = this.#partial.get(page);
        const have = partial ? (this.#pages.get(page) ?? []) : [];
        const after = partial ?? this.#cursors.get(page) ?? null;
        // A list just opened reads the rows in view of its page first (the rest after they are painted).
        const limit =
          partial !== undefined
            ? this.pageSize - have.length
            : this.#firstRows && page === wanted
              ? Math.min(this.pageSize, Math.max(FIRST_ROWS_MIN, this.#want.end - page * this.pageSize))
              : this.pageSize;
        const result = await this.fetch(after, limit);
        if (this.#closed) return;
        const atEnd = result.next === null || result.messages.length < limit;
        this.#store(page, have.length ? [...have, ...result.messages] : result.messages, atEnd ? null : result.next);
        this.onChange();
        const firstRows = this.#firstRows;
        if (firstRows) {
          this.#firstRows = null;
          await firstRows();
          if (this.#closed) return;
        }
      }
    } catch (error) {
      this.error = error;
      this.onChange();
    } finally {
      this.#running = false;
    }
  }

  /** `next`: the cursor after the last row of `rows`, null when the folder ends there. */
  #store(page: number, rows: MessageSummary[], next: Cursor | null): void {
    this.#pages.set(page, rows);
    rows.forEach((m, i) => this.#index.set(m.id, page * this.pageSize + i));
    if (next === null) {
      this.#partial.delete(page);
      this.#end = page * this.pageSize + rows.length;
      for (const p of this.#cursors.keys()) if (p > page) this.#cursors.delete(p);
    } else if (rows.length < this.pageSize) {
      this.#partial.set(page, next);
    } else {
      this.#partial.delete(page);
      if (!this.#cursors.has(page + 1)) this.#cursors.set(page + 1, next);
    }
    this.#evict();
  }

  /** Keeps memory bounded when someone scrolls through 100,000 rows: drop the pages farthest away. */
  #evict(): void {
    if (this.#pages.size <= MAX_PAGES) return;
    const center = Math.floor((this.#want.start + this.#want.end) / 2 / this.pageSize);
    const far = [...this.#pages.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const p of far.slice(0, this.#pages.size - MAX_PAGES)) {
      for (const m of this.#pages.get(p) ?? []) this.#index.delete(m.id);
      this.#pages.delete(p);
      this.#partial.delete(p);
    }
  }
}
