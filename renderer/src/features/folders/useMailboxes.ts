import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Account } from '../../../../shared/domain/account.js';
import type { Mailbox, Namespace } from '../../../../shared/domain/mailbox.js';
import { asTegamiError, call, subscribe, type TegamiError } from '../../ipc/client.js';

export interface AccountFolders {
  mailboxes: Mailbox[];
  namespaces: Namespace[];
  refreshedAt: string | null;
  loading: boolean;
  refreshing: boolean;
  error: TegamiError | null;
}

const empty: AccountFolders = { mailboxes: [], namespaces: [], refreshedAt: null, loading: true, refreshing: false, error: null };

/**
 * Folder lists per account from the local store (`mailboxes.list` answers offline at once), read
 * again on `mailboxes.changed`. `refresh` asks the server (LIST/NAMESPACE/STATUS) through the engine.
 */
export function useMailboxes(accounts: readonly Account[]): {
  folders: ReadonlyMap<number, AccountFolders>;
  refresh: (accountId: number) => void;
} {
  const [folders, setFolders] = useState<ReadonlyMap<number, AccountFolders>>(new Map());
  const seq = useRef(new Map<number, number>());

  const patch = useCallback((accountId: number, change: Partial<AccountFolders>) => {
    setFolders((prev) => {
      const next = new Map(prev);
      next.set(accountId, { ...(prev.get(accountId) ?? empty), ...change });
      return next;
    });
  }, []);

  const load = useCallback(
    (accountId: number) => {
      // Only the newest answer counts when several loads overlap.
      const n = (seq.current.get(accountId) ?? 0) + 1;
      seq.current.set(accountId, n);
      call('mailboxes.list', { accountId }).then(
        (value) => seq.current.get(accountId) === n && patch(accountId, { ...value, loading: false, error: null }),
        (error: unknown) => seq.current.get(accountId) === n && patch(accountId, { loading: false, error: asTegamiError(error) }),
      );
    },
    [patch],
  );

  const refresh = useCallback(
    (accountId: number) => {
      patch(accountId, { refreshing: true });
      call('mailboxes.refresh', { accountId }).then(
        (value) => {
          seq.current.set(accountId, (seq.current.get(accountId) ?? 0) + 1);
          patch(accountId, { ...value, loading: false, refreshing: false, error: null });
        },
        (error: unknown) => patch(accountId, { refreshing: false, error: asTegamiError(error) }),
      );
    },
    [patch],
  );

  const ids = accounts.map((a) => a.id).join(',');
  useEffect(() => {
    for (const id of ids === '' ? [] : ids.split(',').map(Number)) load(id);
  }, [ids, load]);

  useEffect(() => subscribe('mailboxes.changed', ({ accountId }) => load(accountId)), [load]);

  // Only the accounts that still exist (a removed account's entry is simply not shown).
  const current = useMemo(() => {
    const wanted = new Set(ids === '' ? [] : ids.split(',').map(Number));
    return new Map([...folders].filter(([id]) => wanted.has(id)));
  }, [folders, ids]);

  return { folders: current, refresh };
}
