import { z } from 'zod';
import { Id } from './account.js';
import { ErrorInfo } from './errors.js';
import { Flag } from './message.js';

const Ids = z.array(Id).min(1).max(100_000);

export const SetFlagsInput = z
  .object({
    ids: Ids,
    add: z.array(Flag).default([]),
    remove: z.array(Flag).default([]),
    /**
     * False for a change the app made by itself (a message marked read as it was opened): undo (z,
     * ops.undo without an actionId) passes over it to the user's own last action.
     */
    undoable: z.boolean().default(true),
  })
  .refine((v) => v.add.length + v.remove.length > 0, 'Give a flag to add or remove');
export const MoveInput = z.object({ ids: Ids, target: Id });
export const DeleteInput = z.object({ ids: Ids });
export const AppendInput = z.object({
  mailboxId: Id,
  /** The whole RFC 5322 message, base64. */
  raw: z.string().min(1).max(70_000_000),
  flags: z.array(Flag).default([]),
  date: z.string().optional(),
});
export const ActionResult = z.object({ actionId: Id });

export const OpKind = z.enum([
  'flags',
  'move',
  'copy',
  'expunge',
  'append',
  'folder-create',
  'folder-rename',
  'folder-delete',
  'folder-subscribe',
]);
export const OpState = z.enum(['pending', 'done', 'failed', 'discarded']);

/** A queued or failed change, as the UI lists it: what, where, since when, and why it failed. */
export const Op = z.object({
  id: Id,
  accountId: Id,
  actionId: Id,
  kind: OpKind,
  state: OpState,
  /** A sentence for a person (in English): "Mark 3 messages as read", "Move 2 messages to Archive". */
  summary: z.string(),
  /** What the summary says, in parts, for a UI that words it in its own language. */
  detail: z
    .object({
      /** How many messages (copies, for a copy). */
      count: z.number().int(),
      /** Flags set and cleared (flags). */
      add: z.array(z.string()),
      remove: z.array(z.string()),
      /** The target folder (move, copy) or the folder (subscribe), and its path. */
      folderId: Id.nullable(),
      folderPath: z.string().nullable(),
      /** Folder create, rename, delete: the paths before and after. */
      from: z.string().nullable(),
      to: z.string().nullable(),
      subscribed: z.boolean().nullable(),
    })
    .optional(),
  messageIds: z.array(Id),
  /** The subjects of the first few of its messages still stored locally: which mail it is about. */
  subjects: z.array(z.string()).default([]),
  attempts: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string().nullable(),
  error: ErrorInfo.nullable(),
});
export type Op = z.infer<typeof Op>;

export const OpsListInput = z.object({ accountId: Id.optional(), states: z.array(OpState).default(['pending', 'failed']) });
