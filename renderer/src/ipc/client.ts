import { TegamiError } from '../../../shared/domain/errors.js';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from '../../../shared/ipc/contract.js';
import { getConnection, type ConnectionState } from './bridge.js';

export { TegamiError };
export type { ConnectionState };

/** Calls the engine; resolves with the output or throws a TegamiError carrying the ErrorInfo. */
export async function call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  let result;
  try {
    result = await getConnection().bridge.invoke(name, input);
  } catch (cause) {
    // The bridge itself should never throw; if it does, it is a bug, not a network problem.
    throw new TegamiError({ code: 'INTERNAL', message: `Tegami could not ask the engine (${name}).` }, { cause });
  }
  if (result.ok) return result.value;
  throw new TegamiError(result.error);
}

/** Subscribes to an engine event; returns the unsubscribe function. */
export function subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return getConnection().bridge.on(event, listener);
}

export function connectionState(): ConnectionState {
  return getConnection().state();
}

export function subscribeConnection(listener: (state: ConnectionState) => void): () => void {
  return getConnection().onStateChange(listener);
}

/** Turns anything thrown by `call` into a TegamiError for display. */
export function asTegamiError(error: unknown): TegamiError {
  if (error instanceof TegamiError) return error;
  return new TegamiError({ code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) }, { cause: error });
}
