import type { ErrorInfo, Result } from '../../../shared/domain/errors.js';
import type { TegamiBridge, WireToClient, WireToServer } from '../../../shared/ipc/bridge.js';
import { isEventName, type EventName, type EventPayload, type RequestName } from '../../../shared/ipc/contract.js';

/**
 * Browser mode: the engine runs in a loopback HTTP server (electron/web) that serves this page and
 * speaks the contract over one WebSocket at `/ipc`. The server puts a per-run token in the URL
 * fragment (`#token=…`, never sent over HTTP); we keep it in sessionStorage so reloads work, strip it
 * from the address bar, and pass it on the WebSocket URL, which the server checks on upgrade.
 */

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface WebBridge extends TegamiBridge {
  readonly state: ConnectionState;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

const TOKEN_KEY = 'tegami.token';
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;

const lostConnection: ErrorInfo = {
  code: 'NETWORK',
  message: 'Lost the connection to the Tegami engine. It will reconnect by itself; try again in a moment.',
};

/** Reads `#token=…` once, moves it to sessionStorage and removes it from the URL. */
export function takeToken(loc: Location = location, storage: Storage = sessionStorage): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(loc.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    try {
      storage.setItem(TOKEN_KEY, token);
    } catch {
      // Storage can be disabled; the token still works for this page's lifetime.
    }
    history.replaceState(history.state, '', loc.pathname + loc.search);
    return token;
  }
  try {
    return storage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function ipcUrl(token: string | null, loc: Location = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  return `${scheme}://${loc.host}/ipc${query}`;
}

type Pending = { resolve: (result: Result<unknown>) => void };
type AnyListener = (payload: unknown) => void;

export function createWebBridge(url: string): WebBridge {
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let everOpened = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let nextId = 1;
  /** Sent, waiting for their result. */
  const pending = new Map<number, Pending>();
  /** Asked for while the socket was still connecting: sent when it opens. */
  const outbox: { message: WireToServer; pending: Pending }[] = [];
  const listeners = new Map<string, Set<AnyListener>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  };

  const dispatch = (event: string, payload: unknown): void => {
    for (const listener of listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`tegami: a listener for ${event} threw`, error);
      }
    }
  };

  const failAll = (): void => {
    for (const p of pending.values()) p.resolve({ ok: false, error: lostConnection });
    pending.clear();
    for (const item of outbox.splice(0)) item.pending.resolve({ ok: false, error: lostConnection });
  };

  const connect = (): void => {
    retryTimer = null;
    if (closed) return;
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      attempt = 0;
      const reconnected = everOpened;
      everOpened = true;
      setState('open');
      for (const item of outbox.splice(0)) {
        pending.set(item.message.id, item.pending);
        ws.send(JSON.stringify(item.message));
      }
      // Events may have been missed while we were away: tell the UI to read its data again.
      if (reconnected) dispatch('accounts.changed', {});
    });
    ws.addEventListener('message', (event) => {
      if (socket !== ws || typeof event.data !== 'string') return;
      let message: WireToClient;
      try {
        message = JSON.parse(event.data) as WireToClient;
      } catch {
        console.error('tegami: ignoring a message that is not JSON');
        return;
      }
      if (message.type === 'result') {
        const p = pending.get(message.id);
        if (!p) return;
        pending.delete(message.id);
        p.resolve(message.result);
      } else if (message.type === 'event' && isEventName(message.event)) {
        dispatch(message.event, message.payload);
      }
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      failAll();
      if (closed) return;
      setState('reconnecting');
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
      attempt += 1;
      // Jitter so several windows do not hammer a restarting engine in step.
      retryTimer = setTimeout(connect, delay / 2 + Math.random() * (delay / 2));
    });
  };

  connect();

  return {
    get state() {
      return state;
    },
    invoke(name: RequestName, input: unknown) {
      return new Promise<Result<unknown>>((resolve) => {
        const message: WireToServer = { type: 'invoke', id: nextId++, name, input };
        if (socket && socket.readyState === WebSocket.OPEN) {
          pending.set(message.id, { resolve });
          socket.send(JSON.stringify(message));
        } else if (socket && socket.readyState === WebSocket.CONNECTING) {
          outbox.push({ message, pending: { resolve } });
        } else {
          resolve({ ok: false, error: lostConnection });
        }
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as AnyListener;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close();
    },
  } as WebBridge;
}
