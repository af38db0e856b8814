import iconv from 'iconv-lite';

/**
 * Bytes to Unicode for mail bodies and headers, never throwing. The declared charset (RFC 2045 5.1,
 * RFC 2046 4.1.2) is tried first; when it is missing, unknown or plainly wrong (8-bit bytes in
 * "us-ascii", invalid UTF-8 labelled UTF-8, mojibake-producing Shift_JIS), the bytes are sniffed:
 * ISO-2022-JP escape sequences, then UTF-8 validity, then Shift_JIS vs EUC-JP by which reads as
 * Japanese, then windows-1252 (which decodes any byte).
 */

export interface Decoded {
  text: string;
  /** The charset actually used (canonical name), which may differ from the declared one. */
  charset: string;
}

type Canonical = 'utf-8' | 'us-ascii' | 'iso-2022-jp' | 'shift_jis' | 'euc-jp' | 'windows-1252' | (string & {});

const ESC = 0x1b;

/**
 * Charsets never decoded as labelled: UTF-7 can smuggle markup past filters (+ADw-script+AD4-), and
 * base64/hex are transfer encodings, not charsets.
 */
const refused = /^(utf7|unicode11utf7|csunicode11utf7|xunicode20utf7|base64|hex|binary)$/;

/** Maps a declared charset name to the decoder we use for it, or null when we have none. */
export function canonicalCharset(declared: string | null | undefined): Canonical | null {
  if (!declared) return null;
  const name = declared
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '')
    .replace(/\*.*$/, ''); // RFC 2231 language suffix
  const squashed = name.replace(/[^a-z0-9]/g, '');
  if (!squashed || refused.test(squashed)) return null;
  if (squashed === 'utf8' || squashed === 'unicode11utf8') return 'utf-8';
  if (squashed === 'usascii' || squashed === 'ascii' || squashed === 'ansix341968' || squashed === 'us') return 'us-ascii';
  // ISO-2022-JP and its Microsoft/IANA variants: the JIS X 0208 core is the same (RFC 1468).
  if (/^(iso2022jp(1|2|3|ms)?|csiso2022jp|cp5022[012]|xiso2022jp)$/.test(squashed)) return 'iso-2022-jp';
  // Shift_JIS as sent is almost always Windows-31J (CP932): ①, ～ and NEC/IBM extensions included.
  if (/^(shiftjis|sjis|xsjis|mskanji|cswindows31j|windows31j|cp932|ms932|csshiftjis|xmscp932|shiftjis2004)$/.test(squashed))
    return 'shift_jis';
  if (/^(eucjp|xeucjp|cseucpkdfmtjapanese|eucjpms|eucjis2004|cp51932)$/.test(squashed)) return 'euc-jp';
  // WHATWG: ISO-8859-1 and ASCII-compatible Latin-1 labels decode as windows-1252.
  if (/^(iso88591|latin1|l1|cp1252|windows1252|xcp1252|cp819|ibm819|iso885911987)$/.test(squashed)) return 'windows-1252';
  if (name === 'ks_c_5601-1987') return 'cp949';
  if (iconv.encodingExists(name)) return name;
  if (iconv.encodingExists(squashed)) return squashed;
  return MAIL_LABELS[squashed] ?? whatwgCharset(name);
}

/** Labels mail software sends that neither iconv-lite nor the WHATWG Encoding Standard know (Outlook Express). */
const MAIL_LABELS: Readonly<Record<string, string>> = { chinesebig5: 'big5hkscs' };

/**
 * WHATWG encodings (what TextDecoder resolves a label to) that iconv-lite has under another name,
 * or whose WHATWG decoder is a superset of the iconv-lite one with the same name.
 */
const FROM_WHATWG: Readonly<Record<string, string>> = {
  big5: 'big5hkscs',
  gbk: 'gb18030',
  'euc-kr': 'cp949',
  'iso-8859-8-i': 'iso-8859-8', // logical order: the same bytes to characters
  'x-mac-cyrillic': 'maccyrillic',
};

/**
 * A label resolved the way browsers do (the Encoding Standard's label table, through TextDecoder:
 * "x-gbk", "chinese", "korean", "csbig5", "cn-big5" …), as a decoder iconv-lite has. Null for what
 * the standard maps to "replacement" (ISO-2022-KR, HZ: unsafe to decode), UTF-16 (never a mail
 * text charset; its bytes are 8-bit garbage to us) and x-user-defined.
 */
function whatwgCharset(label: string): Canonical | null {
  let known = whatwgLabels.get(label);
  if (known === undefined) {
    // A TextDecoder per lookup cost ~15 µs of every text part decoded; mail uses a handful of labels.
    known = resolveWhatwg(label);
    if (whatwgLabels.size > 1000) whatwgLabels.clear();
    whatwgLabels.set(label, known);
  }
  return known;
}
const whatwgLabels = new Map<string, Canonical | null>();

function resolveWhatwg(label: string): Canonical | null {
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    return null; // not a label, or a runtime without ICU's legacy decoders
  }
  if (encoding === 'replacement' || encoding === 'x-user-defined' || encoding.startsWith('utf-16')) return null;
  const mapped = FROM_WHATWG[encoding] ?? encoding;
  return iconv.encodingExists(mapped) ? mapped : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf8Lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const isAscii = (bytes: Uint8Array): boolean => bytes.every((b) => b < 0x80);

/** True when the bytes use ISO-2022 escape sequences of the Japanese sets (RFC 1468, RFC 2237). */
export function hasIso2022jpEscapes(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] !== ESC) continue;
    const a = bytes[i + 1];
    const b = bytes[i + 2];
    if (a === 0x24 && (b === 0x42 || b === 0x40 || b === 0x28)) return true; // ESC $ B, ESC $ @, ESC $ ( D
    if (a === 0x28 && (b === 0x4a || b === 0x49)) return true; // ESC ( J, ESC ( I
  }
  return false;
}

/**
 * ISO-2022-JP (RFC 1468, with the half-width katakana and JIS X 0212 sets of ISO-2022-JP-1/CP50221):
 * 7-bit bytes switched between sets by escape sequences. Each two-byte JIS code becomes its EUC-JP
 * form (high bit set) so iconv-lite's EUC-JP table does the mapping. Unknown escapes are dropped;
 * a missing "back to ASCII" at a line end is forgiven, as real mailers omit it.
 */
export function decodeIso2022jp(bytes: Uint8Array): string {
  type Mode = 'ascii' | 'jisx0208' | 'jisx0212' | 'kana';
  let mode: Mode = 'ascii';
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === ESC) {
      const a = bytes[i + 1];
      const c = bytes[i + 2];
      if (a === 0x24 && (c === 0x42 || c === 0x40)) mode = 'jisx0208';
      else if (a === 0x24 && c === 0x28 && bytes[i + 3] === 0x44) {
        mode = 'jisx0212';
        i++;
      } else if (a === 0x28 && (c === 0x42 || c === 0x4a)) mode = 'ascii';
      else if (a === 0x28 && c === 0x49) mode = 'kana';
      else continue; // a stray ESC: drop it
      i += 2;
      continue;
    }
    if (b === 0x0e) {
      mode = 'kana'; // SO (CP50222)
      continue;
    }
    if (b === 0x0f) {
      mode = 'ascii'; // SI
      continue;
    }
    if (b === 0x0a || b === 0x0d) {
      if (mode !== 'ascii') mode = 'ascii';
      out.push(b);
      continue;
    }
    if (mode === 'ascii' || b < 0x21 || b > 0x7e) {
      out.push(b);
    } else if (mode === 'kana') {
      out.push(0x8e, b | 0x80);
    } else {
      const b2 = bytes[i + 1];
      if (b2 === undefined || b2 < 0x21 || b2 > 0x7e) {
        out.push(0x3f); // a lone byte of a two-byte set: "?"
        continue;
      }
      if (mode === 'jisx0212') out.push(0x8f);
      out.push(b | 0x80, b2 | 0x80);
      i++;
    }
  }
  return iconv.decode(Buffer.from(out), 'euc-jp');
}

const REPLACEMENT = /\uFFFD/g;
const countOf = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;

/**
 * How much a decoding reads like Japanese: kana and kanji count for it, replacement characters,
 * C1 controls and half-width katakana (rare in real mail, but what EUC-JP looks like read as
 * Shift_JIS) against it.
 */
function japaneseScore(text: string): number {
  const good = countOf(text, /[\u3040-\u30ff\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]/g);
  const bad = countOf(text, REPLACEMENT) * 4 + countOf(text, /[\u0080-\u009f]/g) * 4 + countOf(text, /[\uff61-\uff9f]/g);
  return good - bad;
}

const kinds = new Map<string, 'single' | 'multi' | 'other'>();
const ASCII_SAMPLE = 'Subject: Re: [list] 42 <a@b.example>';
/**
 * What a charset does with 8-bit bytes: 'single' maps each byte to one character (windows-1251,
 * ISO-8859-x, KOI8-R …), 'multi' combines them (Big5, GBK, EUC-KR …); 'other' is not an ASCII
 * superset (UTF-16, EBCDIC …), which cannot be what a header's raw bytes are in.
 */
function kindOf(charset: string): 'single' | 'multi' | 'other' {
  let kind = kinds.get(charset);
  if (kind === undefined) {
    const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    if (iconv.decode(Buffer.from(ASCII_SAMPLE, 'latin1'), charset) !== ASCII_SAMPLE) kind = 'other';
    else kind = iconv.decode(high, charset).length === 128 ? 'single' : 'multi';
    kinds.set(charset, kind);
  }
  return kind;
}

/** The charsets a hint is not used for: they say nothing about 8-bit bytes, or are tried anyway. */
const UNINFORMATIVE = new Set(['us-ascii', 'utf-8', 'iso-2022-jp', 'shift_jis', 'euc-jp', 'windows-1252']);

/**
 * The decoding of 8-bit, non-UTF-8 bytes that reads best. `hint` is a charset the context declares
 * (for raw 8-bit header bytes: the charset of the message's text, as Thunderbird uses it). A
 * multi-byte one (Big5, GBK, EUC-KR …) is taken when the bytes are valid in it; a single-byte one
 * (KOI8-R, windows-1251, ISO-8859-2 …) as it is, since any bytes are valid there (Cyrillic in
 * KOI8-R would read as EUC-JP kanji). Then Shift_JIS or EUC-JP when the bytes read as Japanese;
 * windows-1252 is the last resort. Hints of Latin-1 (the default of many mailers) and of Japanese
 * charsets (the detection tells Shift_JIS and EUC-JP apart better than a label does) are not used.
 */
function sniffLegacy(bytes: Buffer, hint: Canonical | null): Decoded {
  const kind = hint !== null && !UNINFORMATIVE.has(hint) ? kindOf(hint) : 'other';
  if (hint !== null && kind !== 'other') {
    const text = iconv.decode(bytes, hint);
    if (kind === 'single' || countOf(text, REPLACEMENT) === 0) return { text, charset: hint };
  }
  return detectCjk(bytes, true) ?? { text: iconv.decode(bytes, 'windows-1252'), charset: 'windows-1252' };
}

/**
 * True when the (first 64 KB of the) bytes have 8-bit bytes side by side, as CJK text's two-byte
 * characters mostly are (both bytes 8-bit, in runs), and Latin text's accents and quotes are not.
 * A cheap look at the bytes that spares Latin text the decodings of CJK detection.
 */
function pairedHigh(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 65_536);
  let high = 0;
  let adjacent = 0;
  for (let i = 0; i < sample.length; i++) {
    if ((sample[i] as number) < 0x80) continue;
    high++;
    if ((sample[i + 1] ?? 0) >= 0x80) adjacent++;
  }
  return high >= 4 && adjacent * 4 >= high;
}

/**
 * 8-bit bytes that read as Japanese (Shift_JIS, EUC-JP), Chinese (GBK, Big5) or Korean (EUC-KR);
 * null when none fits. `kanjiOnly`: Japanese without any kana is taken too (a short subject), when
 * no Chinese or Korean reading fits better.
 */
function detectCjk(bytes: Buffer, kanjiOnly: boolean): Decoded | null {
  const sjis = iconv.decode(bytes, 'cp932');
  const euc = iconv.decode(bytes, 'euc-jp');
  const sjisScore = japaneseScore(sjis);
  const eucScore = japaneseScore(euc);
  const best =
    eucScore > sjisScore ? { text: euc, charset: 'euc-jp', score: eucScore } : { text: sjis, charset: 'shift_jis', score: sjisScore };
  const japanese =
    best.score > 0 && countOf(best.text, REPLACEMENT) * 20 <= [...best.text].length ? shapeOf(best.text) : { runs: false, kana: false };
  // Kana settle it: Chinese and Korean text has none, and Latin text read as Japanese next to none.
  if (japanese.runs && japanese.kana) return { text: best.text, charset: best.charset };
  const other = chineseOrKorean(bytes);
  if (other) return other;
  // Kanji alone: Japanese still, when they come in runs as words do.
  if (kanjiOnly && japanese.runs) return { text: best.text, charset: best.charset };
  return null;
}

/**
 * How a decoding's non-ASCII characters sit: `runs` when most of them stand next to another one, as
 * CJK words do (Latin text with a few 8-bit bytes — “smart quotes”, é — read as Shift_JIS gives
 * kanji alone between ASCII letters); `kana` when it has hiragana or katakana.
 */
function shapeOf(text: string): { runs: boolean; kana: boolean } {
  let wide = 0;
  let paired = 0;
  let kana = false;
  const chars = [...text.slice(0, 65_536)];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]?.codePointAt(0) ?? 0;
    if (c < 0x80) continue;
    wide++;
    if ((chars[i - 1]?.codePointAt(0) ?? 0) >= 0x80 || (chars[i + 1]?.codePointAt(0) ?? 0) >= 0x80) paired++;
    if (c >= 0x3041 && c <= 0x30fa) kana = true;
  }
  return { runs: wide > 0 && paired * 2 >= wide, kana };
}

/**
 * The hundred most frequent characters of written Chinese, simplified and traditional: about 40%
 * of running text. A decoding in the wrong one of GBK and Big5 gives valid but rare characters.
 */
const COMMON_HANS = new Set(
  '的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日',
);
const COMMON_HANT = new Set(
  '的一是不了在人有我他這個們中來上大為和國地到以說時要就出會可也你對生能而子那得於著下自之年過發後作裡用道行所然家種事成方多經麼去法學如都同現當沒動面起看定天分還進好小部其些主樣理心她本前開但因只從想實日',
);

/** The most frequent Hangul syllables of written Korean (about 40% of running text). */
const COMMON_KO = new Set(
  '이다는의에하고을가지로한서기사도어리자시대니수아게해있나요습인들것일정으주만부전보상그과와제적세국면러여소우라장되내개동성위거경무구마신원발연관회문중공학생물결합선식모방',
);

/**
 * Unlabelled Chinese (GBK, Big5) or Korean (EUC-KR) text, told apart the way chardet-style
 * detectors do: the decoding must have no invalid sequences, its characters must come in runs, and
 * it must use the common characters of its language and script (GBK, Big5 and EUC-KR bytes are
 * valid in one another, but read in the wrong one they give rare characters). Null when none reads
 * right.
 */
function chineseOrKorean(bytes: Buffer): Decoded | null {
  const sample = bytes.subarray(0, 65_536);
  if (!pairedHigh(sample)) return null;
  let best: { charset: string; score: number } | null = null;
  for (const charset of ['gb18030', 'big5hkscs', 'cp949']) {
    const text = iconv.decode(sample, charset);
    const wide = countOf(text, /[\u0080-\u{10ffff}]/gu);
    // Invalid sequences mean the wrong encoding; one in a hundred is a damaged byte (or the cut).
    if (countOf(text, REPLACEMENT) * 100 > wide || !shapeOf(text).runs) continue;
    const korean = charset === 'cp949';
    const letters = [...text].filter((ch) => (korean ? /[\uac00-\ud7a3]/ : /[\u4e00-\u9fff]/).test(ch));
    const common = korean ? COMMON_KO : charset === 'gb18030' ? COMMON_HANS : COMMON_HANT;
    const hits = letters.filter((ch) => common.has(ch)).length;
    const score = letters.length >= wide * 0.5 && hits >= 2 && hits >= letters.length * 0.1 ? hits / letters.length : 0;
    if (score > 0 && (!best || score > best.score)) best = { charset, score };
  }
  return best ? { text: iconv.decode(bytes, best.charset), charset: best.charset } : null;
}

/**
 * Guesses the charset of unlabelled (or wrongly labelled) bytes; `hint` (a declared label, see
 * sniffLegacy) is what 8-bit bytes that are not UTF-8 are tried in first.
 */
export function sniff(bytes: Buffer, hint?: string | null): Decoded {
  if (hasIso2022jpEscapes(bytes)) return { text: decodeIso2022jp(bytes), charset: 'iso-2022-jp' };
  if (isAscii(bytes)) return { text: bytes.toString('latin1'), charset: 'us-ascii' };
  if (isValidUtf8(bytes)) return { text: utf8Lenient.decode(bytes), charset: 'utf-8' };
  return sniffLegacy(bytes, canonicalCharset(hint));
}

/** Decodes with the declared charset when that is plausible, else sniffs. Never throws. */
export function decodeBytes(input: Uint8Array, declared?: string | null): Decoded {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const charset = canonicalCharset(declared);
  switch (charset) {
    case null:
      return sniff(bytes);
    case 'us-ascii':
      // "us-ascii" is the RFC 2045 default and is often claimed by 8-bit or ISO-2022-JP text.
      return sniff(bytes);
    case 'utf-8':
      if (isValidUtf8(bytes)) return { text: utf8Lenient.decode(bytes), charset };
      return sniff(bytes);
    case 'iso-2022-jp':
      // ISO-2022-JP is 7-bit: 8-bit bytes mean the label is wrong (a Shift_JIS body, usually).
      if (isAscii(bytes)) return { text: decodeIso2022jp(bytes), charset };
      return sniff(bytes);
    case 'shift_jis':
    case 'euc-jp': {
      if (hasIso2022jpEscapes(bytes) && isAscii(bytes)) return { text: decodeIso2022jp(bytes), charset: 'iso-2022-jp' };
      const text = iconv.decode(bytes, charset === 'shift_jis' ? 'cp932' : 'euc-jp');
      if (countOf(text, REPLACEMENT) === 0) return { text, charset };
      const guess = sniff(bytes);
      return countOf(guess.text, REPLACEMENT) < countOf(text, REPLACEMENT) ? guess : { text, charset };
    }
    default: {
      if (hasIso2022jpEscapes(bytes) && isAscii(bytes)) return { text: decodeIso2022jp(bytes), charset: 'iso-2022-jp' };
      // Latin-1 is the label many mailers put on whatever they send: valid multi-byte UTF-8, and
      // text that reads unmistakably as Japanese (with kana), Chinese or Korean, is taken as that.
      if (charset === 'windows-1252' && !isAscii(bytes)) {
        if (isValidUtf8(bytes)) return { text: utf8Lenient.decode(bytes), charset: 'utf-8' };
        const cjk = pairedHigh(bytes) ? detectCjk(bytes, false) : null;
        if (cjk) return cjk;
      }
      try {
        return { text: iconv.decode(bytes, charset), charset };
      } catch {
        return sniff(bytes);
      }
    }
  }
}

/**
 * A header that arrived as raw 8-bit bytes (RFC 6532 allows UTF-8; older mailers send Shift_JIS,
 * Big5 …) and was read as Latin-1 by a parser: turns it back into bytes and decodes those properly,
 * trying `hint` (the charset the message declares for its text) first. Text with characters above
 * U+00FF was decoded already and is returned as is.
 */
export function repairLatin1Header(value: string, hint?: string | null): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value;
  return sniff(Buffer.from(value, 'latin1'), hint).text;
}
