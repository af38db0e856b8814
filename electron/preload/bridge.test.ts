import { describe, expect, it, vi } from 'vitest';
import { ipcChannels } from '../../shared/ipc/bridge.js';
import { createBridge, type IpcRendererLike } from './bridge.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer(answer: unknown = { ok: true, value: [] }) {
  const listeners = new Map<string, Set<Listener>>();
  const ipc = {
    invoke: vi.fn(async (_channel: string, ..._args: unknown[]) => answer),
    on: vi.fn((channel: string, listener: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(listener);
    }),
    removeListener: vi.fn((channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener);
    }),
  } satisfies IpcRendererLike;
  const ipcEvent = { sender: ipc, senderId: 0, ports: [] };
  return {
    ipc,
    ipcEvent,
    emit: (name: string, payload: unknown) => {
      for (const listener of listeners.get(ipcChannels.event) ?? []) listener(ipcEvent, name, payload);
    },
    count: () => listeners.get(ipcChannels.event)?.size ?? 0,
  };
}

describe('createBridge', () => {
  it('exposes exactly invoke and on, and never ipcRenderer', () => {
    const { ipc } = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.values(bridge)).not.toContain(ipc);
  });

  it('invokes a contract request on the tegami:invoke channel and returns its Result', async () => {
    const { ipc } = fakeIpcRenderer({ ok: true, value: [{ id: 1 }] });
    const bridge = createBridge(ipc);
    expect(await bridge.invoke('accounts.list', {})).toEqual({ ok: true, value: [{ id: 1 }] });
    expect(ipc.invoke).toHaveBeenCalledExactlyOnceWith(ipcChannels.invoke, 'accounts.list', {});
  });

  it.each(['no.such.request', '__proto__', 'constructor', 42, null])('refuses the name %j without IPC', async (name) => {
    const { ipc } = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    const result = await (bridge.invoke as (n: unknown, i: unknown) => Promise<unknown>)(name, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('answers with a Result when main has no handler', async () => {
    const { ipc } = fakeIpcRenderer();
    ipc.invoke.mockRejectedValueOnce(new Error("No handler registered for 'tegami:invoke'"));
    const result = await createBridge(ipc).invoke('app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('gives a listener the payload of its event only, never the IpcRendererEvent', () => {
    const fake = fakeIpcRenderer();
    const bridge = createBridge(fake.ipc);
    const listener = vi.fn();
    bridge.on('mailboxes.changed', listener);
    fake.emit('accounts.changed', {});
    fake.emit('mailboxes.changed', { accountId: 4 });
    expect(listener).toHaveBeenCalledExactlyOnceWith({ accountId: 4 });
    expect(listener.mock.calls.flat()).not.toContain(fake.ipcEvent);
  });

  it('unsubscribes, once, and only that listener', () => {
    const fake = fakeIpcRenderer();
    const bridge = createBridge(fake.ipc);
    const first = vi.fn();
    const second = vi.fn();
    const off = bridge.on('server.alert', first);
    bridge.on('server.alert', second);
    expect(fake.count()).toBe(2);
    off();
    off();
    expect(fake.count()).toBe(1);
    expect(fake.ipc.removeListener).toHaveBeenCalledOnce();
    fake.emit('server.alert', { accountId: 1, message: 'Quota' });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledOnce();
  });

  it.each(['no.such.event', '__proto__', 7])('refuses to subscribe to %j', (event) => {
    const fake = fakeIpcRenderer();
    const on = createBridge(fake.ipc).on as (e: unknown, l: unknown) => unknown;
    expect(() => on(event, () => undefined)).toThrow(TypeError);
    expect(fake.ipc.on).not.toHaveBeenCalled();
  });

  it('refuses a listener that is not a function', () => {
    const fake = fakeIpcRenderer();
    const on = createBridge(fake.ipc).on as (e: unknown, l: unknown) => unknown;
    expect(() => on('accounts.changed', 'alert(1)')).toThrow(TypeError);
    expect(fake.ipc.on).not.toHaveBeenCalled();
  });
});

describe('preload', () => {
  it('exposes createBridge(ipcRenderer) as window.tegami and nothing else', async () => {
    const exposeInMainWorld = vi.fn();
    const ipcRenderer = fakeIpcRenderer().ipc;
    vi.doMock('electron', () => ({ contextBridge: { exposeInMainWorld }, ipcRenderer }));
    await import('./preload.js');
    expect(exposeInMainWorld).toHaveBeenCalledOnce();
    const [key, api] = exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>];
    expect(key).toBe('tegami');
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    vi.doUnmock('electron');
  });
});
