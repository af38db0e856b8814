import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageDetail, PartContent } from '../../../../shared/domain/body.js';

const calls: { name: string; input: { id: number; part?: string } }[] = [];
const cachedParts = new Set<number>();

vi.mock('../../ipc/client.js', () => ({
  call: (name: string, input: { id: number; part?: string }) => {
    calls.push({ name, input });
    if (name === 'messages.open')
      return Promise.resolve({ detail: detail(input.id), part: cachedParts.has(input.id) ? text(input.id) : null });
    if (name === 'messages.part') return Promise.resolve(text(input.id));
    return Promise.reject(new Error(`unexpected ${name}`));
  },
}));

const { clearMessageCache, loadDetail, peekDetail, peekPart, prefetchMessage } = await import('./messageCache.js');

function detail(id: number): MessageDetail {
  return { summary: { id }, textPart: '1', htmlPart: null } as unknown as MessageDetail;
}
function text(id: number): PartContent {
  return { kind: 'text', part: '1', contentType: 'text/plain', charset: 'utf-8', text: `body ${id}`, size: 6 };
}
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('messageCache', () => {
  beforeEach(() => {
    calls.length = 0;
    cachedParts.clear();
    clearMessageCache();
  });

  it('opens a cached message in one request: detail and text together', async () => {
    cachedParts.add(1);
    prefetchMessage(1);
    await settle();
    expect(calls.map((c) => c.name)).toEqual(['messages.open']);
    expect(peekDetail(1)).toMatchObject({ fresh: true, value: { summary: { id: 1 } } });
    expect(peekPart(1, '1')).toMatchObject({ text: 'body 1' });
    // The reader's own load uses the same answer.
    await loadDetail(1);
    expect(calls).toHaveLength(1);
  });

  it('asks for a part that is not cached only for the opened message, not for a neighbour', async () => {
    prefetchMessage(2, false);
    await settle();
    expect(calls.map((c) => c.name)).toEqual(['messages.open']);
    expect(peekDetail(2)).toBeDefined();
    expect(peekPart(2, '1')).toBeUndefined();
    // The neighbour is then opened: now its body is asked for (it may come from the server).
    prefetchMessage(2);
    await settle();
    expect(calls.map((c) => c.name)).toEqual(['messages.open', 'messages.part']);
    expect(peekPart(2, '1')).toMatchObject({ text: 'body 2' });
  });

  it('asks for the body of a pressed row once it is clicked, even before the detail arrived', async () => {
    prefetchMessage(4, false);
    prefetchMessage(4);
    await settle();
    expect(calls.map((c) => c.name)).toEqual(['messages.open', 'messages.part']);
    expect(peekPart(4, '1')).toMatchObject({ text: 'body 4' });
  });

  it('reads a detail again once it is no longer fresh, and still shows it meanwhile', async () => {
    const now = vi.spyOn(performance, 'now');
    now.mockReturnValue(1000);
    prefetchMessage(3);
    await settle();
    now.mockReturnValue(1000 + 5000);
    expect(peekDetail(3)).toMatchObject({ fresh: false });
    await loadDetail(3);
    expect(calls.filter((c) => c.name === 'messages.open')).toHaveLength(2);
    now.mockReturnValue(1000 + 5000 + 120_000);
    expect(peekDetail(3)).toBeUndefined();
    now.mockRestore();
  });
});
