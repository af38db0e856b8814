/**
 * Builds `window.tegami` from an ipcRenderer. Only the contract's request and event names pass, a
 * listener receives the payload only (never the IpcRendererEvent, whose `sender` is ipcRenderer
 * itself), and ipcRenderer is never handed to the page.
 * Runs in the sandboxed preload: imports nothing but shared/ (bundled into preload.cjs by vite).
 */
import { isEventName, isRequestName } from '../../shared/ipc/contract.js';
import { ipcChannels, type TegamiBridge } from '../../shared/ipc/bridge.js';
import type { Result } from '../../shared/domain/errors.js';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export function createBridge(ipc: IpcRendererLike): TegamiBridge {
  async function invoke(name: unknown, input: unknown): Promise<Result<unknown>> {
    if (!isRequestName(name)) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: `Unknown request ${JSON.stringify(String(name).slice(0, 100))}.` } };
    }
    try {
      return (await ipc.invoke(ipcChannels.invoke, name, input)) as Result<unknown>;
    } catch {
      // Only if main has no handler (starting up or shutting down): never a thrown IPC error.
      return { ok: false, error: { code: 'INTERNAL', message: 'Tegami is not ready to answer yet.' } };
    }
  }

  function on(event: unknown, listener: (payload: never) => void): () => void {
    if (!isEventName(event)) throw new TypeError(`Unknown event ${JSON.stringify(String(event).slice(0, 100))}.`);
    if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
    const relay: IpcListener = (_ipcEvent, name, payload) => {
      if (name === event) listener(payload as never);
    };
    ipc.on(ipcChannels.event, relay);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(ipcChannels.event, relay);
    };
  }

  // The generic signatures of TegamiBridge are checked at the call sites in the renderer; here
  // every value comes from an untrusted page, so the implementation takes `unknown`.
  return { invoke, on } as TegamiBridge;
}
