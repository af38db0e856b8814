/**
 * The terms of a search query: words split on white space, and "quoted phrases" kept whole (their
 * inner white space collapsed to one space; an unclosed quote runs to the end). Every term must
 * match; a phrase matches its words in that order, with any white space between them (a line break
 * of wrapped text too). A word or phrase written with a leading minus (`-word`, `-"two words"`) is
 * excluded instead: no message that has it matches. `OR` in capitals between two terms makes them
 * alternatives (`invoice OR receipt`, `"team lunch" OR 会議 OR dinner`): one of them must match,
 * as a group in `anyOf`, required like a term. An OR with nothing to join on either side (first,
 * last, next to an excluded term or another OR) is dropped; "OR" in quotes, or "or", is a word.
 * Used by local search and by the server search alike.
 */
export function queryTerms(query: string): { terms: string[]; excluded: string[]; anyOf: string[][] } {
  const tokens: Array<{ kind: 'term' | 'excluded' | 'or'; text: string }> = [];
  for (const m of query.matchAll(/(-?)"([^"]*)"?|[^\s"]+/gu)) {
    const quoted = m[2] !== undefined;
    const raw = quoted ? (m[2] as string) : m[0];
    if (!quoted && raw === 'OR') {
      tokens.push({ kind: 'or', text: raw });
      continue;
    }
    // A minus alone is a term of its own; inside a word ("e-mail") it is part of it.
    const minus = quoted ? m[1] === '-' : raw.length > 1 && raw.startsWith('-');
    const term = (minus && !quoted ? raw.slice(1) : raw).trim().replace(/\s+/gu, ' ');
    if (term) tokens.push({ kind: minus ? 'excluded' : 'term', text: term });
  }
  // Included terms, each a group of its alternatives: OR joins the next term to the group before it.
  const groups: string[][] = [];
  const excluded: string[] = [];
  tokens.forEach((t, i) => {
    if (t.kind === 'excluded') excluded.push(t.text);
    else if (t.kind === 'term') {
      const joined = tokens[i - 1]?.kind === 'or' && tokens[i - 2]?.kind === 'term';
      if (joined) groups.at(-1)?.push(t.text);
      else groups.push([t.text]);
    }
  });
  return {
    terms: groups.filter((g) => g.length === 1).map((g) => g[0] as string),
    excluded,
    anyOf: groups.filter((g) => g.length > 1),
  };
}

/** The terms a query looks for (queryTerms: the required ones and every alternative, not the excluded ones). */
export const searchTerms = (query: string): string[] => {
  const { terms, anyOf } = queryTerms(query);
  return [...terms, ...anyOf.flat()];
};

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
