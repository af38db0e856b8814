/**
 * The terms of a search query: words split on white space, and "quoted phrases" kept whole (their
 * inner white space collapsed to one space; an unclosed quote runs to the end). Every term must
 * match; a phrase matches its words in that order, with any white space between them (a line break
 * of wrapped text too). Used by local search and by the server search alike.
 */
export function searchTerms(query: string): string[] {
  const out: string[] = [];
  for (const m of query.matchAll(/"([^"]*)"?|[^\s"]+/gu)) {
    const term = (m[1] ?? m[0]).trim().replace(/\s+/gu, ' ');
    if (term) out.push(term);
  }
  return out;
}

/** True when a term is a phrase of several words (it came from quotes). */
export const isPhrase = (term: string): boolean => term.includes(' ');

/** A query string that searchTerms reads back as these terms: phrases quoted, quotes dropped (they cannot be searched for). */
export function joinTerms(terms: readonly string[]): string {
  return terms
    .map((t) => t.replace(/"/g, ' ').trim().replace(/\s+/gu, ' '))
    .filter(Boolean)
    .map((t) => (isPhrase(t) ? `"${t}"` : t))
    .join(' ');
}
