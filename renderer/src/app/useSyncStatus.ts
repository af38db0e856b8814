import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../shared/ipc/contract.js';
import { call, subscribe } from '../ipc/client.js';

export type SyncState = EventPayload<'sync.state'>;
export type SyncProgress = EventPayload<'sync.progress'>;

/** Each account's connection state (sync.status, then sync.state events) and its latest sync progress. */
export function useSyncStatus(): { states: ReadonlyMap<number, SyncState>; progress: ReadonlyMap<number, SyncProgress> } {
  const [states, setStates] = useState<ReadonlyMap<number, SyncState>>(new Map());
  const [progress, setProgress] = useState<ReadonlyMap<number, SyncProgress>>(new Map());
  useEffect(() => {
    let live = true;
    call('sync.status', {}).then(
      (list) => live && setStates((prev) => new Map([...list.map((s) => [s.accountId, s] as const), ...prev])),
      () => undefined,
    );
    const offState = subscribe('sync.state', (s) => {
      setStates((prev) => new Map(prev).set(s.accountId, s));
      if (s.state !== 'syncing')
        setProgress((prev) => {
          const next = new Map(prev);
          next.delete(s.accountId);
          return next;
        });
    });
    const offProgress = subscribe('sync.progress', (p) =>
      setProgress((prev) => {
        const next = new Map(prev);
        if (p.total > 0 && p.done >= p.total) next.delete(p.accountId);
        else next.set(p.accountId, p);
        return next;
      }),
    );
    return () => {
      live = false;
      offState();
      offProgress();
    };
  }, []);
  return { states, progress };
}

/** Whether the user chose to work offline (sync.offline, then its events), and the switch (sync.setOffline). */
export function useWorkingOffline(): { offline: boolean; setOffline: (offline: boolean) => Promise<unknown> } {
  const [offline, setState] = useState(false);
  useEffect(() => {
    let live = true;
    let heard = false;
    const off = subscribe('sync.offline', (e) => {
      heard = true;
      setState(e.offline);
    });
    call('sync.offline', {}).then(
      (r) => live && !heard && setState(r.offline),
      () => undefined,
    );
    return () => {
      live = false;
      off();
    };
  }, []);
  const setOffline = (next: boolean) => call('sync.setOffline', { offline: next }).then((r) => setState(r.offline));
  return { offline, setOffline };
}
