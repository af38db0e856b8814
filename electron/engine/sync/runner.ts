import { TegamiError, type ErrorInfo } from '../../../shared/domain/errors.js';
import type { AccountRecord } from '../db/store.js';
import { classifyImapError } from '../imap/connect.js';
import type { ImapSession } from '../imap/session.js';
import { openSession, syncAccountWith, type AccountSyncDeps, type AccountSyncReport } from './account.js';
import { syncMailbox } from './mailbox.js';

export type ConnectionState = 'connecting' | 'syncing' | 'idle' | 'offline' | 'auth-failed' | 'stopped';

export interface RunnerOptions extends AccountSyncDeps {
  password: () => Promise<string>;
  onState?: (state: ConnectionState, detail: { error?: ErrorInfo; retryAt?: string }) => void;
  onPass?: (report: AccountSyncReport) => void;
  /** How often the other folders are checked (LIST-STATUS) while INBOX idles. */
  pollIntervalMs?: number;
  /** Reconnect backoff: first delay and cap. */
  backoff?: { initialMs: number; maxMs: number };
  /** The folder the user has open, idled on instead of INBOX when set. */
  watchedPath?: () => string | null;
  /**
   * Runs after each full pass on the sync connection, before IDLE (bodies prefetch), and after new
   * mail arrived in the watched folder, so that mail reads offline at once, not after the next poll.
   */
  afterPass?: (session: ImapSession) => Promise<void>;
}

type WakeReason = 'change' | 'poll' | 'wake' | 'closed' | 'stop' | 'request';

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped (and a quarter of random spread). */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.75 + random() * 0.25));
}

/**
 * Keeps one account's mirror current: one long-lived connection that runs a full pass, then IDLEs
 * (RFC 2177) on INBOX (or the folder the user has open) and re-syncs it as soon as the server
 * reports a change, checks the other folders every pollIntervalMs with LIST-STATUS, and on any
 * connection loss builds a new imapflow client after an exponential backoff (imapflow instances are
 * single use). A wrong password stops the retries until wake() — hammering would lock the account.
 */
export class AccountRunner {
  readonly #account: AccountRecord;
  readonly #opts: RunnerOptions;
  #running: Promise<void> | null = null;
  #stopped = false;
  #signal: ((reason: WakeReason) => void) | null = null;
  #pending: WakeReason | null = null;
  #state: ConnectionState = 'stopped';

  constructor(account: AccountRecord, opts: RunnerOptions) {
    this.#account = account;
    this.#opts = opts;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  start(): void {
    if (this.#running) return;
    this.#stopped = false;
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  /** After sleep or a network change: drop the connection and reconnect now. */
  wake(): void {
    this.#poke('wake');
  }

  /** Run a full pass as soon as possible (the user pressed "check mail"). */
  requestPass(): void {
    this.#poke('request');
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#poke('stop');
    await this.#running;
    this.#setState('stopped');
  }

  #poke(reason: WakeReason): void {
    if (this.#signal) this.#signal(reason);
    else if (reason !== 'request' || this.#pending === null) this.#pending = reason;
  }

  /** Waits for a poke, a timer, or (while idling) a change reported by the server. */
  #wait(ms: number, session?: ImapSession): Promise<WakeReason> {
    if (this.#pending) {
      const reason = this.#pending;
      this.#pending = null;
      return Promise.resolve(reason);
    }
    return new Promise<WakeReason>((resolve) => {
      const cleanups: (() => void)[] = [];
      const done = (reason: WakeReason) => {
        for (const c of cleanups) c();
        this.#signal = null;
        resolve(reason);
      };
      const timer = setTimeout(() => done('poll'), ms);
      cleanups.push(() => clearTimeout(timer));
      this.#signal = done;
      if (session) {
        const client = session.client;
        const onChange = () => done('change');
        const onClose = () => done('closed');
        client.on('exists', onChange);
        client.on('expunge', onChange);
        client.on('flags', onChange);
        client.on('close', onClose);
        cleanups.push(() => {
          client.off('exists', onChange);
          client.off('expunge', onChange);
          client.off('flags', onChange);
          client.off('close', onClose);
        });
      }
    });
  }

  #setState(state: ConnectionState, detail: { error?: ErrorInfo; retryAt?: string } = {}): void {
    this.#state = state;
    this.#opts.onState?.(state, detail);
  }

  #watchedMailboxId(): number | null {
    const mailboxes = this.#opts.store.listMailboxes(this.#account.id);
    const wanted = this.#opts.watchedPath?.();
    const watched = (wanted && mailboxes.find((m) => m.path === wanted && m.selectable)) || mailboxes.find((m) => m.role === 'inbox');
    return watched?.id ?? null;
  }

  async #loop(): Promise<void> {
    const { initialMs, maxMs } = this.#opts.backoff ?? { initialMs: 1000, maxMs: 5 * 60_000 };
    const poll = this.#opts.pollIntervalMs ?? 120_000;
    let attempt = 0;
    while (!this.#stopped) {
      let session: ImapSession | null = null;
      try {
        this.#setState('connecting');
        session = await openSession(this.#account, await this.#opts.password(), this.#opts);
        attempt = 0;
        this.#setState('syncing');
        await this.#pass(session);
        for (;;) {
          const watched = this.#watchedMailboxId();
          // New mail's text is cached before idling (the prefetch selects other folders: then the
          // watched one is synced again, which leaves it selected for IDLE and catches anything newer).
          if (watched !== null && (await this.#syncOne(session, watched)) > 0 && this.#opts.afterPass) {
            await this.#opts.afterPass(session);
            continue;
          }
          this.#setState('idle');
          // IDLE runs until the next command: imapflow sends DONE before it (its preCheck).
          if (watched !== null) void session.client.idle().catch(() => undefined);
          const reason = await this.#wait(poll, session);
          if (reason === 'stop' || reason === 'wake') break;
          if (reason === 'closed') throw new TegamiError({ code: 'NETWORK', message: 'The server closed the connection.' });
          this.#setState('syncing');
          if (reason === 'poll' || reason === 'request') await this.#pass(session);
        }
      } catch (error) {
        const info = (error instanceof TegamiError ? error : classifyImapError(error, this.#account)).info;
        if (this.#stopped) break;
        if (info.code === 'AUTH_FAILED') {
          this.#setState('auth-failed', { error: info });
          const reason = await this.#wait(24 * 3600_000);
          if (reason === 'stop') break;
          continue;
        }
        const delay = backoffDelay(attempt++, initialMs, maxMs);
        this.#setState('offline', { error: info, retryAt: new Date(Date.now() + delay).toISOString() });
        const reason = await this.#wait(delay);
        if (reason === 'stop') break;
      } finally {
        if (session) await session.logout();
      }
    }
  }

  async #pass(session: ImapSession): Promise<void> {
    this.#opts.onPass?.(await syncAccountWith(session, this.#account, this.#opts));
    await this.#opts.afterPass?.(session);
  }

  /** Syncs one mailbox (leaving it selected); returns how many messages were added. */
  async #syncOne(session: ImapSession, mailboxId: number): Promise<number> {
    const { changes } = await syncMailbox(session, this.#opts.messages, mailboxId, {
      ...(this.#opts.onChanges ? { onBatch: this.#opts.onChanges } : {}),
    });
    if (changes.changed.length || changes.removed.length || changes.reset) this.#opts.onChanges?.({ ...changes, added: [] });
    if (changes.added.length || changes.changed.length || changes.removed.length) this.#opts.onFoldersChanged?.();
    return changes.added.length;
  }
}
