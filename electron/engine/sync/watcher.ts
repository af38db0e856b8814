import { TegamiError, type ErrorInfo } from '../../../shared/domain/errors.js';
import type { MessageStore } from '../db/messages.js';
import type { AccountRecord } from '../db/store.js';
import { classifyImapError } from '../imap/connect.js';
import type { ImapSession } from '../imap/session.js';
import { openSession } from './account.js';
import { syncAndReport, type MailboxChanges } from './mailbox.js';
import { backoffDelay, waitForWake } from './wake.js';

export interface WatcherOptions {
  messages: MessageStore;
  password: () => Promise<string>;
  onAlert?: (message: string) => void;
  onChanges?: (changes: MailboxChanges) => void;
  onFoldersChanged?: () => void;
  /** New mail was stored in the watched folder: the sync connection caches its text. */
  onNewMail?: () => void;
  /**
   * The watched folder cannot be synced (deleted elsewhere, refused by the server, gone from the
   * store): the watch waits for the next watch(). The runner then lists the folders again.
   */
  onRefused?: (error: ErrorInfo) => void;
  /** How often the watched folder is synced even without a push (IDLE can die silently). */
  pollIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * Push for the folder the user has open, when it is not the one the sync connection idles on
 * (INBOX): a connection of its own that selects that folder, syncs it, and IDLEs (RFC 2177) until
 * the server reports a change, so mail another device files or flags there shows within a second
 * instead of at the next poll. One folder at a time: `watch()` moves it to another one (the IDLE is
 * ended by the next SELECT) or, with null, logs out. A broken connection is rebuilt after a backoff;
 * a wrong password or a folder the server refuses waits for the next `watch()` rather than retrying.
 * Syncs of the same mailbox from other connections are serialized by syncMailbox.
 */
export class FolderWatcher {
  readonly #account: AccountRecord;
  readonly #opts: WatcherOptions;
  #target: number | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  readonly #wake = waitForWake();

  constructor(account: AccountRecord, opts: WatcherOptions) {
    this.#account = account;
    this.#opts = opts;
  }

  /** The mailbox watched now (null: none, no connection). */
  get watching(): number | null {
    return this.#target;
  }

  watch(mailboxId: number | null): void {
    if (mailboxId === this.#target) return;
    this.#target = mailboxId;
    this.#stopped = false;
    this.#wake.poke('request');
    this.#ensureLoop();
  }

  #ensureLoop(): void {
    if (this.#running || this.#target === null || this.#stopped) return;
    this.#running = this.#loop().finally(() => {
      this.#running = null;
      // watch() called while the loop was ending (it had seen no target) starts it again.
      this.#ensureLoop();
    });
  }

  /** After sleep or a network change: reconnect now instead of at the end of a backoff. */
  wake(): void {
    if (this.#running) this.#wake.poke('wake');
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#target = null;
    this.#wake.poke('stop');
    await this.#running;
  }

  async #loop(): Promise<void> {
    const { initialMs, maxMs } = this.#opts.backoff ?? { initialMs: 1000, maxMs: 5 * 60_000 };
    const poll = this.#opts.pollIntervalMs ?? 120_000;
    let attempt = 0;
    while (!this.#stopped && this.#target !== null) {
      let session: ImapSession | null = null;
      try {
        session = await openSession(this.#account, await this.#opts.password(), {
          ...(this.#opts.onAlert ? { onAlert: this.#opts.onAlert } : {}),
        });
        attempt = 0;
        for (let target = this.#target; target !== null && !this.#stopped; target = this.#target) {
          const refused = await this.#syncWatched(session, target);
          if (refused) {
            // Gone (deleted elsewhere, or from the store): nothing to idle on until the user opens
            // another folder. Refused by the server otherwise (NO): tried again at the next poll.
            // The connection stays either way.
            const reason = await this.#wake.wait(refused.code === 'SERVER_ERROR' ? poll : 24 * 3600_000);
            if (reason === 'stop') break;
            continue;
          }
          // IDLE runs until the next command: imapflow sends DONE before it (its preCheck).
          void session.client.idle().catch(() => undefined);
          const reason = await this.#wake.wait(poll, session);
          if (reason === 'stop' || reason === 'wake') break;
          if (reason === 'closed') throw new TegamiError({ code: 'NETWORK', message: 'The server closed the connection.' });
        }
      } catch (error) {
        if (this.#stopped) break;
        const info = classifyImapError(error, this.#account).info;
        // A wrong password is not tried again (that could lock the account): the sync connection
        // reports it, and the next watch() starts over.
        const reason = await this.#wake.wait(info.code === 'AUTH_FAILED' ? 24 * 3600_000 : backoffDelay(attempt++, initialMs, maxMs));
        if (reason === 'stop') break;
      } finally {
        if (session) await session.logout();
      }
    }
  }

  /** Syncs the watched mailbox, leaving it selected; the error when it was refused (the connection still works). */
  async #syncWatched(session: ImapSession, mailboxId: number): Promise<ErrorInfo | null> {
    let added: number;
    try {
      added = (await syncAndReport(session, this.#opts.messages, mailboxId, this.#opts)).added.length;
    } catch (error) {
      if (!session.usable) throw error;
      const info = classifyImapError(error, this.#account).info;
      this.#opts.onRefused?.(info);
      return info;
    }
    if (added) this.#opts.onNewMail?.();
    return null;
  }
}
