/**
 * The search box's little language: free words and "quoted phrases", -word and -"a phrase" to leave
 * out, `a OR b` for either (shared/domain/query.ts), plus
 *   from:NAME  subject:WORDS  to:NAME  has:attachment  is:unread  is:read  is:flagged
 * where OR also joins terms of one field (`from:alice OR from:bob`: either sender).
 * The engine's local search (search.local) takes the words, and applies the conditions before its limit.
 */
import type { FieldTerm, SearchLocalInput, ServerSearchField } from '../../../../shared/domain/body.js';
import { joinTerms } from '../../../../shared/domain/query.js';

export interface ParsedQuery {
  /** Free words and phrases, as typed (quotes removed). */
  words: string[];
  /** Each must match; a list is alternatives (`from:a OR from:b`), one of which must. */
  from: FieldTerm[];
  subject: FieldTerm[];
  to: FieldTerm[];
  hasAttachment: boolean;
  unread: boolean | null;
  flagged: boolean;
}

/** Splits on spaces outside quotes; `field:"two words"` stays one token. */
export function tokenize(input: string): string[] {
  const out: string[] = [];
  const re = /(\S*?)"([^"]*)"?|(\S+)/g;
  for (const m of input.matchAll(re)) {
    if (m[3] !== undefined) out.push(m[3]);
    // A quoted "OR" is the word (search folds its case), not the operator the bare OR is.
    else if (!m[1] && m[2]?.trim() === 'OR') out.push('or');
    else out.push(`${m[1] ?? ''}${m[2] ?? ''}`);
  }
  return out.filter((t) => t.length > 0);
}

const TERM_FIELDS = new Set(['from', 'subject', 'to'] as const);
type TermField = 'from' | 'subject' | 'to';

/** `field:value` split (the field lower-cased, the value trimmed); null for a token that is not one. */
function fieldToken(token: string | undefined): { field: string; value: string } | null {
  const m = token === undefined ? null : /^(\w+):(.*)$/.exec(token);
  const value = (m?.[2] ?? '').trim();
  return m && value ? { field: (m[1] as string).toLowerCase(), value } : null;
}

/** A from:, subject: or to: term, or null. */
function termOf(token: string | undefined): { field: TermField; value: string } | null {
  const f = fieldToken(token);
  return f && TERM_FIELDS.has(f.field as TermField) ? { field: f.field as TermField, value: f.value } : null;
}

export function parseQuery(input: string): ParsedQuery {
  const q: ParsedQuery = { words: [], from: [], subject: [], to: [], hasAttachment: false, unread: null, flagged: false };
  const tokens = tokenize(input);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    // `from:a OR from:b`: OR between two terms of one field makes them alternatives (chains too).
    const before = termOf(tokens[i - 1]);
    const after = termOf(tokens[i + 1]);
    if (token === 'OR' && before && after && before.field === after.field) {
      const terms = q[before.field];
      const last = terms.at(-1) as FieldTerm;
      terms[terms.length - 1] = [...(typeof last === 'string' ? [last] : last), after.value];
      i++;
      continue;
    }
    const term = termOf(token);
    if (term) {
      q[term.field].push(term.value);
      continue;
    }
    const f = fieldToken(token);
    const v = f?.value.toLowerCase();
    if (f?.field === 'has' && (v === 'attachment' || v === 'attachments')) q.hasAttachment = true;
    else if (f?.field === 'is' && v === 'unread') q.unread = true;
    else if (f?.field === 'is' && (v === 'read' || v === 'seen')) q.unread = false;
    else if (f?.field === 'is' && (v === 'flagged' || v === 'starred')) q.flagged = true;
    else q.words.push(token);
  }
  return q;
}

/**
 * The text to give search.local: the free words and phrases plus the from/subject/to values (the
 * engine indexes subject and addresses too), so a field-only query still narrows on the engine side;
 * phrases quoted, so the engine matches their words in order. Null when there is nothing to search by
 * text (e.g. only `is:unread`).
 */
export function engineQuery(q: ParsedQuery): string | null {
  // The field values first: an OR at the end of the words (`lunch OR from:bob`) then has nothing to
  // join and is dropped, instead of making a field value one of its alternatives.
  // Alternatives stay alternatives: `a OR b` among the terms.
  const fields = [...q.from, ...q.subject, ...q.to].flatMap((t) =>
    typeof t === 'string' ? [t] : t.flatMap((v, i) => (i ? ['OR', v] : [v])),
  );
  const terms = [...fields, ...q.words];
  return terms.length > 0 ? joinTerms(terms) : null;
}

/** The query's is:, has:, from:, to: and subject: conditions, as search.local and search.server apply them. */
export function searchConditions(
  q: ParsedQuery,
): Pick<SearchLocalInput, 'unread' | 'read' | 'flagged' | 'hasAttachments' | 'from' | 'to' | 'subject'> {
  return {
    ...(q.unread === true ? { unread: true } : {}),
    ...(q.unread === false ? { read: true } : {}),
    ...(q.flagged ? { flagged: true } : {}),
    ...(q.hasAttachment ? { hasAttachments: true } : {}),
    ...(q.from.length ? { from: q.from } : {}),
    ...(q.to.length ? { to: q.to } : {}),
    ...(q.subject.length ? { subject: q.subject } : {}),
  };
}

/**
 * What to send to IMAP SEARCH (search.server): the free words and phrases as TEXT keys, and every
 * condition as its own key; null when the query has neither.
 */
export function serverQuery(q: ParsedQuery): ({ field: ServerSearchField; query: string } & ReturnType<typeof searchConditions>) | null {
  const conditions = searchConditions(q);
  if (q.words.length === 0 && Object.keys(conditions).length === 0) return null;
  return { field: 'text', query: joinTerms(q.words), ...conditions };
}
