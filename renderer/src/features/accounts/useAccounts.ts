import { useCallback, useEffect, useState } from 'react';
import type { Account } from '../../../../shared/domain/account.js';
import { asTegamiError, call, subscribe, type TegamiError } from '../../ipc/client.js';

export type AccountsState = { status: 'loading' } | { status: 'error'; error: TegamiError } | { status: 'ready'; accounts: Account[] };

/** The account list, read again whenever the engine says it changed. */
export function useAccounts(): { state: AccountsState; reload: () => void } {
  const [state, setState] = useState<AccountsState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => subscribe('accounts.changed', reload), [reload]);
  // A sync pass reports the quota: read the accounts again when one ends.
  useEffect(() => subscribe('sync.state', (s) => s.state === 'idle' && reload()), [reload]);

  useEffect(() => {
    let live = true;
    call('accounts.list', {}).then(
      (accounts) => live && setState({ status: 'ready', accounts }),
      (error: unknown) => live && setState((prev) => (prev.status === 'ready' ? prev : { status: 'error', error: asTegamiError(error) })),
    );
    return () => {
      live = false;
    };
  }, [generation]);

  return { state, reload };
}
