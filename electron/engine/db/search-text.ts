import type { Db } from './database.js';

/**
 * What the search index keeps of a message's text (migration 6), as SQL functions the triggers call,
 * so every path that writes messages or parts keeps the index in step. openDatabase registers them
 * before migrating; a connection without them cannot write messages (the triggers fail loudly).
 */

/** The address JSON of a message ({from, to, cc, bcc, replyTo}: [{name, address}]) as plain text: "Name addr, Name addr". */
export function addressText(json: string | null): string {
  if (!json) return '';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return '';
  }
  if (!value || typeof value !== 'object') return '';
  const out: string[] = [];
  for (const list of Object.values(value as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue;
    for (const a of list as Array<{ name?: unknown; address?: unknown } | null>) {
      if (!a || typeof a !== 'object') continue;
      const name = typeof a.name === 'string' ? a.name : '';
      const address = typeof a.address === 'string' ? a.address : '';
      const one = name && address ? `${name} ${address}` : name || address;
      if (one) out.push(one);
    }
  }
  return out.join(', ');
}

/** Letters of the scripts written without spaces (and the prolonged sound mark): what 1–2 character queries look for. */
const CJK_CHAR = String.raw`(?:(?=[\p{L}\p{N}])[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC])`;
const CJK_RUN = new RegExp(`${CJK_CHAR}+`, 'gu');
const CJK_ONLY = new RegExp(`^${CJK_CHAR}+$`, 'u');

/** True when a query term can be answered by the bigram index (every character is a CJK letter). */
export const isCjkTerm = (term: string): boolean => CJK_ONLY.test(term);

/**
 * Every run of CJK letters in `text` as overlapping 2-character grams plus the run's last character
 * alone ("会議の" → "会議 議の の"), space separated. Any 2-character CJK substring of the text is
 * then one token, and any single CJK character starts a token (a prefix query), so the unicode61
 * index answers 1–2 character queries exactly as a substring scan would.
 */
export function cjkGrams(...texts: Array<string | null>): string {
  const out: string[] = [];
  for (const text of texts) {
    if (!text) continue;
    for (const [run] of text.matchAll(CJK_RUN)) {
      const chars = [...run];
      for (let i = 0; i + 1 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}`);
      out.push(chars[chars.length - 1] as string);
    }
  }
  return out.join(' ');
}

export function registerSearchFunctions(db: Db): void {
  db.function('tegami_address_text', { deterministic: true }, (json: unknown) => addressText(typeof json === 'string' ? json : null));
  db.function('tegami_cjk_grams', { deterministic: true, varargs: true }, (...texts: unknown[]) =>
    cjkGrams(...texts.map((t) => (typeof t === 'string' ? t : null))),
  );
}
