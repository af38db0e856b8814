import type { ErrorInfo } from '../../../shared/domain/errors.js';
import type { EventName, EventPayload } from '../../../shared/ipc/contract.js';
import type { CredentialStore } from '../credentials.js';
import type { OfflineWindow } from '../db/parts.js';
import type { MessageStore } from '../db/messages.js';
import type { AccountRecord, Store } from '../db/store.js';
import { TegamiError } from '../../../shared/domain/errors.js';
import type { ImapSession } from '../imap/session.js';
import { AccountRunner, type ConnectionState } from './runner.js';

export interface AccountSyncState {
  accountId: number;
  state: ConnectionState;
  error: ErrorInfo | null;
  retryAt: string | null;
}

export interface SyncManagerDeps {
  store: Store;
  messages: MessageStore;
  credentials: CredentialStore;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  pollIntervalMs?: number;
  /** Before each pass, on the sync connection: the offline queue. */
  replay?: (accountId: number, session: ImapSession) => Promise<void>;
  /** After each full pass, on the sync connection (bodies prefetch). */
  afterPass?: (accountId: number, session: ImapSession) => Promise<void>;
  /** The account's offline window (the mirror, AccountSyncDeps.offlineWindow). */
  offlineWindow?: (accountId: number) => OfflineWindow;
}

/**
 * Background sync for the hosts that stay open (desktop app, browser mode, `cli sync`): one
 * AccountRunner per account, started with the engine or when an account is added, stopped (with
 * LOGOUT) when it is removed or the engine closes. Each state change goes to the UI as an event.
 */
export class SyncManager {
  readonly #deps: SyncManagerDeps;
  readonly #runners = new Map<number, AccountRunner>();
  readonly #states = new Map<number, AccountSyncState>();
  #enabled = false;
  /** The user chose to work offline (Store.workingOffline): no runner runs, each account is 'paused'. */
  #offline: boolean;
  /** The folder the user has open (one at a time, in any account). */
  #open: { accountId: number; path: string } | null = null;

  constructor(deps: SyncManagerDeps) {
    this.#deps = deps;
    this.#offline = deps.store.workingOffline;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  get offline(): boolean {
    return this.#offline;
  }

  start(): void {
    this.#enabled = true;
    for (const account of this.#deps.store.listAccounts()) this.ensure(account);
  }

  /**
   * Work offline (true): every connection is logged out and none is made until the user goes
   * online again; changes queue as they do without a network. Kept in the profile. Online (false):
   * the accounts connect, replay their queues and sync at once.
   */
  async setOffline(offline: boolean): Promise<void> {
    if (offline === this.#offline) return;
    this.#offline = offline;
    this.#deps.store.workingOffline = offline;
    this.#deps.emit('sync.offline', { offline });
    if (offline) {
      const runners = [...this.#runners.values()];
      this.#runners.clear();
      await Promise.all(runners.map((r) => r.stop()));
      // Each account says so (its runner's last word, 'stopped', was not passed on: it had left the
      // map). Unless the user went online again meanwhile: then new runners report for themselves.
      if (this.#offline) for (const account of this.#deps.store.listAccounts()) this.#setState(account.id, 'paused');
    } else if (this.#enabled) {
      for (const account of this.#deps.store.listAccounts()) this.ensure(account);
    } else {
      // No background sync (the CLI): nothing connects by itself, as before working offline.
      for (const account of this.#deps.store.listAccounts()) this.#states.delete(account.id);
    }
  }

  #setState(accountId: number, state: ConnectionState, detail: { error?: ErrorInfo; retryAt?: string } = {}): void {
    const s: AccountSyncState = { accountId, state, error: detail.error ?? null, retryAt: detail.retryAt ?? null };
    this.#states.set(accountId, s);
    this.#deps.emit('sync.state', s);
  }

  ensure(account: AccountRecord): void {
    if (this.#offline) {
      if (!this.#runners.has(account.id)) this.#setState(account.id, 'paused');
      return;
    }
    if (!this.#enabled || this.#runners.has(account.id)) return;
    const { store, messages, credentials, emit } = this.#deps;
    const runner = new AccountRunner(account, {
      store,
      messages,
      password: async () => {
        const password = await credentials.get(account.id);
        if (password === null) throw new TegamiError({ code: 'AUTH_FAILED', message: `No password is saved for ${account.name}.` });
        return password;
      },
      onAlert: (message) => emit('server.alert', { accountId: account.id, message }),
      onChanges: (c) => emit('messages.changed', c),
      onFoldersChanged: () => emit('mailboxes.changed', { accountId: account.id }),
      onProgress: (p) => emit('sync.progress', p),
      onPass: () => emit('accounts.changed', {}), // the quota may have changed
      onState: (state, detail) => {
        // A runner stopped for working offline reports 'stopped' last: the account is 'paused'.
        if (this.#runners.get(account.id) === runner) this.#setState(account.id, state, detail);
      },
      ...(this.#deps.pollIntervalMs ? { pollIntervalMs: this.#deps.pollIntervalMs } : {}),
      ...(this.#deps.replay ? { replay: (session: ImapSession) => this.#deps.replay!(account.id, session) } : {}),
      ...(this.#deps.offlineWindow ? { offlineWindow: () => this.#deps.offlineWindow!(account.id) } : {}),
      ...(this.#deps.afterPass ? { afterPass: (session: ImapSession) => this.#deps.afterPass!(account.id, session) } : {}),
    });
    this.#runners.set(account.id, runner);
    runner.start();
    if (this.#open?.accountId === account.id) runner.watch(this.#openMailboxId());
  }

  /**
   * The user opened a folder (null path: none): it gets push from the server. INBOX already has it
   * (the sync connection idles there); any other folder gets a connection that idles on it, and the
   * folder opened before (in this account or another) loses its. Returns whether a second
   * connection watches it; false too when background sync is off (the CLI's one-shot commands).
   */
  watch(accountId: number, path: string | null): boolean {
    this.#open = path === null ? null : { accountId, path };
    let watched = false;
    for (const [id, runner] of this.#runners) {
      if (id === accountId) watched = runner.watch(this.#openMailboxId());
      else runner.watch(null);
    }
    return watched;
  }

  #openMailboxId(): number | null {
    const open = this.#open;
    if (!open) return null;
    return this.#deps.store.listMailboxes(open.accountId).find((m) => m.path === open.path && m.selectable)?.id ?? null;
  }

  async remove(accountId: number): Promise<void> {
    const runner = this.#runners.get(accountId);
    this.#runners.delete(accountId);
    this.#states.delete(accountId);
    await runner?.stop();
  }

  /** A pass on another connection just worked: a runner waiting out its backoff reconnects now. */
  reachable(accountId: number): void {
    const state = this.#states.get(accountId)?.state;
    if (state === 'offline' || state === 'auth-failed') this.#runners.get(accountId)?.wake();
  }

  /** Something was queued: replay it soon (a no-op while offline; the runner retries on reconnect). */
  kick(accountId: number): void {
    this.#runners.get(accountId)?.requestPass();
  }

  /** After sleep or a network change: every account reconnects now. */
  wake(): void {
    for (const runner of this.#runners.values()) runner.wake();
  }

  status(): AccountSyncState[] {
    return this.#deps.store.listAccounts().map(
      (a) =>
        this.#states.get(a.id) ?? {
          accountId: a.id,
          state: this.#offline ? 'paused' : this.#enabled ? 'connecting' : 'stopped',
          error: null,
          retryAt: null,
        },
    );
  }

  async stop(): Promise<void> {
    this.#enabled = false;
    this.#open = null;
    await Promise.all([...this.#runners.values()].map((r) => r.stop()));
    this.#runners.clear();
  }
}
