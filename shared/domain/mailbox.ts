import { z } from 'zod';
import { Id } from './account.js';

/** Special-use roles (RFC 6154), plus INBOX which is special by RFC 3501 itself. */
export const MailboxRole = z.enum(['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash', 'all', 'flagged', 'important']);
export type MailboxRole = z.infer<typeof MailboxRole>;

/** The display order of roles: INBOX first, then the special-use folders, then the rest by name. */
export const roleOrder: readonly MailboxRole[] = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash', 'all', 'flagged', 'important'];

/** RFC 2342 namespaces: the user's own folders, other users' folders, shared (public) folders. */
export const NamespaceKind = z.enum(['personal', 'other', 'shared']);
export type NamespaceKind = z.infer<typeof NamespaceKind>;

export const Mailbox = z.object({
  id: Id,
  accountId: Id,
  /** The server's name, decoded from modified UTF-7 (RFC 3501 5.1.3) — what commands use. */
  path: z.string(),
  /** The last hierarchy level of path, for display. */
  name: z.string(),
  /** Path of the parent folder in the server's hierarchy, or null at the top of a namespace. */
  parentPath: z.string().nullable(),
  /** The server's hierarchy delimiter for this folder; null for a flat namespace. */
  delimiter: z.string().nullable(),
  role: MailboxRole.nullable(),
  namespace: NamespaceKind,
  subscribed: z.boolean(),
  /** False for \Noselect and \NonExistent folders: they only hold other folders. */
  selectable: z.boolean(),
  /** LIST attributes as the server sent them (\HasChildren, \NoInferiors, \Marked …). */
  attributes: z.array(z.string()),
  total: z.number().int().nullable(),
  unread: z.number().int().nullable(),
  /** UIDVALIDITY of the last sync (RFC 3501 2.3.1.1); null until the folder was synced. */
  uidvalidity: z.number().int().nullable(),
  /** The server opened it READ-ONLY (RFC 3501 7.1): changes to its messages cannot be saved. */
  readOnly: z.boolean(),
  /** PERMANENTFLAGS (RFC 3501 7.1): the flags the server keeps; `\*` means new keywords too. Null until synced. */
  permanentFlags: z.array(z.string()).nullable(),
  /**
   * Its mail of the account's offline window is downloaded for offline reading (folders.setOffline).
   * Every folder is unless set otherwise, but the \All one (RFC 6154), whose mail is in the others too.
   */
  offline: z.boolean(),
});
export type Mailbox = z.infer<typeof Mailbox>;

/** A NAMESPACE entry (RFC 2342): where the folders of one kind start, and their delimiter. */
export const Namespace = z.object({
  kind: NamespaceKind,
  prefix: z.string(),
  delimiter: z.string().nullable(),
});
export type Namespace = z.infer<typeof Namespace>;
