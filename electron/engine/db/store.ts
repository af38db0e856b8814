import { DEFAULT_WHOLE_BELOW, Quota, type Account, type Security } from '../../../shared/domain/account.js';
import type { Mailbox, MailboxRole, Namespace, NamespaceKind } from '../../../shared/domain/mailbox.js';
import { TegamiError } from '../../../shared/domain/errors.js';
import type { Db } from './database.js';
import { keptOffline, offlineWindowOf } from './parts.js';

/** Everything the engine knows of an account, including what never leaves the main side. */
export interface AccountRecord extends Account {
  trustedCertificatePem: string | null;
  foldersRefreshedAt: string | null;
}

export interface NewAccount {
  name: string;
  email: string;
  user: string;
  host: string;
  port: number;
  security: Security;
  trustedCertificate: string | null;
  trustedCertificatePem: string | null;
}

/** A folder as the server listed it, before it has a local id. */
export interface MailboxListing {
  path: string;
  name: string;
  parentPath: string | null;
  delimiter: string | null;
  role: MailboxRole | null;
  namespace: NamespaceKind;
  subscribed: boolean;
  selectable: boolean;
  attributes: string[];
  total: number | null;
  unread: number | null;
  /** From LIST-STATUS/STATUS when known: lets a rename be told from a delete plus a create. */
  uidvalidity?: number | null;
}

interface AccountRow {
  id: number;
  name: string;
  email: string;
  user: string;
  host: string;
  port: number;
  security: Security;
  trusted_cert_fingerprint: string | null;
  trusted_cert_pem: string | null;
  created_at: string;
  folders_refreshed_at: string | null;
  quota: string | null;
  offline_window_days: number | null;
  whole_below: number | null;
}

interface MailboxRow {
  id: number;
  account_id: number;
  path: string;
  name: string;
  parent_path: string | null;
  delimiter: string | null;
  role: MailboxRole | null;
  namespace: NamespaceKind;
  subscribed: number;
  selectable: number;
  attributes: string;
  total: number | null;
  unread: number | null;
  uidvalidity: number | null;
  readonly: number;
  permanent_flags: string | null;
  offline: number | null;
}

const toAccount = (row: AccountRow): AccountRecord => ({
  id: row.id,
  name: row.name,
  email: row.email,
  user: row.user,
  host: row.host,
  port: row.port,
  security: row.security,
  trustedCertificate: row.trusted_cert_fingerprint,
  trustedCertificatePem: row.trusted_cert_pem,
  createdAt: row.created_at,
  foldersRefreshedAt: row.folders_refreshed_at,
  quota: parseQuota(row.quota),
  offlineWindow: offlineWindowOf(row.offline_window_days),
  wholeBelow: row.whole_below ?? DEFAULT_WHOLE_BELOW,
});

/** The stored JSON, or null when there is none or it does not parse (a store written by a bug must not break the account list). */
function parseQuota(json: string | null): Quota | null {
  if (json === null) return null;
  try {
    const parsed = Quota.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const toMailbox = (row: MailboxRow): Mailbox => ({
  id: row.id,
  accountId: row.account_id,
  path: row.path,
  name: row.name,
  parentPath: row.parent_path,
  delimiter: row.delimiter,
  role: row.role,
  namespace: row.namespace,
  subscribed: row.subscribed === 1,
  selectable: row.selectable === 1,
  attributes: JSON.parse(row.attributes) as string[],
  total: row.total,
  unread: row.unread,
  uidvalidity: row.uidvalidity,
  readOnly: row.readonly === 1,
  permanentFlags: row.permanent_flags === null ? null : (JSON.parse(row.permanent_flags) as string[]),
  offline: keptOffline(row.offline, row.role),
});

/** Strips what must not leave the main side (the pinned certificate PEM). */
export const publicAccount = (a: AccountRecord): Account => ({
  id: a.id,
  name: a.name,
  email: a.email,
  user: a.user,
  host: a.host,
  port: a.port,
  security: a.security,
  trustedCertificate: a.trustedCertificate,
  createdAt: a.createdAt,
  quota: a.quota,
  offlineWindow: a.offlineWindow,
  wholeBelow: a.wholeBelow,
});

/** The typed data API in front of SQLite: statements prepared once, rows mapped at the edge. */
export class Store {
  readonly #db: Db;
  readonly #q;

  constructor(db: Db) {
    this.#db = db;
    this.#q = {
      accounts: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY id'),
      account: db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
      accountByLogin: db.prepare<[string, string, number], { id: number }>(
        'SELECT id FROM accounts WHERE user = ? AND host = ? AND port = ?',
      ),
      insertAccount: db.prepare<[string, string, string, string, number, string, string | null, string | null], { id: number }>(
        `INSERT INTO accounts (name, email, user, host, port, security, trusted_cert_fingerprint, trusted_cert_pem)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ),
      deleteAccount: db.prepare<[number]>('DELETE FROM accounts WHERE id = ?'),
      // A folder whose deletion is queued is gone for the user already.
      mailboxes: db.prepare<[number], MailboxRow>(
        "SELECT * FROM mailboxes WHERE account_id = ? AND (pending IS NULL OR pending != 'delete') ORDER BY path",
      ),
      mailbox: db.prepare<[number], MailboxRow>('SELECT * FROM mailboxes WHERE id = ?'),
      messageMailbox: db.prepare<[number], { mailbox_id: number }>('SELECT mailbox_id FROM messages WHERE id = ?'),
      mailboxPaths: db.prepare<
        [number],
        { id: number; path: string; uidvalidity: number | null; server_path: string | null; pending: string | null }
      >('SELECT id, path, uidvalidity, server_path, pending FROM mailboxes WHERE account_id = ?'),
      updateRenamed: db.prepare(
        `UPDATE mailboxes SET delimiter = @delimiter, role = @role, namespace = @namespace, subscribed = @subscribed,
           selectable = @selectable, attributes = @attributes, total = coalesce(@total, total), unread = coalesce(@unread, unread)
         WHERE id = @id`,
      ),
      renameMailbox: db.prepare<[string, number]>('UPDATE mailboxes SET path = ? WHERE id = ?'),
      upsertMailbox: db.prepare(
        `INSERT INTO mailboxes (account_id, path, name, parent_path, delimiter, role, namespace, subscribed, selectable, attributes, total, unread)
         VALUES (@accountId, @path, @name, @parentPath, @delimiter, @role, @namespace, @subscribed, @selectable, @attributes, @total, @unread)
         ON CONFLICT (account_id, path) DO UPDATE SET
           name = excluded.name, parent_path = excluded.parent_path, delimiter = excluded.delimiter,
           role = excluded.role, namespace = excluded.namespace, subscribed = excluded.subscribed,
           selectable = excluded.selectable, attributes = excluded.attributes,
           total = coalesce(excluded.total, mailboxes.total), unread = coalesce(excluded.unread, mailboxes.unread)`,
      ),
      deleteMailbox: db.prepare<[number]>('DELETE FROM mailboxes WHERE id = ?'),
      namespaces: db.prepare<[number], { kind: NamespaceKind; prefix: string; delimiter: string | null }>(
        'SELECT kind, prefix, delimiter FROM namespaces WHERE account_id = ? ORDER BY position',
      ),
      deleteNamespaces: db.prepare<[number]>('DELETE FROM namespaces WHERE account_id = ?'),
      insertNamespace: db.prepare<[number, string, string, string | null, number]>(
        'INSERT OR IGNORE INTO namespaces (account_id, kind, prefix, delimiter, position) VALUES (?, ?, ?, ?, ?)',
      ),
      setRefreshed: db.prepare<[string, number]>('UPDATE accounts SET folders_refreshed_at = ? WHERE id = ?'),
      setMailboxOffline: db.prepare<[number, number]>('UPDATE mailboxes SET offline = ? WHERE id = ?'),
      setQuota: db.prepare<[string | null, number]>('UPDATE accounts SET quota = ? WHERE id = ?'),
      appState: db.prepare<[string], string>('SELECT value FROM app_state WHERE key = ?').pluck(),
      setAppState: db.prepare<[string, string]>(
        'INSERT INTO app_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  /** True when the user chose to work offline (kept across restarts; migration 18). */
  get workingOffline(): boolean {
    return this.#q.appState.get('working_offline') === '1';
  }

  set workingOffline(on: boolean) {
    this.#q.setAppState.run('working_offline', on ? '1' : '0');
  }

  listAccounts(): AccountRecord[] {
    return this.#q.accounts.all().map(toAccount);
  }

  getAccount(id: number): AccountRecord {
    const row = this.#q.account.get(id);
    if (!row) throw new TegamiError({ code: 'NOT_FOUND', message: 'That account does not exist (any more).' });
    return toAccount(row);
  }

  findAccountByLogin(user: string, host: string, port: number): number | null {
    return this.#q.accountByLogin.get(user, host, port)?.id ?? null;
  }

  insertAccount(a: NewAccount): AccountRecord {
    const row = this.#q.insertAccount.get(
      a.name,
      a.email,
      a.user,
      a.host,
      a.port,
      a.security,
      a.trustedCertificate,
      a.trustedCertificatePem,
    );
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return this.getAccount(row.id);
  }

  /** Removes the account and, by cascade, everything stored for it. */
  deleteAccount(id: number): boolean {
    return this.#q.deleteAccount.run(id).changes > 0;
  }

  mailboxExists(mailboxId: number): boolean {
    return this.#q.mailbox.get(mailboxId) !== undefined;
  }

  /** The folder a message is in locally, or null when it no longer exists. */
  messageMailbox(messageId: number): number | null {
    return this.#q.messageMailbox.get(messageId)?.mailbox_id ?? null;
  }

  getMailbox(id: number): Mailbox {
    const row = this.#q.mailbox.get(id);
    if (!row) throw new TegamiError({ code: 'NOT_FOUND', message: 'That folder does not exist (any more).' });
    return toMailbox(row);
  }

  /** Whether the folder's mail is downloaded for offline reading (Mailbox.offline). */
  setMailboxOffline(id: number, offline: boolean): Mailbox {
    this.#q.setMailboxOffline.run(offline ? 1 : 0, id);
    return this.getMailbox(id);
  }

  listMailboxes(accountId: number): Mailbox[] {
    return this.#q.mailboxes.all(accountId).map(toMailbox);
  }

  listNamespaces(accountId: number): Namespace[] {
    return this.#q.namespaces.all(accountId);
  }

  /**
   * Replaces the account's folder list with what the server listed, in one transaction: folders
   * the server no longer lists are removed locally (with their messages, by cascade).
   */
  replaceFolderList(accountId: number, namespaces: Namespace[], listings: MailboxListing[], at: string): void {
    this.#db.transaction(() => {
      // A folder renamed by another client keeps its UIDVALIDITY (RFC 3501 6.3.5): move the local
      // folder (and its messages) to the new path instead of dropping and refetching it.
      const listed = new Set(listings.map((m) => m.path));
      const existing = this.#q.mailboxPaths.all(accountId);
      const existingPaths = new Set(existing.map((m) => m.path));
      const queuedRename = new Set(existing.map((m) => m.server_path).filter((p): p is string => p !== null));
      const gone = existing.filter((m) => !listed.has(m.path) && m.uidvalidity !== null && m.server_path === null && m.pending === null);
      for (const m of listings) {
        if (existingPaths.has(m.path) || queuedRename.has(m.path) || m.uidvalidity === undefined || m.uidvalidity === null) continue;
        const candidates = gone.filter((g) => g.uidvalidity === m.uidvalidity);
        if (candidates.length !== 1) continue; // ambiguous or none: no guessing
        const from = candidates[0] as (typeof gone)[number];
        this.#q.renameMailbox.run(m.path, from.id);
        gone.splice(gone.indexOf(from), 1);
      }
      this.#q.deleteNamespaces.run(accountId);
      namespaces.forEach((ns, i) => this.#q.insertNamespace.run(accountId, ns.kind, ns.prefix, ns.delimiter, i));
      // Folders with a queued local change: one renamed locally is still listed under its server
      // name; one created locally is not listed yet; both keep their local row as it is.
      const rows = this.#q.mailboxPaths.all(accountId);
      const byServerPath = new Map(rows.filter((r) => r.server_path !== null).map((r) => [r.server_path as string, r]));
      const seen = new Set<string>(rows.filter((r) => r.pending === 'create').map((r) => r.path));
      for (const m of listings) {
        const listed = {
          delimiter: m.delimiter,
          role: m.role,
          namespace: m.namespace,
          subscribed: m.subscribed ? 1 : 0,
          selectable: m.selectable ? 1 : 0,
          attributes: JSON.stringify(m.attributes),
          total: m.total,
          unread: m.unread,
        };
        const renamed = byServerPath.get(m.path);
        if (renamed) {
          // Listed under its server name: update what the server says, keep the local name.
          seen.add(renamed.path);
          this.#q.updateRenamed.run({ id: renamed.id, ...listed });
          continue;
        }
        seen.add(m.path);
        this.#q.upsertMailbox.run({ accountId, path: m.path, name: m.name, parentPath: m.parentPath, ...listed });
      }
      for (const { id, path } of this.#q.mailboxPaths.all(accountId)) {
        if (!seen.has(path)) this.#q.deleteMailbox.run(id);
      }
      this.#q.setRefreshed.run(at, accountId);
    })();
  }

  /** Records the account's QUOTA (RFC 9208) as the server last reported it; null forgets it. */
  setQuota(accountId: number, quota: Quota | null): void {
    this.#q.setQuota.run(quota === null ? null : JSON.stringify(Quota.parse(quota)), accountId);
  }

  getFoldersRefreshedAt(accountId: number): string | null {
    return this.getAccount(accountId).foldersRefreshedAt;
  }
}
