import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Op } from '../../../shared/domain/ops.js';
import { TegamiError } from '../../../shared/domain/errors.js';
import type { MessageStore } from '../db/messages.js';
import type { CopyPayload, FlagsPayload, FolderPayload, MovePayload, OpRow, OpStore } from '../db/ops.js';
import type { Store } from '../db/store.js';
import type { PartStore } from '../db/parts.js';
import { headerRecordOfRaw } from '../mime/headers.js';
import { counted } from '../plural.js';
import { outboxDir, revert } from './replay.js';

export interface OpsServiceDeps {
  store: Store;
  messages: MessageStore;
  ops: OpStore;
  /**
   * Where a message queued for APPEND has its text and source cached (it reads, and opens its
   * attachments, offline before it is sent), and where a copy gets the files its original has cached.
   */
  parts: Pick<PartStore, 'storeTexts' | 'shareFiles' | 'adoptSource'>;
  dataDir: string;
  /** Tells the UI what changed and asks the background sync to replay soon. */
  changed: (accountId: number, mailboxIds: number[], folders: boolean) => void;
}

const flagWords: Record<string, string> = {
  '\\Seen': 'read',
  '\\Flagged': 'flagged',
  '\\Answered': 'answered',
  '\\Draft': 'draft',
  '\\Deleted': 'deleted',
};

/** What a queued change is about, in parts (Op.detail): the UI words it in its own language. */
export function opDetail(op: OpRow, folderName: (id: number) => string): NonNullable<Op['detail']> {
  const flags = op.kind === 'flags' ? (op.payload as FlagsPayload) : null;
  const folder = op.kind.startsWith('folder-') ? (op.payload as FolderPayload) : null;
  const folderId =
    op.kind === 'move'
      ? (op.payload as MovePayload).target
      : op.kind === 'copy'
        ? (op.payload as CopyPayload).target
        : op.kind === 'folder-subscribe'
          ? (folder?.mailboxId ?? null)
          : null;
  return {
    count: op.kind === 'copy' ? Object.keys((op.payload as CopyPayload).copies).length : op.messageIds.length,
    add: flags?.add ?? [],
    remove: flags?.remove ?? [],
    folderId,
    folderPath: folderId === null ? null : folderName(folderId),
    from: folder?.from ?? null,
    to: folder?.to ?? null,
    subscribed: op.kind === 'folder-subscribe' ? (folder?.subscribed ?? null) : null,
  };
}

/** A sentence for the pending/failed list (English: the CLI's, and a UI's without its own words), from opDetail. */
export function describeOp(op: OpRow, folderName: (id: number) => string): string {
  const d = opDetail(op, folderName);
  const n = counted(d.count, 'message');
  const words = (flags: string[]) => flags.map((f) => flagWords[f] ?? f).join(', ');
  switch (op.kind) {
    case 'flags':
      if (d.add.length && !d.remove.length) return `Mark ${n} as ${words(d.add)}`;
      if (d.remove.length && !d.add.length) return `Mark ${n} as not ${words(d.remove)}`;
      return `Change flags of ${n}: +${words(d.add)} −${words(d.remove)}`;
    case 'move':
      return `Move ${n} to ${d.folderPath ?? ''}`;
    case 'copy':
      return `Copy ${n} to ${d.folderPath ?? ''}`;
    case 'expunge':
      return `Delete ${n} for good`;
    case 'append':
      return 'Save a message to the server';
    case 'folder-create':
      return `Create the folder ${d.to ?? ''}`;
    case 'folder-rename':
      return `Rename the folder ${d.from ?? ''} to ${d.to ?? ''}`;
    case 'folder-delete':
      return `Delete the folder ${d.from ?? ''}`;
    case 'folder-subscribe':
      return `${d.subscribed ? 'Subscribe to' : 'Unsubscribe from'} ${d.folderPath ?? ''}`;
  }
}

export function createOpsService(deps: OpsServiceDeps) {
  const { store, ops } = deps;
  const folderName = (id: number) => ops.mailboxInfo(id)?.path ?? `folder ${id}`;
  const mailboxesOf = (ids: number[]) => [...new Set(ids.map((id) => store.messageMailbox(id)).filter((m): m is number => m !== null))];
  const toOp = (op: OpRow): Op => ({
    id: op.id,
    accountId: op.accountId,
    actionId: op.actionId,
    kind: op.kind,
    state: op.state,
    summary: describeOp(op, folderName),
    detail: opDetail(op, folderName),
    messageIds: op.messageIds,
    subjects: op.subjects.filter((s): s is string => s !== null),
    attempts: op.attempts,
    createdAt: op.createdAt,
    updatedAt: op.updatedAt,
    error: op.error,
  });

  /** The copies' cached files (PartStore.shareFiles); what cannot be shared, the copy fetches when opened. */
  const shareFiles = (pairs: Array<{ original: number; copy: number }>) => deps.parts.shareFiles(pairs).catch(() => 0);

  /**
   * Runs a local action and reports what changed: the folders `before` names, and those the messages
   * `moved` are in after it (a delete's Trash). Returns the action id (for undo).
   */
  const act = (before: number[], run: () => { actionId: number; accountId: number }, folders = false, moved: number[] = []) => {
    const { actionId, accountId } = run();
    deps.changed(accountId, [...new Set([...before, ...mailboxesOf(moved)])], folders);
    return { actionId };
  };

  return {
    setFlags: ({ ids, add, remove, undoable }: { ids: number[]; add: string[]; remove: string[]; undoable?: boolean }) => {
      const boxes = mailboxesOf(ids);
      return act(boxes, () => ops.setFlags(ids, add, remove, { undoable: undoable !== false }));
    },
    move: ({ ids, target }: { ids: number[]; target: number }) => {
      const boxes = [...mailboxesOf(ids), target];
      return act(boxes, () => ops.move(ids, target));
    },
    copy: async ({ ids, target }: { ids: number[]; target: number }) => {
      const copied = ops.copy(ids, target);
      // Before the UI hears of the copies, so one opened at once finds its attachments.
      await shareFiles(copied.pairs);
      return act([target], () => copied);
    },
    delete: ({ ids }: { ids: number[] }) => {
      const boxes = mailboxesOf(ids);
      return act(boxes, () => ops.delete(ids), false, ids);
    },
    expunge: ({ ids }: { ids: number[] }) => act(mailboxesOf(ids), () => ops.expunge(ids)),

    /** Empties a folder (Trash, Junk …): every message in it is expunged, exactly those (UID EXPUNGE). */
    emptyFolder: ({ mailboxId }: { mailboxId: number }) => {
      const mailbox = store.getMailbox(mailboxId);
      const ids = deps.messages.all(mailboxId).map((m) => m.id);
      if (!ids.length) return { actionId: ops.noopAction(mailbox.accountId) };
      return act([mailboxId], () => ops.expunge(ids));
    },

    /** Queues an APPEND of a whole message (a draft, a sent copy, an imported .eml). */
    append: async ({ mailboxId, raw, flags, date }: { mailboxId: number; raw: string; flags: string[]; date?: string | undefined }) => {
      const bytes = Buffer.from(raw, 'base64');
      if (!bytes.length) throw new TegamiError({ code: 'INVALID_INPUT', message: 'The message is empty.' });
      const dir = outboxDir(deps.dataDir);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `${randomUUID()}.eml`);
      await writeFile(file, bytes, { mode: 0o600 });
      const internalDate = date ? Date.parse(date) : Date.now();
      if (!Number.isFinite(internalDate)) throw new TegamiError({ code: 'INVALID_INPUT', message: `“${date}” is not a date.` });
      const header = await headerRecordOfRaw(bytes, flags, internalDate);
      const mailbox = store.getMailbox(mailboxId);
      let created = 0;
      const appended = ops.append(
        mailboxId,
        // A placeholder UID no row can hold (OpStore.append gives it -id at once): with -1, a
        // local-only message whose id is 1 (uid -1) in the same folder made insertHeaders skip
        // the row as "already known", and the append lost its placeholder.
        (target) => {
          const id = deps.messages.insertHeaders(mailbox.accountId, target, 0, [{ ...header, uid: Number.MIN_SAFE_INTEGER }])[0] as number;
          // In the same transaction as its row, as the mirror stores a message (the row has its
          // snippet and text state already): it reads offline at once, and is found by its text.
          if (header.text) deps.parts.storeTexts([{ messageId: id, parts: header.text.parts, snippet: null, complete: false }]);
          created = id;
          return id;
        },
        file,
        flags,
        internalDate,
      );
      // Its source too (a link to the outbox file, which goes after the replay): its attachments open
      // offline. Without it they are fetched once it is on the server.
      await deps.parts.adoptSource(created, file).catch(() => false);
      return act([mailboxId], () => appended);
    },

    createFolder: ({ accountId, parentId, name }: { accountId: number; parentId: number | null; name: string }) =>
      act([], () => ops.createFolder(accountId, parentId, name), true),
    renameFolder: ({ mailboxId, name }: { mailboxId: number; name: string }) => act([], () => ops.renameFolder(mailboxId, name), true),
    deleteFolder: ({ mailboxId }: { mailboxId: number }) => act([], () => ops.deleteFolder(mailboxId), true),
    subscribe: ({ mailboxId, subscribed }: { mailboxId: number; subscribed: boolean }) =>
      act([], () => ops.subscribe(mailboxId, subscribed), true),

    list: ({ accountId, states }: { accountId?: number | undefined; states: Op['state'][] }) => {
      const accounts = accountId === undefined ? store.listAccounts().map((a) => a.id) : [accountId];
      return accounts.flatMap((id) => ops.list(id, states).map(toOp));
    },

    /** Puts a failed operation back in line, re-applying its local change. */
    retry: ({ opId }: { opId: number }) => {
      const op = ops.get(opId);
      if (!op || op.state !== 'failed') throw new TegamiError({ code: 'NOT_FOUND', message: 'That operation is not in the failed list.' });
      const before = mailboxesOf(op.messageIds);
      // Both or neither: a retry that cannot be made (its messages are gone) leaves it in the failed list.
      const again = ops.atomically(() => {
        ops.discard(opId);
        return redo(op);
      });
      const target = op.kind === 'move' || op.kind === 'copy' ? [(op.payload as MovePayload).target] : [];
      deps.changed(op.accountId, [...new Set([...before, ...target, ...mailboxesOf(op.messageIds)])], op.kind.startsWith('folder'));
      return again;
    },

    discard: ({ opId }: { opId: number }) => {
      const op = ops.get(opId);
      if (!op || op.state !== 'failed') throw new TegamiError({ code: 'NOT_FOUND', message: 'Only a failed operation can be discarded.' });
      ops.discard(opId);
      deps.changed(op.accountId, [], false);
      return { discarded: true as const };
    },

    /** Undoes the account's last action (again and again walks further back), as new operations. */
    undo: ({ accountId, actionId: wanted }: { accountId: number; actionId?: number | undefined }) => {
      const actionId = wanted ?? ops.lastActionId(accountId);
      if (actionId === null) return { undone: null };
      const target = ops.actionOps(actionId);
      if (!target.length || target.some((o) => o.accountId !== accountId))
        throw new TegamiError({ code: 'NOT_FOUND', message: 'There is no such action to undo.' });
      if (ops.isUndone(actionId)) throw new TegamiError({ code: 'INVALID_INPUT', message: 'That action was undone already.' });
      const undoIds: number[] = [];
      const boxes = new Set<number>();
      for (const op of ops.actionOps(actionId).reverse()) {
        for (const m of mailboxesOf(op.messageIds)) boxes.add(m);
        undoIds.push(...inverse(op));
      }
      for (const id of undoIds) ops.markUndone(actionId, id);
      if (!undoIds.length) ops.markUndone(actionId, actionId);
      deps.changed(accountId, [...boxes, ...mailboxesOf(ops.actionOps(actionId).flatMap((o) => o.messageIds))], true);
      return { undone: actionId };
    },
  };

  function redo(op: OpRow): { actionId: number } {
    switch (op.kind) {
      case 'flags': {
        const p = op.payload as FlagsPayload;
        return { actionId: ops.setFlags(op.messageIds, p.add, p.remove).actionId };
      }
      case 'move':
        return { actionId: ops.move(op.messageIds, (op.payload as MovePayload).target).actionId };
      case 'copy': {
        const p = op.payload as CopyPayload;
        const copied = ops.copy(Object.keys(p.copies).map(Number), p.target);
        void shareFiles(copied.pairs);
        return { actionId: copied.actionId };
      }
      case 'expunge':
        return { actionId: ops.expunge(op.messageIds).actionId };
      default: {
        // Folder operations and appends carry everything they need: queue them again as they were.
        ops.requeue(op.id);
        return { actionId: op.actionId };
      }
    }
  }

  /** The operations that take one back; returns their action ids. */
  function inverse(op: OpRow): number[] {
    switch (op.kind) {
      case 'flags': {
        const p = op.payload as FlagsPayload;
        // Per message: what differs now from before, grouped into as few operations as possible.
        const groups = new Map<string, { ids: number[]; add: string[]; remove: string[] }>();
        for (const [id, before] of Object.entries(p.before)) {
          const now = deps.messages.flagsOf(Number(id));
          if (now === null) continue;
          const add = before.filter((f) => !now.includes(f) && f.toLowerCase() !== '\\recent');
          const remove = now.filter((f) => !before.includes(f));
          if (!add.length && !remove.length) continue;
          const key = JSON.stringify([add, remove]);
          const g = groups.get(key) ?? { ids: [], add, remove };
          g.ids.push(Number(id));
          groups.set(key, g);
        }
        return [...groups.values()].map((g) => ops.setFlags(g.ids, g.add, g.remove).actionId);
      }
      case 'move': {
        const p = op.payload as MovePayload;
        const byFolder = new Map<number, number[]>();
        for (const id of op.messageIds) {
          const from = p.from[id];
          if (from === undefined || store.messageMailbox(id) === null) continue;
          byFolder.set(from, [...(byFolder.get(from) ?? []), id]);
        }
        return [...byFolder].map(([from, ids]) => ops.move(ids, from).actionId);
      }
      case 'copy': {
        const copies = Object.values((op.payload as CopyPayload).copies).filter((id) => store.messageMailbox(id) !== null);
        return copies.length ? [ops.expunge(copies).actionId] : [];
      }
      case 'append': {
        const id = op.messageIds[0];
        return id !== undefined && store.messageMailbox(id) !== null ? [ops.expunge([id]).actionId] : [];
      }
      case 'expunge':
      case 'folder-delete':
        if (op.state !== 'pending') {
          throw new TegamiError({ code: 'INVALID_INPUT', message: 'That deletion has already reached the server and cannot be undone.' });
        }
        ops.discard(op.id);
        revert(ops, op);
        return [];
      case 'folder-create':
        return [ops.deleteFolder((op.payload as FolderPayload).mailboxId).actionId];
      case 'folder-rename': {
        const p = op.payload as FolderPayload;
        const from = p.from ?? '';
        const info = ops.mailboxInfo(p.mailboxId);
        const name = info?.delimiter && from.includes(info.delimiter) ? from.slice(from.lastIndexOf(info.delimiter) + 1) : from;
        return [ops.renameFolder(p.mailboxId, name).actionId];
      }
      case 'folder-subscribe': {
        const p = op.payload as FolderPayload;
        return [ops.subscribe(p.mailboxId, !p.subscribed).actionId];
      }
    }
  }
}
