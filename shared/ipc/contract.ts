import { z } from 'zod';
import { Account, AccountInput, Id, OfflineWindow, WholeBelow } from '../domain/account.js';
import { Mailbox, Namespace } from '../domain/mailbox.js';
import { MessageSort, MessageSummary } from '../domain/message.js';
import { ErrorInfo } from '../domain/errors.js';
import { ActionResult, AppendInput, DeleteInput, MoveInput, Op, OpsListInput, SetFlagsInput } from '../domain/ops.js';
import {
  PartNumber,
  GetMessageInput,
  GetPartInput,
  GetSourceInput,
  MessageDetail,
  MessageSource,
  OpenedMessage,
  PartContent,
  PartProgress,
  SearchLocalInput,
  SearchResults,
  SearchServerInput,
} from '../domain/body.js';
import { FileRef, SavedFile } from '../domain/files.js';

const SyncState = z.object({
  accountId: Id,
  /** paused: the user chose to work offline (sync.setOffline). */
  state: z.enum(['connecting', 'syncing', 'idle', 'offline', 'auth-failed', 'stopped', 'paused']),
  error: ErrorInfo.nullable(),
  retryAt: z.string().nullable(),
});

const Cursor = z.object({ key: z.union([z.string(), z.number()]), id: Id });
/** A folder under the message list's filters. */
const FolderFilter = z.object({
  mailboxId: Id,
  unread: z.boolean().default(false),
  read: z.boolean().default(false),
  flagged: z.boolean().default(false),
  hasAttachments: z.boolean().default(false),
});

const SyncReport = z.object({
  accountId: Id,
  mailboxes: z.array(
    z.object({
      path: z.string(),
      method: z.enum(['skipped', 'qresync', 'condstore', 'full-scan', 'initial']),
      added: z.number().int(),
      changed: z.number().int(),
      removed: z.number().int(),
      reset: z.boolean(),
      error: z.string().optional(),
    }),
  ),
  warnings: z.array(z.string()),
});

/**
 * The one source of truth for what the renderer may ask of the engine and what the engine tells
 * the renderer. Electron's preload, the browser-mode WebSocket bridge and the CLI all speak it; the
 * engine's service is a mapped type over `requests`, so a forgotten handler fails to compile, and
 * every input is parsed with its schema at the boundary (the renderer is an untrusted web page).
 */
export const requests = {
  'app.info': {
    input: z.object({}),
    output: z.object({ version: z.string(), host: z.enum(['electron', 'web', 'cli']), platform: z.string() }),
  },
  /** What the mail store takes on this computer, every account's: the database and the cached files. */
  'app.storage': {
    input: z.object({}),
    output: z.object({ bytes: z.number().int().nonnegative() }),
  },
  'accounts.list': {
    input: z.object({}),
    output: z.array(Account),
  },
  /** Tests the connection and the login first; nothing is stored when that fails. */
  'accounts.add': {
    input: AccountInput,
    output: Account,
  },
  /**
   * How much of the account's mail is kept for offline reading. A smaller window frees what falls
   * out of it at once (mail opened in the last 14 days stays a while); a larger one is downloaded by
   * the next sync, which this asks for.
   */
  'accounts.setOfflineWindow': {
    input: z.object({ accountId: Id, window: OfflineWindow }),
    output: Account,
  },
  /**
   * Which mail of the offline window is kept whole, attachments and all: messages smaller than
   * `bytes` (of larger ones, the text). Lowering it frees the whole copies of mail at or above it
   * at once (mail opened in the last 14 days stays a while); raising it asks for a sync, whose body
   * prefetch downloads them.
   */
  'accounts.setWholeBelow': {
    input: z.object({ accountId: Id, bytes: WholeBelow }),
    output: Account,
  },
  'accounts.remove': {
    input: z.object({ accountId: Id }),
    output: z.object({ removed: z.literal(true) }),
  },
  /** The folders as stored locally: answers offline at once. */
  'mailboxes.list': {
    input: z.object({ accountId: Id }),
    output: z.object({ mailboxes: z.array(Mailbox), namespaces: z.array(Namespace), refreshedAt: z.string().nullable() }),
  },
  /** Asks the server for the folder list (LIST, NAMESPACE, STATUS) and stores it. */
  'mailboxes.refresh': {
    input: z.object({ accountId: Id }),
    output: z.object({ mailboxes: z.array(Mailbox), namespaces: z.array(Namespace), refreshedAt: z.string().nullable() }),
  },
  /** One sync pass (folders, then every changed folder) for one account or all of them. */
  'sync.run': {
    input: z.object({ accountId: Id.optional() }),
    output: z.object({ accounts: z.array(SyncReport) }),
  },
  /** Each account's connection: online and idle, syncing, offline (and when it retries), … */
  'sync.status': {
    input: z.object({}),
    output: z.array(SyncState),
  },
  /** Whether the user chose to work offline (sync.setOffline). */
  'sync.offline': {
    input: z.object({}),
    output: z.object({ offline: z.boolean() }),
  },
  /**
   * Work offline (true): every connection is logged out (a sync pass already running ends first)
   * and none is made, for background sync or for a request, until the user goes online again
   * (false: the accounts connect, replay their queued changes and sync at once). Changes queue
   * meanwhile; a request that needs the server is refused with WORKING_OFFLINE. Kept in the
   * profile across restarts.
   */
  'sync.setOffline': {
    input: z.object({ offline: z.boolean() }),
    output: z.object({ offline: z.boolean() }),
  },
  /** Reconnect every account now (after the machine wakes or the network changes). */
  'sync.wake': {
    input: z.object({}),
    output: z.object({ woken: z.number().int() }),
  },
  /**
   * The folder the user has open (path null: none), so that it gets the server's push (IDLE) like
   * INBOX: mail another device files there shows at once, not at the next poll. One folder at a
   * time. `watched`: a connection of its own idles on it (false for INBOX, whose push the sync
   * connection gives, and where no background sync runs).
   */
  'sync.watch': {
    input: z.object({ accountId: Id, path: z.string().nullable() }),
    output: z.object({ watched: z.boolean() }),
  },
  /** A page of a folder's messages from the local store (keyset paging). */
  'messages.page': {
    input: z.object({
      mailboxId: Id,
      sort: MessageSort.default('date'),
      descending: z.boolean().default(true),
      after: Cursor.nullable().default(null),
      limit: z.number().int().min(1).max(500).default(100),
      unread: z.boolean().default(false),
      read: z.boolean().default(false),
      flagged: z.boolean().default(false),
      hasAttachments: z.boolean().default(false),
    }),
    output: z.object({ messages: z.array(MessageSummary), next: Cursor.nullable() }),
  },
  /** How many messages a folder holds locally under these filters. */
  'messages.count': { input: FolderFilter, output: z.object({ count: z.number().int() }) },
  /** Every message id the folder shows under these filters: what "select all" acts on. */
  'messages.ids': { input: FolderFilter, output: z.object({ ids: z.array(Id) }) },
  /** The cursor that starts a page at row `index` of the sorted, filtered folder (jump into a large folder). */
  'messages.cursorAt': {
    input: z.object({
      mailboxId: Id,
      sort: MessageSort.default('date'),
      descending: z.boolean().default(true),
      unread: z.boolean().default(false),
      read: z.boolean().default(false),
      flagged: z.boolean().default(false),
      hasAttachments: z.boolean().default(false),
      index: z.number().int().min(0),
    }),
    output: Cursor.nullable(),
  },
  /** The bytes of a small image part (an inline cid: image), base64; fetched on demand when not cached. */
  'messages.partData': {
    input: z.object({ id: Id, part: PartNumber }),
    output: z.object({ contentType: z.string(), base64: z.string(), size: z.number().int() }),
  },
  /**
   * One remote image of a message, fetched by the engine after the user allowed remote content for
   * it (the renderer never goes to the network itself); http(s) raster images up to 5 MB.
   */
  'remote.image': {
    input: z.object({ url: z.string().min(1).max(8192) }),
    output: z.object({ contentType: z.string(), base64: z.string(), size: z.number().int() }),
  },
  /** The stored message with this UID in a folder (under the folder's current UIDVALIDITY), or null. */
  'messages.byUid': {
    input: z.object({ mailboxId: Id, uid: z.number().int().positive() }),
    output: MessageSummary.nullable(),
  },
  /** Headers, flags and the MIME tree of one message, from the local store. */
  'messages.get': { input: GetMessageInput, output: MessageDetail },
  /** One MIME part: cached, else fetched with BODY.PEEK (never sets \\Seen); progress as messages.partProgress. */
  'messages.part': { input: GetPartInput, output: PartContent },
  /**
   * messages.get and, in the same answer, the text of the part the reader shows first when it is
   * cached locally (never goes to the server): opening a cached message takes one request, not two.
   */
  'messages.open': { input: GetMessageInput, output: OpenedMessage },
  /** The whole message as the server has it (view source, save as .eml). */
  'messages.source': { input: GetSourceInput, output: MessageSource },
  /** Full-text search of the local mirror (works offline). */
  'search.local': { input: SearchLocalInput, output: SearchResults },
  /** IMAP SEARCH on the server, for mail beyond the offline window; hits marked by source. */
  'search.server': { input: SearchServerInput, output: SearchResults },
  /**
   * Desktop app only (the main process answers; browser mode downloads from its loopback server):
   * a save dialog, then the part (or the source, as .eml) copied there from the part cache.
   */
  'files.save': { input: FileRef, output: SavedFile },
  /** Desktop app only: the part, under its own name in a temporary folder, opened with the default application. */
  'files.open': { input: FileRef, output: z.object({ opened: z.literal(true) }) },

  // Offline operations (DESIGN.md 5): each applies locally at once, with or without a network, and
  // is replayed on the server in order by the next sync; the answer's actionId is what undo takes back.
  'messages.setFlags': { input: SetFlagsInput, output: ActionResult },
  'messages.move': { input: MoveInput, output: ActionResult },
  'messages.copy': { input: MoveInput, output: ActionResult },
  /** To Trash when the account has one, else \\Deleted and UID EXPUNGE of exactly these. */
  'messages.delete': { input: DeleteInput, output: ActionResult },
  /** \\Deleted and UID EXPUNGE of exactly these, wherever they are (empty a folder, delete from Trash). */
  'messages.expunge': { input: DeleteInput, output: ActionResult },
  'messages.append': { input: AppendInput, output: ActionResult },
  'folders.create': {
    input: z.object({ accountId: Id, parentId: Id.nullable().default(null), name: z.string().trim().min(1).max(250) }),
    output: ActionResult,
  },
  'folders.rename': { input: z.object({ mailboxId: Id, name: z.string().trim().min(1).max(250) }), output: ActionResult },
  'folders.delete': { input: z.object({ mailboxId: Id }), output: ActionResult },
  /** Expunges every message of a folder (empty Trash or Junk), exactly those, with UID EXPUNGE. */
  'folders.empty': { input: z.object({ mailboxId: Id }), output: ActionResult },
  /**
   * Whether the folder's mail of the offline window is downloaded for offline reading. Off, what was
   * downloaded of it is freed at once (mail opened in the last 14 days stays a while); on, the next
   * sync, which this asks for, downloads it. Local: no change on the server.
   */
  'folders.setOffline': { input: z.object({ mailboxId: Id, offline: z.boolean() }), output: Mailbox },
  'folders.subscribe': { input: z.object({ mailboxId: Id, subscribed: z.boolean() }), output: ActionResult },
  /** Pending and failed operations: what, where, since when, why. */
  'ops.list': { input: OpsListInput, output: z.array(Op) },
  'ops.retry': { input: z.object({ opId: Id }), output: ActionResult },
  'ops.discard': { input: z.object({ opId: Id }), output: z.object({ discarded: z.literal(true) }) },
  /** Undoes an action (by default the account's last one not undone yet), as new operations. */
  'ops.undo': { input: z.object({ accountId: Id, actionId: Id.optional() }), output: z.object({ undone: Id.nullable() }) },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const events = {
  'accounts.changed': z.object({}),
  'mailboxes.changed': z.object({ accountId: Id }),
  /** Rows of a folder were added, changed or removed (local ids); reset: its UIDVALIDITY changed. */
  'messages.changed': z.object({ mailboxId: Id, added: z.array(Id), changed: z.array(Id), removed: z.array(Id), reset: z.boolean() }),
  'sync.state': SyncState,
  /** The user went offline or online (sync.setOffline, or the desktop app's menu). */
  'sync.offline': z.object({ offline: z.boolean() }),
  /** The account's queue changed (an action queued, replayed, failed): re-read ops.list. */
  'ops.changed': z.object({ accountId: Id }),
  'messages.partProgress': PartProgress,
  'sync.progress': z.object({ accountId: Id, path: z.string(), done: z.number().int(), total: z.number().int() }),
  /** The desktop app's engine process: restarted after a crash, or given up on (the user is told). */
  'app.engine': z.object({ state: z.enum(['running', 'restarting', 'failed']), detail: z.string() }),
  /** A command from the desktop app's menu, tray or a notification click, for the window to carry out. */
  'app.command': z.discriminatedUnion('command', [
    z.object({ command: z.enum(['undo', 'find', 'newFolder', 'shortcuts']) }),
    z.object({ command: z.literal('openMessage'), mailboxId: Id, messageId: Id.nullable() }),
  ]),
  /** A server [ALERT] (RFC 3501 7.1): the user must see it. */
  'server.alert': z.object({ accountId: Id, message: z.string() }),
} as const satisfies Record<string, z.ZodType>;

export type RequestName = keyof typeof requests;
export type EventName = keyof typeof events;
export type RequestInput<N extends RequestName> = z.input<(typeof requests)[N]['input']>;
export type ParsedInput<N extends RequestName> = z.output<(typeof requests)[N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<(typeof requests)[N]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
