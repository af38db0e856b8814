import { readdir, readFile, rm, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import { TegamiError, type ErrorInfo } from '../../../shared/domain/errors.js';
import type {
  AppendPayload,
  CopyPayload,
  ExpungePayload,
  FlagsPayload,
  FolderPayload,
  MovePayload,
  OpRow,
  OpStore,
  ServerIdentity,
} from '../db/ops.js';
import {
  appendMessage,
  copyMessages,
  createFolder,
  deleteFolder,
  folderTree,
  expungeUids,
  moveMessages,
  renameFolder,
  responseCodeOf,
  findByMessageId,
  setSubscribed,
  readFlags,
  storeFlags,
  storeFlagsReporting,
} from '../imap/commands.js';
import type { ImapSession } from '../imap/session.js';

export interface ReplayReport {
  done: number;
  failed: number;
  /** IMAP commands sent, for the benchmark's "at most 3 commands for 1,000 flag changes". */
  commands: number;
}

export interface ReplayHooks {
  onChanged?: (mailboxIds: number[]) => void;
  onFailed?: (op: OpRow, error: ErrorInfo) => void;
}

/** Network trouble, timeouts, throttling: try again later, in the same order. Anything else is the server's final word. */
export const isTransient = (e: TegamiError): boolean =>
  [
    'NETWORK',
    'TIMEOUT',
    'CONNECTION_REFUSED',
    'HOST_NOT_FOUND',
    'TLS_FAILED',
    'TLS_UNTRUSTED',
    'STARTTLS_UNAVAILABLE',
    'NO_GREETING',
    'AUTH_FAILED',
    'STORAGE',
  ].includes(e.code) ||
  responseCodeOf(e) === 'UNAVAILABLE' ||
  responseCodeOf(e) === 'INUSE';

/**
 * A permanent failure whose local effects the replay has settled already: the messages that are gone
 * from the server were dropped, the others follow the server. Reverting the whole operation would
 * undo the part that did reach the server.
 */
class SettledFailure extends TegamiError {}

const asTegami = (e: unknown): TegamiError =>
  e instanceof TegamiError ? e : new TegamiError({ code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) }, { cause: e });

/**
 * Replays an account's queue in order before sync pulls anything (RFC 4549 3). Consecutive flag
 * operations with the same change are sent together: a thousand "mark read" become one UID STORE
 * per folder. A transient failure stops the replay (order is kept; the next pass retries); a
 * permanent one reverts that operation's local change, records the server's words, and the
 * operations behind it go on.
 */
export async function replayQueue(session: ImapSession, ops: OpStore, accountId: number, hooks: ReplayHooks = {}): Promise<ReplayReport> {
  const report: ReplayReport = { done: 0, failed: 0, commands: 0 };
  const queue = ops.pending(accountId);
  for (let i = 0; i < queue.length;) {
    const op = queue[i] as OpRow;
    const batch = [op];
    if (op.kind === 'flags') {
      const key = flagsKey(op);
      while (
        i + batch.length < queue.length &&
        queue[i + batch.length]?.kind === 'flags' &&
        flagsKey(queue[i + batch.length] as OpRow) === key
      ) {
        batch.push(queue[i + batch.length] as OpRow);
      }
    }
    i += batch.length;
    try {
      const changed = await replayBatch(session, ops, batch, report);
      for (const b of batch) ops.done(b.id);
      // An APPEND's file goes once the operation is recorded done, never before: deleted first, a
      // crash in between left a pending APPEND whose file was gone (the crash test found it). A crash
      // after `done` leaves an unused file in the outbox, nothing worse.
      for (const b of batch) if (b.kind === 'append') await rm((b.payload as AppendPayload).file, { force: true }).catch(() => undefined);
      report.done += batch.length;
      hooks.onChanged?.(changed);
    } catch (error) {
      const e = asTegami(error);
      if (isTransient(e) || !session.usable) {
        for (const b of batch) ops.retryLater(b.id, e.info);
        throw e;
      }
      for (const b of batch) {
        if (!(error instanceof SettledFailure)) revert(ops, b);
        ops.failed(b.id, e.info);
        hooks.onFailed?.(b, e.info);
      }
      report.failed += batch.length;
      hooks.onChanged?.([]);
    }
  }
  return report;
}

const flagsKey = (op: OpRow) => {
  const p = op.payload as FlagsPayload;
  return JSON.stringify([[...p.add].sort(), [...p.remove].sort()]);
};

/** Groups messages by the folder (and UIDVALIDITY) they are in on the server. */
function byMailbox(
  identities: Map<number, ServerIdentity>,
): Map<string, { mailboxId: number; uidvalidity: number; entries: [number, number][] }> {
  const groups = new Map<string, { mailboxId: number; uidvalidity: number; entries: [number, number][] }>();
  for (const [messageId, id] of identities) {
    const key = `${id.mailboxId}:${id.uidvalidity}`;
    const g = groups.get(key) ?? { mailboxId: id.mailboxId, uidvalidity: id.uidvalidity, entries: [] };
    g.entries.push([messageId, id.uid]);
    groups.set(key, g);
  }
  return groups;
}

/** Selects the folder and checks it is the one the UIDs belong to (RFC 4549 4.1: UIDVALIDITY). */
async function selectFor(session: ImapSession, ops: OpStore, mailboxId: number, uidvalidity: number, report: ReplayReport) {
  const path = ops.serverPath(mailboxId);
  report.commands++;
  const sel = await session.select(path);
  if (sel.uidvalidity !== uidvalidity) {
    throw new TegamiError({
      code: 'SERVER_ERROR',
      message: `The folder “${path}” was reset on the server (UIDVALIDITY changed); the change could not be applied.`,
    });
  }
  if (sel.readonly) throw new TegamiError({ code: 'SERVER_ERROR', message: `The folder “${path}” is read-only on the server.` });
  return sel;
}

async function replayBatch(session: ImapSession, ops: OpStore, batch: OpRow[], report: ReplayReport): Promise<number[]> {
  const op = batch[0] as OpRow;
  switch (op.kind) {
    case 'flags':
      return replayFlags(session, ops, batch, report);
    case 'move':
    case 'copy':
      return replayTransfer(session, ops, op, report);
    case 'expunge':
      return replayExpunge(session, ops, op, report);
    case 'append':
      return replayAppend(session, ops, op, report);
    default:
      return replayFolder(session, ops, op, report);
  }
}

async function replayFlags(session: ImapSession, ops: OpStore, batch: OpRow[], report: ReplayReport): Promise<number[]> {
  const { add, remove } = batch[0]?.payload as FlagsPayload;
  const identities = new Map<number, ServerIdentity>();
  for (const op of batch) for (const [m, id] of ops.sources(op)) identities.set(m, id);
  const touched: number[] = [];
  // A message with no place on the server (an earlier operation that would have put it there
  // failed, or it vanished first) is gone: were its row kept, it would stay local-only for good.
  const gone: number[] = [...new Set(batch.flatMap((op) => op.messageIds))].filter((m) => !identities.has(m));
  // One folder refusing (reset, read-only) must not revert the folders already done: their flags
  // are on the server. That folder's messages go back to what they were; the rest stays.
  let refused: TegamiError | null = null;
  for (const g of byMailbox(identities).values()) {
    try {
      await selectFor(session, ops, g.mailboxId, g.uidvalidity, report);
      const uids = g.entries.map(([, uid]) => uid);
      const now = await storeMerged(session, uids, add, remove, ops.knownModseq(g.entries.map(([m]) => m)), report);
      const answered: [number, string[]][] = [];
      for (const [messageId, uid] of g.entries) {
        const server = now.get(uid);
        if (server) answered.push([messageId, server.flags]);
        else gone.push(messageId);
      }
      ops.setServerFlagsMany(answered); // one transaction for the whole folder
      touched.push(g.mailboxId);
    } catch (error) {
      const e = asTegami(error);
      if (isTransient(e) || !session.usable) throw error;
      refused ??= e;
      const only = new Set(g.entries.map(([m]) => m));
      // The earliest operation's "before" is what the message had: restore it last.
      for (const op of [...batch].reverse()) ops.restoreFlags((op.payload as FlagsPayload).before, only);
    }
  }
  if (refused && !gone.length) throw new SettledFailure(refused.info, { cause: refused });
  if (gone.length) {
    ops.deleteMessages(gone);
    // The others have the server's flags now (set above): no revert.
    throw new SettledFailure({
      code: 'NOT_FOUND',
      message:
        gone.length === 1
          ? 'The message no longer exists on the server; its flags could not be changed.'
          : `${gone.length} messages no longer exist on the server; their flags could not be changed.`,
    });
  }
  return touched;
}

/**
 * Our flag change on the server, merged with whatever another device did (DESIGN.md 5): ±FLAGS
 * adds ours and removes ours and keeps theirs. With CONDSTORE the store is conditional
 * (UNCHANGEDSINCE the newest MODSEQ we know of these messages), so a message another device touched
 * since our last sync is noticed: it is stored again unconditionally — still a merge, never an
 * overwrite — and its resulting flags come back like the others'. Returns uid → flags as the server
 * now has them; a UID with no answer is gone from the server.
 */
async function storeMerged(
  session: ImapSession,
  uids: number[],
  add: string[],
  remove: string[],
  knownModseq: bigint | null,
  report: ReplayReport,
): Promise<Map<number, { flags: string[]; modseq: bigint | null }>> {
  const result = new Map<number, { flags: string[]; modseq: bigint | null }>();
  const steps: ['add' | 'remove', string[]][] = [];
  if (add.length) steps.push(['add', add]);
  if (remove.length) steps.push(['remove', remove]);
  for (const [op, flags] of steps) {
    report.commands++;
    const answered = await storeFlagsReporting(session, uids, op, flags, knownModseq ?? undefined);
    const modified = uids.filter((u) => !answered.has(u));
    if (modified.length && knownModseq !== null && session.condstore) {
      // Changed elsewhere meanwhile (MODIFIED) or gone: store without the condition; a gone
      // message stays unanswered.
      report.commands++;
      for (const [uid, v] of await storeFlagsReporting(session, modified, op, flags)) answered.set(uid, v);
    }
    for (const [uid, v] of answered) result.set(uid, v);
  }
  // A server may stay silent for a message the store did not change (its flags were already so):
  // read those back; a UID that answers nothing at all is gone from the server.
  const silent = uids.filter((u) => !result.has(u));
  if (silent.length) {
    report.commands++;
    for (const [uid, v] of await readFlags(session, silent)) result.set(uid, v);
  }
  return result;
}

async function replayTransfer(session: ImapSession, ops: OpStore, op: OpRow, report: ReplayReport): Promise<number[]> {
  const p = op.payload as MovePayload & Partial<CopyPayload>;
  const isCopy = op.kind === 'copy';
  const target = ops.mailboxInfo(p.target);
  if (!target) throw new TegamiError({ code: 'NOT_FOUND', message: 'The destination folder no longer exists.' });
  const targetPath = ops.serverPath(p.target);
  const sourceIds = isCopy ? Object.keys(p.copies ?? {}).map(Number) : op.messageIds;
  const identities = ops.sources({ ...op, messageIds: sourceIds });
  const touched = new Set<number>([p.target]);
  /** Local rows (moved messages, or copies) whose message is not on the server: they go. */
  const gone: number[] = [];
  /** The folders messages were no longer found in (they may be elsewhere on the server now), and how many. */
  const left = new Set<string>();
  let leftCount = 0;
  for (const id of sourceIds) {
    const local = isCopy ? p.copies?.[id] : id;
    if (!identities.has(id) && local !== undefined) gone.push(local);
  }
  for (const g of byMailbox(identities).values()) {
    await selectFor(session, ops, g.mailboxId, g.uidvalidity, report);
    // A message another device moved or deleted since this was queued is not there any more: the
    // server would answer OK and move nothing (no COPYUID for it, RFC 4315 3), and the change would
    // be gone without a word. Asked for first (UID FETCH FLAGS), such messages fail visibly below.
    report.commands++;
    const there = await readFlags(
      session,
      g.entries.map(([, uid]) => uid),
    );
    const entries = g.entries.filter(([messageId, uid]) => {
      if (there.has(uid)) return true;
      const local = isCopy ? p.copies?.[messageId] : messageId;
      if (local !== undefined) {
        gone.push(local);
        left.add(ops.serverPath(g.mailboxId));
        leftCount++;
      }
      return false;
    });
    if (!entries.length) {
      touched.add(g.mailboxId);
      continue;
    }
    const uids = entries.map(([, uid]) => uid);
    const attempt = async () => {
      report.commands++;
      return isCopy ? { ...(await copyMessages(session, uids, targetPath)), expunged: true } : moveMessages(session, uids, targetPath);
    };
    let placed;
    try {
      placed = await attempt();
    } catch (error) {
      // TRYCREATE (RFC 3501 6.4.7): the user chose this folder, so create it and try once more.
      if (responseCodeOf(error) !== 'TRYCREATE') throw error;
      report.commands++;
      await createFolder(session, targetPath);
      placed = await attempt();
    }
    for (const [messageId, uid] of entries) {
      const local = isCopy ? p.copies?.[messageId] : messageId;
      if (local === undefined) continue;
      if (!isCopy && !placed.expunged) {
        // No UIDPLUS: the original stays in the source, marked \Deleted, until the user expunges
        // it there (RFC 4549 4.2.4). The row goes back to it, as the server has it; the copy
        // arrives with the destination's next sync.
        ops.restorePlacement(op, [messageId]);
        ops.setServerFlags(messageId, [...(ops.flagsOf(messageId) ?? []), '\\Deleted']);
        continue;
      }
      const newUid = placed.uids.get(uid);
      if (placed.uidvalidity !== null && newUid !== undefined) ops.placed(local, p.target, placed.uidvalidity, newUid);
      // With UIDPLUS, a UID missing from COPYUID was not there any more (another client expunged
      // or moved it).
      else if (placed.uidvalidity !== null) gone.push(local);
      // Without COPYUID the next sync of the destination downloads it; drop the placeholder so
      // it is not there twice.
      else ops.deleteMessages([local]);
    }
    touched.add(g.mailboxId);
  }
  if (gone.length) {
    ops.deleteMessages(gone);
    const verb = isCopy ? 'copied' : 'moved';
    // All found missing from one folder: another device moved or deleted them there.
    const from = left.size === 1 && leftCount === gone.length ? `“${[...left][0] as string}”` : null;
    throw new SettledFailure({
      code: 'NOT_FOUND',
      message: from
        ? gone.length === 1
          ? `The message is no longer in ${from} on the server (moved or deleted on another device); it could not be ${verb}.`
          : `${gone.length} messages are no longer in ${from} on the server (moved or deleted on another device); they could not be ${verb}.`
        : gone.length === 1
          ? `The message no longer exists on the server; it could not be ${verb}.`
          : `${gone.length} messages no longer exist on the server; they could not be ${verb}.`,
    });
  }
  return [...touched];
}

async function replayExpunge(session: ImapSession, ops: OpStore, op: OpRow, report: ReplayReport): Promise<number[]> {
  const identities = ops.sources(op);
  const touched: number[] = [];
  // Never on the server (an earlier operation that would have put it there failed): just drop the row.
  ops.deleteMessages(op.messageIds.filter((m) => !identities.has(m)));
  for (const g of byMailbox(identities).values()) {
    await selectFor(session, ops, g.mailboxId, g.uidvalidity, report);
    const uids = g.entries.map(([, uid]) => uid);
    report.commands++;
    const expunged = await expungeUids(session, uids);
    if (expunged) ops.deleteMessages(g.entries.map(([m]) => m));
    else {
      // No UIDPLUS: a bare EXPUNGE would remove other clients' \\Deleted mail too. The messages stay
      // marked \\Deleted (RFC 4549 4.2.4) until the user expunges the folder explicitly.
      report.commands++;
      await storeFlags(session, uids, 'add', ['\\Deleted']);
    }
    touched.push(g.mailboxId);
  }
  return touched;
}

/** Where queued APPENDs keep their messages until replayed (ops service: messages.append). */
export const outboxDir = (dataDir: string): string => nodePath.join(dataDir, 'outbox');

/**
 * Deletes the outbox's message files no queued APPEND needs (OpStore.outboxFilesInUse): one whose
 * operation was discarded, or left by a crash right after its operation was recorded done. Only
 * files older than `minAgeMs`: a file is written before its operation is queued. Returns the paths
 * deleted.
 */
export async function sweepOutbox(ops: OpStore, dataDir: string, minAgeMs = 3600_000, now = Date.now()): Promise<string[]> {
  const dir = outboxDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // no outbox yet
  }
  const inUse = new Set([...ops.outboxFilesInUse()].map((f) => nodePath.resolve(f)));
  const removed: string[] = [];
  for (const name of names) {
    const file = nodePath.resolve(dir, name);
    if (!name.endsWith('.eml') || inUse.has(file)) continue;
    const info = await stat(file).catch(() => null);
    if (!info?.isFile() || now - info.mtimeMs < minAgeMs) continue;
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}

async function replayAppend(session: ImapSession, ops: OpStore, op: OpRow, report: ReplayReport): Promise<number[]> {
  const p = op.payload as AppendPayload;
  const path = ops.serverPath(p.target);
  // The local row takes the server's UID. One without a structure (a message the local parse was not
  // sure of, mime/headers.ts) could not fetch its attachments by part number: it goes instead, and
  // the folder's sync, right after the replay, stores the server's row for that UID.
  const placed = (uidvalidity: number | null, uid: number | null) => {
    if (uidvalidity !== null && uid !== null && ops.hasStructure(p.messageId)) ops.placed(p.messageId, p.target, uidvalidity, uid);
    else ops.deleteMessages([p.messageId]);
  };
  // Never twice: if an earlier attempt may have reached the server (the engine died before it could
  // record the answer), look for the message there first (RFC 4549 4.2.4's Message-ID rule). This
  // needs no file: an earlier version deleted it before recording the operation done.
  const messageId = op.attempts > 0 ? ops.messageIdOf(p.messageId) : null;
  if (messageId) {
    report.commands += 2;
    await session.select(path);
    const found = await findByMessageId(session, messageId);
    if (found !== null) {
      const sel = await session.select(path);
      placed(sel.uidvalidity, found);
      return [p.target];
    }
  }
  let raw: Buffer;
  try {
    raw = await readFile(p.file);
  } catch (error) {
    throw new TegamiError({ code: 'STORAGE', message: `The queued message file is missing (${p.file}).` }, { cause: error });
  }
  ops.startAttempt(op.id);
  report.commands++;
  let result;
  try {
    result = await appendMessage(session, path, raw, p.flags, new Date(p.internalDate));
  } catch (error) {
    if (responseCodeOf(error) !== 'TRYCREATE') throw error;
    report.commands += 2;
    await createFolder(session, path);
    result = await appendMessage(session, path, raw, p.flags, new Date(p.internalDate));
  }
  placed(result.uidvalidity, result.uid);
  return [p.target]; // its file is deleted once the operation is recorded done (replayQueue)
}

async function replayFolder(session: ImapSession, ops: OpStore, op: OpRow, report: ReplayReport): Promise<number[]> {
  const p = op.payload as FolderPayload;
  report.commands++;
  switch (op.kind) {
    case 'folder-create': {
      // Under its parent's name on the server and with its current name: renames queued after the
      // create are then already done (see OpStore.serverTarget).
      const target = ops.mailboxInfo(p.mailboxId) ? ops.serverTarget(p.mailboxId) : (p.to ?? '');
      try {
        await createFolder(session, target);
      } catch (error) {
        if (responseCodeOf(error) !== 'ALREADYEXISTS') throw error;
      }
      ops.folderCreated(p.mailboxId, target);
      break;
    }
    case 'folder-rename': {
      // Straight to where the folder belongs now: a chain of renames is one RENAME, and the later
      // operations of the chain find nothing left to do (renaming a folder to itself is an error).
      if (!ops.mailboxInfo(p.mailboxId)) throw new TegamiError({ code: 'NOT_FOUND', message: 'The folder no longer exists.' });
      const from = ops.serverPath(p.mailboxId);
      const to = ops.serverTarget(p.mailboxId);
      if (from === to) {
        report.commands--;
        break;
      }
      // The server keeps subscriptions under the old names (RFC 3501 6.3.5 says nothing of them, and
      // Dovecot leaves them): each subscribed folder of the tree is subscribed again under its new name.
      const tree = await folderTree(session, from);
      await renameFolder(session, from, to);
      ops.folderRenamed(op, from, to);
      // Best effort: the rename is done and recorded, so a refusal here must not fail (and retry) it.
      for (const f of tree.filter((t) => t.subscribed)) {
        report.commands += 2;
        await setSubscribed(session, f.path, false).catch(() => undefined); // a name that no longer exists
        await setSubscribed(session, `${to}${f.path.slice(from.length)}`, true).catch(() => undefined);
      }
      break;
    }
    case 'folder-delete': {
      // Its name on the server now: a rename queued before the delete has been replayed. DELETE of a
      // folder with subfolders leaves them (and it, as \Noselect): they go first, deepest first, and
      // their subscriptions with them.
      const path = ops.mailboxInfo(p.mailboxId) ? ops.serverPath(p.mailboxId) : (p.from ?? '');
      const tree = await folderTree(session, path);
      for (const f of tree.some((t) => t.path === path) ? tree : [...tree, { path, subscribed: false }]) {
        report.commands++;
        try {
          await deleteFolder(session, f.path);
        } catch (error) {
          if (responseCodeOf(error) !== 'NONEXISTENT') throw error;
        }
        if (f.subscribed) await setSubscribed(session, f.path, false).catch(() => undefined);
      }
      report.commands--; // counted once above
      ops.folderDeleted(p.mailboxId);
      break;
    }
    case 'folder-subscribe':
      await setSubscribed(session, ops.serverPath(p.mailboxId), p.subscribed === true);
      break;
    default:
      throw new TegamiError({ code: 'INTERNAL', message: `Unknown operation ${op.kind}` });
  }
  return [p.mailboxId];
}

/** Undoes an operation's local change after the server refused it for good. */
export function revert(ops: OpStore, op: OpRow): void {
  switch (op.kind) {
    case 'flags':
      ops.restoreFlags((op.payload as FlagsPayload).before);
      break;
    case 'move':
      ops.restorePlacement(op);
      break;
    case 'copy':
      ops.deleteMessages(Object.values((op.payload as CopyPayload).copies));
      break;
    case 'expunge':
      ops.restoreFlags((op.payload as ExpungePayload).before);
      break;
    case 'append':
      ops.deleteMessages([(op.payload as AppendPayload).messageId]);
      break;
    default:
      ops.revertFolder(op);
  }
}
