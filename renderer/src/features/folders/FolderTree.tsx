import { useCallback, useEffect, useId, useMemo, useRef, useState, type CSSProperties, type DragEvent, type KeyboardEvent } from 'react';
import type { Account, Quota } from '../../../../shared/domain/account.js';
import type { Mailbox } from '../../../../shared/domain/mailbox.js';
import { dropCopies, MESSAGE_DRAG_TYPE, parseDragged, type DraggedMessages } from '../messages/drag.js';
import { byteSize } from '../messages/format.js';
import { Icon, type IconName } from '../../ui/Icon.js';
import { useSettings } from '../../app/settings.js';
import type { UiLanguage } from '../../i18n/strings.js';
import type { Translate } from '../../i18n/translate.js';
import { folderLabel, roleIcon, roleLabel, sectionLabel } from './roles.js';
import { buildFolderTree, isInbox, treeKeyAction, visibleRows, type FolderNode } from './tree.js';
import type { AccountFolders } from './useMailboxes.js';
import { formatCount } from '../messages/format.js';

/** What the sidebar can select: an account (its overview) or one of its folders. */
export type Selection = { accountId: number; path: string | null };

interface ViewNode {
  key: string;
  kind: 'account' | 'section' | 'folder';
  label: string;
  description: string | undefined;
  icon: IconName;
  accountId: number;
  path: string | null;
  selectable: boolean;
  unread: number;
  /** The folder itself (null for accounts, sections and placeholders). */
  mailbox: Mailbox | null;
  subscribed: boolean;
  quota: Quota | null;
  children: ViewNode[];
}

/** The subscribed view: unsubscribed folders are hidden (INBOX always shows). */
export function visibleMailboxes(mailboxes: readonly Mailbox[], all: boolean): Mailbox[] {
  return all ? [...mailboxes] : mailboxes.filter((m) => m.subscribed || isInbox(m));
}

/** "12 MB of 100 MB (12%)" for the account's storage quota, or null when the server reported none. */
export function quotaText(quota: Quota | null, locale: string): { text: string; fraction: number | null } | null {
  const s = quota?.storage;
  if (!s) return null;
  const used = byteSize(s.usedKb * 1024, locale);
  if (s.limitKb === null || s.limitKb === 0) return { text: used, fraction: null };
  const fraction = Math.min(1, s.usedKb / s.limitKb);
  return { text: `${used} / ${byteSize(s.limitKb * 1024, locale)} (${Math.round(fraction * 100)}%)`, fraction };
}

export const accountKey = (accountId: number): string => `a:${accountId}`;
export const folderKey = (accountId: number, path: string): string => `f:${accountId}:${path}`;
export const selectionKey = (s: Selection): string => (s.path === null ? accountKey(s.accountId) : folderKey(s.accountId, s.path));

interface Words {
  language: UiLanguage;
  locale: string;
  t: Translate;
}

function folderView(accountId: number, node: FolderNode, w: Words): ViewNode {
  const subscribed = node.mailbox?.subscribed ?? true;
  const label = folderLabel(node.name, node.role, w.language);
  const parts = [
    label !== node.name ? node.name : node.role && roleLabel(node.role, w.language),
    node.unread > 0 ? w.t('folders.unreadCount', { n: node.unread }) : null,
    node.selectable ? null : w.t('folders.holdsFoldersOnly'),
    subscribed ? null : w.t('folders.notSubscribed'),
    node.selectable && node.mailbox?.offline === false ? w.t('folders.notOffline') : null,
  ].filter(Boolean);
  return {
    key: folderKey(accountId, node.path),
    kind: 'folder',
    label,
    description: parts.length > 0 ? parts.join(' · ') : undefined,
    icon: roleIcon(node.role),
    accountId,
    path: node.path,
    selectable: node.selectable,
    unread: node.unread,
    mailbox: node.mailbox,
    subscribed,
    quota: null,
    children: node.children.map((c) => folderView(accountId, c, w)),
  };
}

function buildView(accounts: readonly Account[], folders: ReadonlyMap<number, AccountFolders>, all: boolean, w: Words): ViewNode[] {
  return accounts.map((account) => {
    const f = folders.get(account.id);
    const sections = f ? buildFolderTree(visibleMailboxes(f.mailboxes, all), f.namespaces, w.locale) : [];
    const children: ViewNode[] = [];
    for (const section of sections) {
      const nodes = section.nodes.map((n) => folderView(account.id, n, w));
      if (section.kind === 'personal') children.push(...nodes);
      else
        children.push({
          key: `s:${account.id}:${section.kind}`,
          kind: 'section',
          label: sectionLabel(section.kind, w.language),
          description: undefined,
          icon: section.kind === 'other' ? 'other' : 'shared',
          accountId: account.id,
          path: null,
          selectable: false,
          unread: 0,
          mailbox: null,
          subscribed: true,
          quota: null,
          children: nodes,
        });
    }
    const quota = quotaText(account.quota, w.locale);
    return {
      key: accountKey(account.id),
      kind: 'account',
      label: account.name,
      description: quota ? `${account.email} · ${w.t('folders.storage', { quota: quota.text })}` : account.email,
      icon: 'account',
      accountId: account.id,
      path: null,
      selectable: true,
      unread: 0,
      mailbox: null,
      subscribed: true,
      quota: account.quota,
      children,
    };
  });
}

function index(nodes: readonly ViewNode[], map = new Map<string, ViewNode>()): Map<string, ViewNode> {
  for (const n of nodes) {
    map.set(n.key, n);
    index(n.children, map);
  }
  return map;
}

export function FolderTree({
  accounts,
  folders,
  selected,
  onSelect,
  allFolders = false,
  onDropMessages,
  onDropFiles,
  onMenu,
}: {
  accounts: readonly Account[];
  folders: ReadonlyMap<number, AccountFolders>;
  selected: Selection | null;
  onSelect: (selection: Selection) => void;
  /** Show unsubscribed folders too. */
  allFolders?: boolean;
  /** Messages dropped on a folder: move them there (copy with Ctrl / Alt). */
  onDropMessages?: (target: Mailbox, dragged: DraggedMessages, copy: boolean) => void;
  /** Files dropped on a folder (message files from the desktop): import them there. */
  onDropFiles?: (target: Mailbox, files: File[]) => void;
  /** The folder menu (right-click, Shift+F10, the menu key) for an account or a folder. */
  onMenu?: (target: { accountId: number; mailbox: Mailbox | null }, x: number, y: number) => void;
}) {
  const { t, language, locale } = useSettings();
  const roots = useMemo(
    () => buildView(accounts, folders, allFolders, { t, language, locale }),
    [accounts, folders, allFolders, t, language, locale],
  );
  const [dropKey, setDropKey] = useState<string | null>(null);
  const byKey = useMemo(() => index(roots), [roots]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const isExpanded = useCallback((key: string) => !collapsed.has(key), [collapsed]);
  const rows = useMemo(() => visibleRows(roots, isExpanded), [roots, isExpanded]);
  const selectedKey = selected ? selectionKey(selected) : null;
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const items = useRef(new Map<string, HTMLDivElement>());
  const treeId = useId();
  const pendingFocus = useRef<string | null>(null);
  const typeahead = useRef({ text: '', at: 0 });

  // The one item in the tab order: the focused one if still visible, else the selection, else the first.
  const tabKey =
    (focusKey !== null && rows.some((r) => r.key === focusKey) && focusKey) ||
    (selectedKey !== null && rows.some((r) => r.key === selectedKey) && selectedKey) ||
    rows[0]?.key ||
    null;

  useEffect(() => {
    if (pendingFocus.current) {
      items.current.get(pendingFocus.current)?.focus();
      pendingFocus.current = null;
    }
  });

  const moveFocus = (key: string): void => {
    setFocusKey(key);
    pendingFocus.current = key;
    items.current.get(key)?.focus();
  };

  const toggle = (key: string, expand?: boolean): void => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      const open = expand ?? next.has(key);
      if (open) next.delete(key);
      else next.add(key);
      return next;
    });
  };

  const activate = (node: ViewNode): void => {
    if (node.selectable) onSelect({ accountId: node.accountId, path: node.path });
    else if (node.children.length > 0) toggle(node.key);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>): void => {
    if (event.altKey || event.ctrlKey || event.metaKey || tabKey === null) return;
    const current = tabKey;
    const node = byKey.get(current);
    if (!node) return;
    if (onMenu && (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10'))) {
      event.preventDefault();
      if (node.kind === 'section') return;
      const r = items.current.get(current)?.getBoundingClientRect();
      onMenu({ accountId: node.accountId, mailbox: node.mailbox }, (r?.left ?? 0) + 24, (r?.bottom ?? 0) + 2);
      return;
    }
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      activate(node);
      return;
    }
    const action = treeKeyAction(rows, current, event.key);
    if (action) {
      event.preventDefault();
      if ('focus' in action) moveFocus(action.focus);
      else if ('expand' in action) toggle(action.expand, true);
      else toggle(action.collapse, false);
      return;
    }
    // Type-ahead: focus the next visible item whose name starts with the typed letters.
    if (event.key.length === 1 && event.key !== ' ') {
      const now = event.timeStamp;
      const t = typeahead.current;
      t.text = now - t.at < 700 ? t.text + event.key : event.key;
      t.at = now;
      const start = rows.findIndex((r) => r.key === current);
      const prefix = t.text.toLocaleLowerCase(locale);
      const ordered = [...rows.slice(start + (t.text.length === 1 ? 1 : 0)), ...rows.slice(0, start)];
      const hit = ordered.find((r) => byKey.get(r.key)?.label.toLocaleLowerCase(locale).startsWith(prefix));
      if (hit) {
        event.preventDefault();
        moveFocus(hit.key);
      }
    }
  };

  const renderNode = (node: ViewNode, level: number, position: number, setSize: number) => {
    const hasChildren = node.children.length > 0;
    const expanded = hasChildren && isExpanded(node.key);
    const isSelected = node.key === selectedKey;
    const groupId = `${treeId}-${node.key}`;
    const classes = [
      'tree-row',
      `kind-${node.kind}`,
      node.selectable ? null : 'not-selectable',
      isSelected ? 'selected' : null,
      node.subscribed ? null : 'unsubscribed',
      dropKey === node.key ? 'drop-target' : null,
    ]
      .filter(Boolean)
      .join(' ');
    const target = node.kind === 'folder' && node.selectable && node.mailbox && !node.mailbox.readOnly ? node.mailbox : null;
    const dragsFiles = (e: DragEvent) => onDropFiles !== undefined && e.dataTransfer.types.includes('Files');
    const dragOk = (e: DragEvent) =>
      target !== null && ((onDropMessages !== undefined && e.dataTransfer.types.includes(MESSAGE_DRAG_TYPE)) || dragsFiles(e));
    const quota = node.kind === 'account' ? quotaText(node.quota, locale) : null;
    // The treeitem is the row itself, and owns its group (aria-owns) rather than wrapping it, so
    // its box — what a click or a test hits — is the row and not the row plus all its descendants.
    return (
      <li key={node.key} role="none">
        <div
          ref={(el) => {
            if (el) items.current.set(node.key, el);
            else items.current.delete(node.key);
          }}
          role="treeitem"
          className={classes}
          aria-label={node.label}
          aria-description={node.description}
          aria-level={level}
          aria-posinset={position}
          aria-setsize={setSize}
          aria-expanded={hasChildren ? expanded : undefined}
          aria-selected={isSelected}
          aria-owns={expanded ? groupId : undefined}
          tabIndex={node.key === tabKey ? 0 : -1}
          data-kind={node.kind}
          data-account-id={node.accountId}
          data-path={node.kind === 'folder' ? (node.path ?? undefined) : undefined}
          style={{ '--level': level } as CSSProperties}
          title={node.description ? `${node.label} — ${node.description}` : node.label}
          onFocus={() => setFocusKey(node.key)}
          onClick={() => {
            moveFocus(node.key);
            activate(node);
          }}
          onContextMenu={
            onMenu && node.kind !== 'section'
              ? (e) => {
                  e.preventDefault();
                  moveFocus(node.key);
                  onMenu({ accountId: node.accountId, mailbox: node.mailbox }, e.clientX, e.clientY);
                }
              : undefined
          }
          onDragEnter={(e) => {
            if (!dragOk(e)) return;
            e.preventDefault();
            setDropKey(node.key);
          }}
          onDragOver={(e) => {
            if (!dragOk(e)) return;
            e.preventDefault();
            e.dataTransfer.dropEffect = dragsFiles(e) || dropCopies(e) ? 'copy' : 'move';
            if (dropKey !== node.key) setDropKey(node.key);
          }}
          onDragLeave={() => setDropKey((k) => (k === node.key ? null : k))}
          onDrop={(e) => {
            setDropKey(null);
            if (!dragOk(e) || !target) return;
            e.preventDefault();
            if (dragsFiles(e) && e.dataTransfer.files.length > 0) {
              onDropFiles?.(target, [...e.dataTransfer.files]);
              return;
            }
            const dragged = parseDragged(e.dataTransfer.getData(MESSAGE_DRAG_TYPE));
            if (dragged && dragged.accountId === node.accountId && dragged.mailboxId !== target.id)
              onDropMessages?.(target, dragged, dropCopies(e));
          }}
          data-drop-target={target ? 'true' : undefined}
        >
          <span
            className={hasChildren ? (expanded ? 'twisty open' : 'twisty') : 'twisty none'}
            onClick={(e) => {
              if (!hasChildren) return;
              e.stopPropagation();
              moveFocus(node.key);
              toggle(node.key);
            }}
            aria-hidden="true"
          >
            {hasChildren && <Icon name="chevron" />}
          </span>
          <Icon name={node.icon} className="tree-icon" />
          <span className="tree-label">{node.label}</span>
          {node.kind === 'folder' && node.selectable && node.mailbox?.offline === false && (
            // Said in words by the description (tooltip, aria-description); the mark is for the eye.
            <span className="tree-mark" data-testid="folder-not-offline">
              <Icon name="cloud" />
            </span>
          )}
          {node.kind === 'account' && <span className="tree-sub">{accounts.find((a) => a.id === node.accountId)?.email}</span>}
          {node.unread > 0 && (
            <span className="badge" aria-hidden="true">
              {node.unread > 9999 ? `${formatCount(9999, locale)}+` : formatCount(node.unread, locale)}
            </span>
          )}
        </div>
        {quota && (
          <div className="quota" aria-hidden="true" data-testid="quota" title={quota.text} style={{ '--level': level } as CSSProperties}>
            {quota.fraction !== null && (
              <span className="quota-bar">
                <span
                  className={quota.fraction > 0.9 ? 'quota-fill full' : 'quota-fill'}
                  style={{ width: `${Math.max(2, Math.round(quota.fraction * 100))}%` }}
                />
              </span>
            )}
            <span className="quota-text">{quota.text}</span>
          </div>
        )}
        {expanded && (
          <ul role="group" id={groupId}>
            {node.children.map((c, i) => renderNode(c, level + 1, i + 1, node.children.length))}
          </ul>
        )}
      </li>
    );
  };

  return (
    <ul role="tree" aria-label={t('sidebar.label')} className="folder-tree" data-testid="folder-tree" onKeyDown={onKeyDown}>
      {roots.map((n, i) => renderNode(n, 1, i + 1, roots.length))}
    </ul>
  );
}
