import { isRequestName } from '../../../shared/ipc/contract.js';
import { TegamiError } from '../../../shared/domain/errors.js';
import { getConnection } from './bridge.js';

/** True when this build's contract has the request (engine features that land later light up by themselves). */
export function hasRequest(name: string): boolean {
  return isRequestName(name);
}

/**
 * Calls a request that may not be in this build's contract yet. The name is checked against the
 * contract at run time; the engine still validates the input with the contract's schema.
 */
export async function callOptional(name: string, input: unknown): Promise<unknown> {
  if (!isRequestName(name)) throw new TegamiError({ code: 'NOT_FOUND', message: `${name} is not available in this version.` });
  const invoke = getConnection().bridge.invoke as (
    n: string,
    i: unknown,
  ) => Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }>;
  const result = await invoke(name, input);
  if (result.ok) return result.value;
  throw new TegamiError(result.error as ConstructorParameters<typeof TegamiError>[0]);
}
