import { describe, expect, it, vi } from 'vitest';
import { ipcChannels } from '../../shared/ipc/bridge.js';
import type { Result } from '../../shared/domain/errors.js';
import type { EngineEventListener } from '../engine/engine.js';
import { installIpcRelay, relayInvoke, type EventSinkLike, type InvokeEventLike, type IpcMainLike } from './ipc-relay.js';
import type { SenderFrameLike } from './security.js';

const trustedFrame: SenderFrameLike = { url: 'app://tegami/index.html', parent: null, processId: 1, routingId: 1 };
const strangerFrame: SenderFrameLike = { url: 'https://evil.example/', parent: null, processId: 2, routingId: 1 };

function fakeEngine(answer: Result<unknown> = { ok: true, value: { version: '0.1.0' } }) {
  let listener: EngineEventListener | null = null;
  return {
    invoke: vi.fn(async (_name: unknown, _input: unknown) => answer),
    onEvent: vi.fn((l: EngineEventListener) => {
      listener = l;
      return () => {
        listener = null;
      };
    }),
    emit(name: string, payload: unknown) {
      (listener as ((n: string, p: unknown) => void) | null)?.(name, payload);
    },
    get subscribed() {
      return listener !== null;
    },
  };
}

function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => {
      handlers.delete(channel);
    },
  };
  return {
    ipcMain,
    handlers,
    call: (frame: SenderFrameLike | null, ...args: unknown[]) => {
      const handler = handlers.get(ipcChannels.invoke);
      if (handler === undefined) throw new Error('no handler');
      return handler({ senderFrame: frame }, ...args) as Promise<Result<unknown>>;
    },
  };
}

const isTrustedSender = (frame: SenderFrameLike | null) => frame === trustedFrame;

describe('relayInvoke', () => {
  it('refuses an untrusted sender without reaching the engine', async () => {
    const engine = fakeEngine();
    for (const frame of [strangerFrame, null]) {
      const result = await relayInvoke({ engine, isTrustedSender }, { senderFrame: frame }, 'app.info', {});
      expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('refused') } });
    }
    expect(engine.invoke).not.toHaveBeenCalled();
  });

  it.each([['no.such.request'], ['__proto__'], ['toString'], [42], [undefined], [{ name: 'app.info' }]])(
    'refuses the unknown request name %j without reaching the engine',
    async (name) => {
      const engine = fakeEngine();
      const result = await relayInvoke({ engine, isTrustedSender }, { senderFrame: trustedFrame }, name, {});
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('INVALID_INPUT');
      expect(engine.invoke).not.toHaveBeenCalled();
    },
  );

  it('passes a contract request to the engine and returns its Result unchanged', async () => {
    const answer = { ok: false as const, error: { code: 'INVALID_INPUT' as const, message: 'accountId: expected a number' } };
    const engine = fakeEngine(answer);
    const input = { accountId: 'x' };
    const result = await relayInvoke({ engine, isTrustedSender }, { senderFrame: trustedFrame }, 'mailboxes.list', input);
    expect(engine.invoke).toHaveBeenCalledExactlyOnceWith('mailboxes.list', input);
    expect(result).toBe(answer);
  });

  it('turns an engine that throws into an INTERNAL result without its details', async () => {
    const engine = fakeEngine();
    engine.invoke.mockRejectedValueOnce(new Error('SQLITE_CORRUPT at /home/user/secret/path'));
    const result = await relayInvoke({ engine, isTrustedSender }, { senderFrame: trustedFrame }, 'accounts.list', {});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INTERNAL');
      expect(result.error.message).not.toContain('/home/user');
    }
  });
});

describe('installIpcRelay', () => {
  function sink(destroyed = false) {
    return { isDestroyed: () => destroyed, send: vi.fn() } satisfies EventSinkLike;
  }

  it('answers tegami:invoke calls through the engine', async () => {
    const engine = fakeEngine();
    const ipc = fakeIpcMain();
    installIpcRelay({ ipcMain: ipc.ipcMain, engine, isTrustedSender, eventSinks: () => [] });
    expect([...ipc.handlers.keys()]).toEqual([ipcChannels.invoke]);
    expect(await ipc.call(trustedFrame, 'app.info', {})).toEqual({ ok: true, value: { version: '0.1.0' } });
    expect(engine.invoke).toHaveBeenCalledExactlyOnceWith('app.info', {});
    expect((await ipc.call(strangerFrame, 'app.info', {})).ok).toBe(false);
    expect(engine.invoke).toHaveBeenCalledOnce();
  });

  it('sends engine events to every live window, name and payload only', () => {
    const engine = fakeEngine();
    const ipc = fakeIpcMain();
    const [a, b, dead] = [sink(), sink(), sink(true)];
    installIpcRelay({ ipcMain: ipc.ipcMain, engine, isTrustedSender, eventSinks: () => [a, b, dead] });
    engine.emit('mailboxes.changed', { accountId: 3 });
    for (const s of [a, b]) expect(s.send).toHaveBeenCalledExactlyOnceWith(ipcChannels.event, 'mailboxes.changed', { accountId: 3 });
    expect(dead.send).not.toHaveBeenCalled();
  });

  it('does not forward events outside the contract', () => {
    const engine = fakeEngine();
    const ipc = fakeIpcMain();
    const window = sink();
    installIpcRelay({ ipcMain: ipc.ipcMain, engine, isTrustedSender, eventSinks: () => [window] });
    engine.emit('debug.internal', { secret: true });
    expect(window.send).not.toHaveBeenCalled();
  });

  it('uninstalls the handler and the event subscription', () => {
    const engine = fakeEngine();
    const ipc = fakeIpcMain();
    const dispose = installIpcRelay({ ipcMain: ipc.ipcMain, engine, isTrustedSender, eventSinks: () => [] });
    expect(engine.subscribed).toBe(true);
    dispose();
    expect(ipc.handlers.size).toBe(0);
    expect(engine.subscribed).toBe(false);
  });
});
