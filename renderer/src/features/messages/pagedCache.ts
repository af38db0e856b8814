/**
 * A sparse cache of one folder's message list over keyset paging (`messages.page`). Rows are kept in
 * fixed-size pages; the cursor that starts every page seen so far is kept even after the page's rows
 * are evicted, so coming back to any place costs one request. Reaching row N the first time needs the
 * pages before it (keyset paging cannot jump): they are fetched in order, as fast as the engine answers.
 */
import type { MessageSummary } from '../../../../shared/domain/message.js';

export interface Cursor {
  key: string | number;
  id: number;
}

export type FetchPage = (after: Cursor | null, limit: number) => Promise<{ messages: MessageSummary[]; next: Cursor | null }>;

export const PAGE_SIZE = 250;
const MAX_PAGES = 48;

export class PagedCache {
  readonly #pages = new Map<number, MessageSummary[]>();
  /** cursors[i]: the `after` of page i (cursors[0] = null). Its length - 1 is the last page we can fetch. */
  readonly #cursors: (Cursor | null)[] = [null];
  readonly #index = new Map<number, number>();
  #end: number | null = null;
  #want = { start: 0, end: 0 };
  #running = false;
  #closed = false;
  error: unknown = null;

  constructor(
    private readonly fetch: FetchPage,
    private readonly onChange: () => void,
    /** Rows the folder probably has (the folder's count), to size the scrollbar before the end is known. */
    private readonly hint: number,
    private readonly pageSize = PAGE_SIZE,
  ) {}

  /** Exact once the last page was seen; an estimate before. */
  get rowCount(): number {
    if (this.#end !== null) return this.#end;
    const known = (this.#cursors.length - 1) * this.pageSize;
    return Math.max(known + this.pageSize, this.hint);
  }

  get exact(): boolean {
    return this.#end !== null;
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

  /** Asks for rows [start, end) (the viewport plus overscan); loads what is missing in the background. */
  ensure(start: number, end: number): void {
    this.#want = { start, end };
    void this.#pump();
  }

  /** Loads pages until rows [start,end) are present; resolves when done (for refreshes and tests). */
  async fill(start: number, end: number): Promise<void> {
    this.#want = { start, end };
    await this.#pump();
  }

  close(): void {
    this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #missingPage(): number | null {
    const { start, end } = this.#want;
    const limit = this.#end ?? Number.POSITIVE_INFINITY;
    for (let p = Math.floor(start / this.pageSize); p * this.pageSize < Math.min(end, limit); p++) {
      if (!this.#pages.has(p)) return p;
    }
    return null;
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        if (this.#closed) return;
        const wanted = this.#missingPage();
        if (wanted === null) return;
        // Keyset paging: a page's cursor is only known once the page before it was read.
        const page = Math.min(wanted, this.#cursors.length - 1);
        const after = this.#cursors[page] ?? null;
        const result = await this.fetch(after, this.pageSize);
        if (this.#closed) return;
        this.#store(page, result.messages, result.next);
        this.onChange();
      }
    } catch (error) {
      this.error = error;
      this.onChange();
    } finally {
      this.#running = false;
    }
  }

  #store(page: number, rows: MessageSummary[], next: Cursor | null): void {
    this.#pages.set(page, rows);
    rows.forEach((m, i) => this.#index.set(m.id, page * this.pageSize + i));
    if (next === null || rows.length < this.pageSize) {
      this.#end = page * this.pageSize + rows.length;
      this.#cursors.length = page + 1;
    } else if (this.#cursors.length === page + 1) {
      this.#cursors.push(next);
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
    }
  }
}
