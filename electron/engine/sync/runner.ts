import { TegamiError, type ErrorInfo } from '../../../shared/domain/errors.js';
import type { AccountRecord } from '../db/store.js';
import { classifyImapError } from '../imap/connect.js';
import type { ImapSession } from '../imap/session.js';
import { openSession, syncAccountWith, type AccountSyncDeps, type AccountSyncReport } from './account.js';
import { syncAndReport } from './mailbox.js';
import { backoffDelay, waitForWake } from './wake.js';
import { FolderWatcher } from './watcher.js';

/** 'paused': the user chose to work offline (SyncManager.setOffline); no runner runs then. */
export type ConnectionState = 'connecting' | 'syncing' | 'idle' | 'offline' | 'auth-failed' | 'stopped' | 'paused';

export interface RunnerOptions extends AccountSyncDeps {
  password: () => Promise<string>;
  onState?: (state: ConnectionState, detail: { error?: ErrorInfo; retryAt?: string }) => void;
  onPass?: (report: AccountSyncReport) => void;
  /** How often the other folders are checked (LIST-STATUS) while INBOX idles. */
  pollIntervalMs?: number;
  /** Reconnect backoff: first delay and cap. */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * Runs after each full pass on the sync connection, before IDLE (bodies prefetch), and after new
   * mail arrived in the watched folder, so that mail reads offline at once, not after the next poll.
   */
  afterPass?: (session: ImapSession) => Promise<void>;
}

export { backoffDelay } from './wake.js';

/**
 * Keeps one account's mirror current: one long-lived connection that runs a full pass, then IDLEs
 * (RFC 2177) on INBOX and re-syncs it as soon as the server reports a change, checks the other
 * folders every pollIntervalMs with LIST-STATUS, and on any connection loss builds a new imapflow
 * client after an exponential backoff (imapflow instances are single use). A wrong password stops
 * the retries until wake() — hammering would lock the account. The folder the user has open, when
 * it is not INBOX, gets push too: a FolderWatcher idles on it on a connection of its own (watch()).
 */
export class AccountRunner {
  readonly #account: AccountRecord;
  readonly #opts: RunnerOptions;
  #running: Promise<void> | null = null;
  #stopped = false;
  readonly #wake = waitForWake();
  #state: ConnectionState = 'stopped';
  readonly #watcher: FolderWatcher;

  constructor(account: AccountRecord, opts: RunnerOptions) {
    this.#account = account;
    this.#opts = opts;
    const { messages, password, onAlert, onChanges, onFoldersChanged, pollIntervalMs, backoff } = opts;
    this.#watcher = new FolderWatcher(account, {
      messages,
      password,
      ...(onAlert ? { onAlert } : {}),
      ...(onChanges ? { onChanges } : {}),
      ...(onFoldersChanged ? { onFoldersChanged } : {}),
      ...(pollIntervalMs ? { pollIntervalMs } : {}),
      ...(backoff ? { backoff } : {}),
      // Its text is cached by the sync connection, which does all of the prefetching.
      onNewMail: () => this.#wake.poke('prefetch'),
      // The open folder was deleted elsewhere (or is refused): a pass lists the folders again, so
      // the UI learns it is gone now rather than at the next poll.
      onRefused: () => this.#wake.poke('request'),
    });
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
    this.#wake.poke('wake');
    this.#watcher.wake();
  }

  /** Run a full pass as soon as possible (the user pressed "check mail"). */
  requestPass(): void {
    this.#wake.poke('request');
  }

  /**
   * The folder the user has open (null: none). Unless it is the one the sync connection idles on
   * (INBOX), a second connection idles on it; returns whether one does.
   */
  watch(mailboxId: number | null): boolean {
    const own = mailboxId !== null && mailboxId === this.#idledMailboxId();
    this.#watcher.watch(own ? null : mailboxId);
    return this.#watcher.watching !== null;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.poke('stop');
    await Promise.all([this.#running, this.#watcher.stop()]);
    this.#setState('stopped');
  }

  #setState(state: ConnectionState, detail: { error?: ErrorInfo; retryAt?: string } = {}): void {
    this.#state = state;
    this.#opts.onState?.(state, detail);
  }

  /** The mailbox the sync connection idles on: INBOX. */
  #idledMailboxId(): number | null {
    return this.#opts.store.listMailboxes(this.#account.id).find((m) => m.role === 'inbox')?.id ?? null;
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
          const watched = this.#idledMailboxId();
          // New mail's text is cached before idling (the prefetch selects other folders: then the
          // watched one is synced again, which leaves it selected for IDLE and catches anything newer).
          if (watched !== null && (await this.#syncOne(session, watched)) > 0 && this.#opts.afterPass) {
            await this.#opts.afterPass(session);
            continue;
          }
          this.#setState('idle');
          // IDLE runs until the next command: imapflow sends DONE before it (its preCheck).
          if (watched !== null) void session.client.idle().catch(() => undefined);
          const reason = await this.#wake.wait(poll, session);
          if (reason === 'stop' || reason === 'wake') break;
          if (reason === 'closed') throw new TegamiError({ code: 'NETWORK', message: 'The server closed the connection.' });
          this.#setState('syncing');
          if (reason === 'poll' || reason === 'request') await this.#pass(session);
          // New mail in the folder the watcher idles on: its text, like INBOX's, is cached at once.
          else if (reason === 'prefetch') await this.#opts.afterPass?.(session);
        }
      } catch (error) {
        const info = (error instanceof TegamiError ? error : classifyImapError(error, this.#account)).info;
        if (this.#stopped) break;
        if (info.code === 'AUTH_FAILED') {
          this.#setState('auth-failed', { error: info });
          if ((await this.#sleep(24 * 3600_000)) === 'stop') break;
          continue;
        }
        const delay = backoffDelay(attempt++, initialMs, maxMs);
        this.#setState('offline', { error: info, retryAt: new Date(Date.now() + delay).toISOString() });
        if ((await this.#sleep(delay)) === 'stop') break;
      } finally {
        if (session) await session.logout();
      }
    }
  }

  /**
   * Waits out a backoff (or, after a wrong password, a day) until stop() or wake(). Requests for a
   * pass or a prefetch do not cut it short: the pass that follows the reconnect does both.
   */
  async #sleep(ms: number): Promise<'stop' | 'wake' | 'poll'> {
    const until = Date.now() + ms;
    for (;;) {
      const reason = await this.#wake.wait(Math.max(0, until - Date.now()));
      if (reason === 'stop' || reason === 'wake' || reason === 'poll') return reason;
    }
  }

  async #pass(session: ImapSession): Promise<void> {
    this.#opts.onPass?.(await syncAccountWith(session, this.#account, this.#opts));
    await this.#opts.afterPass?.(session);
  }

  /** Syncs one mailbox (leaving it selected); returns how many messages were added. */
  async #syncOne(session: ImapSession, mailboxId: number): Promise<number> {
    return (await syncAndReport(session, this.#opts.messages, mailboxId, this.#opts)).added.length;
  }
}
