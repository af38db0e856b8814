import type { Db } from './database.js';

/**
 * What the search indexes keep of a message's text (migrations 6 and 9), as SQL functions the triggers call,
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
  return addressValueText(value);
}

/** addressText of the parsed value (what insertHeaders has before it serialises it). */
export function addressValueText(value: unknown): string {
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
 * Which BMP code units are CJK letters (as CJK_CHAR), built once: testing each character with the
 * regex (a lookahead and four script properties) cost as much as the index insert itself.
 * Characters outside the BMP (surrogate pairs: CJK extensions B and later) are tested with it.
 */
let bmpCjk: Uint8Array | null = null;
const CJK_ONE = new RegExp(`^${CJK_CHAR}$`, 'u');
function cjkTable(): Uint8Array {
  if (bmpCjk) return bmpCjk;
  const table = new Uint8Array(0x10000);
  // Every CJK letter in the BMP is at or above U+1100 (Hangul Jamo).
  for (let c = 0x1100; c < 0x10000; c++) if ((c < 0xd800 || c > 0xdfff) && CJK_ONE.test(String.fromCharCode(c))) table[c] = 1;
  bmpCjk = table;
  return table;
}

/**
 * Every run of CJK letters in `text` as overlapping 2-character grams plus the run's last character
 * alone ("会議の" → "会議 議の の"), space separated. Any 2-character CJK substring of the text is
 * then one token, and any single CJK character starts a token (a prefix query), so the unicode61
 * index answers 1–2 character queries exactly as a substring scan would.
 */
export function cjkGrams(...texts: Array<string | null>): string {
  const table = cjkTable();
  const out: string[] = [];
  for (const text of texts) {
    if (!text) continue;
    // [start, end) of the previous CJK character in the current run, or -1 outside a run.
    let prevStart = -1;
    let prevEnd = -1;
    for (let i = 0; i < text.length;) {
      const c = text.charCodeAt(i);
      let width = 1;
      let cjk: boolean;
      if (c < 0x1100) cjk = false;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          width = 2;
          cjk = CJK_ONE.test(text.slice(i, i + 2));
        } else cjk = false;
      } else cjk = table[c] === 1;
      if (cjk) {
        if (prevStart >= 0) out.push(text.slice(prevStart, i + width));
        prevStart = i;
        prevEnd = i + width;
      } else if (prevStart >= 0) {
        out.push(text.slice(prevStart, prevEnd));
        prevStart = -1;
      }
      i += width;
    }
    if (prevStart >= 0) out.push(text.slice(prevStart, prevEnd));
  }
  return out.join(' ');
}

/** cjkGrams as first written, with the regex: the specification the fast one is tested against. */
export function cjkGramsByRegex(...texts: Array<string | null>): string {
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

/**
 * Per connection: true while PartStore.storeTexts indexes the texts it writes itself, once per
 * message, so the parts' update trigger (migration 7) stands aside
 * (WHEN NOT tegami_search_deferred()). Every other writer still gets the triggers.
 */
const deferred = new WeakMap<Db, { on: boolean }>();

/** Runs `fn` with the parts' search-index trigger off on this connection; `fn` must index what it writes. */
export function withSearchDeferred<T>(db: Db, fn: () => T): T {
  const state = deferred.get(db);
  if (!state) throw new Error('registerSearchFunctions was not called on this connection');
  const before = state.on;
  state.on = true;
  try {
    return fn();
  } finally {
    state.on = before;
  }
}

const phraseRegexps = new Map<string, RegExp>();

/**
 * True when `text` holds the phrase's words in order, with any white space between them (a line
 * break of wrapped text too), case folded as the trigram index folds it. `phrase`: words separated
 * by single spaces (searchTerms).
 */
export function hasPhrase(text: string | null, phrase: string): boolean {
  if (!text) return false;
  let re = phraseRegexps.get(phrase);
  if (!re) {
    if (phraseRegexps.size > 100) phraseRegexps.clear();
    re = new RegExp(
      phrase
        .split(' ')
        .map((w) => w.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'))
        .join('\\s+'),
      'iu',
    );
    phraseRegexps.set(phrase, re);
  }
  return re.test(text);
}

export function registerSearchFunctions(db: Db): void {
  const state = { on: false };
  deferred.set(db, state);
  db.function('tegami_search_deferred', { deterministic: false }, () => (state.on ? 1 : 0));
  db.function('tegami_address_text', { deterministic: true }, (json: unknown) => addressText(typeof json === 'string' ? json : null));
  db.function('tegami_has_phrase', { deterministic: true }, (text: unknown, phrase: unknown) =>
    hasPhrase(typeof text === 'string' ? text : null, String(phrase)) ? 1 : 0,
  );
  db.function('tegami_cjk_grams', { deterministic: true, varargs: true }, (...texts: unknown[]) =>
    cjkGrams(...texts.map((t) => (typeof t === 'string' ? t : null))),
  );
}

/**
 * Writes messages' rows in the search indexes directly (what the triggers of migration 9 would,
 * computed once per message). For use inside withSearchDeferred: insertHeaders() for new messages,
 * storeBodies() for their cached text.
 */
export function searchIndexWriter(db: Db) {
  const q = {
    insert: db.prepare<[number, string, string]>('INSERT INTO message_search (rowid, subject, addresses) VALUES (?, ?, ?)'),
    insertCjk: db.prepare<[number, string]>('INSERT INTO message_search_cjk (rowid, grams) VALUES (?, ?)'),
    insertBody: db.prepare<[number, string]>('INSERT INTO body_search (rowid, body) VALUES (?, ?)'),
    insertBodyCjk: db.prepare<[number, string]>('INSERT INTO body_search_cjk (rowid, grams) VALUES (?, ?)'),
    removeBody: db.prepare<[number]>('DELETE FROM body_search WHERE rowid = ?'),
    removeBodyCjk: db.prepare<[number]>('DELETE FROM body_search_cjk WHERE rowid = ?'),
  };
  return {
    /**
     * Header rows of messages not in the index yet (`addresses` as addressText gives it), one loop
     * per index. FTS5 flushes its pending terms to a new segment whenever a rowid is not above the
     * last one written, so rows go in ascending id order: interleaved or descending writes cost one
     * segment, and its merging, per message; this order costs one or two per batch.
     */
    insertHeaders(rows: ReadonlyArray<{ id: number; subject: string; addresses: string }>): void {
      const sorted = [...rows].sort((a, b) => a.id - b.id);
      for (const r of sorted) q.insert.run(r.id, r.subject, r.addresses);
      for (const r of sorted) q.insertCjk.run(r.id, cjkGrams(r.subject, r.addresses));
    },
    /**
     * The body rows of many messages (`body`: all their cached search text; empty: none). Only a
     * message whose text was indexed before (`replace`) has a row deleted first: a first caching —
     * every message of the prefetch — is an insert, which is what keeps the prefetch linear.
     */
    storeBodies(rows: ReadonlyArray<{ id: number; body: string; replace: boolean }>): void {
      const sorted = [...rows].sort((a, b) => a.id - b.id);
      for (const r of sorted) if (r.replace) q.removeBody.run(r.id);
      for (const r of sorted) if (r.replace) q.removeBodyCjk.run(r.id);
      for (const r of sorted) if (r.body) q.insertBody.run(r.id, r.body);
      for (const r of sorted) if (r.body) q.insertBodyCjk.run(r.id, cjkGrams(r.body));
    },
  };
}
