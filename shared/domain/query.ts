/**
 * The terms of a search query: words split on white space, and "quoted phrases" kept whole (their
 * inner white space collapsed to one space; an unclosed quote runs to the end). Every term must
 * match; a phrase matches its words in that order, with any white space between them (a line break
 * of wrapped text too). A word or phrase written with a leading minus (`-word`, `-"two words"`) is
 * excluded instead: no message that has it matches. Used by local search and by the server search
 * alike.
 */
export function queryTerms(query: string): { terms: string[]; excluded: string[] } {
  const terms: string[] = [];
  const excluded: string[] = [];
  for (const m of query.matchAll(/(-?)"([^"]*)"?|[^\s"]+/gu)) {
    const quoted = m[2] !== undefined;
    const raw = quoted ? (m[2] as string) : m[0];
    // A minus alone is a term of its own; inside a word ("e-mail") it is part of it.
    const minus = quoted ? m[1] === '-' : raw.length > 1 && raw.startsWith('-');
    const term = (minus && !quoted ? raw.slice(1) : raw).trim().replace(/\s+/gu, ' ');
    if (term) (minus ? excluded : terms).push(term);
  }
  return { terms, excluded };
}

/** The terms a query requires (queryTerms, without its excluded ones). */
export const searchTerms = (query: string): string[] => queryTerms(query).terms;

/** True when a term is a phrase of several words (it came from quotes). */
export const isPhrase = (term: string): boolean => term.includes(' ');

/**
 * A query string that queryTerms reads back as these terms: phrases quoted, quotes dropped (they
 * cannot be searched for); a term that starts with a minus stays excluded (`-"two words"`).
 */
export function joinTerms(terms: readonly string[]): string {
  return terms
    .map((t) => t.replace(/"/g, ' ').trim().replace(/\s+/gu, ' '))
    .filter(Boolean)
    .map((t) => {
      if (!isPhrase(t)) return t;
      const minus = t.length > 1 && t.startsWith('-');
      return minus ? `-"${t.slice(1).trim()}"` : `"${t}"`;
    })
    .join(' ');
}
