import { TegamiError } from '../../../shared/domain/errors.js';
import { isSqliteError, storageError } from '../db/database.js';
import type { MessageStore } from '../db/messages.js';
import type { OfflineWindow } from '../db/parts.js';
import type { AccountRecord, Store } from '../db/store.js';
import { openImap, type ImapTarget, type OpenOptions } from '../imap/connect.js';
import { fetchFolderList } from '../imap/folders.js';
import { ImapSession } from '../imap/session.js';
import { syncMailbox, unchangedSince, type MailboxChanges, type SyncMethod } from './mailbox.js';

export interface MailboxReport {
  path: string;
  method: SyncMethod;
  added: number;
  changed: number;
  removed: number;
  reset: boolean;
  error?: string;
}

export interface AccountSyncReport {
  accountId: number;
  mailboxes: MailboxReport[];
  warnings: string[];
}

export interface AccountSyncDeps {
  /** Replays the account's offline queue; runs first, before anything is pulled (RFC 4549 3). */
  replay?: (session: ImapSession) => Promise<void>;
  store: Store;
  messages: MessageStore;
  onAlert?: (message: string) => void;
  onChanges?: (changes: MailboxChanges) => void;
  onFoldersChanged?: () => void;
  onProgress?: (p: { accountId: number; path: string; done: number; total: number }) => void;
  extensions?: OpenOptions['extensions'];
  /**
   * The account's offline window, read at each pass: new mail in it that is small is mirrored whole
   * during the header pass (sync/mirror.ts). Absent: header rows only; the body prefetch caches text.
   */
  offlineWindow?: () => OfflineWindow;
}

const DAY = 86_400_000;

export const targetOf = (a: AccountRecord): ImapTarget => ({
  host: a.host,
  port: a.port,
  security: a.security,
  user: a.user,
  trustedCertificate: a.trustedCertificate,
  trustedCertificatePem: a.trustedCertificatePem,
});

/** Folders in the order a person wants them current: INBOX, then the rest of their own, then shared. */
export const syncOrder = (a: { path: string; namespace: string; role: string | null }, b: typeof a) => {
  const rank = (m: typeof a) => (m.role === 'inbox' ? 0 : m.namespace === 'personal' ? 1 : 2);
  return rank(a) - rank(b) || a.path.localeCompare(b.path);
};

/**
 * One full pass over an account: the folder list (LIST with LIST-STATUS, NAMESPACE), then every
 * selectable folder whose STATUS shows a change. A folder the server refuses (permissions, deleted
 * meanwhile) is reported and skipped; a lost connection ends the pass with an error, and the next
 * pass resumes where this one stopped.
 */
export async function syncAccount(account: AccountRecord, password: string, deps: AccountSyncDeps): Promise<AccountSyncReport> {
  const session = await openSession(account, password, deps);
  try {
    return await syncAccountWith(session, account, deps);
  } finally {
    await session.logout();
  }
}

export async function openSession(
  account: AccountRecord,
  password: string,
  opts: { onAlert?: (message: string) => void; extensions?: OpenOptions['extensions']; without?: string[] } = {},
): Promise<ImapSession> {
  const target = targetOf(account);
  const client = await openImap(target, password, {
    ...(opts.onAlert ? { onAlert: opts.onAlert } : {}),
    ...(opts.extensions ? { extensions: opts.extensions } : {}),
  });
  return new ImapSession(client, target, opts.without ?? []);
}

/**
 * The pass itself, on a connection the caller owns (the runner keeps one open for IDLE). A failure
 * of the local store (disk full, read-only, damaged) ends the pass as a STORAGE error: the batch
 * being written is rolled back whole and the folder's sync state is not advanced, so the next pass
 * fetches exactly what is missing.
 */
export async function syncAccountWith(session: ImapSession, account: AccountRecord, deps: AccountSyncDeps): Promise<AccountSyncReport> {
  try {
    return await syncPass(session, account, deps);
  } catch (error) {
    throw isSqliteError(error) ? storageError(error, 'Could not save the mail the server sent') : error;
  }
}

async function syncPass(session: ImapSession, account: AccountRecord, deps: AccountSyncDeps): Promise<AccountSyncReport> {
  const report: AccountSyncReport = { accountId: account.id, mailboxes: [], warnings: [] };
  await deps.replay?.(session);
  const { namespaces, listings, status } = await fetchFolderList(session.client);
  // INBOX always exists (RFC 3501 5.1). A listing without it is incomplete, not a sign that every
  // folder was deleted: keep the local folders (and their mail) rather than drop them.
  if (listings.some((l) => l.path.toUpperCase() === 'INBOX')) {
    deps.store.replaceFolderList(account.id, namespaces, listings, new Date().toISOString());
    deps.onFoldersChanged?.();
  } else {
    report.warnings.push(`The server's folder list had no INBOX (${listings.length} folders); the local folder list was kept.`);
  }
  // QUOTA (RFC 9208) of INBOX's quota root, for the account's storage gauge. A server without
  // QUOTA, or one that refuses it, leaves the last known value.
  const quota = await session.quota('INBOX');
  if (quota) deps.store.setQuota(account.id, { ...quota, at: new Date().toISOString() });
  const window = deps.offlineWindow?.();
  const mirrorSince = window === undefined ? undefined : window === 'all' ? null : new Date(Date.now() - window * DAY);
  const mailboxes = deps.store
    .listMailboxes(account.id)
    .filter((m) => m.selectable)
    .sort(syncOrder);
  for (const mailbox of mailboxes) {
    const st = status.get(mailbox.path);
    if (st && unchangedSince(st, deps.messages.syncState(mailbox.id))) {
      report.mailboxes.push({ path: mailbox.path, method: 'skipped', added: 0, changed: 0, removed: 0, reset: false });
      continue;
    }
    try {
      const { method, changes } = await syncMailbox(session, deps.messages, mailbox.id, {
        onProgress: (p) => deps.onProgress?.({ accountId: account.id, path: p.path, done: p.done, total: p.total }),
        ...(deps.onChanges ? { onBatch: deps.onChanges } : {}),
        // A folder not kept for offline reading gets its headers only.
        ...(mirrorSince === undefined || !mailbox.offline ? {} : { mirrorSince }),
      });
      if (changes.changed.length || changes.removed.length || changes.reset) deps.onChanges?.({ ...changes, added: [] });
      report.mailboxes.push({
        path: mailbox.path,
        method,
        added: changes.added.length,
        changed: changes.changed.length,
        removed: changes.removed.length,
        reset: changes.reset,
      });
    } catch (caught) {
      const error = isSqliteError(caught) ? storageError(caught, `Could not save the mail of “${mailbox.path}”`) : caught;
      // A NO for one folder (no permission, deleted by another client since the LIST) must not
      // stop the rest; a dead connection must.
      const skippable = error instanceof TegamiError && (error.code === 'SERVER_ERROR' || error.code === 'NOT_FOUND');
      if (!skippable || !session.usable) throw error;
      report.mailboxes.push({
        path: mailbox.path,
        method: 'skipped',
        added: 0,
        changed: 0,
        removed: 0,
        reset: false,
        error: error.message,
      });
    }
  }
  deps.onFoldersChanged?.();
  return report;
}
