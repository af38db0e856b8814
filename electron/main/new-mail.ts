/**
 * Watches the engine's events for new mail in every account's INBOX: a desktop notification
 * (batched: "3 new messages"; quiet while Tegami is focused) and the unread count for the dock or
 * taskbar badge and the tray. It only reads through the engine's contract requests, so it runs
 * against a fake engine in tests; Electron's Notification, badge and tray are wired in main.ts.
 *
 * What counts as new: added to an INBOX (not a reset after UIDVALIDITY changed), still unread, and
 * received (INTERNALDATE) after Tegami started — so the first sync of an account or mail that came
 * while Tegami was closed does not ring.
 */
import type { Result } from '../../shared/domain/errors.js';
import type { RequestName } from '../../shared/ipc/contract.js';

export interface NewMailNotice {
  title: string;
  body: string;
  mailboxId: number;
  /** The message to open on click when there is exactly one. */
  messageId: number | null;
}

export interface MailWatcherOptions {
  invoke: (name: RequestName, input: unknown) => Promise<Result<unknown>>;
  isAppFocused: () => boolean;
  notify: (notice: NewMailNotice) => void;
  onUnreadCount: (count: number) => void;
  /** New mail within this window makes one notification. */
  batchMs?: number;
  /** Re-reading the folder list (for unread counts) is coalesced over this window. */
  refreshMs?: number;
  /** When Tegami started (ms since the epoch); mail received earlier does not notify. */
  startedAt?: number;
  /** At most this many messages are read for one notification. */
  maxLookups?: number;
}

interface InboxInfo {
  accountId: number;
  unread: number;
}

interface Summary {
  id: number;
  mailboxId: number;
  seen: boolean;
  subject: string;
  from: { name: string; address: string } | null;
  date: string;
}

/** The words of a notification for these new messages (newest first). */
export function newMailNotice(messages: readonly Summary[], count = messages.length): Omit<NewMailNotice, 'mailboxId' | 'messageId'> {
  const [first] = messages;
  if (count === 1 && first !== undefined) {
    const sender = first.from === null ? 'New message' : first.from.name.trim() || first.from.address;
    return { title: sender, body: first.subject.trim() || '(no subject)' };
  }
  const senders = [...new Set(messages.map((m) => (m.from === null ? '' : m.from.name.trim() || m.from.address)).filter((s) => s !== ''))];
  const shown = senders.slice(0, 2).join(', ');
  const body = senders.length === 0 ? '' : senders.length > 2 ? `From ${shown} and others` : `From ${shown}`;
  return { title: `${count} new messages`, body };
}

export class MailWatcher {
  readonly #o: Required<Omit<MailWatcherOptions, 'startedAt'>> & { startedAt: number };
  readonly #inboxes = new Map<number, InboxInfo>();
  #unread = -1;
  #pending: number[] = [];
  #batchTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshAccounts = new Set<number>();
  #refreshAll = false;
  #stopped = false;

  constructor(options: MailWatcherOptions) {
    this.#o = { batchMs: 2000, refreshMs: 1000, maxLookups: 50, startedAt: Date.now(), ...options };
  }

  /** Feed every engine event here. */
  handleEvent(name: string, payload: unknown): void {
    if (this.#stopped) return;
    const p = payload as Record<string, unknown>;
    if (name === 'accounts.changed') this.#scheduleRefresh(null);
    else if (name === 'mailboxes.changed' && typeof p['accountId'] === 'number') this.#scheduleRefresh(p['accountId']);
    else if (name === 'messages.changed' && typeof p['mailboxId'] === 'number') {
      const inbox = this.#inboxes.get(p['mailboxId']);
      if (inbox === undefined) return;
      this.#scheduleRefresh(inbox.accountId); // unread count
      const added = Array.isArray(p['added']) ? p['added'].filter((id): id is number => typeof id === 'number') : [];
      if (p['reset'] === true || added.length === 0) return;
      this.#pending.push(...added);
      this.#batchTimer ??= setTimeout(() => {
        this.#batchTimer = null;
        void this.#flush();
      }, this.#o.batchMs);
    }
  }

  /** Reads every account's INBOX (at start, and after accounts change). */
  async refreshAll(): Promise<void> {
    const accounts = await this.#o.invoke('accounts.list', {});
    if (!accounts.ok || !Array.isArray(accounts.value)) return;
    const ids = accounts.value.map((a: { id?: unknown }) => a.id).filter((id): id is number => typeof id === 'number');
    for (const [mailboxId, inbox] of this.#inboxes) if (!ids.includes(inbox.accountId)) this.#inboxes.delete(mailboxId);
    await Promise.all(ids.map((id) => this.#refreshAccount(id)));
    this.#publishUnread();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#batchTimer !== null) clearTimeout(this.#batchTimer);
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
  }

  get unread(): number {
    return Math.max(0, this.#unread);
  }

  async #refreshAccount(accountId: number): Promise<void> {
    const result = await this.#o.invoke('mailboxes.list', { accountId });
    if (!result.ok) return;
    const mailboxes = (
      result.value as { mailboxes?: Array<{ id: number; accountId: number; role: string | null; path: string; unread: number | null }> }
    ).mailboxes;
    if (!Array.isArray(mailboxes)) return;
    for (const [mailboxId, inbox] of this.#inboxes) if (inbox.accountId === accountId) this.#inboxes.delete(mailboxId);
    for (const m of mailboxes) {
      // RFC 3501 5.1: INBOX is case-insensitive.
      if (m.role === 'inbox' || m.path.toUpperCase() === 'INBOX') this.#inboxes.set(m.id, { accountId, unread: m.unread ?? 0 });
    }
  }

  #scheduleRefresh(accountId: number | null): void {
    if (accountId === null) this.#refreshAll = true;
    else this.#refreshAccounts.add(accountId);
    this.#refreshTimer ??= setTimeout(() => {
      this.#refreshTimer = null;
      const all = this.#refreshAll;
      const accounts = [...this.#refreshAccounts];
      this.#refreshAll = false;
      this.#refreshAccounts.clear();
      const done = all ? this.refreshAll() : Promise.all(accounts.map((id) => this.#refreshAccount(id))).then(() => this.#publishUnread());
      done.catch((error: unknown) => console.error('tegami: reading unread counts failed', error));
    }, this.#o.refreshMs);
  }

  #publishUnread(): void {
    let total = 0;
    for (const inbox of this.#inboxes.values()) total += inbox.unread;
    if (total === this.#unread) return;
    this.#unread = total;
    this.#o.onUnreadCount(total);
  }

  async #flush(): Promise<void> {
    const ids = [...new Set(this.#pending)].sort((a, b) => b - a);
    this.#pending = [];
    if (this.#stopped || ids.length === 0 || this.#o.isAppFocused()) return; // quiet while the user is looking
    const looked = ids.slice(0, this.#o.maxLookups);
    const found: Summary[] = [];
    for (const id of looked) {
      const result = await this.#o.invoke('messages.get', { id });
      if (result.ok) found.push((result.value as { summary: Summary }).summary);
    }
    const fresh = found
      .filter((m) => !m.seen && this.#inboxes.has(m.mailboxId) && Date.parse(m.date) >= this.#o.startedAt)
      .sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
    if (fresh.length === 0) return;
    // Beyond the messages read, assume the rest is like them only when every one read was new.
    const count = fresh.length + (fresh.length === looked.length ? ids.length - looked.length : 0);
    const [newest] = fresh;
    if (newest === undefined || this.#o.isAppFocused()) return;
    this.#o.notify({ ...newMailNotice(fresh, count), mailboxId: newest.mailboxId, messageId: count === 1 ? newest.id : null });
  }
}
