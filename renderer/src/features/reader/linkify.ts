/** Plain-text bodies: find the links a person can click (http, https and mailto only). */

export type TextPiece = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const linkPattern = /\b(?:https?:\/\/[^\s<>"'`\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]+|mailto:[^\s<>"'`]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/gi;

/** Trailing punctuation that usually ends a sentence rather than a URL. */
function trimTrailing(url: string): string {
  let u = url;
  for (;;) {
    const last = u.at(-1);
    if (last === undefined) return u;
    if ('.,;:!?\'"'.includes(last)) u = u.slice(0, -1);
    else if (last === ')' && (u.match(/\(/g)?.length ?? 0) < (u.match(/\)/g)?.length ?? 0)) u = u.slice(0, -1);
    else if (last === ']' || last === '>') u = u.slice(0, -1);
    else return u;
  }
}

/** A URL that may be opened outside Tegami: http(s) or mailto, parsed, without credentials. */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol === 'mailto:') return url.href;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.hostname !== '')
    return url.href;
  return null;
}

export function linkify(text: string): TextPiece[] {
  const out: TextPiece[] = [];
  let last = 0;
  for (const m of text.matchAll(linkPattern)) {
    const start = m.index;
    const matched = trimTrailing(m[0]);
    if (matched.length === 0) continue;
    const raw = /^(https?:|mailto:)/i.test(matched) ? matched : `mailto:${matched}`;
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    out.push({ kind: 'link', text: matched, href });
    last = start + matched.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}
