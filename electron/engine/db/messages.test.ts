import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.js';
import { canonicalFlags, MessageStore } from './messages.js';
import { headerRecord, seedAccount } from '../../../test/db-fixture.js';

describe('MessageStore.insertHeaders', () => {
  let db: Db;
  let messages: MessageStore;
  let accountId: number;
  let inbox: number;
  const rows = () =>
    db
      .prepare<[number], { uid: number; uidvalidity: number; stale: number; bodystructure: string | null }>(
        'SELECT uid, uidvalidity, stale, bodystructure FROM messages WHERE mailbox_id = ? ORDER BY uid',
      )
      .all(inbox);

  beforeEach(() => {
    db = openDatabase(':memory:');
    const seeded = seedAccount(db);
    accountId = seeded.accountId;
    inbox = seeded.mailbox['INBOX'] as number;
    messages = new MessageStore(db);
  });
  afterEach(() => db.close());

  it('skips what a resumed pass stored already, and a UID given twice in one batch', () => {
    const first = messages.insertHeaders(accountId, inbox, 7, [headerRecord(5), headerRecord(6)]);
    expect(first).toHaveLength(2);
    // The resumed batch overlaps the stored range on both sides and repeats UID 8.
    const again = messages.insertHeaders(accountId, inbox, 7, [
      headerRecord(4),
      headerRecord(5),
      headerRecord(8),
      headerRecord(6),
      headerRecord(8),
    ]);
    expect(again).toHaveLength(2);
    expect(rows().map((r) => r.uid)).toEqual([4, 5, 6, 8]);
    // The same UIDs under another UIDVALIDITY are other messages.
    expect(messages.insertHeaders(accountId, inbox, 8, [headerRecord(5, { messageId: null })])).toHaveLength(1);
  });

  it('re-matches stale rows by Message-ID after a UIDVALIDITY change, once each', () => {
    const [kept] = messages.insertHeaders(accountId, inbox, 7, [headerRecord(1, { messageId: '<keep@x>' }), headerRecord(2)]);
    expect(messages.markStale(inbox, 9)).toBe(2);
    // The kept message comes back as UID 30; a new message has the Message-ID of nothing stale.
    const ids = messages.insertHeaders(accountId, inbox, 9, [
      headerRecord(30, { messageId: '<keep@x>' }),
      headerRecord(31, { messageId: '<new@x>' }),
      headerRecord(30, { messageId: '<keep@x>' }),
    ]);
    expect(ids[0]).toBe(kept);
    expect(ids).toHaveLength(2);
    expect(messages.dropStale(inbox)).toBe(1);
    expect(rows().map((r) => [r.uid, r.uidvalidity, r.stale])).toEqual([
      [30, 9, 0],
      [31, 9, 0],
    ]);
  });

  it('stores BODYSTRUCTURE as the JSON text the record carries', () => {
    const structure = JSON.stringify({ type: 'multipart/mixed', childNodes: [{ part: '1', type: 'text/plain' }] });
    messages.insertHeaders(accountId, inbox, 7, [headerRecord(1, { bodystructure: structure }), headerRecord(2, { bodystructure: null })]);
    expect(rows().map((r) => r.bodystructure)).toEqual([structure, null]);
  });
});

describe('canonicalFlags', () => {
  it('drops \\Recent and duplicates and orders as an English collation', () => {
    expect(canonicalFlags(['\\Seen', '$label1', '\\Recent', 'Junk', '\\Seen', '$Forwarded', 'ärger'])).toEqual([
      '\\Seen',
      '$Forwarded',
      '$label1',
      'ärger',
      'Junk',
    ]);
  });
});
