import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { MessageStore, type HeaderRecord } from './messages.js';
import { headerRecord, seedAccount } from '../../../test/db-fixture.js';

function setup(n: number) {
  const db = openDatabase(':memory:');
  const messages = new MessageStore(db);
  const { accountId, mailbox } = seedAccount(db);
  const mailboxId = mailbox['INBOX'] as number;
  const records: HeaderRecord[] = Array.from({ length: n }, (_, i) =>
    headerRecord(i + 1, {
      flags: i % 3 === 0 ? ['\\Seen'] : [],
      internalDate: 1_700_000_000_000 + (i % 50) * 1000, // many equal dates: ties broken by id
      size: 100 + i,
      subject: `s${String(i).padStart(4, '0')}`,
      from: { name: '', address: `u${i}@x` },
      messageId: `<${i}@x>`,
      bodystructure: null,
    }),
  );
  messages.insertHeaders(accountId, mailboxId, 1, records);
  return { messages, mailboxId };
}

const base = { sort: 'date' as const, descending: true, unread: false, flagged: false, hasAttachments: false };

describe('paging a large folder', () => {
  it('counts under filters', () => {
    const { messages, mailboxId } = setup(300);
    expect(messages.count({ mailboxId, unread: false, flagged: false, hasAttachments: false })).toBe(300);
    expect(messages.count({ mailboxId, unread: true, flagged: false, hasAttachments: false })).toBe(200);
    // is:read alone: the other 100, in the count, the ids, the pages and the cursor.
    const read = { mailboxId, unread: false, read: true, flagged: false, hasAttachments: false };
    expect(messages.count(read)).toBe(100);
    expect(messages.ids(read)).toHaveLength(100);
    const page = messages.page({ ...base, ...read, after: null, limit: 500 });
    expect(page.messages).toHaveLength(100);
    expect(page.messages.every((m) => m.seen)).toBe(true);
    const last = page.messages.at(-1)!;
    expect(messages.cursorAt({ ...base, ...read, index: 100 })).toEqual({ key: Date.parse(last.date), id: last.id });
    expect(messages.cursorAt({ ...base, ...read, index: 101 })).toBeNull();
    expect(messages.count({ ...read, unread: true })).toBe(0);
  });

  it('jumps to any row with cursorAt: the page after it starts exactly at that row', () => {
    const { messages, mailboxId } = setup(300);
    const all: number[] = [];
    let after: { key: string | number; id: number } | null = null;
    do {
      const page = messages.page({ mailboxId, ...base, after, limit: 37 });
      all.push(...page.messages.map((m) => m.id));
      after = page.next;
    } while (after);
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    for (const index of [0, 1, 36, 37, 150, 299]) {
      const cursor = messages.cursorAt({ mailboxId, ...base, index });
      const page = messages.page({ mailboxId, ...base, after: cursor, limit: 3 });
      expect(page.messages[0]?.id, `row ${index}`).toBe(all[index]);
    }
    expect(messages.page({ mailboxId, ...base, after: messages.cursorAt({ mailboxId, ...base, index: 300 }), limit: 3 }).messages).toEqual(
      [],
    );
  });

  it('pages by subject ascending with the unread filter, without duplicates or gaps', () => {
    const { messages, mailboxId } = setup(120);
    const q = { ...base, sort: 'subject' as const, descending: false, unread: true };
    const seen: string[] = [];
    let after: { key: string | number; id: number } | null = null;
    do {
      const page = messages.page({ mailboxId, ...q, after, limit: 25 });
      seen.push(...page.messages.map((m) => m.subject));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toHaveLength(80);
  });

  it('sorts by sent date (the Date header, else arrival) over its own index, paging without duplicates or gaps', () => {
    const db = openDatabase(':memory:');
    const messages = new MessageStore(db);
    const { accountId, mailbox } = seedAccount(db);
    const mailboxId = mailbox['INBOX'] as number;
    const day = 86_400_000;
    const t0 = Date.UTC(2026, 0, 1);
    // Arrival order 1..150; sent dates scattered (imported mail: arrival says nothing), every
    // tenth without a usable Date (its arrival stands in), many equal (ties by id).
    const records = Array.from({ length: 150 }, (_, i) =>
      headerRecord(i + 1, {
        internalDate: t0 + i * day,
        sentDate: i % 10 === 9 ? null : t0 - ((i * 37) % 60) * day,
        messageId: `<${i}@x>`,
      }),
    );
    messages.insertHeaders(accountId, mailboxId, 1, records);
    const key = (m: { sentDate: string | null; date: string }) => Date.parse(m.sentDate ?? m.date);
    const expected = messages
      .all(mailboxId)
      .sort((a, b) => key(b) - key(a) || b.id - a.id)
      .map((m) => m.id);
    const q = { ...base, sort: 'sent' as const, mailboxId };
    const seen: number[] = [];
    let after: { key: string | number; id: number } | null = null;
    do {
      const page = messages.page({ ...q, after, limit: 23 });
      seen.push(...page.messages.map((m) => m.id));
      after = page.next;
    } while (after);
    expect(seen).toEqual(expected);
    expect(messages.cursorAt({ ...q, index: 40 })).toEqual({
      key: key(messages.all(mailboxId).find((m) => m.id === expected[39])!),
      id: expected[39],
    });
    const ascending = messages.page({ ...q, descending: false, after: null, limit: 500 }).messages.map((m) => m.id);
    expect(ascending).toEqual(
      messages
        .all(mailboxId)
        .sort((a, b) => key(a) - key(b) || a.id - b.id)
        .map((m) => m.id),
    );
    // Over the index made for it on first use, not a sort of the whole folder per page.
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM messages WHERE mailbox_id = ? AND stale = 0
         ORDER BY coalesce(sent_date, internal_date) DESC, id DESC LIMIT 10`,
      )
      .all(mailboxId) as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail).join(' | ')).toContain('messages_by_sent');
    expect(plan.map((r) => r.detail).join(' | ')).not.toContain('TEMP B-TREE');
  });

  it('sorts subjects in natural order: numbers by value, fullwidth digits too, prefixes ignored', () => {
    const db = openDatabase(':memory:');
    const messages = new MessageStore(db);
    const { accountId, mailbox } = seedAccount(db);
    const mailboxId = mailbox['INBOX'] as number;
    const subjects = [
      'Invoice #979',
      'Re: invoice #98',
      'Invoice #1000',
      'Invoice #97',
      'Invoice #0975',
      '請求書 １２月',
      '請求書 ３月',
      'Invoice',
    ];
    messages.insertHeaders(
      accountId,
      mailboxId,
      1,
      subjects.map((subject, i) => headerRecord(i + 1, { subject, messageId: `<${i}@x>` })),
    );
    const sorted = messages.page({ mailboxId, ...base, sort: 'subject', descending: false, after: null, limit: 20 }).messages;
    expect(sorted.map((m) => m.subject)).toEqual([
      'Invoice',
      'Invoice #97',
      'Re: invoice #98',
      'Invoice #0975',
      'Invoice #979',
      'Invoice #1000',
      '請求書 ３月',
      '請求書 １２月',
    ]);
  });
});
