import { describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../../shared/domain/mailbox.js';
import { pickerChoices } from './FolderPicker.js';
import { quotaText, visibleMailboxes } from './FolderTree.js';
import { folderLabel, folderPathLabel, roleLabel, sectionLabel } from './roles.js';

let id = 0;
const box = (path: string, over: Partial<Mailbox> = {}): Mailbox => ({
  id: ++id,
  accountId: 1,
  path,
  name: path.split('/').at(-1) ?? path,
  parentPath: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : null,
  delimiter: '/',
  role: null,
  namespace: 'personal',
  subscribed: true,
  selectable: true,
  attributes: [],
  total: 0,
  unread: 0,
  uidvalidity: 1,
  readOnly: false,
  permanentFlags: null,
  offline: true,
  ...over,
});

describe('folders', () => {
  const inbox = box('INBOX', { role: 'inbox', subscribed: false });
  const trash = box('Trash', { role: 'trash' });
  const hidden = box('Old', { subscribed: false });
  const work = box('Work');
  const ro = box('Public/News', { namespace: 'shared', readOnly: true });
  const all = [work, hidden, trash, inbox, ro];

  it('shows subscribed folders (and INBOX) unless all folders are asked for', () => {
    expect(visibleMailboxes(all, false).map((m) => m.path)).toEqual(['Work', 'Trash', 'INBOX', 'Public/News']);
    expect(visibleMailboxes(all, true)).toHaveLength(5);
  });

  it('offers move targets INBOX first, then special folders, never the current or a read-only one', () => {
    expect(pickerChoices(all, work.id, '').map((m) => m.path)).toEqual(['INBOX', 'Trash', 'Old']);
    expect(pickerChoices(all, null, 'wo').map((m) => m.path)).toEqual(['Work']);
  });

  it('describes the storage quota', () => {
    expect(quotaText(null, 'en')).toBeNull();
    expect(quotaText({ root: null, storage: { usedKb: 51200, limitKb: 102400 }, messages: null, at: '' }, 'en')).toEqual({
      text: '50 MB / 100 MB (50%)',
      fraction: 0.5,
    });
  });
});

describe('folder names in the UI language', () => {
  it('shows special-use folders by their role in Japanese, and the server’s names otherwise', () => {
    expect(folderLabel('Drafts', 'drafts', 'ja')).toBe('下書き');
    expect(folderLabel('INBOX', 'inbox', 'ja')).toBe('受信トレイ');
    expect(folderLabel('Drafts', 'drafts', 'en')).toBe('Drafts');
    expect(folderLabel('プロジェクト', null, 'ja')).toBe('プロジェクト');
    expect(roleLabel('junk', 'en')).toBe('Junk');
    expect([sectionLabel('other', 'ja'), sectionLabel('shared', 'en')]).toEqual(['他のユーザー', 'Shared folders']);
  });
});

describe('folderPathLabel', () => {
  it('names a folder by place as the tree shows it: special folders by role in Japanese, nesting with ›', () => {
    const inbox = box('INBOX', { role: 'inbox' });
    const sub = box('INBOX/Receipts');
    const shared = box('Other/bob/Shared', { namespace: 'other' });
    const all = [inbox, sub, shared, box('Archive', { role: 'archive' })];
    expect(folderPathLabel(inbox, all, 'ja')).toBe('受信トレイ');
    expect(folderPathLabel(sub, all, 'ja')).toBe('受信トレイ › Receipts');
    expect(folderPathLabel(sub, all, 'en')).toBe('INBOX › Receipts');
    // Its parents are not listed (a namespace prefix): the path's own segments.
    expect(folderPathLabel(shared, all, 'en')).toBe('Other › bob › Shared');
    expect(pickerChoices(all, null, 'アーカイブ', (m) => folderPathLabel(m, all, 'ja')).map((m) => m.path)).toEqual(['Archive']);
  });
});
