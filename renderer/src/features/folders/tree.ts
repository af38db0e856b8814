import type { Mailbox, MailboxRole, Namespace, NamespaceKind } from '../../../../shared/domain/mailbox.js';
import { roleOrder } from '../../../../shared/domain/mailbox.js';

/**
 * Flat mailbox list (as the engine stores it) → what the sidebar shows: one section per namespace
 * kind (RFC 2342), each a tree built from parentPath/delimiter. Pure: no DOM, no React.
 */

export interface FolderNode {
  /** The server path; for a placeholder, the path of the missing parent. */
  path: string;
  /** Display name (already decoded from modified UTF-7 by the engine). */
  name: string;
  /** Null for a placeholder: a parent the server did not list (RFC 3501 6.3.8 allows that). */
  mailbox: Mailbox | null;
  role: MailboxRole | null;
  selectable: boolean;
  unread: number;
  children: FolderNode[];
}

export interface FolderSection {
  kind: NamespaceKind;
  nodes: FolderNode[];
}

const sectionOrder: readonly NamespaceKind[] = ['personal', 'other', 'shared'];

export function isInbox(mailbox: Pick<Mailbox, 'path' | 'role'>): boolean {
  // RFC 3501 5.1: INBOX is case-insensitive.
  return mailbox.role === 'inbox' || mailbox.path.toUpperCase() === 'INBOX';
}

function rank(node: FolderNode): number {
  if (node.mailbox && isInbox(node.mailbox)) return 0;
  const i = node.role ? roleOrder.indexOf(node.role) : -1;
  return i >= 0 ? 1 + i : roleOrder.length + 1;
}

function lastSegment(path: string, delimiter: string | null): string {
  if (!delimiter) return path;
  const i = path.lastIndexOf(delimiter);
  return i >= 0 ? path.slice(i + delimiter.length) : path;
}

function parentOf(path: string, delimiter: string | null): string | null {
  if (!delimiter) return null;
  const i = path.lastIndexOf(delimiter);
  return i > 0 ? path.slice(0, i) : null;
}

/** The namespace prefix without its trailing delimiter ("Other/" → "Other"), or null. */
function prefixRoots(namespaces: readonly Namespace[], kind: NamespaceKind): Set<string> {
  const roots = new Set<string>();
  for (const ns of namespaces) {
    if (ns.kind !== kind || ns.prefix === '') continue;
    const root = ns.delimiter && ns.prefix.endsWith(ns.delimiter) ? ns.prefix.slice(0, -ns.delimiter.length) : ns.prefix;
    if (root !== '') roots.add(root);
  }
  return roots;
}

export function sortNodes(nodes: FolderNode[], collator: Intl.Collator): void {
  nodes.sort((a, b) => rank(a) - rank(b) || collator.compare(a.name, b.name) || collator.compare(a.path, b.path));
  for (const node of nodes) sortNodes(node.children, collator);
}

function buildSection(
  kind: NamespaceKind,
  mailboxes: readonly Mailbox[],
  namespaces: readonly Namespace[],
  collator: Intl.Collator,
): FolderNode[] {
  const roots = prefixRoots(namespaces, kind);
  // A namespace's own prefix folder ("Other", "Public") is shown as the section heading instead.
  const isPrefixRoot = (path: string): boolean => roots.has(path);
  const byPath = new Map<string, FolderNode>();
  const parentPathOf = new Map<string, string | null>();
  const top: FolderNode[] = [];

  for (const mailbox of mailboxes) {
    if (isPrefixRoot(mailbox.path) && !mailbox.selectable) continue;
    if (byPath.has(mailbox.path)) continue;
    byPath.set(mailbox.path, {
      path: mailbox.path,
      name: mailbox.name,
      mailbox,
      role: isInbox(mailbox) ? 'inbox' : mailbox.role,
      selectable: mailbox.selectable,
      unread: mailbox.unread ?? 0,
      children: [],
    });
    parentPathOf.set(mailbox.path, mailbox.parentPath);
  }

  const normalizeParent = (parent: string | null): string | null =>
    parent === null || parent === '' || (isPrefixRoot(parent) && !byPath.has(parent)) ? null : parent;

  /** Finds or creates (as a placeholder, recursively) the node for a parent path. */
  const ensure = (path: string, delimiter: string | null): FolderNode => {
    const existing = byPath.get(path);
    if (existing) return existing;
    const node: FolderNode = {
      path,
      name: lastSegment(path, delimiter),
      mailbox: null,
      role: null,
      selectable: false,
      unread: 0,
      children: [],
    };
    byPath.set(path, node);
    const grand = normalizeParent(parentOf(path, delimiter));
    if (grand === null) top.push(node);
    else ensure(grand, delimiter).children.push(node);
    return node;
  };

  for (const mailbox of mailboxes) {
    const node = byPath.get(mailbox.path);
    if (!node || node.mailbox !== mailbox) continue;
    const parent = normalizeParent(parentPathOf.get(mailbox.path) ?? null);
    if (parent === null || parent === mailbox.path) top.push(node);
    else ensure(parent, mailbox.delimiter).children.push(node);
  }
  sortNodes(top, collator);
  return top;
}

export function buildFolderTree(mailboxes: readonly Mailbox[], namespaces: readonly Namespace[] = [], locale?: string): FolderSection[] {
  const collator = new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
  const sections: FolderSection[] = [];
  for (const kind of sectionOrder) {
    const nodes = buildSection(
      kind,
      mailboxes.filter((m) => m.namespace === kind),
      namespaces,
      collator,
    );
    if (nodes.length > 0) sections.push({ kind, nodes });
  }
  return sections;
}

/* ---------- flattening for the ARIA tree's keyboard model ---------- */

export interface TreeRow {
  key: string;
  parentKey: string | null;
  level: number;
  hasChildren: boolean;
  expanded: boolean;
}

export interface TreeShape {
  key: string;
  children: readonly TreeShape[];
}

/** The rows a user can see (children of collapsed items skipped), in document order. */
export function visibleRows(roots: readonly TreeShape[], isExpanded: (key: string) => boolean): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (nodes: readonly TreeShape[], parentKey: string | null, level: number): void => {
    for (const node of nodes) {
      const hasChildren = node.children.length > 0;
      const expanded = hasChildren && isExpanded(node.key);
      rows.push({ key: node.key, parentKey, level, hasChildren, expanded });
      if (expanded) walk(node.children, node.key, level + 1);
    }
  };
  walk(roots, null, 1);
  return rows;
}

export type TreeAction = { focus: string } | { expand: string } | { collapse: string } | null;

/** WAI-ARIA APG tree view keyboard interaction, as data. */
export function treeKeyAction(rows: readonly TreeRow[], current: string, key: string): TreeAction {
  const i = rows.findIndex((r) => r.key === current);
  const row = rows[i];
  if (!row) return rows[0] ? { focus: rows[0].key } : null;
  switch (key) {
    case 'ArrowDown': {
      const next = rows[i + 1];
      return next ? { focus: next.key } : null;
    }
    case 'ArrowUp': {
      const prev = rows[i - 1];
      return prev ? { focus: prev.key } : null;
    }
    case 'ArrowRight':
      if (!row.hasChildren) return null;
      if (!row.expanded) return { expand: row.key };
      return rows[i + 1] ? { focus: rows[i + 1]!.key } : null;
    case 'ArrowLeft':
      if (row.expanded) return { collapse: row.key };
      return row.parentKey ? { focus: row.parentKey } : null;
    case 'Home':
      return rows[0] ? { focus: rows[0].key } : null;
    case 'End': {
      const last = rows[rows.length - 1];
      return last ? { focus: last.key } : null;
    }
    default:
      return null;
  }
}
