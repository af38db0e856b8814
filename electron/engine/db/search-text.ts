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

/**
 * Per connection: true while a bulk writer (insertHeaders, PartStore.storeTexts) indexes the rows it
 * writes itself, once per message, so migration 7's insert triggers stand aside
 * (WHEN NOT tegami_search_deferred()). Every other writer still gets the triggers.
 */
const deferred = new WeakMap<Db, { on: boolean }>();

/** Runs `fn` with the search-index insert triggers off on this connection; `fn` must index what it writes. */
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

export function registerSearchFunctions(db: Db): void {
  const state = { on: false };
  deferred.set(db, state);
  db.function('tegami_search_deferred', { deterministic: false }, () => (state.on ? 1 : 0));
  db.function('tegami_address_text', { deterministic: true }, (json: unknown) => addressText(typeof json === 'string' ? json : null));
  db.function('tegami_cjk_grams', { deterministic: true, varargs: true }, (...texts: unknown[]) =>
    cjkGrams(...texts.map((t) => (typeof t === 'string' ? t : null))),
  );
}

/**
 * Writes messages' rows in both search indexes directly (what the triggers would, computed once per
 * message). For use inside withSearchDeferred: insertMany() new messages' rows, replaceMany() indexed ones.
 */
export function searchIndexWriter(db: Db) {
  const q = {
    insert: db.prepare<[number, string, string, string]>(
      'INSERT INTO message_search (rowid, subject, addresses, body) VALUES (?, ?, ?, ?)',
    ),
    insertCjk: db.prepare<[number, string]>('INSERT INTO message_search_cjk (rowid, grams) VALUES (?, ?)'),
    remove: db.prepare<[number]>('DELETE FROM message_search WHERE rowid = ?'),
    removeCjk: db.prepare<[number]>('DELETE FROM message_search_cjk WHERE rowid = ?'),
  };
  return {
    /** Messages not in the index yet (`addresses` as addressText gives it), in ascending id order, one loop per index (see replaceMany). */
    insertMany(rows: ReadonlyArray<{ id: number; subject: string; addresses: string; body: string }>): void {
      for (const r of rows) q.insert.run(r.id, r.subject, r.addresses, r.body);
      for (const r of rows) q.insertCjk.run(r.id, cjkGrams(r.subject, r.addresses, r.body));
    },
    /**
     * Replaces the rows of many messages: every delete, then every insert, in ascending id order.
     * FTS5 flushes its pending terms to a new segment whenever a rowid is not above the last one
     * written, so interleaved or descending writes (the prefetch goes newest first) cost one
     * segment, and its merging, per message; this order costs one or two per batch.
     */
    replaceMany(rows: ReadonlyArray<{ id: number; subject: string; addresses: string; body: string }>): void {
      const sorted = [...rows].sort((a, b) => a.id - b.id);
      for (const r of sorted) q.remove.run(r.id);
      for (const r of sorted) q.removeCjk.run(r.id);
      for (const r of sorted) q.insert.run(r.id, r.subject, r.addresses, r.body);
      for (const r of sorted) q.insertCjk.run(r.id, cjkGrams(r.subject, r.addresses, r.body));
    },
  };
}
