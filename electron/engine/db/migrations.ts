/**
 * Numbered, forward-only schema migrations. Each runs once, in its own transaction, and is recorded
 * in PRAGMA user_version. Never edit a migration that has shipped: add the next one (and its test).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts and mailboxes',
    sql: `
      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        user TEXT NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        security TEXT NOT NULL CHECK (security IN ('tls', 'starttls', 'none')),
        -- a certificate the system does not trust that the user chose to trust: its SHA-256
        -- fingerprint and the PEM chain the engine pins (see imap/tls.ts)
        trusted_cert_fingerprint TEXT,
        trusted_cert_pem TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        folders_refreshed_at TEXT,
        UNIQUE (user, host, port)
      ) STRICT;

      CREATE TABLE namespaces (
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('personal', 'other', 'shared')),
        prefix TEXT NOT NULL,
        delimiter TEXT,
        position INTEGER NOT NULL,
        PRIMARY KEY (account_id, kind, prefix)
      ) STRICT;

      -- A mailbox's server identity is its path; its sync state (uidvalidity, uidnext, modseq) is
      -- what the sync ladder compares (RFC 4549, RFC 7162).
      CREATE TABLE mailboxes (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        parent_path TEXT,
        delimiter TEXT,
        role TEXT,
        namespace TEXT NOT NULL CHECK (namespace IN ('personal', 'other', 'shared')),
        subscribed INTEGER NOT NULL DEFAULT 0,
        selectable INTEGER NOT NULL DEFAULT 1,
        attributes TEXT NOT NULL DEFAULT '[]',
        total INTEGER,
        unread INTEGER,
        uidvalidity INTEGER,
        uidnext INTEGER,
        highestmodseq INTEGER,
        readonly INTEGER NOT NULL DEFAULT 0,
        permanent_flags TEXT,
        last_full_scan TEXT,
        UNIQUE (account_id, path)
      ) STRICT;
    `,
  },
];
