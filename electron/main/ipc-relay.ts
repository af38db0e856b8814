/**
 * Relays the renderer's requests to the engine and the engine's events to the renderer. It only
 * checks who is asking and that the name is in the contract; the engine parses every input with the
 * contract's schema and answers with the Result envelope (exceptions do not survive IPC).
 * Electron's ipcMain and the engine are injected, so tests drive it with fakes.
 */
import { isEventName, isRequestName } from '../../shared/ipc/contract.js';
import { ipcChannels } from '../../shared/ipc/bridge.js';
import { fail, type Result } from '../../shared/domain/errors.js';
import type { Engine } from '../engine/engine.js';
import type { SenderFrameLike } from './security.js';

/** The part of Electron's IpcMainInvokeEvent the relay reads. */
export interface InvokeEventLike {
  readonly senderFrame: SenderFrameLike | null;
}

/** The part of Electron's ipcMain the relay uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** A destination for events: one of our windows' webContents. */
export interface EventSinkLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface IpcRelayOptions {
  ipcMain: IpcMainLike;
  engine: Pick<Engine, 'invoke' | 'onEvent'>;
  /** Usually `(frame) => isTrustedSender(frame, ourWindows)`. */
  isTrustedSender: (frame: SenderFrameLike | null) => boolean;
  /** The webContents of our windows at the time an event is sent. */
  eventSinks: () => Iterable<EventSinkLike>;
}

export const untrustedSenderError = {
  code: 'INVALID_INPUT',
  message: 'This request did not come from a Tegami window and was refused.',
} as const;

/** Handles one `tegami:invoke` call; exported so tests call it without any ipcMain at all. */
export async function relayInvoke(
  options: Pick<IpcRelayOptions, 'engine' | 'isTrustedSender'>,
  event: InvokeEventLike,
  name: unknown,
  input: unknown,
): Promise<Result<unknown>> {
  if (!options.isTrustedSender(event.senderFrame)) return fail(untrustedSenderError);
  if (!isRequestName(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 100)) : typeof name;
    return fail({ code: 'INVALID_INPUT', message: `Unknown request ${shown}.` });
  }
  try {
    return await options.engine.invoke(name, input);
  } catch {
    // The engine answers with a Result; a throw here is a bug, and its details stay on this side.
    return fail({ code: 'INTERNAL', message: `Tegami failed to handle "${name}" (an internal error).` });
  }
}

/**
 * Installs the relay. Returns a function that removes the IPC handler and the event subscription.
 */
export function installIpcRelay(options: IpcRelayOptions): () => void {
  options.ipcMain.handle(ipcChannels.invoke, (event: InvokeEventLike, ...args: unknown[]) => relayInvoke(options, event, args[0], args[1]));
  const unsubscribe = options.engine.onEvent((name, payload) => {
    if (!isEventName(name)) return;
    for (const sink of options.eventSinks()) {
      if (!sink.isDestroyed()) sink.send(ipcChannels.event, name, payload);
    }
  });
  return () => {
    unsubscribe();
    options.ipcMain.removeHandler(ipcChannels.invoke);
  };
}
