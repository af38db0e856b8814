import type { EventName, EventPayload } from '../../shared/ipc/contract.js';
import type { Result } from '../../shared/domain/errors.js';
import type { CredentialStore } from './credentials.js';

export interface EngineOptions {
  /** The profile directory: the SQLite store and the part cache live here. */
  dataDir: string;
  /** Which host runs the engine (reported by app.info). */
  host: 'electron' | 'web' | 'cli';
  credentials: CredentialStore;
  version: string;
  /** Keep every account current in the background (IDLE, polling, reconnect): the desktop app and browser mode. */
  background?: boolean;
}

export type EngineEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * The engine as its hosts see it: untrusted input in, a Result envelope out. `invoke` parses the
 * input with the contract's schema, so a host only relays (after checking who is asking).
 */
export interface Engine {
  invoke(name: unknown, input: unknown): Promise<Result<unknown>>;
  onEvent(listener: EngineEventListener): () => void;
  /** Starts background sync if the engine was opened without it (`cli sync` without --once). */
  startBackgroundSync?(): void;
  close(): Promise<void>;
}
