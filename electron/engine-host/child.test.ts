import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { TegamiError, type Result } from '../../shared/domain/errors.js';
import type { Engine, EngineEventListener, EngineOptions } from '../engine/engine.js';
import { runEngineChild, type ParentPortLike } from './child.js';
import type { ToChild, ToParent } from './protocol.js';

class FakePort extends EventEmitter implements ParentPortLike {
  readonly posted: ToParent[] = [];
  postMessage(message: ToParent): void {
    this.posted.push(structuredClone(message));
  }
  send(message: ToChild | unknown): void {
    this.emit('message', { data: structuredClone(message), ports: [] });
  }
}

function fakeEngine() {
  let listener: EngineEventListener | null = null;
  const order: string[] = [];
  const engine = {
    order,
    options: null as EngineOptions | null,
    invoke: vi.fn(async (name: unknown, _input: unknown): Promise<Result<unknown>> => ({ ok: true, value: `answer to ${String(name)}` })),
    onEvent: vi.fn((l: EngineEventListener) => {
      listener = l;
      return () => undefined;
    }),
    startBackgroundSync: vi.fn(),
    close: vi.fn(async () => {
      order.push('engine closed (LOGOUT, store closed)');
    }),
    emit: (name: string, payload: unknown) => (listener as ((n: string, p: unknown) => void) | null)?.(name, payload),
  };
  return engine;
}

const init = {
  type: 'init',
  options: { dataDir: '/profile', version: '0.1.0', background: true, credentialsDescription: 'in the keychain' },
};

function setup(open?: (options: EngineOptions) => Promise<Engine>) {
  const port = new FakePort();
  const engine = fakeEngine();
  const exit = vi.fn((code: number) => engine.order.push(`exit ${code}`));
  const openEngine = vi.fn(
    open ??
      (async (options: EngineOptions) => {
        engine.options = options;
        return engine;
      }),
  );
  const done = runEngineChild({ port, openEngine, exit });
  return { port, engine, exit, openEngine, done };
}

describe('runEngineChild', () => {
  it('opens the engine on init with the given profile, as the electron host, and says ready', async () => {
    const s = setup();
    s.port.send(init);
    await vi.waitFor(() => expect(s.port.posted).toEqual([{ type: 'ready' }]));
    expect(s.openEngine).toHaveBeenCalledOnce();
    expect(s.engine.options).toMatchObject({ dataDir: '/profile', host: 'electron', version: '0.1.0', background: true });
    expect(s.engine.options?.credentials.description).toBe('in the keychain');
    s.port.send(init); // a second init is ignored
    expect(s.openEngine).toHaveBeenCalledOnce();
  });

  it('reports an engine that cannot open as failed, with its reason', async () => {
    const s = setup(async () => {
      throw new TegamiError({ code: 'STORAGE', message: 'The disk is full.' });
    });
    s.port.send(init);
    await vi.waitFor(() => expect(s.port.posted).toEqual([{ type: 'failed', error: { code: 'STORAGE', message: 'The disk is full.' } }]));
  });

  it('answers invoke by id (also when sent before the engine is open) and forwards events', async () => {
    const s = setup();
    s.port.send(init);
    s.port.send({ type: 'invoke', id: 7, name: 'app.info', input: {} });
    await vi.waitFor(() =>
      expect(s.port.posted).toContainEqual({ type: 'result', id: 7, result: { ok: true, value: 'answer to app.info' } }),
    );
    s.engine.emit('sync.state', { accountId: 1, state: 'idle', error: null, retryAt: null });
    expect(s.port.posted.at(-1)).toEqual({
      type: 'event',
      name: 'sync.state',
      payload: { accountId: 1, state: 'idle', error: null, retryAt: null },
    });
  });

  it('ignores malformed messages', async () => {
    const s = setup();
    s.port.send({ type: 'invoke', id: -1, name: 'x' });
    s.port.send('close');
    s.port.send({ type: 'nope' });
    await new Promise((r) => setTimeout(r, 10));
    expect(s.port.posted).toEqual([]);
    expect(s.openEngine).not.toHaveBeenCalled();
  });

  it("asks main for passwords: the engine's credential store is a request to the parent", async () => {
    const s = setup();
    s.port.send(init);
    await vi.waitFor(() => expect(s.engine.options).not.toBeNull());
    const store = s.engine.options?.credentials;
    const got = store?.get(4);
    expect(s.port.posted.at(-1)).toEqual({ type: 'credentials.get', id: 0, accountId: 4 });
    s.port.send({ type: 'credentials.result', id: 0, result: { ok: true, value: 'pw' } });
    expect(await got).toBe('pw');
    const set = store?.set(4, 'new');
    expect(s.port.posted.at(-1)).toEqual({ type: 'credentials.set', id: 1, accountId: 4, password: 'new' });
    s.port.send({ type: 'credentials.result', id: 1, result: { ok: false, error: { code: 'STORAGE', message: 'No keyring.' } } });
    await expect(set).rejects.toThrow(new TegamiError({ code: 'STORAGE', message: 'No keyring.' }));
    const removed = store?.delete(4);
    expect(s.port.posted.at(-1)).toEqual({ type: 'credentials.delete', id: 2, accountId: 4 });
    s.port.send({ type: 'credentials.result', id: 2, result: { ok: true } });
    await expect(removed).resolves.toBeUndefined();
  });

  it("closes the engine (LOGOUT) before saying 'closed' and exiting", async () => {
    const s = setup();
    s.port.send(init);
    await vi.waitFor(() => expect(s.port.posted).toEqual([{ type: 'ready' }]));
    s.port.send({ type: 'close' });
    await s.done;
    expect(s.engine.close).toHaveBeenCalledOnce();
    expect(s.port.posted.at(-1)).toEqual({ type: 'closed' });
    expect(s.engine.order).toEqual(['engine closed (LOGOUT, store closed)', 'exit 0']);
    s.port.send({ type: 'invoke', id: 1, name: 'app.info', input: {} });
    await vi.waitFor(() => expect(s.port.posted.at(-1)).toMatchObject({ type: 'result', id: 1, result: { ok: false } }));
    expect(s.engine.invoke).not.toHaveBeenCalled();
  });

  it('starts background sync when main asks', async () => {
    const s = setup();
    s.port.send(init);
    s.port.send({ type: 'startBackgroundSync' });
    await vi.waitFor(() => expect(s.engine.startBackgroundSync).toHaveBeenCalledOnce());
  });
});

describe('electron/engine-host', () => {
  it("never imports 'electron' (it is plain Node in a utilityProcess)", () => {
    const dir = new URL('./', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/from ['"]electron['"]|require\(['"]electron['"]\)|import\(['"]electron['"]\)/);
    }
  });
});
