import type { AccountRecord, Store } from '../db/store.js';
import type { OpenOptions } from '../imap/connect.js';
import type { ImapSession } from '../imap/session.js';
import { openSession } from './account.js';

export type WithSession = <T>(accountId: number, fn: (session: ImapSession) => Promise<T>) => Promise<T>;

interface Slot {
  session: Promise<ImapSession> | null;
  queue: Promise<unknown>;
  timer: NodeJS.Timeout | null;
}

/**
 * The second connection of each account (DESIGN.md 4): user requests (a part the user clicked,
 * a server search) run on it, one at a time, so they never wait behind a bulk header fetch on the
 * sync connection. It is opened on first use, reused while requests keep coming, logged out after
 * `idleMs` without one, and rebuilt (a new imapflow client) when it broke.
 */
export class UserSessions {
  readonly #slots = new Map<number, Slot>();
  readonly #store: Store;
  readonly #passwordOf: (account: AccountRecord) => Promise<string>;
  readonly #opts: OpenOptions;
  readonly #idleMs: number;

  constructor(store: Store, passwordOf: (account: AccountRecord) => Promise<string>, opts: OpenOptions = {}, idleMs = 60_000) {
    this.#store = store;
    this.#passwordOf = passwordOf;
    this.#opts = opts;
    this.#idleMs = idleMs;
  }

  readonly withSession: WithSession = (accountId, fn) => {
    const slot = this.#slots.get(accountId) ?? { session: null, queue: Promise.resolve(), timer: null };
    this.#slots.set(accountId, slot);
    const run = slot.queue.then(async () => {
      if (slot.timer) clearTimeout(slot.timer);
      const session = await this.#session(accountId, slot);
      try {
        return await fn(session);
      } finally {
        if (!session.usable) slot.session = null;
        slot.timer = setTimeout(() => void this.#close(accountId), this.#idleMs);
        slot.timer.unref();
      }
    });
    slot.queue = run.catch(() => undefined);
    return run;
  };

  async #session(accountId: number, slot: Slot): Promise<ImapSession> {
    const current = slot.session ? await slot.session.catch(() => null) : null;
    if (current?.usable) return current;
    const account = this.#store.getAccount(accountId);
    slot.session = (async () => openSession(account, await this.#passwordOf(account), this.#opts))();
    slot.session.catch(() => {
      slot.session = null;
    });
    return slot.session;
  }

  async #close(accountId: number): Promise<void> {
    const slot = this.#slots.get(accountId);
    if (!slot) return;
    this.#slots.delete(accountId);
    if (slot.timer) clearTimeout(slot.timer);
    await slot.queue;
    const session = slot.session ? await slot.session.catch(() => null) : null;
    await session?.logout();
  }

  /** Logs out of one account's user connection (account removed). */
  forget(accountId: number): Promise<void> {
    return this.#close(accountId);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#slots.keys()].map((id) => this.#close(id)));
  }
}
