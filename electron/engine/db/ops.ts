import { TegamiError, type ErrorInfo } from '../../../shared/domain/errors.js';
import type { Db } from './database.js';
import { canonicalFlags, messageIds } from './messages.js';
import { addressText, searchIndexWriter } from './search-text.js';

/**
 * The offline operation queue (DESIGN.md 5). Every user action is one method here: the local change
 * and its operation rows in one transaction. Operations name local ids; the server identity of a
 * message is resolved when the operation is replayed (ops/replay.ts).
 *
 * A message that has been moved or copied locally but not yet on the server is "local-only": its
 * uidvalidity is 0 and its uid is -id (unique, never a server UID). Where it came from on the server
 * is kept in op_sources until the operation is replayed.
 */

export type OpKind =
  'flags' | 'move' | 'copy' | 'expunge' | 'append' | 'folder-create' | 'folder-rename' | 'folder-delete' | 'folder-subscribe';
export type OpState = 'pending' | 'done' | 'failed' | 'discarded';

export interface FlagsPayload {
  add: string[];
  remove: string[];
  /** Each message's flags before the change: revert and undo restore them. */
  before: Record<string, string[]>;
  /** Made by the app itself (marked read on opening): the last action to undo is an older one. */
  auto?: true;
}
export interface MovePayload {
  target: number;
  /** The message's mailbox before the move (local id), for undo. */
  from: Record<string, number>;
}
export interface CopyPayload {
  target: number;
  /** source message id → the local copy's id */
  copies: Record<string, number>;
}
export interface ExpungePayload {
  before: Record<string, string[]>;
}
export interface AppendPayload {
  target: number;
  messageId: number;
  file: string;
  flags: string[];
  internalDate: number;
}
export interface FolderPayload {
  mailboxId: number;
  from?: string;
  to?: string;
  subscribed?: boolean;
}

export interface OpRow {
  id: number;
  accountId: number;
  actionId: number;
  kind: OpKind;
  payload: unknown;
  state: OpState;
  attempts: number;
  createdAt: string;
  updatedAt: string | null;
  error: ErrorInfo | null;
  messageIds: number[];
  /** The subjects of its first messages (SUBJECTS_SHOWN), null for one unknown. */
  subjects: Array<string | null>;
}

/** How many of an operation's messages its description names. */
const SUBJECTS_SHOWN = 3;

export interface ServerIdentity {
  mailboxId: number;
  uidvalidity: number;
  uid: number;
}

interface RawOp {
  id: number;
  account_id: number;
  action_id: number;
  kind: OpKind;
  payload: string;
  state: OpState;
  attempts: number;
  created_at: string;
  updated_at: string | null;
  error_code: string | null;
  error_message: string | null;
  server_text: string | null;
}

interface MessageRef {
  id: number;
  mailbox_id: number;
  uidvalidity: number;
  uid: number;
  flags: string;
  internal_date: number;
  account_id: number;
}

const has = (flags: string[], f: string) => flags.some((x) => x.toLowerCase() === f.toLowerCase());
const flagCols = (flags: string[]) => ({
  seen: has(flags, '\\Seen') ? 1 : 0,
  flagged: has(flags, '\\Flagged') ? 1 : 0,
  answered: has(flags, '\\Answered') ? 1 : 0,
  draft: has(flags, '\\Draft') ? 1 : 0,
  deleted: has(flags, '\\Deleted') ? 1 : 0,
});

export class OpStore {
  readonly #db: Db;
  readonly #q;
  readonly #newId: (internalDate: number | null) => number;
  readonly #index: ReturnType<typeof searchIndexWriter>;

  constructor(db: Db) {
    this.#db = db;
    this.#newId = messageIds(db);
    this.#index = searchIndexWriter(db);
    this.#q = {
      refs: db.prepare<[string], MessageRef>(
        `SELECT m.id, m.mailbox_id, m.uidvalidity, m.uid, m.flags, m.internal_date, b.account_id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
         WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id`,
      ),
      nextAction: db.prepare<[], { n: number }>('SELECT coalesce(max(action_id), 0) + 1 AS n FROM ops'),
      insertOp: db.prepare<[number, number, string, string], { id: number }>(
        'INSERT INTO ops (account_id, action_id, kind, payload) VALUES (?, ?, ?, ?) RETURNING id',
      ),
      opMessage: db.prepare<{ opId: number; messageId: number }>(
        `INSERT OR IGNORE INTO op_messages (op_id, message_id, subject)
         VALUES (@opId, @messageId, (SELECT subject FROM messages WHERE id = @messageId))`,
      ),
      opSource: db.prepare<[number, number, number, number, number]>(
        'INSERT OR REPLACE INTO op_sources (op_id, message_id, mailbox_id, uidvalidity, uid) VALUES (?, ?, ?, ?, ?)',
      ),
      setFlags: db.prepare(
        `UPDATE messages SET flags = @flags, seen = @seen, flagged = @flagged, answered = @answered, draft = @draft, deleted = @deleted WHERE id = @id`,
      ),
      place: db.prepare<{ id: number; mailboxId: number; uidvalidity: number; uid: number }>(
        'UPDATE messages SET mailbox_id = @mailboxId, uidvalidity = @uidvalidity, uid = @uid WHERE id = @id',
      ),
      copyRow: db.prepare<{ id: number; target: number; newId: number }, { id: number; subject: string; addresses: string }>(
        `INSERT INTO messages (id, mailbox_id, uidvalidity, uid, flags, seen, flagged, answered, draft, deleted, internal_date, sent_date, size,
           subject, from_name, from_addr, sort_from, sort_subject, addresses, message_id, in_reply_to, refs, thread_id, bodystructure,
           has_attachments, attachments, snippet, body_state)
         SELECT @newId, @target, 0, -@newId, flags, seen, flagged, answered, draft, deleted, internal_date,
           sent_date, size, subject, from_name, from_addr, sort_from, sort_subject, addresses, message_id, in_reply_to,
           refs, thread_id, bodystructure, has_attachments, attachments, snippet, CASE WHEN body_state = 1 THEN 1 ELSE 0 END
         FROM messages WHERE id = @id RETURNING id, subject, addresses`,
      ),
      // The text the original has cached (inline parts: the prefetch's, or opened), so the copy reads
      // offline as the original does. Part files (attachments opened, the source) are the ops
      // service's to share after the transaction (PartStore.shareFiles: hard links, not rows here).
      copyParts: db.prepare<{ id: number; newId: number }>(
        `INSERT INTO parts (message_id, part, content_type, charset, text, search_text, file, size, cached_at)
         SELECT @newId, part, content_type, charset, text, search_text, NULL, size, cached_at FROM parts WHERE message_id = @id AND file IS NULL`,
      ),
      searchTexts: db
        .prepare<[number], string>('SELECT search_text FROM parts WHERE message_id = ? AND search_text IS NOT NULL ORDER BY part')
        .pluck(),
      deleteMessage: db.prepare<[number]>('DELETE FROM messages WHERE id = ?'),
      row: db.prepare<[number], { mailbox_id: number; uidvalidity: number; uid: number }>(
        'SELECT mailbox_id, uidvalidity, uid FROM messages WHERE id = ?',
      ),
      // A message moved by pending operations: where the first of them took it from.
      movedFrom: db.prepare<[number], { mailbox_id: number; uidvalidity: number; uid: number }>(
        `SELECT s.mailbox_id, s.uidvalidity, s.uid FROM op_sources s JOIN ops o ON o.id = s.op_id
         WHERE s.message_id = ? AND o.state = 'pending' AND s.uid > 0 ORDER BY o.id LIMIT 1`,
      ),
      // The pending copy a local copy belongs to (its payload maps originals to copies).
      copiedBy: db
        .prepare<[number], string>(
          `SELECT o.payload FROM op_messages m JOIN ops o ON o.id = m.op_id
           WHERE m.message_id = ? AND o.kind = 'copy' AND o.state = 'pending' ORDER BY o.id LIMIT 1`,
        )
        .pluck(),
      mailbox: db.prepare<
        [number],
        {
          id: number;
          account_id: number;
          path: string;
          name: string;
          parent_path: string | null;
          server_path: string | null;
          delimiter: string | null;
          role: string | null;
          pending: string | null;
          subscribed: number;
          uidvalidity: number | null;
          readonly: number;
        }
      >(
        'SELECT id, account_id, path, name, parent_path, server_path, delimiter, role, pending, subscribed, uidvalidity, readonly FROM mailboxes WHERE id = ?',
      ),
      mailboxByPath: db.prepare<[number, string], { id: number }>('SELECT id FROM mailboxes WHERE account_id = ? AND path = ?'),
      trash: db.prepare<[number], { id: number }>(
        "SELECT id FROM mailboxes WHERE account_id = ? AND role = 'trash' AND pending IS NULL LIMIT 1",
      ),
      insertMailbox: db.prepare(
        `INSERT INTO mailboxes (account_id, path, name, parent_path, delimiter, namespace, subscribed, selectable, pending)
         VALUES (@accountId, @path, @name, @parentPath, @delimiter, 'personal', 1, 1, 'create') RETURNING id`,
      ),
      renameTree: db.prepare<{ accountId: number; from: string; to: string; delim: string }>(
        `UPDATE mailboxes SET
           server_path = coalesce(server_path, path),
           path = @to || substr(path, length(@from) + 1),
           parent_path = CASE WHEN path = @from THEN parent_path ELSE @to || substr(parent_path, length(@from) + 1) END
         WHERE account_id = @accountId AND (path = @from OR substr(path, 1, length(@from) + length(@delim)) = @from || @delim)`,
      ),
      setName: db.prepare<[string, string | null, number]>('UPDATE mailboxes SET name = ?, parent_path = ? WHERE id = ?'),
      setPending: db.prepare<[string | null, number]>('UPDATE mailboxes SET pending = ? WHERE id = ?'),
      // The folders below one (a delete takes them with it): marked, unmarked, removed.
      markSubtreeDeleted: db.prepare<{ accountId: number; path: string; delim: string }>(
        `UPDATE mailboxes SET pending = 'delete'
         WHERE account_id = @accountId AND pending IS NULL AND substr(path, 1, length(@path) + length(@delim)) = @path || @delim`,
      ),
      unmarkSubtreeDeleted: db.prepare<{ accountId: number; path: string; delim: string }>(
        `UPDATE mailboxes SET pending = NULL
         WHERE account_id = @accountId AND pending = 'delete' AND substr(path, 1, length(@path) + length(@delim)) = @path || @delim`,
      ),
      deleteSubtree: db.prepare<{ accountId: number; path: string; delim: string }>(
        `DELETE FROM mailboxes WHERE account_id = @accountId AND substr(path, 1, length(@path) + length(@delim)) = @path || @delim`,
      ),
      setSubscribed: db.prepare<[number, number]>('UPDATE mailboxes SET subscribed = ? WHERE id = ?'),
      clearServerPath: db.prepare<{ accountId: number; path: string; delim: string }>(
        `UPDATE mailboxes SET server_path = NULL WHERE account_id = @accountId AND (path = @path OR substr(path, 1, length(@path) + length(@delim)) = @path || @delim)`,
      ),
      deleteMailbox: db.prepare<[number]>('DELETE FROM mailboxes WHERE id = ?'),
      // After a RENAME on the server: every folder of the renamed tree (by its server path) is now
      // under the new name there; folders created locally and not replayed yet are not on the server.
      serverRenamed: db.prepare<{ accountId: number; from: string; to: string; delim: string }>(
        `UPDATE mailboxes SET server_path = @to || substr(coalesce(server_path, path), length(@from) + 1)
         WHERE account_id = @accountId AND (pending IS NULL OR pending != 'create')
           AND (coalesce(server_path, path) = @from OR substr(coalesce(server_path, path), 1, length(@from) + length(@delim)) = @from || @delim)`,
      ),
      settleServerPaths: db.prepare<[number]>('UPDATE mailboxes SET server_path = NULL WHERE account_id = ? AND server_path = path'),
      setServerPath: db.prepare<[string | null, number]>('UPDATE mailboxes SET server_path = ? WHERE id = ?'),
      pending: db.prepare<[number], RawOp>("SELECT * FROM ops WHERE account_id = ? AND state = 'pending' ORDER BY id"),
      op: db.prepare<[number], RawOp>('SELECT * FROM ops WHERE id = ?'),
      // The subject as it is now, else as it was when the change was made (the message is gone).
      opMessages: db.prepare<[number], { message_id: number; subject: string | null }>(
        `SELECT o.message_id, coalesce(m.subject, o.subject) AS subject
         FROM op_messages o LEFT JOIN messages m ON m.id = o.message_id WHERE o.op_id = ? ORDER BY o.message_id`,
      ),
      sources: db.prepare<[number], { message_id: number; mailbox_id: number; uidvalidity: number; uid: number }>(
        'SELECT message_id, mailbox_id, uidvalidity, uid FROM op_sources WHERE op_id = ?',
      ),
      finish: db.prepare<[string, string | null, string | null, string | null, number]>(
        `UPDATE ops SET state = ?, error_code = ?, error_message = ?, server_text = ?, attempts = attempts + 1,
           updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`,
      ),
      attempt: db.prepare<[string, number]>(
        "UPDATE ops SET attempts = attempts + 1, error_message = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
      ),
      adopt: db.prepare<{ messageId: number; mailboxId: number; uidvalidity: number; uid: number }>(
        `UPDATE op_sources SET uidvalidity = @uidvalidity, uid = @uid
         WHERE message_id = @messageId AND mailbox_id = @mailboxId AND uidvalidity = 0
           AND op_id IN (SELECT id FROM ops WHERE state = 'pending')`,
      ),
      laterSource: db.prepare<[number, number], { mailbox_id: number; uidvalidity: number; uid: number }>(
        `SELECT s.mailbox_id, s.uidvalidity, s.uid FROM op_sources s JOIN ops o ON o.id = s.op_id
         WHERE s.message_id = ? AND o.state = 'pending' AND o.id > ? AND s.uidvalidity > 0 ORDER BY o.id LIMIT 1`,
      ),
      list: db.prepare<[number, string], RawOp>(
        'SELECT * FROM ops WHERE account_id = ? AND state IN (SELECT value FROM json_each(?)) ORDER BY id',
      ),
      lastAction: db.prepare<[number], { action_id: number }>(
        `SELECT action_id FROM ops WHERE account_id = ? AND state IN ('pending', 'done') AND inverse IS NULL
           AND json_extract(payload, '$.auto') IS NULL ORDER BY action_id DESC LIMIT 1`,
      ),
      actionOps: db.prepare<[number], RawOp>('SELECT * FROM ops WHERE action_id = ? ORDER BY id'),
    };
  }

  // ---------------------------------------------------------------- local apply (user actions)

  #refs(ids: number[]): MessageRef[] {
    const refs = this.#q.refs.all(JSON.stringify([...new Set(ids)]));
    if (refs.length !== new Set(ids).size) throw new TegamiError({ code: 'NOT_FOUND', message: 'Some of those messages no longer exist.' });
    const accounts = new Set(refs.map((r) => r.account_id));
    if (accounts.size > 1)
      throw new TegamiError({ code: 'INVALID_INPUT', message: 'An action works on messages of one account at a time.' });
    return refs;
  }

  #op(accountId: number, actionId: number, kind: OpKind, payload: unknown, messageIds: number[] = []): number {
    const row = this.#q.insertOp.get(accountId, actionId, kind, JSON.stringify(payload));
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    for (const m of messageIds) this.#q.opMessage.run({ opId: row.id, messageId: m });
    return row.id;
  }

  #action(): number {
    return this.#q.nextAction.get()?.n ?? 1;
  }

  #mailbox(id: number) {
    const m = this.#q.mailbox.get(id);
    if (!m || m.pending === 'delete') throw new TegamiError({ code: 'NOT_FOUND', message: 'That folder does not exist (any more).' });
    return m;
  }

  /** Sets and clears flags and keywords; \\Recent is the server's alone (RFC 3501 2.3.2). */
  setFlags(ids: number[], add: string[], remove: string[], options: { undoable?: boolean } = {}): { actionId: number; accountId: number } {
    const bad = [...add, ...remove].find((f) => f.toLowerCase() === '\\recent');
    if (bad) throw new TegamiError({ code: 'INVALID_INPUT', message: '\\Recent is set by the server only.' });
    return this.#db.transaction(() => {
      const refs = this.#refs(ids);
      const accountId = refs[0]?.account_id ?? 0;
      const actionId = this.#action();
      const before: Record<string, string[]> = {};
      for (const r of refs) {
        const old = JSON.parse(r.flags) as string[];
        before[r.id] = old;
        const next = canonicalFlags([...old.filter((f) => !has(remove, f)), ...add]);
        this.#q.setFlags.run({ id: r.id, flags: JSON.stringify(next), ...flagCols(next) });
      }
      this.#op(
        accountId,
        actionId,
        'flags',
        { add, remove, before, ...(options.undoable === false ? { auto: true as const } : {}) } satisfies FlagsPayload,
        refs.map((r) => r.id),
      );
      return { actionId, accountId };
    })();
  }

  /** Moves messages to another folder of the same account: local rows move at once. */
  move(ids: number[], target: number): { actionId: number; accountId: number } {
    return this.#db.transaction(() => {
      const refs = this.#refs(ids).filter((r) => r.mailbox_id !== target);
      const dest = this.#mailbox(target);
      const accountId = dest.account_id;
      if (refs.some((r) => r.account_id !== accountId))
        throw new TegamiError({ code: 'INVALID_INPUT', message: 'Messages can only be moved within their account.' });
      const actionId = this.#action();
      if (!refs.length) return { actionId, accountId };
      const from: Record<string, number> = {};
      for (const r of refs) from[r.id] = r.mailbox_id;
      const opId = this.#op(
        accountId,
        actionId,
        'move',
        { target, from } satisfies MovePayload,
        refs.map((r) => r.id),
      );
      for (const r of refs) {
        this.#q.opSource.run(opId, r.id, r.mailbox_id, r.uidvalidity, r.uid);
        this.#q.place.run({ id: r.id, mailboxId: target, uidvalidity: 0, uid: -r.id });
      }
      return { actionId, accountId };
    })();
  }

  copy(
    ids: number[],
    target: number,
  ): { actionId: number; accountId: number; copies: number[]; pairs: Array<{ original: number; copy: number }> } {
    return this.#db.transaction(() => {
      const refs = this.#refs(ids);
      const dest = this.#mailbox(target);
      const accountId = dest.account_id;
      const actionId = this.#action();
      const copies: Record<string, number> = {};
      const indexed: Array<{ id: number; subject: string; addresses: string }> = [];
      const bodies: Array<{ id: number; body: string; replace: boolean }> = [];
      for (const r of refs) {
        // The copy's id is by date, as every message's (ID_SLOTS); its uid, until the server's is known, is -id.
        const row = this.#q.copyRow.get({ id: r.id, target, newId: this.#newId(r.internal_date) });
        if (!row) throw new Error('copy gave no row');
        copies[r.id] = row.id;
        indexed.push({ id: row.id, subject: row.subject, addresses: addressText(row.addresses) });
        this.#q.copyParts.run({ id: r.id, newId: row.id });
        const texts = this.#q.searchTexts.all(row.id);
        if (texts.length) bodies.push({ id: row.id, body: texts.join('\n'), replace: false });
      }
      // Found by local search at once, by header and cached text, as the original is (no insert
      // trigger indexes rows: migrations 19 and 20).
      this.#index.insertHeaders(indexed);
      this.#index.storeBodies(bodies);
      this.#op(accountId, actionId, 'copy', { target, copies } satisfies CopyPayload, [...refs.map((r) => r.id), ...Object.values(copies)]);
      return {
        actionId,
        accountId,
        copies: Object.values(copies),
        pairs: Object.entries(copies).map(([original, copy]) => ({ original: Number(original), copy })),
      };
    })();
  }

  /** Marks \\Deleted and queues a UID EXPUNGE of exactly these messages, wherever they are. */
  expunge(ids: number[]): { actionId: number; accountId: number } {
    return this.#db.transaction(() => {
      const refs = this.#refs(ids);
      const accountId = refs[0]?.account_id ?? 0;
      const actionId = this.#action();
      this.#queueExpunge(accountId, actionId, refs);
      return { actionId, accountId };
    })();
  }

  #queueExpunge(accountId: number, actionId: number, refs: MessageRef[]): void {
    if (!refs.length) return;
    const before: Record<string, string[]> = {};
    for (const r of refs) before[r.id] = JSON.parse(r.flags) as string[];
    const opId = this.#op(
      accountId,
      actionId,
      'expunge',
      { before } satisfies ExpungePayload,
      refs.map((r) => r.id),
    );
    for (const r of refs) {
      this.#q.opSource.run(opId, r.id, r.mailbox_id, r.uidvalidity, r.uid);
      const next = canonicalFlags([...(before[r.id] ?? []), '\\Deleted']);
      this.#q.setFlags.run({ id: r.id, flags: JSON.stringify(next), ...flagCols(next) });
    }
  }

  /**
   * Deletes: to the account's Trash when it has one (and the message is not in it already), else
   * marks \\Deleted and queues a UID EXPUNGE of exactly those messages (never a bare EXPUNGE).
   */
  delete(ids: number[]): { actionId: number; accountId: number } {
    return this.#db.transaction(() => {
      const refs = this.#refs(ids);
      const accountId = refs[0]?.account_id ?? 0;
      const trash = this.#q.trash.get(accountId)?.id;
      const toTrash = trash === undefined ? [] : refs.filter((r) => r.mailbox_id !== trash);
      const toExpunge = trash === undefined ? refs : refs.filter((r) => r.mailbox_id === trash);
      const actionId =
        toTrash.length && trash !== undefined
          ? this.move(
              toTrash.map((r) => r.id),
              trash,
            ).actionId
          : this.#action();
      this.#queueExpunge(accountId, actionId, toExpunge);
      return { actionId, accountId };
    })();
  }

  /** Queues an APPEND; the local row (a placeholder with the parsed headers) is created by the caller's insert. */
  append(
    target: number,
    insertRow: (mailboxId: number) => number,
    file: string,
    flags: string[],
    internalDate: number,
  ): { actionId: number; accountId: number; messageId: number } {
    return this.#db.transaction(() => {
      const dest = this.#mailbox(target);
      const actionId = this.#action();
      const messageId = insertRow(target);
      if (!Number.isInteger(messageId)) throw new Error('The placeholder row of the message could not be written.');
      this.#q.place.run({ id: messageId, mailboxId: target, uidvalidity: 0, uid: -messageId });
      this.#op(dest.account_id, actionId, 'append', { target, messageId, file, flags, internalDate } satisfies AppendPayload, [messageId]);
      return { actionId, accountId: dest.account_id, messageId };
    })();
  }

  createFolder(accountId: number, parentId: number | null, name: string): { actionId: number; accountId: number; mailboxId: number } {
    if (!name.trim()) throw new TegamiError({ code: 'INVALID_INPUT', message: 'Give the folder a name.' });
    return this.#db.transaction(() => {
      const parent = parentId === null ? null : this.#mailbox(parentId);
      const delimiter = parent?.delimiter ?? this.#delimiterOf(accountId);
      if (delimiter && name.includes(delimiter)) {
        throw new TegamiError({ code: 'INVALID_INPUT', message: `A folder name cannot contain “${delimiter}”.` });
      }
      const path = parent ? `${parent.path}${delimiter ?? ''}${name}` : name;
      if (this.#q.mailboxByPath.get(accountId, path))
        throw new TegamiError({ code: 'ALREADY_EXISTS', message: `The folder “${path}” already exists.` });
      const row = this.#q.insertMailbox.get({ accountId, path, name, parentPath: parent?.path ?? null, delimiter }) as { id: number };
      const actionId = this.#action();
      this.#op(accountId, actionId, 'folder-create', { mailboxId: row.id, to: path } satisfies FolderPayload);
      return { actionId, accountId, mailboxId: row.id };
    })();
  }

  #delimiterOf(accountId: number): string | null {
    const row = this.#db
      .prepare<[number], { delimiter: string | null }>(
        "SELECT delimiter FROM namespaces WHERE account_id = ? AND kind = 'personal' ORDER BY position LIMIT 1",
      )
      .get(accountId);
    return row?.delimiter ?? '/';
  }

  renameFolder(mailboxId: number, newName: string): { actionId: number; accountId: number } {
    return this.#db.transaction(() => {
      const m = this.#mailbox(mailboxId);
      if (m.role === 'inbox') throw new TegamiError({ code: 'INVALID_INPUT', message: 'INBOX cannot be renamed here.' });
      const delim = m.delimiter ?? '';
      if (delim && newName.includes(delim))
        throw new TegamiError({ code: 'INVALID_INPUT', message: `A folder name cannot contain “${delim}”.` });
      const parent = delim && m.path.includes(delim) ? m.path.slice(0, m.path.lastIndexOf(delim)) : null;
      const to = parent ? `${parent}${delim}${newName}` : newName;
      if (this.#q.mailboxByPath.get(m.account_id, to))
        throw new TegamiError({ code: 'ALREADY_EXISTS', message: `The folder “${to}” already exists.` });
      this.#q.renameTree.run({ accountId: m.account_id, from: m.path, to, delim: delim || '\u0000' });
      this.#q.setName.run(newName, parent, mailboxId);
      const actionId = this.#action();
      this.#op(m.account_id, actionId, 'folder-rename', { mailboxId, from: m.path, to } satisfies FolderPayload);
      return { actionId, accountId: m.account_id };
    })();
  }

  deleteFolder(mailboxId: number): { actionId: number; accountId: number } {
    return this.#db.transaction(() => {
      const m = this.#mailbox(mailboxId);
      if (m.role === 'inbox') throw new TegamiError({ code: 'INVALID_INPUT', message: 'INBOX cannot be deleted.' });
      this.#q.setPending.run('delete', mailboxId);
      if (m.delimiter) this.#q.markSubtreeDeleted.run({ accountId: m.account_id, path: m.path, delim: m.delimiter });
      const actionId = this.#action();
      this.#op(m.account_id, actionId, 'folder-delete', { mailboxId, from: m.server_path ?? m.path } satisfies FolderPayload);
      return { actionId, accountId: m.account_id };
    })();
  }

  subscribe(mailboxId: number, subscribed: boolean): { actionId: number; accountId: number } {
    return this.#db.transaction(() => {
      const m = this.#mailbox(mailboxId);
      this.#q.setSubscribed.run(subscribed ? 1 : 0, mailboxId);
      const actionId = this.#action();
      this.#op(m.account_id, actionId, 'folder-subscribe', { mailboxId, subscribed } satisfies FolderPayload);
      return { actionId, accountId: m.account_id };
    })();
  }

  // ---------------------------------------------------------------- replay support

  pending(accountId: number): OpRow[] {
    return this.#q.pending.all(accountId).map((r) => this.#toRow(r));
  }

  /** The message files queued APPENDs still need: pending ones, and failed ones (a retry sends them). */
  outboxFilesInUse(): Set<string> {
    const payloads = this.#db
      .prepare<[], string>("SELECT payload FROM ops WHERE kind = 'append' AND state IN ('pending', 'failed')")
      .pluck()
      .all();
    return new Set(payloads.map((p) => (JSON.parse(p) as { file: string }).file));
  }

  get(opId: number): OpRow | null {
    const r = this.#q.op.get(opId);
    return r ? this.#toRow(r) : null;
  }

  list(accountId: number, states: OpState[]): OpRow[] {
    return this.#q.list.all(accountId, JSON.stringify(states)).map((r) => this.#toRow(r));
  }

  #toRow(r: RawOp): OpRow {
    return {
      id: r.id,
      accountId: r.account_id,
      actionId: r.action_id,
      kind: r.kind,
      payload: JSON.parse(r.payload) as unknown,
      state: r.state,
      attempts: r.attempts,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      error: r.error_code
        ? {
            code: r.error_code as ErrorInfo['code'],
            message: r.error_message ?? '',
            ...(r.server_text ? { serverText: r.server_text } : {}),
          }
        : null,
      ...this.#messagesOf(r.id),
    };
  }

  #messagesOf(opId: number): Pick<OpRow, 'messageIds' | 'subjects'> {
    const rows = this.#q.opMessages.all(opId);
    return { messageIds: rows.map((m) => m.message_id), subjects: rows.slice(0, SUBJECTS_SHOWN).map((m) => m.subject) };
  }

  /** Where each message of an operation is on the server right now (RFC 4549: resolved at replay). */
  sources(op: OpRow): Map<number, ServerIdentity> {
    const out = new Map<number, ServerIdentity>();
    for (const s of this.#q.sources.all(op.id)) {
      if (s.uidvalidity > 0) out.set(s.message_id, { mailboxId: s.mailbox_id, uidvalidity: s.uidvalidity, uid: s.uid });
    }
    for (const r of this.#q.refs.all(JSON.stringify(op.messageIds))) {
      if (out.has(r.id)) continue;
      if (r.uidvalidity > 0) out.set(r.id, { mailboxId: r.mailbox_id, uidvalidity: r.uidvalidity, uid: r.uid });
      else {
        // Moved on locally by a later operation: the later one knows where it is on the server.
        const later = this.#q.laterSource.get(r.id, op.id);
        if (later) out.set(r.id, { mailboxId: later.mailbox_id, uidvalidity: later.uidvalidity, uid: later.uid });
      }
    }
    return out;
  }

  mailboxInfo(id: number) {
    return this.#q.mailbox.get(id) ?? null;
  }

  /** The server path of a folder: its old name while a local rename waits. */
  serverPath(mailboxId: number): string {
    const m = this.#q.mailbox.get(mailboxId);
    if (!m) throw new TegamiError({ code: 'NOT_FOUND', message: 'The folder no longer exists.' });
    return m.server_path ?? m.path;
  }

  /** A message now has a server identity (COPYUID/APPENDUID): give it to the row, or to the later operation that moved it on. */
  placed(messageId: number, mailboxId: number, uidvalidity: number, uid: number): void {
    this.#db.transaction(() => {
      const row = this.#db
        .prepare<[number], { mailbox_id: number; uidvalidity: number }>('SELECT mailbox_id, uidvalidity FROM messages WHERE id = ?')
        .get(messageId);
      // The folder was deleted and made again on the server since it was last synced (a new
      // UIDVALIDITY): the next sync downloads it all, this row with the rest.
      const known = this.#q.mailbox.get(mailboxId)?.uidvalidity ?? null;
      if (row && row.mailbox_id === mailboxId && row.uidvalidity === 0 && known !== null && known !== uidvalidity) {
        this.#q.deleteMessage.run(messageId);
      } else if (row && row.mailbox_id === mailboxId && row.uidvalidity === 0) {
        // Another row may already hold that UID (sync raced us): the older copy wins, ours goes.
        const clash = this.#db
          .prepare<[number, number, number], { id: number }>('SELECT id FROM messages WHERE mailbox_id = ? AND uidvalidity = ? AND uid = ?')
          .get(mailboxId, uidvalidity, uid);
        if (clash) this.#q.deleteMessage.run(clash.id);
        this.#q.place.run({ id: messageId, mailboxId, uidvalidity, uid });
      }
      this.#q.adopt.run({ messageId, mailboxId, uidvalidity, uid });
    })();
  }

  deleteMessages(ids: number[]): void {
    this.#db.transaction(() => {
      for (const id of ids) this.#q.deleteMessage.run(id);
    })();
  }

  /** The newest MODSEQ known of these messages (for UNCHANGEDSINCE), or null when any is unknown. */
  knownModseq(messageIds: number[]): bigint | null {
    if (!messageIds.length) return null;
    const row = this.#db
      .prepare<[string], { known: number; total: number; top: bigint | null }>(
        'SELECT count(modseq) AS known, count(*) AS total, max(modseq) AS top FROM messages WHERE id IN (SELECT value FROM json_each(?))',
      )
      .safeIntegers(true)
      .get(JSON.stringify(messageIds));
    if (!row || row.known !== row.total || row.top === null) return null;
    return BigInt(row.top);
  }

  /** Sets a message's flags to what the server reports after our store (the merged result). */
  setServerFlags(messageId: number, flags: string[]): void {
    const next = canonicalFlags(flags);
    this.#q.setFlags.run({ id: messageId, flags: JSON.stringify(next), ...flagCols(next) });
  }

  setServerFlagsMany(entries: [messageId: number, flags: string[]][]): void {
    this.#db.transaction(() => {
      for (const [id, flags] of entries) this.setServerFlags(id, flags);
    })();
  }

  restoreFlags(before: Record<string, string[]>, only?: Set<number>): void {
    this.#db.transaction(() => {
      for (const [id, flags] of Object.entries(before)) {
        if (only && !only.has(Number(id))) continue;
        this.setServerFlags(Number(id), flags);
      }
    })();
  }

  /** Puts moved messages back where the server still has them. */
  restorePlacement(op: OpRow, ids?: number[]): void {
    this.#db.transaction(() => {
      for (const s of this.#q.sources.all(op.id)) {
        if (ids && !ids.includes(s.message_id)) continue;
        this.#q.place.run({
          id: s.message_id,
          mailboxId: s.mailbox_id,
          uidvalidity: s.uidvalidity,
          uid: s.uidvalidity > 0 ? s.uid : -s.message_id,
        });
      }
    })();
  }

  /**
   * Where a folder belongs on the server now: under its parent's server path (the parent's own
   * rename may still be queued), with its current name. A top-level folder: its local path.
   * Replaying a rename or create there makes a chain of offline renames one RENAME, in any order of
   * parent and child renames (DESIGN.md 5).
   */
  serverTarget(mailboxId: number): string {
    const m = this.#q.mailbox.get(mailboxId);
    if (!m) throw new TegamiError({ code: 'NOT_FOUND', message: 'The folder no longer exists.' });
    const parent = m.parent_path === null ? undefined : this.#q.mailboxByPath.get(m.account_id, m.parent_path);
    return parent ? `${this.serverPath(parent.id)}${m.delimiter ?? ''}${m.name}` : m.path;
  }

  /** The folder now exists on the server under `serverPath`. */
  folderCreated(mailboxId: number, serverPath?: string): void {
    this.#db.transaction(() => {
      this.#q.setPending.run(null, mailboxId);
      const m = this.#q.mailbox.get(mailboxId);
      if (m && serverPath !== undefined) this.#q.setServerPath.run(serverPath === m.path ? null : serverPath, mailboxId);
    })();
  }
  /** A folder tree was renamed on the server from `from` to `to`. */
  folderRenamed(op: OpRow, from?: string, to?: string): void {
    const p = op.payload as FolderPayload;
    const m = this.#q.mailbox.get(p.mailboxId);
    if (!m) return;
    this.#db.transaction(() => {
      if (from === undefined || to === undefined) {
        this.#q.clearServerPath.run({ accountId: m.account_id, path: m.path, delim: m.delimiter || '\u0000' });
        return;
      }
      this.#q.serverRenamed.run({ accountId: m.account_id, from, to, delim: m.delimiter || '\u0000' });
      this.#q.settleServerPaths.run(m.account_id);
    })();
  }
  /** The folder and the ones below it are gone from the server (see replay's folder-delete). */
  folderDeleted(mailboxId: number): void {
    this.#db.transaction(() => {
      const m = this.#q.mailbox.get(mailboxId);
      if (m?.delimiter) this.#q.deleteSubtree.run({ accountId: m.account_id, path: m.path, delim: m.delimiter });
      this.#q.deleteMailbox.run(mailboxId);
    })();
  }
  revertFolder(op: OpRow): void {
    const p = op.payload as FolderPayload;
    this.#db.transaction(() => {
      const m = this.#q.mailbox.get(p.mailboxId);
      if (!m) return;
      if (op.kind === 'folder-create') this.#q.deleteMailbox.run(p.mailboxId);
      else if (op.kind === 'folder-delete') {
        this.#q.setPending.run(null, p.mailboxId);
        if (m.delimiter) this.#q.unmarkSubtreeDeleted.run({ accountId: m.account_id, path: m.path, delim: m.delimiter });
      } else if (op.kind === 'folder-subscribe') this.#q.setSubscribed.run(p.subscribed ? 0 : 1, p.mailboxId);
      else if (op.kind === 'folder-rename' && p.from && p.to) {
        // Back to the name the folder still has on the server (which later queued renames of it
        // also failed to change), under its current local parent.
        const delim = m.delimiter || '\u0000';
        const server = m.server_path ?? p.from;
        const name = m.delimiter && server.includes(m.delimiter) ? server.slice(server.lastIndexOf(m.delimiter) + 1) : server;
        const local = m.parent_path === null ? name : `${m.parent_path}${m.delimiter ?? ''}${name}`;
        if (local !== m.path && this.#q.mailboxByPath.get(m.account_id, local)) {
          // The name is taken locally meanwhile: keep the local name, and let the next folder list
          // decide (the folder goes if the server has no folder of that name).
          this.#q.setServerPath.run(null, p.mailboxId);
          return;
        }
        this.#q.renameTree.run({ accountId: m.account_id, from: m.path, to: local, delim });
        this.#q.setName.run(name, m.parent_path, p.mailboxId);
        this.#q.settleServerPaths.run(m.account_id);
      }
    })();
  }

  /** Counts an attempt before a non-idempotent command (APPEND) is sent, so a crash is noticed. */
  startAttempt(opId: number): void {
    this.#db
      .prepare<[number]>("UPDATE ops SET attempts = attempts + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?")
      .run(opId);
  }

  flagsOf(messageId: number): string[] | null {
    const row = this.#db.prepare<[number], { flags: string }>('SELECT flags FROM messages WHERE id = ?').get(messageId);
    return row ? (JSON.parse(row.flags) as string[]) : null;
  }

  /**
   * Where the server has a message whose row has no UID yet because a queued move or copy has not
   * been replayed: the folder and UID its first pending move took it from, or its original's (a
   * copy). Its parts are fetched from there meanwhile: a first sync can keep the queue waiting for
   * minutes. Null for a message the server does not have (a queued APPEND) or one placed already.
   */
  serverLocation(messageId: number, depth = 0): { path: string; uidvalidity: number; uid: number } | null {
    const here = this.#q.row.get(messageId);
    if (!here) return null;
    if (here.uid > 0) return { path: this.serverPath(here.mailbox_id), uidvalidity: here.uidvalidity, uid: here.uid };
    if (depth > 3) return null;
    const moved = this.#q.movedFrom.get(messageId);
    if (moved) return { path: this.serverPath(moved.mailbox_id), uidvalidity: moved.uidvalidity, uid: moved.uid };
    const copy = this.#q.copiedBy.get(messageId);
    if (!copy) return null;
    const original = Object.entries((JSON.parse(copy) as CopyPayload).copies).find(([, id]) => id === messageId)?.[0];
    return original === undefined ? null : this.serverLocation(Number(original), depth + 1);
  }

  /** Whether a message's row has its BODYSTRUCTURE (a queued APPEND's may not: mime/headers.ts). */
  hasStructure(messageId: number): boolean {
    return (
      this.#db.prepare<[number], { s: number }>('SELECT bodystructure IS NOT NULL AS s FROM messages WHERE id = ?').get(messageId)?.s === 1
    );
  }
  messageIdOf(messageId: number): string | null {
    return (
      this.#db.prepare<[number], { message_id: string | null }>('SELECT message_id FROM messages WHERE id = ?').get(messageId)
        ?.message_id ?? null
    );
  }

  done(opId: number): void {
    this.#q.finish.run('done', null, null, null, opId);
  }
  failed(opId: number, error: ErrorInfo): void {
    this.#q.finish.run('failed', error.code, error.message, error.serverText ?? null, opId);
  }
  /** A transient failure: the operation stays first in line. */
  retryLater(opId: number, error: ErrorInfo): void {
    this.#q.attempt.run(error.message, opId);
  }
  discard(opId: number): void {
    this.#q.finish.run('discarded', null, null, null, opId);
  }
  /** Runs `fn` in one transaction (a savepoint inside another): all of it happens, or none. */
  atomically<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }
  /** Puts a failed operation back in the queue (its local change is applied again by the caller). */
  requeue(opId: number): void {
    this.#db
      .prepare<[number]>(
        "UPDATE ops SET state = 'pending', error_code = NULL, error_message = NULL, server_text = NULL WHERE id = ? AND state = 'failed'",
      )
      .run(opId);
  }

  /** Marks an action as undone by another, so "undo" walks further back instead of redoing. */
  markUndone(actionId: number, undoActionId: number): void {
    this.#db.transaction(() => {
      this.#db.prepare<[string, number]>('UPDATE ops SET inverse = ? WHERE action_id = ?').run(`undone-by:${undoActionId}`, actionId);
      this.#db.prepare<[string, number]>('UPDATE ops SET inverse = ? WHERE action_id = ?').run(`undo-of:${actionId}`, undoActionId);
    })();
  }

  /** An action id for a request that had nothing to do (an empty folder emptied). */
  noopAction(_accountId: number): number {
    return this.#action();
  }

  /** True once an action was undone (or is itself an undo). */
  isUndone(actionId: number): boolean {
    return (
      this.#db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM ops WHERE action_id = ? AND inverse IS NOT NULL').get(actionId)!
        .n > 0
    );
  }

  lastActionId(accountId: number): number | null {
    return this.#q.lastAction.get(accountId)?.action_id ?? null;
  }
  actionOps(actionId: number): OpRow[] {
    return this.#q.actionOps.all(actionId).map((r) => this.#toRow(r));
  }
}
