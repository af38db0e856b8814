import { useCallback, useEffect, useState } from 'react';
import type { Op } from '../../../../shared/domain/ops.js';
import { call, subscribe } from '../../ipc/client.js';

export interface OpsState {
  /** Pending and failed operations of every account, oldest first. */
  ops: Op[];
  pending: (accountId?: number) => number;
  failed: Op[];
  reload: () => void;
}

/** The engine's queue (ops.list), read again whenever it says an account's queue changed. */
export function useOps(): OpsState {
  const [ops, setOps] = useState<Op[]>([]);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  useEffect(() => subscribe('ops.changed', reload), [reload]);
  useEffect(() => {
    let live = true;
    // Bursts of changes (a replay of many operations) are read once.
    const timer = setTimeout(() => {
      call('ops.list', { states: ['pending', 'failed'] }).then(
        (list) => live && setOps(list),
        () => undefined,
      );
    }, 50);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [generation]);
  const pending = useCallback(
    (accountId?: number) => ops.filter((o) => o.state === 'pending' && (accountId === undefined || o.accountId === accountId)).length,
    [ops],
  );
  return { ops, pending, failed: ops.filter((o) => o.state === 'failed'), reload };
}
