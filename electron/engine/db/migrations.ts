/**
 * Numbered, forward-only schema migrations. Each runs once, in its own transaction, and is recorded
 * in PRAGMA user_version. Never edit a migration that has shipped: add the next one (and its test).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Migration 9's trigger body: a message's body rows rebuilt from all its cached parts (none when no
 * text is left or the message is gone), and the message off the backfill list. `m` is the trigger's
 * message id expression (new.message_id / old.message_id).
 */
const recomputeBody = (m: string): string => {
  const text = `(SELECT (SELECT group_concat(search_text, char(10) ORDER BY part) FROM parts WHERE message_id = ${m} AND search_text IS NOT NULL) AS b)`;
  const live = `b <> '' AND EXISTS (SELECT 1 FROM messages WHERE id = ${m})`;
  return `        DELETE FROM body_search WHERE rowid = ${m};
        DELETE FROM body_search_cjk WHERE rowid = ${m};
        DELETE FROM body_backfill WHERE message_id = ${m};
        INSERT INTO body_search (rowid, body)
          SELECT ${m}, b FROM ${text} WHERE ${live};
        INSERT INTO body_search_cjk (rowid, grams)
          SELECT ${m}, tegami_cjk_grams(b) FROM ${text} WHERE ${live};`;
};

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
  {
    version: 2,
    name: 'messages, threads, cached text and full-text search',
    sql: `
      -- A message's local id is stable; its server identity (mailbox, uidvalidity, uid) can change
      -- (a move, a UIDVALIDITY reset) without the local id changing (DESIGN.md 3).
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        modseq INTEGER,
        -- every flag and keyword as the server (or a pending local change) has it, JSON array;
        -- the system flags also as columns, for filters and counts
        flags TEXT NOT NULL DEFAULT '[]',
        seen INTEGER NOT NULL DEFAULT 0,
        flagged INTEGER NOT NULL DEFAULT 0,
        answered INTEGER NOT NULL DEFAULT 0,
        draft INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        internal_date INTEGER NOT NULL,
        sent_date INTEGER,
        size INTEGER NOT NULL DEFAULT 0,
        subject TEXT NOT NULL DEFAULT '',
        from_name TEXT NOT NULL DEFAULT '',
        from_addr TEXT NOT NULL DEFAULT '',
        sort_from TEXT NOT NULL DEFAULT '',
        sort_subject TEXT NOT NULL DEFAULT '',
        addresses TEXT NOT NULL DEFAULT '{}',
        message_id TEXT,
        in_reply_to TEXT,
        refs TEXT NOT NULL DEFAULT '[]',
        thread_id INTEGER,
        bodystructure TEXT,
        has_attachments INTEGER NOT NULL DEFAULT 0,
        attachments TEXT NOT NULL DEFAULT '[]',
        snippet TEXT,
        -- 0: headers only, 1: text parts cached, 2: whole message cached
        body_state INTEGER NOT NULL DEFAULT 0,
        stale INTEGER NOT NULL DEFAULT 0,
        UNIQUE (mailbox_id, uidvalidity, uid)
      ) STRICT;
      CREATE INDEX messages_by_date ON messages (mailbox_id, internal_date DESC, id DESC);
      CREATE INDEX messages_by_from ON messages (mailbox_id, sort_from, id);
      CREATE INDEX messages_by_subject ON messages (mailbox_id, sort_subject, id);
      CREATE INDEX messages_by_size ON messages (mailbox_id, size, id);
      CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id IS NOT NULL;
      CREATE INDEX messages_by_thread ON messages (thread_id);
      CREATE INDEX messages_unread ON messages (mailbox_id) WHERE seen = 0;

      -- Message-ID -> thread, per account: threads join when a reference links them (RFC 5256's
      -- REFERENCES idea, computed locally since imapflow has no THREAD).
      CREATE TABLE thread_ids (
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        message_id TEXT NOT NULL,
        thread_id INTEGER NOT NULL,
        PRIMARY KEY (account_id, message_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX thread_ids_by_thread ON thread_ids (thread_id);

      -- Cached MIME parts: decoded text inline, large or binary parts as files in the part cache.
      CREATE TABLE parts (
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        part TEXT NOT NULL,
        content_type TEXT NOT NULL,
        charset TEXT,
        text TEXT,
        -- what full-text search indexes of this part: the text, or an HTML part's text content
        search_text TEXT,
        file TEXT,
        size INTEGER NOT NULL,
        cached_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (message_id, part)
      ) STRICT, WITHOUT ROWID;

      -- Full-text search over subject, addresses and the cached text (trigram, so Japanese
      -- substrings match). Kept in step by triggers; rowid = messages.id.
      CREATE VIRTUAL TABLE message_search USING fts5 (subject, addresses, body, tokenize = 'trigram');
      CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
        INSERT INTO message_search (rowid, subject, addresses, body) VALUES (new.id, new.subject, new.addresses, '');
      END;
      CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_search WHERE rowid = old.id;
      END;
      CREATE TRIGGER messages_search_update AFTER UPDATE OF subject, addresses ON messages BEGIN
        UPDATE message_search SET subject = new.subject, addresses = new.addresses WHERE rowid = new.id;
      END;
      CREATE TRIGGER parts_search_text AFTER INSERT ON parts WHEN new.search_text IS NOT NULL BEGIN
        UPDATE message_search SET body = trim(body || ' ' || new.search_text) WHERE rowid = new.message_id;
      END;
    `,
  },
  {
    version: 3,
    name: 'cached parts keep the search body exact; per-account offline window',
    sql: `
      -- Migration 2's trigger appended a part's text on INSERT only, so a replaced part was indexed
      -- twice and an evicted one never left the index. The body is now recomputed from the cached
      -- parts whenever they change, which also clears it when a message's parts are evicted.
      DROP TRIGGER parts_search_text;
      CREATE TRIGGER parts_search_insert AFTER INSERT ON parts WHEN new.search_text IS NOT NULL BEGIN
        UPDATE message_search SET body = coalesce((SELECT group_concat(search_text, char(10)) FROM
          (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)), '')
        WHERE rowid = new.message_id;
      END;
      CREATE TRIGGER parts_search_update AFTER UPDATE OF search_text ON parts BEGIN
        UPDATE message_search SET body = coalesce((SELECT group_concat(search_text, char(10)) FROM
          (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)), '')
        WHERE rowid = new.message_id;
      END;
      CREATE TRIGGER parts_search_delete AFTER DELETE ON parts WHEN old.search_text IS NOT NULL BEGIN
        UPDATE message_search SET body = coalesce((SELECT group_concat(search_text, char(10)) FROM
          (SELECT search_text FROM parts WHERE message_id = old.message_id AND search_text IS NOT NULL ORDER BY part)), '')
        WHERE rowid = old.message_id;
      END;

      -- Bodies of messages received in the last N days are kept offline (DESIGN.md 4); NULL is the
      -- default (90), 0 means everything.
      ALTER TABLE accounts ADD COLUMN offline_window_days INTEGER CHECK (offline_window_days IS NULL OR offline_window_days >= 0);

      -- The prefetch's work list: messages whose text is not cached yet, newest first.
      CREATE INDEX messages_body_pending ON messages (internal_date DESC, id DESC) WHERE body_state = 0;
      -- Eviction's: messages with something cached.
      CREATE INDEX messages_body_cached ON messages (internal_date) WHERE body_state > 0;
    `,
  },
  {
    version: 4,
    name: 'offline operation queue; account quota',
    sql: `
      -- Every user action is the local change plus rows here, in one transaction (DESIGN.md 5).
      -- An operation refers to local message ids; their server identity is resolved when it is
      -- replayed, so chains made offline (move, then flag, then delete) work.
      CREATE TABLE ops (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        -- one user action may queue several operations; undo works on actions
        action_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'discarded')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at TEXT,
        error_code TEXT,
        error_message TEXT,
        server_text TEXT,
        -- what undoes it, computed when it was applied locally
        inverse TEXT
      ) STRICT;
      CREATE INDEX ops_queue ON ops (account_id, state, id);
      CREATE INDEX ops_by_action ON ops (action_id);

      -- Which messages a pending operation touches: sync never overwrites their local state
      -- while the operation waits (RFC 4549 3).
      CREATE TABLE op_messages (
        op_id INTEGER NOT NULL REFERENCES ops (id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,
        PRIMARY KEY (op_id, message_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX op_messages_by_message ON op_messages (message_id);

      -- QUOTA (RFC 9208) of the account's INBOX quota root, as last reported: JSON.
      ALTER TABLE accounts ADD COLUMN quota TEXT;
    `,
  },
  {
    version: 5,
    name: 'where queued operations took messages from; folders with queued changes',
    sql: `
      -- The server identity a message had when an operation that moves or expunges it was queued:
      -- sync must not download it again from there while the operation waits, replay needs it
      -- (the local row has moved on), and a permanent failure puts the row back there.
      CREATE TABLE op_sources (
        op_id INTEGER NOT NULL REFERENCES ops (id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,
        mailbox_id INTEGER NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        PRIMARY KEY (op_id, message_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX op_sources_by_mailbox ON op_sources (mailbox_id, uidvalidity, uid);

      -- A folder renamed locally keeps its server name here until the RENAME is replayed; a folder
      -- created or deleted locally is marked until the server has done it too.
      ALTER TABLE mailboxes ADD COLUMN server_path TEXT;
      ALTER TABLE mailboxes ADD COLUMN pending TEXT CHECK (pending IS NULL OR pending IN ('create', 'delete'));
    `,
  },
  {
    version: 6,
    name: 'lighter search index: contentless trigram over plain-text addresses; bigram index for 1-2 character CJK queries',
    sql: `
      -- Migration 2's index kept a second copy of every subject, address list (as JSON, keys and
      -- all) and cached body, and re-tokenised the old text on every change. Now: contentless
      -- (contentless_delete, so rows are replaced and deleted without their old text), addresses as
      -- "Name addr, Name addr" (tegami_address_text, registered by openDatabase), same columns.
      DROP TRIGGER messages_search_insert;
      DROP TRIGGER messages_search_delete;
      DROP TRIGGER messages_search_update;
      DROP TRIGGER parts_search_insert;
      DROP TRIGGER parts_search_update;
      DROP TRIGGER parts_search_delete;
      DROP TABLE message_search;
      CREATE VIRTUAL TABLE message_search USING fts5 (
        subject, addresses, body, tokenize = 'trigram', content = '', contentless_delete = 1
      );
      -- 1-2 character queries (one or two kanji are normal Japanese queries) are below the trigram
      -- tokenizer's reach: CJK runs of the same text as overlapping 2-character grams plus each run's
      -- last character (tegami_cjk_grams), so a 2-character query is one token and a 1-character
      -- query a prefix. Rowid = messages.id in both tables.
      CREATE VIRTUAL TABLE message_search_cjk USING fts5 (
        grams, tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1, detail = none
      );

      CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
        INSERT INTO message_search (rowid, subject, addresses, body)
          SELECT new.id, new.subject, a, '' FROM (SELECT tegami_address_text(new.addresses) AS a);
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT new.id, tegami_cjk_grams(new.subject, a) FROM (SELECT tegami_address_text(new.addresses) AS a);
      END;
      CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_search WHERE rowid = old.id;
        DELETE FROM message_search_cjk WHERE rowid = old.id;
      END;
      CREATE TRIGGER messages_search_update AFTER UPDATE OF subject, addresses ON messages BEGIN
        DELETE FROM message_search WHERE rowid = new.id;
        INSERT INTO message_search (rowid, subject, addresses, body)
          SELECT new.id, new.subject, a, b FROM (SELECT tegami_address_text(new.addresses) AS a, coalesce((SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.id AND search_text IS NOT NULL ORDER BY part)), '') AS b);
        DELETE FROM message_search_cjk WHERE rowid = new.id;
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT new.id, tegami_cjk_grams(new.subject, tegami_address_text(new.addresses), (SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.id AND search_text IS NOT NULL ORDER BY part)));
      END;
      -- The body is recomputed from the cached parts whenever they change (as in migration 3). Rows
      -- are replaced by DELETE + INSERT: an outer UPSERT's conflict handling would override an
      -- INSERT OR REPLACE inside the trigger, leaving the old text indexed too.
      CREATE TRIGGER parts_search_insert AFTER INSERT ON parts WHEN new.search_text IS NOT NULL BEGIN
        DELETE FROM message_search WHERE rowid = new.message_id;
        INSERT INTO message_search (rowid, subject, addresses, body)
          SELECT m.id, m.subject, a, b FROM messages m, (SELECT tegami_address_text(addresses) AS a, coalesce((SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)), '') AS b
            FROM messages WHERE id = new.message_id) WHERE m.id = new.message_id;
        DELETE FROM message_search_cjk WHERE rowid = new.message_id;
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT m.id, tegami_cjk_grams(m.subject, tegami_address_text(m.addresses), (SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)))
          FROM messages m WHERE m.id = new.message_id;
      END;
      CREATE TRIGGER parts_search_update AFTER UPDATE OF search_text ON parts BEGIN
        DELETE FROM message_search WHERE rowid = new.message_id;
        INSERT INTO message_search (rowid, subject, addresses, body)
          SELECT m.id, m.subject, a, b FROM messages m, (SELECT tegami_address_text(addresses) AS a, coalesce((SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)), '') AS b
            FROM messages WHERE id = new.message_id) WHERE m.id = new.message_id;
        DELETE FROM message_search_cjk WHERE rowid = new.message_id;
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT m.id, tegami_cjk_grams(m.subject, tegami_address_text(m.addresses), (SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)))
          FROM messages m WHERE m.id = new.message_id;
      END;
      CREATE TRIGGER parts_search_delete AFTER DELETE ON parts WHEN old.search_text IS NOT NULL BEGIN
        DELETE FROM message_search WHERE rowid = old.message_id;
        INSERT INTO message_search (rowid, subject, addresses, body)
          SELECT m.id, m.subject, a, b FROM messages m, (SELECT tegami_address_text(addresses) AS a, coalesce((SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = old.message_id AND search_text IS NOT NULL ORDER BY part)), '') AS b
            FROM messages WHERE id = old.message_id) WHERE m.id = old.message_id;
        DELETE FROM message_search_cjk WHERE rowid = old.message_id;
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT m.id, tegami_cjk_grams(m.subject, tegami_address_text(m.addresses), (SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = old.message_id AND search_text IS NOT NULL ORDER BY part)))
          FROM messages m WHERE m.id = old.message_id;
      END;

      INSERT INTO message_search (rowid, subject, addresses, body)
        SELECT id, subject, tegami_address_text(addresses), coalesce((SELECT group_concat(search_text, char(10))
          FROM (SELECT search_text FROM parts WHERE message_id = messages.id AND search_text IS NOT NULL ORDER BY part)), '') FROM messages;
      INSERT INTO message_search_cjk (rowid, grams)
        SELECT id, tegami_cjk_grams(subject, tegami_address_text(addresses), (SELECT group_concat(search_text, char(10))
          FROM (SELECT search_text FROM parts WHERE message_id = messages.id AND search_text IS NOT NULL ORDER BY part))) FROM messages;
    `,
  },
  {
    version: 7,
    name: 'bulk writers index their own rows: insert triggers stand aside while they do',
    sql: `
      -- Migration 6's triggers recomputed a message's whole search row (address text, the body from
      -- every cached part, CJK grams; in both indexes) once per part written, and parsed the address
      -- JSON twice per header row. insertHeaders and PartStore.storeTexts now write each message's
      -- row once themselves (from the values they hold) inside withSearchDeferred, during which
      -- tegami_search_deferred() is 1 and these triggers do nothing. Every other writer (local
      -- rows of queued operations, part files, tests, a raw INSERT) is kept in step as before; the
      -- delete triggers (eviction, expunge) are unchanged.
      DROP TRIGGER messages_search_insert;
      DROP TRIGGER parts_search_insert;
      DROP TRIGGER parts_search_update;
      CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN NOT tegami_search_deferred() BEGIN
        INSERT INTO message_search (rowid, subject, addresses, body)
          SELECT new.id, new.subject, a, '' FROM (SELECT tegami_address_text(new.addresses) AS a);
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT new.id, tegami_cjk_grams(new.subject, a) FROM (SELECT tegami_address_text(new.addresses) AS a);
      END;
      CREATE TRIGGER parts_search_insert AFTER INSERT ON parts WHEN new.search_text IS NOT NULL AND NOT tegami_search_deferred() BEGIN
        DELETE FROM message_search WHERE rowid = new.message_id;
        INSERT INTO message_search (rowid, subject, addresses, body)
          SELECT m.id, m.subject, a, b FROM messages m, (SELECT tegami_address_text(addresses) AS a, coalesce((SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)), '') AS b
            FROM messages WHERE id = new.message_id) WHERE m.id = new.message_id;
        DELETE FROM message_search_cjk WHERE rowid = new.message_id;
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT m.id, tegami_cjk_grams(m.subject, tegami_address_text(m.addresses), (SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)))
          FROM messages m WHERE m.id = new.message_id;
      END;
      CREATE TRIGGER parts_search_update AFTER UPDATE OF search_text ON parts WHEN NOT tegami_search_deferred() BEGIN
        DELETE FROM message_search WHERE rowid = new.message_id;
        INSERT INTO message_search (rowid, subject, addresses, body)
          SELECT m.id, m.subject, a, b FROM messages m, (SELECT tegami_address_text(addresses) AS a, coalesce((SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)), '') AS b
            FROM messages WHERE id = new.message_id) WHERE m.id = new.message_id;
        DELETE FROM message_search_cjk WHERE rowid = new.message_id;
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT m.id, tegami_cjk_grams(m.subject, tegami_address_text(m.addresses), (SELECT group_concat(search_text, char(10))
            FROM (SELECT search_text FROM parts WHERE message_id = new.message_id AND search_text IS NOT NULL ORDER BY part)))
          FROM messages m WHERE m.id = new.message_id;
      END;
    `,
  },
  {
    version: 8,
    name: 'counting a folder from an index',
    sql: `
      -- messages.count and the folder totals read only these columns: a partial covering index lets
      -- SQLite count a 100,000-message folder without touching the (wide) rows.
      CREATE INDEX messages_live ON messages (mailbox_id, seen, flagged, has_attachments) WHERE stale = 0;
    `,
  },
  {
    version: 9,
    name: 'bodies in their own search indexes: storing a message text only inserts',
    sql: `
      -- Migrations 6 and 7 kept one search row per message (subject, addresses and body together),
      -- so caching a message's text replaced the row its header sync had written: a delete in a
      -- contentless_delete FTS5 table, whose tombstones made the body prefetch grow faster than
      -- linearly (measured: 10,000 texts stored in 2.2 s CPU, 40,000 in 11.7 s; 1.55 s and 6.2 s
      -- with nothing to delete). Now the header indexes (message_search, message_search_cjk) hold
      -- subject and addresses, written once at header sync, and the body indexes (body_search,
      -- body_search_cjk) the cached text, written once when it is cached; a search term matches a
      -- message when it matches either (PartStore.search). Rowid = messages.id in all four; a
      -- message without cached text has no body row.
      DROP TRIGGER messages_search_insert;
      DROP TRIGGER messages_search_delete;
      DROP TRIGGER messages_search_update;
      DROP TRIGGER parts_search_insert;
      DROP TRIGGER parts_search_update;
      DROP TRIGGER parts_search_delete;
      DROP TABLE message_search;
      DROP TABLE message_search_cjk;
      CREATE VIRTUAL TABLE message_search USING fts5 (
        subject, addresses, tokenize = 'trigram', content = '', contentless_delete = 1
      );
      CREATE VIRTUAL TABLE message_search_cjk USING fts5 (
        grams, tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1, detail = none
      );
      CREATE VIRTUAL TABLE body_search USING fts5 (body, tokenize = 'trigram', content = '', contentless_delete = 1);
      CREATE VIRTUAL TABLE body_search_cjk USING fts5 (
        grams, tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1, detail = none
      );

      -- As in migration 7, the insert triggers stand aside while a bulk writer indexes its own rows.
      CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN NOT tegami_search_deferred() BEGIN
        INSERT INTO message_search (rowid, subject, addresses)
          SELECT new.id, new.subject, a FROM (SELECT tegami_address_text(new.addresses) AS a);
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT new.id, tegami_cjk_grams(new.subject, a) FROM (SELECT tegami_address_text(new.addresses) AS a);
      END;
      CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_search WHERE rowid = old.id;
        DELETE FROM message_search_cjk WHERE rowid = old.id;
        DELETE FROM body_search WHERE rowid = old.id;
        DELETE FROM body_search_cjk WHERE rowid = old.id;
        DELETE FROM body_backfill WHERE message_id = old.id;
      END;
      CREATE TRIGGER messages_search_update AFTER UPDATE OF subject, addresses ON messages BEGIN
        DELETE FROM message_search WHERE rowid = new.id;
        INSERT INTO message_search (rowid, subject, addresses)
          SELECT new.id, new.subject, a FROM (SELECT tegami_address_text(new.addresses) AS a);
        DELETE FROM message_search_cjk WHERE rowid = new.id;
        INSERT INTO message_search_cjk (rowid, grams)
          SELECT new.id, tegami_cjk_grams(new.subject, a) FROM (SELECT tegami_address_text(new.addresses) AS a);
      END;
      -- A message's body rows are recomputed from all its cached parts whenever one changes (parts
      -- deleted with their message leave none behind: the last one's trigger finds no text).
      CREATE TRIGGER parts_search_insert AFTER INSERT ON parts WHEN new.search_text IS NOT NULL AND NOT tegami_search_deferred() BEGIN
${recomputeBody('new.message_id')}
      END;
      CREATE TRIGGER parts_search_update AFTER UPDATE OF search_text ON parts WHEN NOT tegami_search_deferred() BEGIN
${recomputeBody('new.message_id')}
      END;
      CREATE TRIGGER parts_search_delete AFTER DELETE ON parts WHEN old.search_text IS NOT NULL BEGIN
${recomputeBody('old.message_id')}
      END;

      INSERT INTO message_search (rowid, subject, addresses) SELECT id, subject, tegami_address_text(addresses) FROM messages ORDER BY id;
      INSERT INTO message_search_cjk (rowid, grams)
        SELECT id, tegami_cjk_grams(subject, tegami_address_text(addresses)) FROM messages ORDER BY id;
      -- The text already cached is indexed after the upgrade, in the background, newest first
      -- (PartStore.backfillBodies): indexing every body here took ~26 s for 100,000 messages, with
      -- the engine unable to answer. body_backfill lists the messages still waiting; whatever writes
      -- a message's body row (storeTexts, the triggers above) takes it off the list.
      CREATE TABLE body_backfill (message_id INTEGER PRIMARY KEY) STRICT;
      INSERT INTO body_backfill (message_id) SELECT DISTINCT message_id FROM parts WHERE search_text IS NOT NULL;
    `,
  },
  {
    version: 10,
    name: 'cheaper header inserts: no unread index (messages_live answers it), a tiny index of stale rows',
    sql: `
      -- Every header written paid for messages_unread, which no query uses since migration 8
      -- (messages_live answers the unread counts, covering), and looked its Message-ID up in
      -- messages_by_message_id to find a stale row to re-match (after a UIDVALIDITY change) that
      -- almost never exists. Stale rows get a partial index of their own, empty in normal times.
      DROP INDEX messages_unread;
      CREATE INDEX messages_stale ON messages (mailbox_id, message_id) WHERE stale = 1;
    `,
  },
  {
    version: 11,
    name: 'a plain text part is stored once',
    sql: `
      -- A text/plain part's search text is its text: every cached body was stored twice. Now text is
      -- NULL when it equals search_text, and readers take search_text (PartStore.get). The update
      -- does not touch search_text, so the search triggers do not fire.
      UPDATE parts SET text = NULL WHERE file IS NULL AND search_text IS NOT NULL AND text = search_text;
    `,
  },
  {
    version: 12,
    name: 'header search rows written after the header pass',
    sql: `
      -- The bulk writer lists the messages of a header pass here instead of writing their header
      -- search rows in the pass (the trigram index was ~40% of the writer's CPU while the pass is
      -- CPU-bound); MessageStore.backfillHeaders writes them after it, newest first. Until then
      -- search matches the listed messages by scanning their subject and addresses
      -- (PartStore.search), so no result is missing meanwhile. A message deleted, or whose header
      -- is indexed by the update trigger, leaves the list.
      CREATE TABLE header_backfill (message_id INTEGER PRIMARY KEY) STRICT;
      CREATE TRIGGER header_backfill_delete AFTER DELETE ON messages BEGIN
        DELETE FROM header_backfill WHERE message_id = old.id;
      END;
      CREATE TRIGGER header_backfill_update AFTER UPDATE OF subject, addresses ON messages BEGIN
        DELETE FROM header_backfill WHERE message_id = new.id;
      END;
    `,
  },
  {
    version: 13,
    name: 'no index of Message-IDs on messages',
    sql: `
      -- No query reads it: threads are found through thread_ids, and a stale row to re-match by
      -- its Message-ID through messages_stale (migration 10). Every header written paid for an entry
      -- with a long random key: one B-tree insert of about a dozen per message.
      DROP INDEX messages_by_message_id;
    `,
  },
  {
    version: 14,
    name: 'when the user last fetched a message from the server: kept offline for a while after',
    sql: `
      -- A message outside the offline window that the user opened (its text fetched on demand) lost
      -- its text again at the next pass's eviction: moments after reading it, it could neither be read
      -- offline nor found by local search. Eviction now spares messages opened in the last days
      -- (PartStore.evictBefore). Epoch milliseconds; NULL: never fetched on demand.
      ALTER TABLE messages ADD COLUMN opened_at INTEGER;
    `,
  },
  {
    version: 15,
    name: 'subjects sort in natural order: numbers in the sort key are zero-padded',
    sql: `
      -- "Invoice #979" sorted before "#98" (text order). sort_subject is now subjectSortKey: the base
      -- subject with its digit runs padded to 12 places (fullwidth digits as ASCII). Only rows whose
      -- key changes (a subject with digits) are rewritten.
      UPDATE messages SET sort_subject = tegami_subject_key(subject) WHERE sort_subject != tegami_subject_key(subject);
    `,
  },
  {
    version: 16,
    name: 'an operation keeps the subjects of its messages',
    sql: `
      -- The pending and failed changes name the mail they are about. A message may be gone from the
      -- store by the time its change fails (expunged by another device, its folder deleted): the
      -- subject it had when the change was made is kept with the operation. NULL: made before this.
      ALTER TABLE op_messages ADD COLUMN subject TEXT;
    `,
  },
  {
    version: 17,
    name: 'only an image referred to by Content-ID is inline; a part the sender marked inline is an attachment',
    sql: `
      -- attachmentsOf's rule changed: a part was inline when its disposition said so (Apple Mail
      -- marks photos and PDFs inline), so such mail had no paperclip and no "has:attachment". Now only
      -- an image with a Content-ID (what an HTML body shows) is. Every part inline under the new rule
      -- was inline under the old one, so the stored summaries are recomputed from their own fields.
      UPDATE messages SET
        attachments = (
          SELECT json_group_array(json_set(value, '$.inline', json(CASE
            WHEN json_extract(value, '$.inline') AND json_extract(value, '$.contentId') IS NOT NULL
              AND json_extract(value, '$.contentType') LIKE 'image/%' THEN 'true' ELSE 'false' END)))
          FROM json_each(messages.attachments)
        ),
        has_attachments = EXISTS (
          SELECT 1 FROM json_each(messages.attachments)
          WHERE NOT (json_extract(value, '$.inline') AND json_extract(value, '$.contentId') IS NOT NULL
            AND json_extract(value, '$.contentType') LIKE 'image/%')
        )
      WHERE attachments LIKE '%"inline":true%';
    `,
  },
  {
    version: 18,
    name: 'the profile remembers working offline',
    sql: `
      -- Settings of the whole profile, one row each. 'working_offline' ('1'): the user chose to work
      -- offline (no connection is made until they go online again), kept across restarts.
      CREATE TABLE app_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    `,
  },
  {
    version: 19,
    name: 'every writer of a message row indexes its header itself: no insert trigger on messages',
    sql: `
      -- Migration 7's insert trigger did nothing for the bulk writers (they index their own rows, or
      -- list them in header_backfill), yet SQLite ran its program, and the statement journal a
      -- trigger needs, for every row they wrote: about a sixth of the writer's time per header. The
      -- one other writer, OpStore.copy (the local row of a queued copy), now indexes its row itself.
      -- The parts triggers and the delete and update triggers stay.
      DROP TRIGGER messages_search_insert;
    `,
  },
  {
    version: 20,
    name: 'no insert trigger on parts either: the one writer of part text indexes it itself',
    sql: `
      -- Only PartStore.storeTexts writes a part's search text, inside withSearchDeferred, and it
      -- writes the body rows itself; the attachment cache (openFile) writes parts without text. The
      -- insert trigger did nothing for either, but ran its program and statement journal for every
      -- part the prefetch and the mirror stored. The update trigger (a text part replaced by a file)
      -- and the delete trigger (eviction) stay.
      DROP TRIGGER parts_search_insert;
    `,
  },
  {
    version: 21,
    name: 'the whole source of small mail downloaded for offline use',
    sql: `
      -- The raw message (RFC 5322, as BODY.PEEK[] answers it) of mail the mirror and the body prefetch
      -- download whole (smaller than sync/mirror.ts MIRROR_MAX_BYTES): its attachments and inline
      -- images are cut from it offline, and it saves as .eml offline. In the database, not one file
      -- per message: tens of thousands of small files cost a first sync more than their bytes do.
      -- A source fetched on request (view source, a large message) stays a file (parts, 'source').
      CREATE TABLE message_sources (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        source BLOB NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 22,
    name: 'small mail of the offline window whose text alone was cached is downloaded whole once more',
    sql: `
      -- Before migration 21 the mirror and the body prefetch kept only the text of small mail. Such
      -- messages inside their account's offline window (90 days unless set; 0 is all) go back on the
      -- prefetch's work list (body_state 0): the next pass downloads them whole, as it now does any
      -- small mail, so their attachments open offline like those of mail that arrives from now on.
      -- Their cached text stays readable and searchable meanwhile (the parts are kept), and is
      -- stored again with the source. 131072 is sync/mirror.ts MIRROR_MAX_BYTES.
      UPDATE messages SET body_state = 0
      WHERE body_state = 1 AND uid > 0 AND stale = 0 AND size < 131072
        AND id NOT IN (SELECT message_id FROM message_sources)
        AND internal_date >= (
          SELECT CASE coalesce(a.offline_window_days, 90)
              WHEN 0 THEN -9007199254740991
              ELSE CAST(strftime('%s', 'now') AS INTEGER) * 1000 - coalesce(a.offline_window_days, 90) * 86400000
            END
          FROM mailboxes b JOIN accounts a ON a.id = b.account_id WHERE b.id = messages.mailbox_id
        );
    `,
  },
  {
    version: 23,
    name: 'per account, how large a message of the offline window may be to be downloaded whole',
    sql: `
      -- Bytes (RFC822.SIZE): mail of the offline window smaller than this is kept whole, attachments
      -- and all; of larger mail only the text. NULL is the default, 131072 (sync/mirror.ts
      -- MIRROR_MAX_BYTES: small mail, kept in message_sources); what is larger than that is kept as
      -- a file (parts, 'source').
      ALTER TABLE accounts ADD COLUMN whole_below INTEGER CHECK (whole_below IS NULL OR whole_below > 0);
    `,
  },
  {
    version: 24,
    name: 'per folder, whether its mail is downloaded for offline reading',
    sql: `
      -- NULL is the default, by the folder's role at the time (db/parts.ts keptOffline): yes, but for
      -- the \\All folder, whose mail is in the others too. 0 or 1 once the user chose.
      ALTER TABLE mailboxes ADD COLUMN offline INTEGER CHECK (offline IS NULL OR offline IN (0, 1));
    `,
  },
];
