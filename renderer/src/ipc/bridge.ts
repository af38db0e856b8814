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
let token: string | null = null;

/** The one place that reads `window.tegami`; created on first use. */
export function getConnection(): Connection {
  if (connection) return connection;
  const preload = window.tegami;
  if (preload) {
    // Electron IPC does not drop while the window lives.
    connection = { bridge: preload, state: () => 'open', onStateChange: () => () => {} };
  } else {
    token = takeToken();
    const web = createWebBridge(ipcUrl(token));
    connection = { bridge: web, state: () => web.state, onStateChange: (l) => web.onStateChange(l) };
  }
  return connection;
}

/** Browser mode: the per-run token, for the loopback server's other endpoints (part downloads); null in the desktop app. */
export function webToken(): string | null {
  getConnection();
  return token;
}

/** True in the desktop app (Electron's preload), false in browser mode. */
export function isDesktop(): boolean {
  return window.tegami !== undefined;
}
