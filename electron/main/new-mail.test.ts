import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Result } from '../../shared/domain/errors.js';
import { MailWatcher, newMailNotice, type NewMailNotice } from './new-mail.js';

const started = Date.parse('2026-01-10T10:00:00Z');
const later = '2026-01-10T10:05:00Z';
const before = '2026-01-09T08:00:00Z';

interface Msg {
  id: number;
  mailboxId: number;
  seen: boolean;
  subject: string;
  from: { name: string; address: string } | null;
  date: string;
}

function fakeEngine() {
  const unread: Record<number, number> = { 10: 3, 20: 1 };
  const messages = new Map<number, Msg>();
  const invoke = vi.fn(async (name: string, input: unknown): Promise<Result<unknown>> => {
    const i = input as { accountId?: number; id?: number };
    if (name === 'accounts.list') return { ok: true, value: [{ id: 1 }, { id: 2 }] };
    if (name === 'mailboxes.list') {
      const inboxId = i.accountId === 1 ? 10 : 20;
      return {
        ok: true,
        value: {
          mailboxes: [
            { id: inboxId, accountId: i.accountId, role: 'inbox', path: 'INBOX', unread: unread[inboxId] },
            { id: inboxId + 1, accountId: i.accountId, role: null, path: 'Work', unread: 50 },
          ],
        },
      };
    }
    if (name === 'messages.get') {
      const m = messages.get(i.id ?? 0);
      return m === undefined ? { ok: false, error: { code: 'NOT_FOUND', message: 'gone' } } : { ok: true, value: { summary: m } };
    }
    return { ok: false, error: { code: 'INVALID_INPUT', message: name } };
  });
  const add = (m: Partial<Msg> & { id: number }) =>
    messages.set(m.id, {
      mailboxId: 10,
      seen: false,
      subject: `Subject ${m.id}`,
      from: { name: `Sender ${m.id}`, address: `s${m.id}@example.com` },
      date: later,
      ...m,
    });
  return { invoke, unread, add };
}

function setup(focused = false) {
  const engine = fakeEngine();
  const notices: NewMailNotice[] = [];
  const counts: number[] = [];
  let isFocused = focused;
  const watcher = new MailWatcher({
    invoke: engine.invoke as never,
    isAppFocused: () => isFocused,
    notify: (n) => notices.push(n),
    onUnreadCount: (n) => counts.push(n),
    batchMs: 2000,
    refreshMs: 500,
    startedAt: started,
  });
  return { watcher, engine, notices, counts, focus: (f: boolean) => (isFocused = f) };
}

const changed = (mailboxId: number, added: number[], reset = false) => ({ mailboxId, added, changed: [], removed: [], reset });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('MailWatcher', () => {
  it("sums every account's INBOX unread for the badge, and follows changes", async () => {
    const s = setup();
    await s.watcher.refreshAll();
    expect(s.counts).toEqual([4]);
    s.engine.unread[10] = 0;
    s.watcher.handleEvent('messages.changed', { ...changed(10, []), changed: [5] });
    await vi.advanceTimersByTimeAsync(500);
    expect(s.counts).toEqual([4, 1]);
    s.watcher.handleEvent('messages.changed', changed(11, [99])); // not an inbox
    await vi.advanceTimersByTimeAsync(3000);
    expect(s.counts).toEqual([4, 1]);
  });

  it('batches new INBOX mail into one notification: "3 new messages"', async () => {
    const s = setup();
    await s.watcher.refreshAll();
    for (const id of [101, 102, 103]) s.engine.add({ id });
    s.watcher.handleEvent('messages.changed', changed(10, [101]));
    await vi.advanceTimersByTimeAsync(1000);
    s.watcher.handleEvent('messages.changed', changed(10, [102, 103]));
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.notices).toEqual([
      { title: '3 new messages', body: 'From Sender 103, Sender 102 and others', mailboxId: 10, messageId: null },
    ]);
  });

  it('names the sender and subject of a single message, and opens it on click', async () => {
    const s = setup();
    await s.watcher.refreshAll();
    s.engine.add({ id: 7, from: { name: '', address: 'ann@example.com' }, subject: '会議の件' });
    s.watcher.handleEvent('messages.changed', changed(10, [7]));
    await vi.advanceTimersByTimeAsync(2000);
    expect(s.notices).toEqual([{ title: 'ann@example.com', body: '会議の件', mailboxId: 10, messageId: 7 }]);
  });

  it('stays quiet while Tegami is focused', async () => {
    const s = setup(true);
    await s.watcher.refreshAll();
    s.engine.add({ id: 7 });
    s.watcher.handleEvent('messages.changed', changed(10, [7]));
    await vi.advanceTimersByTimeAsync(2000);
    expect(s.notices).toEqual([]);
  });

  it('does not ring for read mail, mail older than this run (first sync), a reset, or other folders', async () => {
    const s = setup();
    await s.watcher.refreshAll();
    s.engine.add({ id: 1, seen: true });
    s.engine.add({ id: 2, date: before });
    s.engine.add({ id: 3, mailboxId: 11 });
    s.watcher.handleEvent('messages.changed', changed(10, [1, 2]));
    s.watcher.handleEvent('messages.changed', changed(11, [3]));
    s.watcher.handleEvent('messages.changed', changed(10, [4], true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.notices).toEqual([]);
  });

  it('learns a new account from accounts.changed', async () => {
    const s = setup();
    s.watcher.handleEvent('accounts.changed', {});
    await vi.advanceTimersByTimeAsync(500);
    expect(s.counts).toEqual([4]);
    s.engine.add({ id: 8, mailboxId: 20 });
    s.watcher.handleEvent('messages.changed', changed(20, [8]));
    await vi.advanceTimersByTimeAsync(2000);
    expect(s.notices).toMatchObject([{ mailboxId: 20, messageId: 8 }]);
  });

  it('stops', async () => {
    const s = setup();
    await s.watcher.refreshAll();
    s.engine.add({ id: 7 });
    s.watcher.handleEvent('messages.changed', changed(10, [7]));
    s.watcher.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.notices).toEqual([]);
  });
});

describe('newMailNotice', () => {
  const m = (id: number, name: string) => ({ id, mailboxId: 1, seen: false, subject: '', from: { name, address: `${id}@x` }, date: later });
  it('words one, two and many senders', () => {
    expect(newMailNotice([m(1, 'Ann')])).toEqual({ title: 'Ann', body: '(no subject)' });
    expect(newMailNotice([m(1, 'Ann'), m(2, 'Bob')])).toEqual({ title: '2 new messages', body: 'From Ann, Bob' });
    expect(newMailNotice([m(1, 'Ann'), m(2, 'Ann')])).toEqual({ title: '2 new messages', body: 'From Ann' });
    expect(newMailNotice([m(1, 'Ann')], 60)).toEqual({ title: '60 new messages', body: 'From Ann' });
  });
});
