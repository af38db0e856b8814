import type { Mailbox, MailboxRole, NamespaceKind } from '../../../../shared/domain/mailbox.js';
import type { UiLanguage } from '../../i18n/strings.js';
import type { IconName } from '../../ui/Icon.js';

const en: Record<MailboxRole, string> = {
  inbox: 'Inbox',
  drafts: 'Drafts',
  sent: 'Sent',
  archive: 'Archive',
  junk: 'Junk',
  trash: 'Trash',
  all: 'All mail',
  flagged: 'Flagged',
  important: 'Important',
};
const ja: Record<MailboxRole, string> = {
  inbox: '受信トレイ',
  drafts: '下書き',
  sent: '送信済み',
  archive: 'アーカイブ',
  junk: '迷惑メール',
  trash: 'ごみ箱',
  all: 'すべてのメール',
  flagged: 'フラグ付き',
  important: '重要',
};

export function roleLabel(role: MailboxRole, language: UiLanguage): string {
  return (language === 'ja' ? ja : en)[role];
}

export function roleIcon(role: MailboxRole | null): IconName {
  return role ?? 'folder';
}

export function sectionLabel(kind: NamespaceKind, language: UiLanguage): string {
  const ja = language === 'ja';
  if (kind === 'other') return ja ? '他のユーザー' : 'Other users';
  if (kind === 'shared') return ja ? '共有フォルダー' : 'Shared folders';
  return ja ? 'フォルダー' : 'Folders';
}

/**
 * The name a folder is shown with: the server's, except that a special-use folder (RFC 6154) in the
 * Japanese UI is shown by its role (下書き, 送信済み …), as Japanese mail clients do; its own name
 * stays in the tooltip and the path.
 */
export function folderLabel(name: string, role: MailboxRole | null, language: UiLanguage): string {
  return role !== null && language === 'ja' ? roleLabel(role, language) : name;
}

/**
 * A folder where a list names it by place (Move to…, Create in…): its ancestors' shown names and its
 * own, joined by › (the tree's nesting), so a special folder reads as in the tree (受信トレイ, not
 * INBOX) and "Other/bob/Shared" as "Other › bob › Shared".
 */
export function folderPathLabel(m: Mailbox, all: readonly Mailbox[], language: UiLanguage): string {
  const byPath = new Map(all.map((x) => [x.path, x]));
  const names: string[] = [];
  for (let at: Mailbox | undefined = m, guard = 0; at && guard < 64; guard++) {
    names.unshift(folderLabel(at.name, at.role, language));
    const parentPath: string | null = at.parentPath;
    at = parentPath === null ? undefined : byPath.get(parentPath);
    // Ancestors not listed (a namespace prefix such as "Other/bob"): the rest of the path as it is.
    if (!at && parentPath !== null && m.delimiter) names.unshift(...parentPath.split(m.delimiter).filter(Boolean));
  }
  return names.join(' › ');
}
