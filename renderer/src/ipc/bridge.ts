import type { TegamiBridge } from '../../../shared/ipc/bridge.js';
import { createWebBridge, ipcUrl, takeToken, type ConnectionState } from './web-bridge.js';

declare global {
  interface Window {
    /** Provided by Electron's preload; absent in browser mode, where the web bridge stands in. */
    readonly tegami?: TegamiBridge;
  }
}

export type { ConnectionState };

interface Connection {
  bridge: TegamiBridge;
  state(): ConnectionState;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

let connection: Connection | null = null;

/** The one place that reads `window.tegami`; created on first use. */
export function getConnection(): Connection {
  if (connection) return connection;
  const preload = window.tegami;
  if (preload) {
    // Electron IPC does not drop while the window lives.
    connection = { bridge: preload, state: () => 'open', onStateChange: () => () => {} };
  } else {
    const web = createWebBridge(ipcUrl(takeToken()));
    connection = { bridge: web, state: () => web.state, onStateChange: (l) => web.onStateChange(l) };
  }
  return connection;
}
