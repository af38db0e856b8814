/**
 * Hosts the engine in an Electron utilityProcess (electron/engine-host/main.ts), off the main
 * thread, and presents it to the rest of main as an Engine (invoke / onEvent / close).
 *
 * - Requests are relayed by id; events are forwarded to the listeners (the IPC relay, the new-mail
 *   watcher).
 * - Passwords stay here: the child asks with credentials.get/set/delete and main answers from its
 *   CredentialStore (safeStorage). Nothing secret goes through argv or the environment.
 * - A crash restarts the child with exponential backoff; listeners of onState hear 'restarting',
 *   'running' or, after too many crashes in a row, 'failed'. A request in flight during a crash
 *   fails with a clear error (it is never replayed: it may have been applied); a request made while
 *   restarting waits for the new child, up to `waitTimeoutMs`.
 * - close() asks the child to close (current transactions finish, IMAP sessions LOGOUT), waits for
 *   its 'closed' up to `closeTimeoutMs`, then kills it.
 *
 * Electron's utilityProcess is injected as `fork`, so tests drive a fake child.
 */
import { fail, TegamiError, type ErrorInfo, type Result } from '../../shared/domain/errors.js';
import { isEventName } from '../../shared/ipc/contract.js';
import type { CredentialStore } from '../engine/credentials.js';
import type { Engine, EngineEventListener } from '../engine/engine.js';
import { parseToParent, type CredentialsRequest, type EngineInit, type ToChild } from '../engine-host/protocol.js';

/** The part of Electron's UtilityProcess the host uses. */
export interface UtilityProcessLike {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  postMessage(message: ToChild): void;
  kill(): boolean;
}

export type EngineHostState = 'starting' | 'running' | 'restarting' | 'failed' | 'closing' | 'closed';

/** What the UI is told (proposed contract event `app.engine`). */
export interface EngineHostStatus {
  state: 'running' | 'restarting' | 'failed';
  detail: string;
}

export interface EngineHostOptions {
  /** Forks electron/engine-host/main.js (utilityProcess.fork in production). */
  fork: () => UtilityProcessLike;
  init: Omit<EngineInit, 'credentialsDescription'>;
  credentials: CredentialStore;
  /** First restart delay; doubles after each crash in a row. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Crashes in a row (without a stable run between them) before giving up. */
  maxRestarts?: number;
  /** A child that ran this long is considered stable: the crash counter starts again. */
  stableAfterMs?: number;
  /** How long a request waits for a restarting engine. */
  waitTimeoutMs?: number;
  /** How long close() waits for the child's 'closed' before killing it. */
  closeTimeoutMs?: number;
  now?: () => number;
}

export const engineRestartingMessage = "Tegami's mail engine is restarting after a problem. Try again in a moment.";
export const engineFailedMessage =
  "Tegami's mail engine stopped several times in a row and was not restarted. Quit Tegami and open it again; your mail and queued changes are kept.";
export const engineClosedMessage = 'Tegami is shutting down.';

interface Pending {
  name: string;
  resolve: (result: Result<unknown>) => void;
}

/** The delay before restart number `attempt` (1-based): backoff, 2×, 4× … capped. */
export function restartDelay(attempt: number, backoffMs: number, maxBackoffMs: number): number {
  return Math.min(maxBackoffMs, backoffMs * 2 ** Math.max(0, attempt - 1));
}

export class EngineHost implements Engine {
  readonly #options: Required<Omit<EngineHostOptions, 'fork' | 'init' | 'credentials'>> &
    Pick<EngineHostOptions, 'fork' | 'init' | 'credentials'>;
  #state: EngineHostState = 'starting';
  #child: UtilityProcessLike | null = null;
  #nextId = 0;
  #pending = new Map<number, Pending>();
  #listeners = new Set<EngineEventListener>();
  #stateListeners = new Set<(status: EngineHostStatus) => void>();
  #waiters = new Set<() => void>();
  #crashes = 0;
  #readyAt = 0;
  #restartTimer: ReturnType<typeof setTimeout> | null = null;
  #backgroundSync = false;
  #started: { resolve: () => void; reject: (error: Error) => void } | null = null;
  #closedSignal: (() => void) | null = null;

  constructor(options: EngineHostOptions) {
    this.#options = {
      backoffMs: 1000,
      maxBackoffMs: 30_000,
      maxRestarts: 5,
      stableAfterMs: 60_000,
      waitTimeoutMs: 20_000,
      closeTimeoutMs: 10_000,
      now: Date.now,
      ...options,
    };
  }

  get state(): EngineHostState {
    return this.#state;
  }

  /** Forks the child and resolves once its engine is open (rejects when the first start fails). */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#started = { resolve, reject };
      this.#spawn();
    });
  }

  invoke(name: unknown, input: unknown): Promise<Result<unknown>> {
    const shown = typeof name === 'string' ? name.slice(0, 100) : String(typeof name);
    return this.#whenRunning().then((error) => {
      if (error !== null) return fail(error);
      const child = this.#child;
      if (child === null) return fail({ code: 'INTERNAL', message: engineRestartingMessage });
      const id = this.#nextId++;
      return new Promise<Result<unknown>>((resolve) => {
        this.#pending.set(id, { name: shown, resolve });
        child.postMessage({ type: 'invoke', id, name: shown, input });
      });
    });
  }

  onEvent(listener: EngineEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hears restarts and failures of the child (main tells the UI). */
  onState(listener: (status: EngineHostStatus) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  startBackgroundSync(): void {
    this.#backgroundSync = true;
    if (this.#state === 'running') this.#child?.postMessage({ type: 'startBackgroundSync' });
  }

  /** After 'failed': try again from scratch (a menu command can offer it). */
  restart(): void {
    if (this.#state !== 'failed') return;
    this.#crashes = 0;
    this.#state = 'restarting';
    this.#spawn();
  }

  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return;
    const child = this.#state === 'failed' ? null : this.#child;
    this.#state = 'closing';
    if (this.#restartTimer !== null) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    this.#wakeWaiters();
    if (child !== null) {
      const closed = new Promise<void>((resolve) => (this.#closedSignal = resolve));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#options.closeTimeoutMs)));
      // The child finishes what it is doing, logs out of every IMAP session and closes the store.
      child.postMessage({ type: 'close' });
      await Promise.race([closed, timedOut]);
      clearTimeout(timer);
      child.kill(); // a no-op when it already exited; ends a child that did not answer in time
    }
    this.#child = null;
    this.#failPending(engineClosedMessage);
    this.#state = 'closed';
  }

  #spawn(): void {
    const child = this.#options.fork();
    this.#child = child;
    child.on('message', (message) => this.#onMessage(child, message));
    child.on('exit', (code) => this.#onExit(child, code));
    child.postMessage({ type: 'init', options: { ...this.#options.init, credentialsDescription: this.#options.credentials.description } });
  }

  #onMessage(child: UtilityProcessLike, raw: unknown): void {
    if (child !== this.#child) return;
    const message = parseToParent(raw);
    if (message === null) return;
    switch (message.type) {
      case 'ready':
        this.#onReady(child);
        break;
      case 'failed':
        console.error(`tegami: the mail engine could not start (${message.error.code}): ${message.error.message}`);
        if (this.#started !== null) {
          this.#started.reject(new TegamiError(message.error));
          this.#started = null;
        }
        child.kill(); // the exit that follows is handled as a crash (backoff, then 'failed')
        break;
      case 'result': {
        const pending = this.#pending.get(message.id);
        if (pending === undefined) return;
        this.#pending.delete(message.id);
        pending.resolve(message.result.ok ? { ok: true, value: message.result.value } : { ok: false, error: message.result.error });
        break;
      }
      case 'event':
        if (isEventName(message.name)) this.#emit(message.name, message.payload);
        break;
      case 'credentials.get':
      case 'credentials.set':
      case 'credentials.delete':
        void this.#answerCredentials(child, message);
        break;
      case 'closed':
        this.#closedSignal?.();
        break;
    }
  }

  #onReady(child: UtilityProcessLike): void {
    const restarted = this.#state === 'restarting';
    this.#state = 'running';
    this.#readyAt = this.#options.now();
    if (this.#backgroundSync) child.postMessage({ type: 'startBackgroundSync' });
    this.#started?.resolve();
    this.#started = null;
    this.#wakeWaiters();
    if (restarted) this.#tell({ state: 'running', detail: "Tegami's mail engine is running again." });
  }

  #onExit(child: UtilityProcessLike, code: number): void {
    if (child !== this.#child) return;
    this.#child = null;
    this.#closedSignal?.(); // closing: an exit is as good as 'closed'
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#failPending(`Tegami's mail engine stopped unexpectedly while handling "{name}". ${engineRestartingMessage}`);
    if (this.#started !== null) {
      this.#started.reject(new Error(`Tegami's mail engine exited during start-up (exit code ${code}).`));
      this.#started = null;
    }
    if (this.#state === 'running' && this.#options.now() - this.#readyAt >= this.#options.stableAfterMs) this.#crashes = 0;
    this.#crashes += 1;
    console.error(`tegami: the mail engine exited with code ${code} (crash ${this.#crashes} in a row)`);
    if (this.#crashes > this.#options.maxRestarts) {
      this.#state = 'failed';
      this.#wakeWaiters();
      this.#tell({ state: 'failed', detail: engineFailedMessage });
      return;
    }
    this.#state = 'restarting';
    const delay = restartDelay(this.#crashes, this.#options.backoffMs, this.#options.maxBackoffMs);
    this.#tell({
      state: 'restarting',
      detail: `Tegami's mail engine stopped unexpectedly (exit code ${code}); restarting in ${Math.ceil(delay / 1000)} s.`,
    });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#state === 'restarting') this.#spawn();
    }, delay);
  }

  async #answerCredentials(child: UtilityProcessLike, request: CredentialsRequest): Promise<void> {
    const store = this.#options.credentials;
    let result: Result<unknown>;
    try {
      if (request.type === 'credentials.get') result = { ok: true, value: await store.get(request.accountId) };
      else if (request.type === 'credentials.set') result = { ok: true, value: await store.set(request.accountId, request.password) };
      else result = { ok: true, value: await store.delete(request.accountId) };
    } catch (error) {
      // Never the password, and never an exception's details beyond a TegamiError's own message.
      const info: ErrorInfo =
        error instanceof TegamiError ? error.info : { code: 'STORAGE', message: 'Tegami could not read or write the saved passwords.' };
      if (!(error instanceof TegamiError)) console.error(`tegami: ${request.type} for account ${request.accountId} failed`);
      result = { ok: false, error: info };
    }
    if (child === this.#child) child.postMessage({ type: 'credentials.result', id: request.id, result });
  }

  /** Resolves with null once running, or with the error to answer when it will not be. */
  #whenRunning(): Promise<ErrorInfo | null> {
    const now = (): ErrorInfo | null | undefined => {
      switch (this.#state) {
        case 'running':
          return null;
        case 'failed':
          return { code: 'INTERNAL', message: engineFailedMessage };
        case 'closing':
        case 'closed':
          return { code: 'INTERNAL', message: engineClosedMessage };
        default:
          return undefined; // starting or restarting: wait
      }
    };
    const immediate = now();
    if (immediate !== undefined) return Promise.resolve(immediate);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve({ code: 'INTERNAL', message: engineRestartingMessage });
      }, this.#options.waitTimeoutMs);
      const check = () => {
        const answer = now();
        if (answer === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(answer);
      };
      this.#waiters.add(check);
    });
  }

  #wakeWaiters(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #failPending(template: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { name, resolve } of pending) resolve(fail({ code: 'INTERNAL', message: template.replace('{name}', name) }));
  }

  #emit(name: Parameters<EngineEventListener>[0], payload: unknown): void {
    for (const listener of this.#listeners) {
      try {
        (listener as (n: string, p: unknown) => void)(name, payload);
      } catch (error) {
        console.error('tegami: an engine event listener failed', error);
      }
    }
  }

  #tell(status: EngineHostStatus): void {
    for (const listener of this.#stateListeners) {
      try {
        listener(status);
      } catch (error) {
        console.error('tegami: an engine state listener failed', error);
      }
    }
  }
}
