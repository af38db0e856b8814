import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../../../shared/domain/message.js';
import { FIRST_ROWS_MIN, PagedCache, type Cursor } from './pagedCache.js';

const total = 100_000;
const row = (i: number) => ({ id: i + 1, subject: `m${i}` }) as MessageSummary;

function fakeFolder() {
  const calls: (Cursor | null)[] = [];
  const fetch = async (after: Cursor | null, limit: number) => {
    calls.push(after);
    const from = after === null ? 0 : after.id; // id = index + 1, so the next row is index `after.id`
    const messages = Array.from({ length: Math.max(0, Math.min(limit, total - from)) }, (_, k) => row(from + k));
    const last = messages.at(-1);
    return { messages, next: from + limit < total && last ? { key: last.subject, id: last.id } : null };
  };
  return { fetch, calls };
}

/** The folder's fetch, except that it holds only seven messages. */
const sevenMessages =
  (f: ReturnType<typeof fakeFolder>) =>
  async (after: Cursor | null, limit: number): Promise<Awaited<ReturnType<typeof f.fetch>>> => {
    const r = await f.fetch(after, limit);
    return after === null ? { messages: r.messages.slice(0, 7), next: null } : r;
  };

describe('PagedCache', () => {
  it('loads only the pages a viewport needs', async () => {
    const f = fakeFolder();
    const cache = new PagedCache(f.fetch, () => {}, total, 250);
    await cache.fill(0, 40);
    expect(f.calls).toHaveLength(1);
    expect(cache.rowAt(39)?.subject).toBe('m39');
    expect(cache.rowAt(400)).toBeUndefined();
    expect(cache.rowCount).toBe(total);
    expect(cache.exact).toBe(false);
  });

  it('reads the rows ahead of the scrolling direction after the visible ones', async () => {
    const f = fakeFolder();
    const cache = new PagedCache(f.fetch, () => {}, total, 250);
    await cache.fill(0, 40, 500);
    expect(f.calls).toHaveLength(3);
    expect(cache.rowAt(749)?.subject).toBe('m749');
    expect(cache.rowAt(750)).toBeUndefined();
    // Scrolling back up from far down: the visible page first, then the ones above it, nearest first.
    const g = fakeFolder();
    const jumps: number[] = [];
    const back = new PagedCache(
      g.fetch,
      () => {},
      total,
      250,
      async (index) => {
        jumps.push(index);
        return { key: `m${index - 1}`, id: index };
      },
    );
    await back.fill(5000, 5040, -500);
    expect(jumps).toEqual([5000, 4750, 4500]);
    expect(back.rowAt(4500)?.subject).toBe('m4500');
    expect(back.rowAt(4499)).toBeUndefined();
  });

  it('reads only the rows in view of a list just opened, and the rest once they are painted', async () => {
    const f = fakeFolder();
    const limits: number[] = [];
    let painted: () => void = () => {};
    const paint = new Promise<void>((resolve) => (painted = resolve));
    const waits: number[] = [];
    const cache = new PagedCache(
      async (after, limit) => {
        limits.push(limit);
        return f.fetch(after, limit);
      },
      () => {},
      total,
      250,
      null,
      () => {
        waits.push(limits.length);
        return paint;
      },
    );
    cache.ensure(0, 40, 500);
    await new Promise((r) => setTimeout(r, 0));
    // One request for the rows in view (at least FIRST_ROWS_MIN), then nothing until they are painted.
    expect(limits).toEqual([FIRST_ROWS_MIN]);
    expect(waits).toEqual([1]);
    expect(cache.rowAt(39)?.subject).toBe('m39');
    expect(cache.rowAt(FIRST_ROWS_MIN)).toBeUndefined();
    expect(cache.loading).toBe(true);
    painted();
    await cache.idle();
    // Then the rest of the first page (after the keyset cursor of its last row read), and two pages ahead.
    expect(limits).toEqual([FIRST_ROWS_MIN, 250 - FIRST_ROWS_MIN, 250, 250]);
    expect(f.calls[1]).toEqual({ key: `m${FIRST_ROWS_MIN - 1}`, id: FIRST_ROWS_MIN });
    for (const i of [0, FIRST_ROWS_MIN - 1, FIRST_ROWS_MIN, 249, 250, 749]) expect(cache.rowAt(i)?.subject).toBe(`m${i}`);
    expect(cache.indexOf(FIRST_ROWS_MIN + 1)).toBe(FIRST_ROWS_MIN);
    expect(cache.rowAt(750)).toBeUndefined();
    expect(waits).toEqual([1]);
  });

  it('reads a page in part only once, also when nothing is read ahead', async () => {
    const f = fakeFolder();
    const cache = new PagedCache(
      f.fetch,
      () => {},
      total,
      250,
      null,
      async () => {},
    );
    await cache.fill(0, 100);
    expect(f.calls).toHaveLength(1);
    expect(cache.rowAt(99)?.subject).toBe('m99');
    expect(cache.rowAt(100)).toBeUndefined();
    // Rows further down the page: its rest is read (not the page again), and then the next page.
    await cache.fill(200, 260);
    expect(f.calls).toEqual([null, { key: 'm99', id: 100 }, { key: 'm249', id: 250 }]);
    expect(cache.rowAt(259)?.subject).toBe('m259');
  });

  it('knows the end of a folder shorter than the rows in view of a list just opened', async () => {
    const f = fakeFolder();
    const small = new PagedCache(
      sevenMessages(f),
      () => {},
      0,
      250,
      null,
      async () => {},
    );
    await small.fill(0, 50, 500);
    expect(small.rowCount).toBe(7);
    expect(small.exact).toBe(true);
  });

  it('tells when the rows asked for are read', async () => {
    const f = fakeFolder();
    const cache = new PagedCache(f.fetch, () => {}, total, 250);
    await cache.idle();
    cache.ensure(0, 40, 250);
    expect(cache.loading).toBe(true);
    await cache.idle();
    expect(cache.loading).toBe(false);
    expect(cache.rowAt(499)?.subject).toBe('m499');
  });

  it('walks the keyset to a far row, keeps memory bounded, and finds evicted pages again in one request', async () => {
    const f = fakeFolder();
    const cache = new PagedCache(f.fetch, () => {}, 0, 250);
    await cache.fill(total - 30, total);
    expect(cache.rowAt(total - 1)?.subject).toBe(`m${total - 1}`);
    expect(cache.exact).toBe(true);
    expect(cache.rowCount).toBe(total);
    expect(cache.loadedPages).toBeLessThanOrEqual(48);
    expect(cache.rowAt(0)).toBeUndefined();
    const before = f.calls.length;
    await cache.fill(0, 30);
    expect(f.calls.length - before).toBe(1);
    expect(cache.indexOf(1)).toBe(0);
  });

  it('knows the exact count of a short folder', async () => {
    const f = fakeFolder();
    const small = new PagedCache(sevenMessages(f), () => {}, 0, 250);
    await small.fill(0, 50);
    expect(small.rowCount).toBe(7);
    expect(small.exact).toBe(true);
  });

  it('jumps to a far row with the cursor the engine gives (two requests), and the count sizes the list at once', async () => {
    const f = fakeFolder();
    const jumps: number[] = [];
    const jump = async (index: number) => {
      jumps.push(index);
      return index <= 0 || index >= total ? null : { key: `m${index - 1}`, id: index };
    };
    const cache = new PagedCache(f.fetch, () => {}, 0, 250, jump);
    cache.setTotal(total);
    expect(cache.rowCount).toBe(total);
    await cache.fill(90_000, 90_040);
    expect(jumps).toEqual([90_000]);
    expect(f.calls).toHaveLength(1);
    expect(cache.rowAt(90_000)?.subject).toBe('m90000');
    expect(cache.rowAt(90_039)?.subject).toBe('m90039');
    // The next page follows from the page read, without another jump.
    await cache.fill(90_240, 90_260);
    expect(jumps).toHaveLength(1);
    expect(cache.rowAt(90_255)?.subject).toBe('m90255');
    // A near page is walked to, not jumped to.
    await cache.fill(0, 10);
    await cache.fill(300, 310);
    expect(jumps).toHaveLength(1);
  });
});
