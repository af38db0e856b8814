import { useCallback, useEffect, useState } from 'react';
import { subscribe } from '../ipc/client.js';

export interface ServerAlert {
  key: number;
  accountId: number;
  message: string;
}

let nextKey = 1;

/** Server [ALERT]s (RFC 3501 7.1) must reach the user: kept until dismissed. */
export function useServerAlerts(): { alerts: ServerAlert[]; dismiss: (key: number) => void } {
  const [alerts, setAlerts] = useState<ServerAlert[]>([]);
  useEffect(
    () =>
      subscribe('server.alert', ({ accountId, message }) =>
        setAlerts((prev) =>
          prev.some((a) => a.accountId === accountId && a.message === message) ? prev : [...prev, { key: nextKey++, accountId, message }],
        ),
      ),
    [],
  );
  const dismiss = useCallback((key: number) => setAlerts((prev) => prev.filter((a) => a.key !== key)), []);
  return { alerts, dismiss };
}
