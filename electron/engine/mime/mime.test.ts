import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { base64Lines, buildMessage, encodeIso2022jp, encodeWords, param, quotedPrintable, textPart } from '../../../test/seed/mime.js';
import { canonicalCharset, decodeBytes, decodeIso2022jp, repairLatin1Header } from './charset.js';
import { fixtureMessages } from '../../../test/seed/fixtures.js';
import { headerRecordOfRaw } from './headers.js';
import { parseRawMessage } from './message.js';
import { bodyParts, flattenParts, prefetchParts, type BodyNode } from './structure.js';
import { decodeTextPart, htmlToText, makeSnippet, unflow } from './text.js';
import { createTransferDecoder, decodedSize, decodeTransfer } from './transfer.js';
import { decodeParameter, decodeWords, safeFilename } from './words.js';

const JA = 'お世話になっております。来週の会議は水曜日の午後三時からです。';

describe('charset decoding', () => {
  it('decodes ISO-2022-JP, Shift_JIS, EUC-JP and UTF-8 as declared', () => {
    expect(decodeBytes(encodeIso2022jp(JA), 'ISO-2022-JP')).toEqual({ text: JA, charset: 'iso-2022-jp' });
    expect(decodeBytes(iconv.encode(JA, 'Shift_JIS'), 'Shift_JIS')).toEqual({ text: JA, charset: 'shift_jis' });
    expect(decodeBytes(iconv.encode(JA, 'EUC-JP'), 'euc-jp')).toEqual({ text: JA, charset: 'euc-jp' });
    expect(decodeBytes(Buffer.from(JA), 'utf-8')).toEqual({ text: JA, charset: 'utf-8' });
  });

  it('reads Windows-31J extensions in mail labelled Shift_JIS (①, ～, 髙)', () => {
    expect(decodeBytes(iconv.encode('①～髙橋', 'cp932'), 'shift_jis').text).toBe('①～髙橋');
  });

  it('decodes ISO-2022-JP half-width katakana and JIS X 0212 escapes', () => {
    const kana = Buffer.from([0x1b, 0x28, 0x49, 0x31, 0x32, 0x1b, 0x28, 0x42]); // ESC ( I ｱｲ ESC ( B
    expect(decodeIso2022jp(kana)).toBe('ｱｲ');
  });

  it('detects the charset when the label is missing, unknown or wrong', () => {
    expect(decodeBytes(encodeIso2022jp(JA), null)).toMatchObject({ text: JA, charset: 'iso-2022-jp' });
    expect(decodeBytes(encodeIso2022jp(JA), 'us-ascii')).toMatchObject({ text: JA, charset: 'iso-2022-jp' });
    expect(decodeBytes(iconv.encode(JA, 'Shift_JIS'), 'x-unknown')).toMatchObject({ text: JA, charset: 'shift_jis' });
    expect(decodeBytes(iconv.encode(JA, 'EUC-JP'), 'x-unknown')).toMatchObject({ text: JA, charset: 'euc-jp' });
    expect(decodeBytes(iconv.encode(JA, 'Shift_JIS'), 'utf-8')).toMatchObject({ text: JA, charset: 'shift_jis' });
    expect(decodeBytes(iconv.encode(JA, 'Shift_JIS'), 'iso-2022-jp')).toMatchObject({ text: JA, charset: 'shift_jis' });
    expect(decodeBytes(Buffer.from(JA), 'iso-8859-1')).toMatchObject({ text: JA, charset: 'utf-8' });
    expect(decodeBytes(iconv.encode(JA, 'EUC-JP'), 'shift_jis')).toMatchObject({ text: JA, charset: 'euc-jp' });
  });

  it('detects unlabelled Chinese (GBK, Big5) and Korean (EUC-KR) text', () => {
    const hans = '我们的会议在下午三点开始，请大家准时到达。这是一个重要的问题，我们要认真讨论。';
    const hant = '我們的會議在下午三點開始，請大家準時到達。這是一個重要的問題，我們要認真討論。';
    const ko = '안녕하세요. 오늘 회의는 오후 세 시에 시작합니다. 모두 시간에 맞춰 와 주시기 바랍니다.';
    expect(decodeBytes(iconv.encode(hans, 'gbk'), null)).toEqual({ text: hans, charset: 'gb18030' });
    expect(decodeBytes(iconv.encode(hant, 'big5'), null)).toEqual({ text: hant, charset: 'big5hkscs' });
    expect(decodeBytes(iconv.encode(ko, 'euc-kr'), null)).toEqual({ text: ko, charset: 'cp949' });
    // Mislabelled as US-ASCII (8-bit bytes contradict it) or Latin-1 (many mailers' default):
    // detected the same way. Latin text under a Latin-1 label stays Latin.
    expect(decodeBytes(iconv.encode(hans, 'gbk'), 'us-ascii').text).toBe(hans);
    expect(decodeBytes(iconv.encode(hant, 'big5'), 'iso-8859-1').text).toBe(hant);
    const mixed = `Dear Sir,\n\nModels 4JB1, 6BT and 4BD1 (see the price list at the end):\n\n${hans}\n`;
    expect(decodeBytes(iconv.encode(mixed, 'gbk'), 'iso-8859-1').text).toBe(mixed);
    expect(decodeBytes(iconv.encode(JA, 'Shift_JIS'), 'iso-8859-1').text).toBe(JA);
    expect(decodeBytes(iconv.encode('Déjà vu — “café” à l’été', 'windows-1252'), 'iso-8859-1').text).toBe('Déjà vu — “café” à l’été');
    expect(decodeBytes(iconv.encode('会議室予約', 'Shift_JIS'), 'iso-8859-1').charset).toBe('windows-1252'); // kanji alone: the label stands
    // Japanese stays Japanese: kana settle it, and kanji alone still read as Japanese.
    expect(decodeBytes(iconv.encode(JA, 'EUC-JP'), null).text).toBe(JA);
    expect(decodeBytes(iconv.encode('会議室予約', 'Shift_JIS'), null).text).toBe('会議室予約');
    expect(decodeBytes(iconv.encode('東京都', 'EUC-JP'), null).text).toBe('東京都');
  });

  it('does not read Latin text with a few 8-bit characters as Japanese', () => {
    // windows-1252 curly quotes before letters are valid Shift_JIS kanji (0x93 0x6F is 登).
    for (const text of ['It’s what we’re doing, don’t you think? They’ll see “it” soon.', 'ce message à l’adresse d’été']) {
      expect(decodeBytes(iconv.encode(text, 'windows-1252'), null)).toEqual({ text, charset: 'windows-1252' });
    }
  });

  it('falls back to windows-1252 for Latin text and never throws on garbage', () => {
    expect(decodeBytes(iconv.encode('Café déjà vu', 'windows-1252'), null)).toEqual({ text: 'Café déjà vu', charset: 'windows-1252' });
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256));
    for (const label of [null, 'utf-8', 'shift_jis', 'euc-jp', 'iso-2022-jp', 'x-unknown', 'utf-7', 'big5']) {
      expect(typeof decodeBytes(garbage, label).text).toBe('string');
    }
  });

  it('refuses UTF-7 as a label (markup smuggling) and maps aliases', () => {
    expect(canonicalCharset('UTF-7')).toBeNull();
    expect(canonicalCharset('x-sjis')).toBe('shift_jis');
    expect(canonicalCharset('Windows-31J')).toBe('shift_jis');
    expect(canonicalCharset('x-euc-jp')).toBe('euc-jp');
    expect(canonicalCharset('ISO-2022-JP-MS')).toBe('iso-2022-jp');
    expect(canonicalCharset('"UTF8"')).toBe('utf-8');
    expect(canonicalCharset('x-unknown')).toBeNull();
    // Labels resolved as browsers do (the WHATWG Encoding Standard), and Outlook Express's own.
    expect(canonicalCharset('CHINESEBIG5')).toBe('big5hkscs');
    expect(canonicalCharset('iso-8859-8-i')).toBe('iso-8859-8');
    expect(canonicalCharset('x-mac-cyrillic')).toBe('maccyrillic');
    expect(canonicalCharset('iso-2022-kr')).toBeNull(); // "replacement": never decoded
    expect(canonicalCharset('hz-gb-2312')).toBeNull();
    expect(decodeBytes(iconv.encode('你好', 'gbk'), 'x-gbk').text).toBe('你好');
    expect(decodeBytes(iconv.encode('안녕', 'cp949'), 'korean').text).toBe('안녕');
    expect(decodeBytes(iconv.encode('還在用信用卡嗎', 'big5'), 'CHINESEBIG5')).toEqual({ text: '還在用信用卡嗎', charset: 'big5hkscs' });
  });

  it('repairs raw 8-bit headers read as Latin-1', () => {
    expect(repairLatin1Header(Buffer.from('日本語の件名', 'utf8').toString('latin1'))).toBe('日本語の件名');
    expect(repairLatin1Header(iconv.encode('日本語の件名', 'Shift_JIS').toString('latin1'))).toBe('日本語の件名');
    expect(repairLatin1Header('already 日本語')).toBe('already 日本語');
  });

  it('tries raw 8-bit header bytes in the charset the message declares first', () => {
    const big5 = iconv.encode('還在用信用卡嗎', 'big5').toString('latin1');
    expect(repairLatin1Header(big5, 'big5')).toBe('還在用信用卡嗎');
    expect(repairLatin1Header(big5, 'CHINESEBIG5')).toBe('還在用信用卡嗎');
    // Four rare characters are too few for detection to tell Big5 from GBK: the hint decides.
    const rare = iconv.encode('龍鳳呈祥', 'big5').toString('latin1');
    expect(repairLatin1Header(rare, 'big5')).toBe('龍鳳呈祥');
    expect(repairLatin1Header(rare)).not.toBe('龍鳳呈祥');
    const gbk = iconv.encode('你好，世界', 'gbk').toString('latin1');
    expect(repairLatin1Header(gbk, 'gb2312')).toBe('你好，世界');
    const korean = iconv.encode('안녕하세요', 'cp949').toString('latin1');
    expect(repairLatin1Header(korean, 'ks_c_5601-1987')).toBe('안녕하세요');
    // A single-byte hint is taken as it is (KOI8-R Cyrillic is valid EUC-JP too); Latin-1 is no hint.
    const russian = iconv.encode('Привет', 'koi8-r').toString('latin1');
    expect(repairLatin1Header(russian, 'koi8-r')).toBe('Привет');
    expect(repairLatin1Header(iconv.encode('日本語の件名', 'Shift_JIS').toString('latin1'), 'iso-8859-1')).toBe('日本語の件名');
    // Japanese hints do not override the Shift_JIS / EUC-JP detection, which tells the two apart.
    expect(repairLatin1Header(iconv.encode('日本語の件名', 'EUC-JP').toString('latin1'), 'shift_jis')).toBe('日本語の件名');
    // Bytes that are not valid in a multi-byte hint are sniffed as before.
    expect(repairLatin1Header(iconv.encode('日本語の件名', 'Shift_JIS').toString('latin1'), 'euc-kr')).toBe('日本語の件名');
    // A charset that is not an ASCII superset cannot be what raw header bytes are in.
    expect(repairLatin1Header(iconv.encode('日本語の件名', 'Shift_JIS').toString('latin1'), 'utf-16le')).toBe('日本語の件名');
    // UTF-8 is UTF-8 whatever the message declares.
    expect(repairLatin1Header(Buffer.from('日本語の件名').toString('latin1'), 'big5')).toBe('日本語の件名');
    expect(decodeWords(`=?utf-8?B?${Buffer.from('件名').toString('base64')}?= ${big5}`, 'big5')).toBe('件名 還在用信用卡嗎');
  });
});

describe('decoded sizes', () => {
  it('estimates what a base64 part decodes to from its encoded size, within a few bytes', () => {
    for (const n of [0, 1, 57, 58, 597, 4096, 1_000_003]) {
      const encoded = Buffer.from(base64Lines(Buffer.alloc(n, 7)), 'latin1').length;
      expect(Math.abs(decodedSize(encoded, 'BASE64') - n), `${n} bytes`).toBeLessThanOrEqual(3);
    }
    expect(decodedSize(1234, 'quoted-printable')).toBe(1234);
    expect(decodedSize(1234, null)).toBe(1234);
  });
});

describe('transfer encodings (RFC 2045 6)', () => {
  const data = Buffer.from(`${JA}\r\nline two =, tabs\t\r\n`.repeat(50));

  it('decodes base64 and quoted-printable whole and in arbitrary chunks', () => {
    for (const [encoding, encoded] of [
      ['base64', Buffer.from(base64Lines(data), 'latin1')],
      ['quoted-printable', Buffer.from(quotedPrintable(data), 'latin1')],
    ] as const) {
      expect(decodeTransfer(encoded, encoding)).toEqual(data);
      for (const size of [1, 2, 3, 5, 77, 1000]) {
        const decoder = createTransferDecoder(encoding);
        const out: Buffer[] = [];
        for (let i = 0; i < encoded.length; i += size) out.push(decoder.write(encoded.subarray(i, i + size)));
        out.push(decoder.end());
        expect(Buffer.concat(out)).toEqual(data);
      }
    }
  });

  it('is lenient with broken input', () => {
    expect(decodeTransfer(Buffer.from('SGVs bG8*\r\n!!'), 'base64').toString()).toBe('Hello');
    expect(decodeTransfer(Buffer.from('a=ZZb=\r\nc =3D'), 'quoted-printable').toString()).toBe('a=ZZbc =');
    expect(decodeTransfer(Buffer.from('raw'), 'x-uuencode').toString()).toBe('raw');
  });
});

describe('RFC 2047 words and RFC 2231 parameters', () => {
  it('decodes encoded-words in every Japanese charset, split words joined', () => {
    for (const cs of ['ISO-2022-JP', 'Shift_JIS', 'EUC-JP', 'UTF-8'] as const) {
      expect(decodeWords(encodeWords('来週の会議について（確認）よろしくお願いいたします', cs))).toBe(
        '来週の会議について（確認）よろしくお願いいたします',
      );
    }
    expect(decodeWords(encodeWords('旅行の写真', 'EUC-JP', 'Q'))).toBe('旅行の写真');
    expect(decodeWords('Re: =?UTF-8?B?5pel5pys?= and =?UTF-8?Q?caf=C3=A9?=')).toBe('Re: 日本 and café');
  });

  it('decodes RFC 2231 file names and makes them safe', () => {
    const value = param('filename', '見積書 2024年度.pdf').replace(/^filename\*=/, '');
    expect(decodeParameter(value)).toBe('見積書 2024年度.pdf');
    expect(decodeParameter("iso-2022-jp''%1B%24B%24%22%1B%28B.txt")).toBe('あ.txt');
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('=?UTF-8?B?5pel5pys?=.txt')).toBe('日本.txt');
    expect(safeFilename('..')).toBeNull();
  });
});

describe('text parts', () => {
  it('decodes transfer encoding, charset and format=flowed', () => {
    const raw = Buffer.from(base64Lines(iconv.encode('こんにちは\r\n世界', 'EUC-JP')), 'latin1');
    expect(decodeTextPart(raw, { charset: 'EUC-JP', encoding: 'base64', flowed: null })).toEqual({
      text: 'こんにちは\n世界',
      charset: 'euc-jp',
    });
    expect(unflow('This is \r\nflowed.\r\n> quoted \r\n> more\r\n-- \r\nsig', false)).toBe('This is flowed.\n> quoted more\n-- \nsig');
    expect(unflow('abc \r\ndef', true)).toBe('abcdef');
  });

  it('reads an HTML part without a declared charset in the one its <meta> names', () => {
    const page = (meta: string, body: string, charset: string) =>
      Buffer.concat([Buffer.from(`<html><head>${meta}</head><body><p>`), iconv.encode(body, charset), Buffer.from('</p></body></html>')]);
    const html = { encoding: null, flowed: null, contentType: 'text/html' };
    const big5 = page('<meta http-equiv="Content-Type" content="text/html; charset=big5">', '龍鳳呈祥', 'big5');
    expect(decodeTextPart(big5, { ...html, charset: null })).toMatchObject({
      text: expect.stringContaining('龍鳳呈祥'),
      charset: 'big5',
    });
    expect(decodeTextPart(big5, { ...html, charset: 'us-ascii' }).text).toContain('龍鳳呈祥');
    const koi8 = page('<meta charset="koi8-r">', 'Привет', 'koi8-r');
    expect(decodeTextPart(koi8, { ...html, charset: null }).text).toContain('Привет');
    // The declared charset wins over the <meta>, as in a browser; plain text has no <meta>.
    expect(decodeTextPart(big5, { ...html, charset: 'utf-8' }).text).not.toContain('龍鳳呈祥');
    expect(decodeTextPart(big5, { ...html, contentType: 'text/plain', charset: null }).text).not.toContain('龍鳳呈祥');
    // A Latin-1 <meta> does not hide Japanese text from detection.
    const sjis = page('<meta charset="iso-8859-1">', '日本語の本文です', 'Shift_JIS');
    expect(decodeTextPart(sjis, { ...html, charset: null }).text).toContain('日本語の本文です');
  });

  it('turns HTML into text without scripts, styles, images or link targets', () => {
    const text = htmlToText(
      '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><h1>見出し</h1><p>Hello <a href="https://x.example">link</a><img src="cid:a"></p><ul><li>one</li></ul></body></html>',
    );
    expect(text).toContain('見出し');
    expect(text).toContain('Hello link');
    expect(text).toContain('one');
    expect(text).not.toMatch(/alert|color|https:|cid:/);
  });

  it('makes a snippet without quotes, attributions and signatures', () => {
    const body = 'Hi Alice,\n\nThe report is attached.\n\nOn Tue, 5 Nov 2024, Bob wrote:\n> old text\n> more old\n\n-- \nBob\nCEO';
    expect(makeSnippet(body)).toBe('Hi Alice, The report is attached.');
    expect(makeSnippet('2024年11月5日 10:00 山田 <y@example.jp>:\n＞ 引用\n本文です。')).toBe('本文です。');
    const long = makeSnippet('あ'.repeat(500));
    expect([...long].length).toBe(200);
    expect(long.endsWith('…')).toBe(true);
    // A paragraph is not an attribution line, whatever it ends with.
    const paragraph = `As the minutes of 2024-11-05 say, ${'the figures hold. '.repeat(20)}Here is what she wrote:`;
    expect(makeSnippet(`${paragraph}\nThanks.`).startsWith('As the minutes of 2024-11-05 say,')).toBe(true);
    expect(makeSnippet('Sent on 2024-11-05 at 10:00:\nBody.')).toBe('Body.');
  });

  it('reads CRLF, LF and lone CR lines alike, and only the top of a long message', () => {
    expect(makeSnippet('Hi\r\n> quoted\r\nthere')).toBe('Hi there');
    expect(makeSnippet('Hi\r> quoted\rthere')).toBe('Hi there');
    expect(makeSnippet('\n\n  first  \r\n\r\n-- \r\nsig')).toBe('first');
    const huge = `Start here.\n${'filler line of text\n'.repeat(200_000)}`;
    expect(makeSnippet(huge).startsWith('Start here. filler line of text')).toBe(true);
  });

  it('counts characters, not UTF-16 units, and collapses any whitespace inside lines', () => {
    // 300 emoji (600 UTF-16 units): 199 of them and an ellipsis.
    const emoji = makeSnippet('😀'.repeat(300));
    expect([...emoji]).toHaveLength(200);
    expect(emoji).toBe(`${'😀'.repeat(199)}…`);
    expect(makeSnippet('😀'.repeat(200))).toBe('😀'.repeat(200));
    expect(makeSnippet('a\t\tb\u3000\u3000c  d\u00a0e')).toBe('a b c d e');
  });

  it('agrees with the plain reading (split, filter, join, collapse, cut by code points) on varied text', () => {
    // The reference: what makeSnippet does, written the obvious way.
    const reference = (text: string): string => {
      const kept: string[] = [];
      for (const line of text.split(/\r\n?|\n/)) {
        const trimmed = line.trim();
        if (line === '-- ' || trimmed === '--' || trimmed === '—') break;
        if (trimmed.startsWith('>') || trimmed.startsWith('＞')) continue;
        if (
          /^(on\b.*\bwrote:?|.*\s(wrote|writes|schrieb|a écrit|escribió):|.*\d{4}[年/-].*[:：]|-{2,}\s*(original message|forwarded message|元のメッセージ|転送メッセージ)\s*-{2,}|_{20,})\s*$/i.test(
            trimmed,
          ) &&
          trimmed.length <= 300
        )
          continue;
        if (trimmed) kept.push(trimmed);
      }
      const chars = [...kept.join(' ').replace(/\s+/g, ' ')];
      return chars.length <= 200 ? chars.join('') : `${chars.slice(0, 199).join('').trimEnd()}…`;
    };
    const pieces = [
      'word',
      '同期',
      '検索',
      ' ',
      '  ',
      '\t',
      '\u3000',
      '😀',
      'x:',
      '> quoted',
      '＞ 引用',
      'Bob wrote:',
      '-- ',
      '—',
      '2024年1月5日 山田:',
      '\n',
      '\r\n',
      '\r',
      '\n\n',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const count = Math.floor(random() * 120);
      for (let i = 0; i < count; i++) text += pieces[Math.floor(random() * pieces.length)];
      expect(makeSnippet(text), JSON.stringify(text)).toBe(reference(text));
    }
  });
});

describe('MIME structure', () => {
  const tree: BodyNode = {
    type: 'multipart/mixed',
    childNodes: [
      {
        part: '1',
        type: 'multipart/related',
        childNodes: [
          {
            part: '1.1',
            type: 'multipart/alternative',
            childNodes: [
              { part: '1.1.1', type: 'text/plain', parameters: { charset: 'iso-2022-jp', format: 'flowed' }, encoding: '7bit', size: 100 },
              { part: '1.1.2', type: 'text/html', parameters: { charset: 'utf-8' }, encoding: 'quoted-printable', size: 300 },
            ],
          },
          { part: '1.2', type: 'image/png', id: '<img1@x>', disposition: 'inline', encoding: 'base64', size: 999 },
        ],
      },
      {
        part: '2',
        type: 'application/pdf',
        disposition: 'attachment',
        dispositionParameters: { filename: '見積書.pdf' },
        encoding: 'base64',
        size: 5000,
      },
      { part: '3', type: 'text/plain', disposition: 'attachment', dispositionParameters: { filename: 'notes.txt' }, size: 10 },
    ],
  };

  it('picks the displayable text and HTML (RFC 2046 alternative, RFC 2387 related)', () => {
    expect(bodyParts(tree)).toEqual({ text: '1.1.1', html: '1.1.2' });
    expect(prefetchParts(tree).map((p) => [p.part, p.contentType, p.flowed])).toEqual([
      ['1.1.1', 'text/plain', { delSp: false }],
      ['1.1.2', 'text/html', null],
    ]);
    expect(bodyParts({ type: 'text/plain' })).toEqual({ text: '1', html: null });
  });

  it('flattens the tree with file names, dispositions and content ids', () => {
    const flat = flattenParts(tree, (p) => p === '2');
    expect(flat.map((p) => p.part)).toEqual(['', '1', '1.1', '1.1.1', '1.1.2', '1.2', '2', '3']);
    expect(flat.find((p) => p.part === '1.2')).toMatchObject({ contentId: 'img1@x', disposition: 'inline', depth: 2 });
    expect(flat.find((p) => p.part === '2')).toMatchObject({ filename: '見積書.pdf', disposition: 'attachment', cached: true });
  });
});

describe('whole-message parsing', () => {
  it('parses a Japanese message', async () => {
    const raw = buildMessage(
      {
        from: 'a@example.jp',
        to: 'b@example.jp',
        subject: encodeWords('件名', 'ISO-2022-JP'),
        date: new Date('2024-01-01T00:00:00Z'),
        messageId: 'x@y',
      },
      textPart(JA, { charset: 'ISO-2022-JP', encoding: '7bit' }),
    );
    const parsed = await parseRawMessage(raw);
    expect(parsed.subject).toBe('件名');
    expect(parsed.text.trim()).toBe(JA);
  });

  it('gives best-effort text for a malformed message (broken boundary, unknown charset, 8-bit header)', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: x@example.com\r\nSubject: '),
      Buffer.from('生の8ビット件名'),
      Buffer.from('\r\nContent-Type: multipart/mixed; boundary="abc"\r\n\r\n--abd\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n'),
      Buffer.from('壊れたメール'),
      Buffer.from('\r\n--abc'),
    ]);
    const parsed = await parseRawMessage(raw);
    expect(parsed.subject).toBe('生の8ビット件名');
    expect(parsed.text).toContain('壊れたメール');
  });

  it('reads raw 8-bit Big5 headers by the charset the message declares', async () => {
    const big5 = (text: string) => iconv.encode(text, 'big5');
    const raw = Buffer.concat([
      Buffer.from('From: '),
      big5('王小明'),
      Buffer.from(' <wang@example.tw>\r\nSubject: '),
      big5('還在用信用卡嗎'),
      Buffer.from('\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset="big5"\r\n\r\n'),
      big5('信用卡循環利息'),
      Buffer.from('\r\n'),
    ]);
    const parsed = await parseRawMessage(raw);
    expect(parsed.subject).toBe('還在用信用卡嗎');
    expect(parsed.from).toEqual([{ name: '王小明', address: 'wang@example.tw' }]);
    expect(parsed.text).toContain('信用卡循環利息');
  });
});

describe('a message held as raw bytes (a queued APPEND)', () => {
  it('is read as the server path reads it when the source parse is sure of it, else by mailparser as part TEXT', async () => {
    const f = fixtureMessages().find((m) => m.key === 'attachments')!;
    const exact = await headerRecordOfRaw(f.raw, ['\\Draft'], 1000);
    expect(exact).toMatchObject({
      flags: ['\\Draft'],
      internalDate: 1000,
      size: f.raw.length,
      modseq: null,
      subject: 'Report and photo attached',
    });
    expect(exact.bodystructure).not.toBeNull();
    expect(exact.attachments.some((a) => !a.inline)).toBe(true);
    // Its text parts by their MIME numbers, as the body prefetch stores them.
    expect(exact.text?.parts.length).toBeGreaterThan(0);
    expect(exact.text?.parts.every((p) => /^\d+(\.\d+)*$/.test(p.part))).toBe(true);
    // A second Subject: not one the source parse is sure of.
    const odd = await headerRecordOfRaw(Buffer.concat([Buffer.from('Subject: again\r\n'), f.raw]), [], 1000);
    expect(odd.bodystructure).toBeNull();
    expect(odd.text?.parts.map((p) => p.part)).toEqual(['TEXT']);
  });
});
