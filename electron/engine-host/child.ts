/**
 * The engine's side of the utilityProcess: opens the engine when main says `init`, answers
 * `invoke`s, forwards the engine's events, asks main for passwords (they stay in main, under
 * safeStorage), and on `close` closes the engine — the current transactions finish and every IMAP
 * session ends with LOGOUT — says `closed`, and exits.
 *
 * Plain Node: never imports 'electron'. The port and openEngine are injected, so tests drive it
 * without a utilityProcess.
 */
import { TegamiError, fail, type ErrorInfo, type Result } from '../../shared/domain/errors.js';
import type { CredentialStore } from '../engine/credentials.js';
import type { Engine, EngineOptions } from '../engine/engine.js';
import { asResult, parseToChild, type EngineInit, type ToParent } from './protocol.js';

/** The part of Electron's `process.parentPort` the child uses (typed here: no 'electron' import). */
export interface ParentPortLike {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  postMessage(message: ToParent): void;
}

export interface EngineChildOptions {
  port: ParentPortLike;
  openEngine: (options: EngineOptions) => Promise<Engine>;
  /** Ends the process once the engine is closed (process.exit in production). */
  exit: (code: number) => void;
}

type CredentialsRequestBody =
  | { type: 'credentials.get'; accountId: number }
  | { type: 'credentials.set'; accountId: number; password: string }
  | { type: 'credentials.delete'; accountId: number };

/**
 * The engine's CredentialStore in the child: every call is a request to main, which keeps the
 * passwords with safeStorage (electron/main/credentials.ts). A refusal comes back as the same
 * TegamiError main raised (e.g. "no keyring"), so the engine reports it to the user unchanged.
 */
export class RemoteCredentialStore implements CredentialStore {
  readonly description: string;
  readonly #send: (request: CredentialsRequestBody, id: number) => void;
  readonly #pending = new Map<number, (result: Result<unknown>) => void>();
  #next = 0;

  constructor(description: string, send: (request: CredentialsRequestBody, id: number) => void) {
    this.description = description;
    this.#send = send;
  }

  async get(accountId: number): Promise<string | null> {
    const value = await this.#request({ type: 'credentials.get', accountId });
    return typeof value === 'string' ? value : null;
  }

  async set(accountId: number, password: string): Promise<void> {
    await this.#request({ type: 'credentials.set', accountId, password });
  }

  async delete(accountId: number): Promise<void> {
    await this.#request({ type: 'credentials.delete', accountId });
  }

  /** Called with main's `credentials.result`. */
  settle(id: number, result: Result<unknown>): void {
    const resolve = this.#pending.get(id);
    if (resolve === undefined) return;
    this.#pending.delete(id);
    resolve(result);
  }

  async #request(request: CredentialsRequestBody): Promise<unknown> {
    const id = this.#next++;
    const result = await new Promise<Result<unknown>>((resolve) => {
      this.#pending.set(id, resolve);
      this.#send(request, id);
    });
    if (!result.ok) throw new TegamiError(result.error);
    return result.value;
  }
}

function startFailure(error: unknown): ErrorInfo {
  if (error instanceof TegamiError) return error.info;
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `Tegami's mail engine could not start: ${detail}` };
}

/** Wires the engine to the port. Returns a promise that settles once the child has closed. */
export function runEngineChild(options: EngineChildOptions): Promise<void> {
  const { port } = options;
  let engine: Engine | null = null;
  let opening: Promise<Engine | null> | null = null;
  let credentials: RemoteCredentialStore | null = null;
  let closing = false;
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));

  function open(init: EngineInit): Promise<Engine | null> {
    credentials = new RemoteCredentialStore(init.credentialsDescription, (request, id) => port.postMessage({ ...request, id }));
    return options
      .openEngine({
        dataDir: init.dataDir,
        host: 'electron',
        credentials,
        version: init.version,
        background: init.background,
      })
      .then((opened) => {
        engine = opened;
        opened.onEvent((name, payload) => port.postMessage({ type: 'event', name, payload }));
        port.postMessage({ type: 'ready' });
        return opened;
      })
      .catch((error: unknown) => {
        port.postMessage({ type: 'failed', error: startFailure(error) });
        return null;
      });
  }

  async function invoke(name: string, input: unknown): Promise<Result<unknown>> {
    const ready = engine ?? (await opening);
    if (ready === null || closing) return fail({ code: 'INTERNAL', message: "Tegami's mail engine is not running." });
    return ready.invoke(name, input);
  }

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    try {
      const open = engine ?? (await opening);
      // Waits for the current transactions, then LOGOUT of every IMAP session, then closes SQLite.
      await open?.close();
    } catch (error) {
      console.error('tegami engine: closing failed:', error instanceof Error ? error.message : error);
    }
    port.postMessage({ type: 'closed' });
    onClosed();
    options.exit(0);
  }

  port.on('message', ({ data }) => {
    const message = parseToChild(data);
    if (message === null) return;
    switch (message.type) {
      case 'init':
        if (opening === null && !closing) opening = open(message.options);
        break;
      case 'invoke':
        void invoke(message.name, message.input)
          .catch((): Result<unknown> =>
            fail({ code: 'INTERNAL', message: `Tegami failed to handle "${message.name}" (an internal error).` }),
          )
          .then((result) => port.postMessage({ type: 'result', id: message.id, result }));
        break;
      case 'startBackgroundSync':
        void (opening ?? Promise.resolve(null)).then((e) => e?.startBackgroundSync?.());
        break;
      case 'credentials.result':
        credentials?.settle(message.id, asResult(message.result));
        break;
      case 'close':
        void close();
        break;
    }
  });
  return closed;
}
