// What seedAccount put on the suite's Dovecot (test/dovecot/global-setup.ts) is what the summary
// says, and the generated mail decodes as intended: Japanese charsets, MIME structure, threads.
import { describe, expect, inject, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { withImap } from '../dovecot/client.js';

const info = inject('dovecot');
const seed = inject('dovecotSeed');

async function fetchRaw(folder: string, key: string): Promise<Buffer> {
  return withImap(info, 'alice', async (client) => {
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    try {
      const uids = await client.search({ header: { 'message-id': `<${key}@tegami.test>` } }, { uid: true });
      if (!uids || uids.length !== 1 || uids[0] === undefined) throw new Error(`${key} not found in ${folder}: ${JSON.stringify(uids)}`);
      const msg = await client.fetchOne(String(uids[0]), { source: true }, { uid: true });
      if (!msg || !msg.source) throw new Error(`no source for ${key}`);
      return msg.source;
    } finally {
      lock.release();
    }
  });
}

describe('seeded account (alice)', () => {
  it('matches the summary: folder → message count', async () => {
    expect(seed.spamAssassin).toBe(100);
    await withImap(info, 'alice', async (client) => {
      for (const [folder, count] of Object.entries(seed.folders)) {
        const status = await client.status(folder, { messages: true });
        expect(status && status.messages, folder).toBe(count);
      }
    });
    expect(seed.folders).toMatchObject({
      INBOX: 100 + Object.values(seed.messageFolders).filter((f) => f === 'INBOX').length,
      Sent: 3,
      Drafts: 2,
      Archive: 3,
      仕事: 2,
      '仕事/請求書': 2,
      旅行: 2,
      'Projects/Tegami': 3,
      'Public/Announcements': 3,
      'Other/bob/Shared': 3,
    });
  });

  it.each([
    ['iso2022jp', '来週の会議について（ISO-2022-JP）', '午後三時', '山田 花子'],
    ['shiftJis', '見積もりのご依頼（Shift_JIS）', '見積もり', '佐藤 一郎'],
    ['eucJp', '旅行の写真（EUC-JP）', '紅葉', '鈴木 次郎'],
    ['utf8Japanese', '【重要】見積書の送付（UTF-8）', '絵文字も大丈夫です 📎', '田中 太郎'],
  ])('decodes the %s message', async (key, subject, bodyText, fromName) => {
    const parsed = await simpleParser(await fetchRaw('INBOX', key));
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toContain(bodyText);
    expect(parsed.from?.value[0]?.name).toBe(fromName);
  });

  it('keeps attachments with RFC 2231 Japanese file names', async () => {
    const parsed = await simpleParser(await fetchRaw('INBOX', 'utf8Japanese'));
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['見積書 2024年度.pdf']);
    expect(parsed.attachments[0]?.content.subarray(0, 5).toString()).toBe('%PDF-');
    const mixed = await simpleParser(await fetchRaw('INBOX', 'attachments'));
    expect(mixed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['report.pdf', 'application/pdf'],
      ['photo.png', 'image/png'],
    ]);
  });

  it('builds a reply chain with In-Reply-To and References', async () => {
    const last = await simpleParser(await fetchRaw('INBOX', 'thread-5'));
    expect(last.inReplyTo).toBe('<thread-4@tegami.test>');
    expect(last.references).toEqual([
      '<thread-1@tegami.test>',
      '<thread-2@tegami.test>',
      '<thread-3@tegami.test>',
      '<thread-4@tegami.test>',
    ]);
    expect(seed.messageFolders['thread-2']).toBe('Sent');
  });

  it('lets alice read, but not expunge, the folder bob shared with her', async () => {
    await withImap(info, 'alice', async (client) => {
      const lock = await client.getMailboxLock('Other/bob/Shared');
      try {
        const messages = await client.fetchAll('1:*', { envelope: true });
        expect(messages.map((m) => m.envelope?.subject)).toEqual(['Shared note 1', 'Shared note 2', 'Shared note 3']);
        // Without the t and e rights (RFC 4314) Dovecot ignores the \Deleted flag and expunges nothing.
        await client.messageDelete('1', {});
        const status = await client.status('Other/bob/Shared', { messages: true });
        expect(status && status.messages).toBe(3);
      } finally {
        lock.release();
      }
    });
  });
});
