import { describe, expect, it } from 'vitest';
import type { Op } from '../../../../shared/domain/ops.js';
import { translator } from '../../i18n/translate.js';
import { opText } from './opText.js';

const op = (kind: Op['kind'], detail: Partial<NonNullable<Op['detail']>>): Op => ({
  id: 1,
  accountId: 1,
  actionId: 1,
  kind,
  state: 'failed',
  summary: 'English from the engine',
  detail: { count: 1, add: [], remove: [], folderId: null, folderPath: null, from: null, to: null, subscribed: null, ...detail },
  messageIds: [5],
  subjects: [],
  attempts: 1,
  createdAt: '2026-11-29T00:00:00Z',
  updatedAt: null,
  error: null,
});
const folders = (id: number) => (id === 7 ? '受信トレイ' : null);

describe('opText', () => {
  it('words a queued change in the UI’s language', () => {
    const ja = translator('ja');
    expect(opText(op('flags', { add: ['\\Seen'] }), ja, folders)).toBe('1 件を「既読」にする');
    expect(opText(op('flags', { count: 3, remove: ['\\Flagged'] }), ja, folders)).toBe('3 件の「フラグ付き」を外す');
    expect(opText(op('move', { count: 2, folderId: 7, folderPath: 'INBOX' }), ja, folders)).toBe('2 件を「受信トレイ」へ移動');
    expect(opText(op('folder-rename', { from: '仕事', to: '仕事/2026' }), ja, folders)).toBe(
      'フォルダー「仕事」の名前を「仕事/2026」に変更',
    );
    expect(opText(op('folder-subscribe', { folderId: 9, folderPath: 'Lists/dev', subscribed: false }), ja, folders)).toBe(
      '「Lists/dev」の購読を解除',
    );
  });

  it('says the same as the engine in English, and falls back to its summary without parts', () => {
    const en = translator('en');
    expect(opText(op('flags', { count: 2, add: ['\\Seen', '\\Flagged'] }), en, folders)).toBe('Mark 2 messages as read, flagged');
    expect(opText(op('flags', { add: ['$Work'], remove: ['\\Seen'] }), en, folders)).toBe('Change the flags of 1 message: +$Work −read');
    expect(opText(op('copy', { folderId: 8, folderPath: 'Archive' }), en, folders)).toBe('Copy 1 message to Archive');
    expect(opText(op('expunge', { count: 4 }), en, folders)).toBe('Delete 4 messages for good');
    expect(opText({ ...op('append', {}), detail: undefined }, en, folders)).toBe('English from the engine');
  });
});
