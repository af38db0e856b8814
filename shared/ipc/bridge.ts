import type { Result } from '../domain/errors.js';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from './contract.js';

/**
 * What the renderer sees as `window.tegami`: exactly two verbs over the contract's names. Electron's
 * preload provides it with ipcRenderer behind contextBridge; browser mode with a WebSocket.
 */
export interface TegamiBridge {
  invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<Result<RequestOutput<N>>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Browser-mode wire format (JSON over WebSocket). */
export type WireToServer = { type: 'invoke'; id: number; name: string; input: unknown };
export type WireToClient = { type: 'result'; id: number; result: Result<unknown> } | { type: 'event'; event: string; payload: unknown };

/** Electron IPC channel names. */
export const ipcChannels = { invoke: 'tegami:invoke', event: 'tegami:event' } as const;
