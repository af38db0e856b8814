import { useSyncExternalStore } from 'react';
import { connectionState, subscribeConnection, type ConnectionState } from '../ipc/client.js';

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(subscribeConnection, connectionState);
}
