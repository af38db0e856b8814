import type { MailboxRole, NamespaceKind } from '../../../../shared/domain/mailbox.js';
import { isJapanese } from '../../ui/locale.js';
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

export function roleLabel(role: MailboxRole): string {
  return (isJapanese ? ja : en)[role];
}

export function roleIcon(role: MailboxRole | null): IconName {
  return role ?? 'folder';
}

export function sectionLabel(kind: NamespaceKind): string {
  if (kind === 'other') return isJapanese ? '他のユーザー' : 'Other users';
  if (kind === 'shared') return isJapanese ? '共有フォルダー' : 'Shared folders';
  return isJapanese ? 'フォルダー' : 'Folders';
}
