import type { ImapFlow, ListResponse } from 'imapflow';
import type { MailboxRole, Namespace, NamespaceKind } from '../../../shared/domain/mailbox.js';
import type { MailboxListing } from '../db/store.js';
import type { StatusInfo } from './session.js';

/** RFC 6154 special-use attributes (and RFC 3501's INBOX) to roles. */
const roleByAttribute: Record<string, MailboxRole> = {
  '\\inbox': 'inbox',
  '\\drafts': 'drafts',
  '\\sent': 'sent',
  '\\archive': 'archive',
  '\\junk': 'junk',
  '\\trash': 'trash',
  '\\all': 'all',
  '\\flagged': 'flagged',
  '\\important': 'important',
};

export const roleOf = (specialUse: string | undefined, path: string): MailboxRole | null =>
  path.toUpperCase() === 'INBOX' ? 'inbox' : specialUse ? (roleByAttribute[specialUse.toLowerCase()] ?? null) : null;

/** NAMESPACE (RFC 2342) as a flat list, personal first. Servers without it get one empty personal namespace. */
export function namespacesOf(client: ImapFlow): Namespace[] {
  const reported = client.namespaces;
  if (!reported) return [{ kind: 'personal', prefix: '', delimiter: client.namespace?.delimiter ?? null }];
  const out: Namespace[] = [];
  const add = (kind: NamespaceKind, list: { prefix: string; delimiter: string | null | undefined }[] | false) => {
    for (const ns of list || []) out.push({ kind, prefix: ns.prefix, delimiter: ns.delimiter ?? null });
  };
  add('personal', reported.personal);
  add('other', reported.other);
  add('shared', reported.shared);
  return out;
}

/**
 * Which namespace a folder belongs to: the longest prefix that contains it. A namespace's own root
 * ("Public" for the prefix "Public/") belongs to it too. INBOX is always personal (RFC 3501 5.1).
 */
export function namespaceOf(path: string, delimiter: string | null, namespaces: readonly Namespace[]): NamespaceKind {
  if (path.toUpperCase() === 'INBOX') return 'personal';
  let best: Namespace | undefined;
  for (const ns of namespaces) {
    if (!ns.prefix) continue;
    const contains = path.startsWith(ns.prefix) || (delimiter !== null && `${path}${delimiter}` === ns.prefix);
    if (contains && (!best || ns.prefix.length > best.prefix.length)) best = ns;
  }
  return best?.kind ?? 'personal';
}

export function toListing(entry: ListResponse, namespaces: readonly Namespace[]): MailboxListing {
  const attributes = [...entry.flags];
  const lower = attributes.map((a) => a.toLowerCase());
  const delimiter = entry.delimiter || null;
  return {
    path: entry.path,
    name: entry.name,
    parentPath: entry.parentPath ? entry.parentPath : null,
    delimiter,
    role: roleOf(entry.specialUse, entry.path),
    namespace: namespaceOf(entry.path, delimiter, namespaces),
    subscribed: entry.subscribed,
    selectable: !lower.includes('\\noselect') && !lower.includes('\\nonexistent'),
    attributes,
    total: entry.status?.messages ?? null,
    unread: entry.status?.unseen ?? null,
    uidvalidity: entry.status?.uidValidity === undefined ? null : Number(entry.status.uidValidity),
  };
}

/**
 * The account's folder list: LIST with SPECIAL-USE and subscription state, and per-folder counts
 * (LIST-STATUS, RFC 5819, where offered; imapflow falls back to STATUS per folder).
 */
export async function fetchFolderList(
  client: ImapFlow,
): Promise<{ namespaces: Namespace[]; listings: MailboxListing[]; status: Map<string, StatusInfo> }> {
  const namespaces = namespacesOf(client);
  const condstore = client.enabled.has('CONDSTORE') || client.enabled.has('QRESYNC');
  const entries = await client.list({
    statusQuery: { messages: true, unseen: true, uidNext: true, uidValidity: true, ...(condstore ? { highestModseq: true } : {}) },
  });
  const status = new Map<string, StatusInfo>();
  for (const e of entries) {
    if (e.status?.uidValidity === undefined) continue;
    status.set(e.path, {
      messages: e.status.messages ?? 0,
      unseen: e.status.unseen ?? 0,
      uidnext: e.status.uidNext ?? 0,
      uidvalidity: Number(e.status.uidValidity),
      highestmodseq: e.status.highestModseq ?? null,
    });
  }
  return { namespaces, listings: entries.map((e) => toListing(e, namespaces)), status };
}
