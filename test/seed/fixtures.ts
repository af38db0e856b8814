// Generated test mail: MIME structures, Japanese charsets, a reply chain, special-use folder content and
// Japanese folder names. Deterministic content; dates are relative to `now`, so "recent" mail stays
// inside a 90-day offline window and the Archive mail stays outside it.
import { address, attachment, buildMessage, encodeWords, multipart, samplePdf, samplePng, textPart } from './mime.js';

export interface FixtureMessage {
  /** Stable key tests can use to find the message (also in its Message-ID: <key@tegami.test>). */
  key: string;
  /** Mailbox path ("/" delimiter, unicode). */
  folder: string;
  raw: Buffer;
  flags: string[];
  date: Date;
}

/** Folders the generated mail needs beyond INBOX and the auto-created special-use ones; parents first. */
export const fixtureFolders = ['仕事', '仕事/請求書', '旅行', 'Projects', 'Projects/Tegami'] as const;

const ALICE = address('Alice Example', 'alice@tegami.test');
const BOB = address('Bob Example', 'bob@tegami.test');
const CAROL = address('Carol Example', 'carol@tegami.test');
const TANAKA_UTF8 = address('田中 太郎', 'tanaka@example.jp');

const messageId = (key: string): string => `${key}@tegami.test`;

export function fixtureMessages(now = new Date()): FixtureMessage[] {
  const ago = (days: number, hour = 10): Date => {
    const d = new Date(now.getTime() - days * 86_400_000);
    d.setUTCHours(hour, 0, 0, 0);
    return d;
  };
  const out: FixtureMessage[] = [];
  const add = (key: string, folder: string, flags: string[], date: Date, build: (id: string, date: Date) => Buffer): void => {
    out.push({ key, folder, flags, date, raw: build(messageId(key), date) });
  };

  // --- INBOX: MIME structures -------------------------------------------------------------------
  add('alternative', 'INBOX', [], ago(2), (id, date) =>
    buildMessage(
      {
        from: address('Tegami Newsletter', 'news@tegami.test'),
        to: ALICE,
        subject: 'Weekly newsletter: text and HTML',
        date,
        messageId: id,
      },
      multipart('alternative', [
        textPart('This week in Tegami\n\n* Offline sync\n* Japanese mail\n\nPlain text version.\n'),
        textPart(
          '<!doctype html><html><body><h1>This week in Tegami</h1><ul><li>Offline sync</li><li>Japanese mail</li></ul><p><img src="https://tracker.example.com/pixel.gif" alt=""> HTML version.</p></body></html>\n',
          { subtype: 'html' },
        ),
      ]),
    ),
  );
  add('attachments', 'INBOX', ['\\Flagged'], ago(3), (id, date) =>
    buildMessage(
      { from: BOB, to: ALICE, subject: 'Report and photo attached', date, messageId: id },
      multipart('mixed', [
        textPart('Hi Alice,\n\nthe quarterly report and a photo are attached.\n\nBob\n'),
        attachment(samplePdf('Quarterly report'), 'application/pdf', 'report.pdf'),
        attachment(samplePng(), 'image/png', 'photo.png'),
      ]),
    ),
  );
  add('related', 'INBOX', ['\\Seen'], ago(4), (id, date) =>
    buildMessage(
      { from: BOB, to: ALICE, subject: 'Inline image (multipart/related)', date, messageId: id },
      multipart(
        'related',
        [
          multipart('alternative', [
            textPart('A checkerboard is shown inline in the HTML version.\n'),
            textPart('<html><body><p>Inline image:</p><img src="cid:checkerboard@tegami.test" alt="checkerboard"></body></html>\n', {
              subtype: 'html',
            }),
          ]),
          attachment(samplePng(), 'image/png', 'checkerboard.png', { inline: true, contentId: 'checkerboard@tegami.test' }),
        ],
        '; type="multipart/alternative"',
      ),
    ),
  );

  // --- INBOX: Japanese charsets -------------------------------------------------------------------
  add('iso2022jp', 'INBOX', [], ago(1, 1), (id, date) =>
    buildMessage(
      {
        from: address('山田 花子', 'yamada@example.jp', 'ISO-2022-JP'),
        to: ALICE,
        subject: encodeWords('来週の会議について（ISO-2022-JP）', 'ISO-2022-JP'),
        date,
        messageId: id,
      },
      textPart(
        'アリスさん\n\nお世話になっております。山田です。\n来週の会議は水曜日の午後三時からに変更になりました。\nよろしくお願いいたします。\n',
        { charset: 'ISO-2022-JP', encoding: '7bit' },
      ),
    ),
  );
  add('shiftJis', 'INBOX', ['\\Seen'], ago(5), (id, date) =>
    buildMessage(
      {
        from: address('佐藤 一郎', 'sato@example.jp', 'Shift_JIS'),
        to: ALICE,
        subject: encodeWords('見積もりのご依頼（Shift_JIS）', 'Shift_JIS'),
        date,
        messageId: id,
      },
      textPart('ご担当者様\n\n新しいプロジェクトの見積もりをお願いできますでしょうか。\n納期は来月末を予定しております。\n\n佐藤\n', {
        charset: 'Shift_JIS',
        encoding: '8bit',
      }),
    ),
  );
  add('eucJp', 'INBOX', [], ago(6), (id, date) =>
    buildMessage(
      {
        from: address('鈴木 次郎', 'suzuki@example.jp', 'EUC-JP'),
        to: ALICE,
        subject: encodeWords('旅行の写真（EUC-JP）', 'EUC-JP', 'Q'),
        date,
        messageId: id,
      },
      textPart('アリスさん\n\n京都旅行の写真を共有します。紅葉がとてもきれいでした。\n\n鈴木\n', { charset: 'EUC-JP', encoding: 'base64' }),
    ),
  );
  add('utf8Japanese', 'INBOX', ['\\Seen', '\\Flagged'], ago(7), (id, date) =>
    buildMessage(
      { from: TANAKA_UTF8, to: ALICE, subject: encodeWords('【重要】見積書の送付（UTF-8）'), date, messageId: id },
      multipart('mixed', [
        textPart('アリス様\n\n見積書を添付いたしましたので、ご確認ください。\n絵文字も大丈夫です 📎✉️\n\n田中\n', { encoding: 'base64' }),
        attachment(samplePdf('Estimate'), 'application/pdf', '見積書 2024年度.pdf'),
      ]),
    ),
  );
  add('plainFlagged', 'INBOX', ['\\Seen', '\\Flagged', '\\Answered', '$Important'], ago(8), (id, date) =>
    buildMessage(
      { from: CAROL, to: ALICE, subject: 'Plain text, flagged and answered', date, messageId: id },
      textPart('Just a plain text message.\n', { charset: 'US-ASCII', encoding: '7bit' }),
    ),
  );

  // --- A reply chain: INBOX and Sent ------------------------------------------------------------------
  const chain = [
    {
      key: 'thread-1',
      folder: 'INBOX',
      from: BOB,
      to: ALICE,
      flags: ['\\Seen', '\\Answered'],
      subject: 'Lunch on Friday?',
      text: 'Shall we have lunch on Friday?\n',
    },
    {
      key: 'thread-2',
      folder: 'Sent',
      from: ALICE,
      to: BOB,
      flags: ['\\Seen'],
      subject: 'Re: Lunch on Friday?',
      text: 'Sure, noon works for me.\n',
    },
    {
      key: 'thread-3',
      folder: 'INBOX',
      from: BOB,
      to: ALICE,
      flags: ['\\Seen', '\\Answered'],
      subject: 'Re: Lunch on Friday?',
      text: 'Great. The ramen place?\n',
    },
    {
      key: 'thread-4',
      folder: 'Sent',
      from: ALICE,
      to: `${BOB}, ${CAROL}`,
      flags: ['\\Seen'],
      subject: 'Re: Lunch on Friday?',
      text: 'Yes! Carol, join us?\n',
    },
    {
      key: 'thread-5',
      folder: 'INBOX',
      from: CAROL,
      to: `${ALICE}, ${BOB}`,
      flags: [],
      subject: 'Re: Lunch on Friday?',
      text: 'Count me in.\n',
    },
  ];
  chain.forEach((m, i) => {
    const refs = chain.slice(0, i).map((p) => messageId(p.key));
    const parent = refs[refs.length - 1];
    add(m.key, m.folder, m.flags, new Date(ago(10).getTime() + i * 3_600_000), (id, date) =>
      buildMessage(
        { from: m.from, to: m.to, subject: m.subject, date, messageId: id, ...(parent ? { inReplyTo: parent, references: refs } : {}) },
        textPart(m.text),
      ),
    );
  });

  // --- Special-use folders ------------------------------------------------------------------------------
  add('sentPlain', 'Sent', ['\\Seen'], ago(12), (id, date) =>
    buildMessage({ from: ALICE, to: CAROL, subject: 'Notes from the meeting', date, messageId: id }, textPart('Here are my notes.\n')),
  );
  add('draft-1', 'Drafts', ['\\Seen', '\\Draft'], ago(1), (id, date) =>
    buildMessage({ from: ALICE, to: BOB, subject: 'Draft: proposal', date, messageId: id }, textPart('Unfinished proposal…\n')),
  );
  add('draft-2', 'Drafts', ['\\Seen', '\\Draft'], ago(0), (id, date) =>
    buildMessage(
      { from: ALICE, to: TANAKA_UTF8, subject: encodeWords('下書き：お礼'), date, messageId: id },
      textPart('田中様\n\n先日はありがとうございました。\n'),
    ),
  );
  for (let i = 1; i <= 3; i++) {
    // Older than any sensible offline window.
    add(`archive-${i}`, 'Archive', ['\\Seen'], ago(200 + i * 30), (id, date) =>
      buildMessage(
        { from: BOB, to: ALICE, subject: `Archived project update ${i}`, date, messageId: id },
        textPart(`Old update number ${i}.\n`),
      ),
    );
  }
  add('trash-1', 'Trash', ['\\Seen', '\\Deleted'], ago(9), (id, date) =>
    buildMessage(
      { from: address('Old Friend', 'friend@example.com'), to: ALICE, subject: 'Deleted message', date, messageId: id },
      textPart('This one was thrown away.\n'),
    ),
  );
  for (let i = 1; i <= 2; i++) {
    add(`junk-${i}`, 'Junk', [i === 1 ? '$Junk' : '\\Seen'], ago(i), (id, date) =>
      buildMessage(
        { from: address('Prize Department', 'winner@spam.example'), to: ALICE, subject: `You have WON (${i})`, date, messageId: id },
        textPart('Click here to claim your prize!\n'),
      ),
    );
  }

  // --- Japanese folder names and nested folders -------------------------------------------------------
  add('work-1', '仕事', ['\\Seen'], ago(11), (id, date) =>
    buildMessage(
      { from: TANAKA_UTF8, to: ALICE, subject: encodeWords('プロジェクト進捗'), date, messageId: id },
      textPart('進捗は順調です。\n'),
    ),
  );
  add('work-2', '仕事', [], ago(2), (id, date) =>
    buildMessage(
      {
        from: address('山田 花子', 'yamada@example.jp', 'ISO-2022-JP'),
        to: ALICE,
        subject: encodeWords('打ち合わせ議事録', 'ISO-2022-JP'),
        date,
        messageId: id,
      },
      textPart('議事録をお送りします。\n', { charset: 'ISO-2022-JP' }),
    ),
  );
  for (let i = 1; i <= 2; i++) {
    add(`invoice-${i}`, '仕事/請求書', ['\\Seen'], ago(20 + i), (id, date) =>
      buildMessage(
        {
          from: address('経理部', 'keiri@example.jp', 'Shift_JIS'),
          to: ALICE,
          subject: encodeWords(`請求書 第${i}号`, 'Shift_JIS'),
          date,
          messageId: id,
        },
        multipart('mixed', [
          textPart(`請求書 第${i}号を送付いたします。\n`, { charset: 'Shift_JIS', encoding: 'base64' }),
          attachment(samplePdf(`Invoice ${i}`), 'application/pdf', `請求書_${i}.pdf`),
        ]),
      ),
    );
  }
  add('travel-1', '旅行', ['\\Seen'], ago(30), (id, date) =>
    buildMessage(
      { from: address('旅行会社', 'travel@example.jp'), to: ALICE, subject: encodeWords('ご予約の確認：京都'), date, messageId: id },
      textPart('京都のホテルのご予約を承りました。\n'),
    ),
  );
  add('travel-2', '旅行', [], ago(3), (id, date) =>
    buildMessage(
      {
        from: address('鈴木 次郎', 'suzuki@example.jp', 'EUC-JP'),
        to: ALICE,
        subject: encodeWords('写真を送ります', 'EUC-JP'),
        date,
        messageId: id,
      },
      multipart('mixed', [
        textPart('写真です。\n', { charset: 'EUC-JP', encoding: '8bit' }),
        attachment(samplePng(), 'image/png', '写真.png'),
      ]),
    ),
  );
  add('projects-1', 'Projects', ['\\Seen'], ago(40), (id, date) =>
    buildMessage({ from: BOB, to: ALICE, subject: 'Projects overview', date, messageId: id }, textPart('All projects in one place.\n')),
  );
  for (let i = 1; i <= 3; i++) {
    add(`tegami-${i}`, 'Projects/Tegami', i === 3 ? [] : ['\\Seen'], ago(15 - i), (id, date) =>
      buildMessage({ from: BOB, to: ALICE, subject: `Tegami milestone ${i}`, date, messageId: id }, textPart(`Milestone ${i} is done.\n`)),
    );
  }
  return out;
}

/** Mail bob keeps in the folder he shares with alice. */
export function sharedFolderMessages(now = new Date()): FixtureMessage[] {
  return [1, 2, 3].map((i) => {
    const key = `shared-${i}`;
    const date = new Date(now.getTime() - i * 86_400_000);
    return {
      key,
      folder: 'Shared',
      flags: i === 1 ? ['\\Seen'] : [],
      date,
      raw: buildMessage(
        { from: BOB, to: ALICE, subject: `Shared note ${i}`, date, messageId: messageId(key) },
        textPart(`Shared with Alice, note ${i}.\n`),
      ),
    };
  });
}
