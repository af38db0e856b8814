import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TegamiError } from '../../shared/domain/errors.js';
import { MemoryCredentialStore } from '../engine/credentials.js';
import type { ToChild } from '../engine-host/protocol.js';
import {
  EngineHost,
  engineClosedMessage,
  engineFailedMessage,
  engineRestartingMessage,
  restartDelay,
  type EngineHostOptions,
  type EngineHostStatus,
  type UtilityProcessLike,
} from './engine-host.js';

/** A stand-in for Electron's UtilityProcess: records what main posts, lets the test answer. */
class FakeChild extends EventEmitter implements UtilityProcessLike {
  readonly posted: ToChild[] = [];
  killed = false;
  exited = false;
  postMessage(message: ToChild): void {
    this.posted.push(structuredClone(message));
  }
  kill(): boolean {
    this.killed = true;
    queueMicrotask(() => this.exit(0));
    return true;
  }
  reply(message: unknown): void {
    this.emit('message', structuredClone(message));
  }
  exit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.emit('exit', code);
  }
  invokes() {
    return this.posted.filter((m): m is Extract<ToChild, { type: 'invoke' }> => m.type === 'invoke');
  }
}

function setup(options: Partial<EngineHostOptions> = {}) {
  const children: FakeChild[] = [];
  const credentials = new MemoryCredentialStore();
  let clock = 0;
  const host = new EngineHost({
    fork: () => {
      const child = new FakeChild();
      children.push(child);
      return child;
    },
    init: { dataDir: '/profile', version: '0.1.0', background: true },
    credentials,
    now: () => clock,
    ...options,
  });
  const statuses: EngineHostStatus[] = [];
  host.onState((s) => statuses.push(s));
  const last = () => {
    const child = children.at(-1);
    if (child === undefined) throw new Error('no child');
    return child;
  };
  return { host, children, last, credentials, statuses, tick: (ms: number) => (clock += ms) };
}

async function started(s: ReturnType<typeof setup>) {
  const start = s.host.start();
  s.last().reply({ type: 'ready' });
  await start;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('EngineHost', () => {
  it('forks the child, sends init (no password, only where they are kept) and resolves when it is ready', async () => {
    const s = setup();
    const start = s.host.start();
    expect(s.host.state).toBe('starting');
    expect(s.last().posted).toEqual([
      {
        type: 'init',
        options: { dataDir: '/profile', version: '0.1.0', background: true, credentialsDescription: s.credentials.description },
      },
    ]);
    s.last().reply({ type: 'ready' });
    await start;
    expect(s.host.state).toBe('running');
    expect(s.statuses).toEqual([]); // a first start is not news
  });

  it('rejects start() when the engine cannot open, with its reason', async () => {
    const s = setup({ maxRestarts: 0 });
    const start = s.host.start();
    s.last().reply({ type: 'failed', error: { code: 'STORAGE', message: 'The mail store is damaged.' } });
    await expect(start).rejects.toThrow(TegamiError);
    await expect(start).rejects.toThrow('The mail store is damaged.');
  });

  it('relays invoke by id and answers each with its own result', async () => {
    const s = setup();
    await started(s);
    const a = s.host.invoke('app.info', {});
    const b = s.host.invoke('accounts.list', {});
    await vi.advanceTimersByTimeAsync(0);
    const [first, second] = s.last().invokes();
    expect(first).toEqual({ type: 'invoke', id: 0, name: 'app.info', input: {} });
    s.last().reply({ type: 'result', id: second?.id, result: { ok: true, value: [] } });
    s.last().reply({ type: 'result', id: first?.id, result: { ok: false, error: { code: 'INVALID_INPUT', message: 'no' } } });
    expect(await a).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'no' } });
    expect(await b).toEqual({ ok: true, value: [] });
  });

  it("forwards the child's events (contract names only) and ignores malformed messages", async () => {
    const s = setup();
    await started(s);
    const listener = vi.fn();
    s.host.onEvent(listener);
    s.last().reply({ type: 'event', name: 'mailboxes.changed', payload: { accountId: 1 } });
    s.last().reply({ type: 'event', name: 'no.such.event', payload: {} });
    s.last().reply({ type: 'result', id: 'x' });
    s.last().reply('garbage');
    expect(listener.mock.calls).toEqual([['mailboxes.changed', { accountId: 1 }]]);
  });

  it("answers the child's credentials requests from main's store", async () => {
    const s = setup();
    await started(s);
    s.last().reply({ type: 'credentials.set', id: 0, accountId: 3, password: 'hunter2' });
    await vi.waitFor(() => expect(s.last().posted.at(-1)).toEqual({ type: 'credentials.result', id: 0, result: { ok: true } }));
    expect(await s.credentials.get(3)).toBe('hunter2');
    s.last().reply({ type: 'credentials.get', id: 1, accountId: 3 });
    await vi.waitFor(() =>
      expect(s.last().posted.at(-1)).toEqual({ type: 'credentials.result', id: 1, result: { ok: true, value: 'hunter2' } }),
    );
    s.last().reply({ type: 'credentials.delete', id: 2, accountId: 3 });
    await vi.waitFor(() => expect(s.last().posted.at(-1)).toMatchObject({ id: 2, result: { ok: true } }));
    expect(await s.credentials.get(3)).toBeNull();
  });

  it('passes a refusal of the store on as its ErrorInfo, and hides any other error', async () => {
    const s = setup();
    await started(s);
    vi.spyOn(s.credentials, 'set').mockRejectedValueOnce(new TegamiError({ code: 'STORAGE', message: 'No keyring.' }));
    s.last().reply({ type: 'credentials.set', id: 0, accountId: 1, password: 'pw' });
    await vi.waitFor(() =>
      expect(s.last().posted.at(-1)).toEqual({
        type: 'credentials.result',
        id: 0,
        result: { ok: false, error: { code: 'STORAGE', message: 'No keyring.' } },
      }),
    );
    vi.spyOn(s.credentials, 'get').mockRejectedValueOnce(new Error('EACCES /profile/credentials.json pw=secret'));
    s.last().reply({ type: 'credentials.get', id: 1, accountId: 1 });
    await vi.waitFor(() => expect(s.last().posted.at(-1)).toMatchObject({ id: 1, result: { ok: false, error: { code: 'STORAGE' } } }));
    expect(JSON.stringify(s.last().posted.at(-1))).not.toContain('secret');
    expect(JSON.stringify(vi.mocked(console.error).mock.calls)).not.toContain('secret');
  });

  it('restarts a crashed child with exponential backoff and tells the UI', async () => {
    const s = setup({ backoffMs: 1000 });
    await started(s);
    s.last().exit(139);
    expect(s.host.state).toBe('restarting');
    expect(s.statuses).toEqual([{ state: 'restarting', detail: expect.stringContaining('exit code 139') }]);
    await vi.advanceTimersByTimeAsync(999);
    expect(s.children).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.children).toHaveLength(2);
    expect(s.last().posted[0]).toMatchObject({ type: 'init' });
    // It crashes again before it is ready: the next delay doubles.
    s.last().exit(1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(s.children).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.children).toHaveLength(3);
    s.last().reply({ type: 'ready' });
    expect(s.host.state).toBe('running');
    expect(s.statuses.map((x) => x.state)).toEqual(['restarting', 'restarting', 'running']);
  });

  it('computes the backoff: doubling, capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => restartDelay(n, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('starts counting crashes again after a stable run', async () => {
    const s = setup({ backoffMs: 1000, stableAfterMs: 60_000 });
    await started(s);
    s.last().exit(1);
    await vi.advanceTimersByTimeAsync(1000);
    s.last().reply({ type: 'ready' });
    s.tick(60_000);
    s.last().exit(1);
    await vi.advanceTimersByTimeAsync(1000); // 1 s again, not 2 s
    expect(s.children).toHaveLength(3);
  });

  it('fails a request in flight during a crash with a clear error, without replaying it', async () => {
    const s = setup();
    await started(s);
    const pending = s.host.invoke('messages.move', { ids: [1], to: 2 });
    await vi.advanceTimersByTimeAsync(0);
    s.last().exit(1);
    expect(await pending).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: expect.stringContaining('stopped unexpectedly while handling "messages.move"') },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.last().invokes()).toEqual([]);
  });

  it('holds a request made while restarting until the new child is ready', async () => {
    const s = setup();
    await started(s);
    s.last().exit(1);
    const waiting = s.host.invoke('app.info', {});
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.last().invokes()).toEqual([]);
    s.last().reply({ type: 'ready' });
    await vi.advanceTimersByTimeAsync(0);
    const [call] = s.last().invokes();
    expect(call).toMatchObject({ name: 'app.info' });
    s.last().reply({ type: 'result', id: call?.id, result: { ok: true, value: 'ok' } });
    expect(await waiting).toEqual({ ok: true, value: 'ok' });
  });

  it('gives up waiting after waitTimeoutMs with the restarting message', async () => {
    const s = setup({ backoffMs: 60_000, waitTimeoutMs: 5000 });
    await started(s);
    s.last().exit(1);
    const waiting = s.host.invoke('app.info', {});
    await vi.advanceTimersByTimeAsync(5000);
    expect(await waiting).toEqual({ ok: false, error: { code: 'INTERNAL', message: engineRestartingMessage } });
  });

  it('stops restarting after maxRestarts crashes in a row, says so, and fails requests plainly', async () => {
    const s = setup({ maxRestarts: 2, backoffMs: 10 });
    await started(s);
    const waiting = s.host.invoke('app.info', {});
    await vi.advanceTimersByTimeAsync(0);
    s.last().exit(1);
    const held = s.host.invoke('app.info', {});
    await vi.advanceTimersByTimeAsync(10);
    s.last().exit(1);
    await vi.advanceTimersByTimeAsync(20);
    s.last().exit(1);
    expect(s.host.state).toBe('failed');
    expect(s.children).toHaveLength(3);
    expect(s.statuses.at(-1)).toEqual({ state: 'failed', detail: engineFailedMessage });
    expect(await waiting).toMatchObject({ ok: false });
    expect(await held).toEqual({ ok: false, error: { code: 'INTERNAL', message: engineFailedMessage } });
    expect(await s.host.invoke('app.info', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: engineFailedMessage } });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(s.children).toHaveLength(3);
    // restart() tries again from scratch.
    s.host.restart();
    expect(s.children).toHaveLength(4);
    s.last().reply({ type: 'ready' });
    expect(s.host.state).toBe('running');
  });

  it("closes by asking the child to LOGOUT and close, waiting for 'closed', then ending it", async () => {
    const s = setup();
    await started(s);
    const inFlight = s.host.invoke('sync.run', {});
    await vi.advanceTimersByTimeAsync(0);
    const closing = s.host.close();
    expect(s.host.state).toBe('closing');
    expect(s.last().posted.at(-1)).toEqual({ type: 'close' });
    expect(s.last().killed).toBe(false);
    // The child finishes its current transaction first: the request still gets its answer.
    const [call] = s.last().invokes();
    s.last().reply({ type: 'result', id: call?.id, result: { ok: true, value: { accounts: [] } } });
    expect(await inFlight).toEqual({ ok: true, value: { accounts: [] } });
    s.last().reply({ type: 'closed' });
    await closing;
    expect(s.last().killed).toBe(true);
    expect(s.host.state).toBe('closed');
    expect(s.statuses).toEqual([]); // a requested exit is not a crash
    expect(await s.host.invoke('app.info', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: engineClosedMessage } });
  });

  it('kills a child that does not close in time, and fails what was left', async () => {
    const s = setup({ closeTimeoutMs: 3000 });
    await started(s);
    const inFlight = s.host.invoke('sync.run', {});
    await vi.advanceTimersByTimeAsync(0);
    const closing = s.host.close();
    await vi.advanceTimersByTimeAsync(2999);
    expect(s.last().killed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(s.last().killed).toBe(true);
    expect(await inFlight).toEqual({ ok: false, error: { code: 'INTERNAL', message: engineClosedMessage } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.children).toHaveLength(1); // no restart after a kill we asked for
  });

  it('cancels a pending restart on close', async () => {
    const s = setup({ backoffMs: 5000 });
    await started(s);
    s.last().exit(1);
    await s.host.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.children).toHaveLength(1);
    expect(s.host.state).toBe('closed');
  });

  it('starts background sync in every child once asked, restarts included', async () => {
    const s = setup();
    await started(s);
    s.host.startBackgroundSync();
    expect(s.last().posted.at(-1)).toEqual({ type: 'startBackgroundSync' });
    s.last().exit(1);
    await vi.advanceTimersByTimeAsync(1000);
    s.last().reply({ type: 'ready' });
    expect(s.last().posted.at(-1)).toEqual({ type: 'startBackgroundSync' });
  });
});
