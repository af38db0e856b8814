/**
 * HTML mail, made safe to show (DESIGN.md §6). DOMPurify removes scripts, event handlers and
 * dangerous URLs; on top of that:
 *  - only the <body> is kept (no <meta refresh>, <base>, <link>); forms, frames, SVG, MathML and
 *    media are dropped;
 *  - every remote reference (img src, CSS url(), @import) is removed and counted, so a tracking pixel
 *    is never even requested; it is kept aside to load only when the user allows it for this message;
 *  - `cid:` images are marked for the reader to resolve from the message's parts;
 *  - links keep their address only in data-tegami-href (a click is handled by the reader, which
 *    opens http/https/mailto outside Tegami) — the frame itself can never navigate;
 *  - inline styles are moved out of the markup: the app's CSP (inherited by the srcdoc frame) does not
 *    allow inline style, so the reader applies them through the CSSOM after the frame loads.
 */
import DOMPurify from 'dompurify';
import { safeHref } from './linkify.js';

export interface SafeHtml {
  /** Sanitized body markup. */
  body: string;
  /** Style sheets from <style> elements, remote references removed. */
  styles: string[];
  /** How many remote references were removed. */
  blocked: number;
  /** Content-IDs referenced by images (without `cid:`). */
  cids: string[];
}

const forbiddenTags = [
  'style',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'option',
  'meta',
  'link',
  'base',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'audio',
  'video',
  'source',
  'track',
  'picture',
  'template',
  'portal',
  'noscript',
];
const forbiddenAttrs = [
  'srcset',
  'action',
  'formaction',
  'ping',
  'background',
  'poster',
  'lowsrc',
  'dynsrc',
  'usemap',
  'target',
  'id',
  'name',
];

/** Removes remote references from CSS text; `count` is told how many. */
export function cleanCss(css: string, count: (n: number) => void): string {
  let removed = 0;
  const kept: string[] = [];
  const out = css
    // Comments could hide tokens from the checks below; private-use U+E000 is ours (placeholders).
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\uE000/g, '')
    .replace(/@import[^;]*;?/gi, () => {
      removed++;
      return '';
    })
    .replace(/url\s*\(\s*(['"]?)(.*?)\1\s*\)/gi, (_whole, _q: string, url: string) => {
      if (/^data:image\/(png|gif|jpe?g|webp|bmp);/i.test(url.trim())) {
        kept.push(`url("${url.trim().replace(/["\\\n]/g, '')}")`);
        return `\uE000${kept.length - 1}\uE000`;
      }
      removed++;
      return 'none';
    })
    .replace(/expression\s*\(|behavior\s*:|-moz-binding\s*:|javascript:/gi, () => {
      removed++;
      return 'invalid:';
    })
    // An unbalanced `url(` left over after the replacements is still a remote reference.
    .replace(/url\s*\(/gi, () => {
      removed++;
      return 'invalid(';
    })
    .replace(/\uE000(\d+)\uE000/g, (_w, i: string) => kept[Number(i)] ?? '');
  count(removed);
  return out;
}

/** What `style` attributes are renamed to before any parsing (see renameStyleAttributes). */
export const RAW_STYLE = 'data-tegami-raw-style';

const isNameChar = (c: string): boolean => !/[\s/>=]/.test(c);

/** What event handler attributes (onload, onerror …) are renamed to: data attributes DOMPurify drops. */
const DROPPED = 'data-tegami-dropped';

/**
 * The markup with every start tag's `style` attribute renamed to RAW_STYLE and its event handlers
 * (on…) to DROPPED, so that parsing it in the app's page never meets either: the page's CSP
 * (style-src 'self', no inline script) would refuse each one with a console error — DOMParser,
 * <template> and createHTMLDocument all report them, though nothing is applied or run. A linear
 * scan of tags and their attributes (quoted values may hold ">"); text, comments and anything that
 * is not a start tag are copied as they are.
 */
export function renameStyleAttributes(html: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    i = lt + 1;
    if (!/[A-Za-z]/.test(html[i] ?? '')) continue; // not a start tag: "</x", "<!--", "< "
    while (i < n && isNameChar(html[i] as string)) i++; // the tag name
    for (;;) {
      while (i < n && /[\s/]/.test(html[i] as string)) i++;
      if (i >= n || html[i] === '>') break;
      const nameStart = i;
      while (i < n && isNameChar(html[i] as string)) i++;
      if (i === nameStart) i++; // a stray "=": skip it
      const name = html.slice(nameStart, i);
      let j = i;
      while (j < n && /\s/.test(html[j] as string)) j++;
      if (html[j] === '=') {
        const lower = name.toLowerCase();
        if (lower === 'style' || lower.startsWith('on')) {
          out += html.slice(copied, nameStart) + (lower === 'style' ? RAW_STYLE : DROPPED);
          copied = i;
        }
        j++;
        while (j < n && /\s/.test(html[j] as string)) j++;
        const quote = html[j];
        if (quote === '"' || quote === "'") {
          const end = html.indexOf(quote, j + 1);
          j = end < 0 ? n : end + 1;
        } else {
          while (j < n && !/[\s>]/.test(html[j] as string)) j++;
        }
        i = j;
      }
    }
  }
  return out + html.slice(copied);
}

let purifier: ReturnType<typeof DOMPurify> | null = null;
let current: { blocked: number; cids: Set<string> } = { blocked: 0, cids: new Set() };

function getPurifier(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook('afterSanitizeAttributes', (node) => {
    if (!(node instanceof Element)) return;
    const ctx = current;
    const style = node.getAttribute(RAW_STYLE) ?? node.getAttribute('style');
    node.removeAttribute(RAW_STYLE);
    node.removeAttribute('style');
    if (style !== null) {
      const cleaned = cleanCss(style, (n) => (ctx.blocked += n));
      if (cleaned.trim()) node.setAttribute('data-tegami-style', cleaned);
    }
    if (node.tagName === 'IMG') {
      const src = (node.getAttribute('src') ?? '').trim();
      node.removeAttribute('src');
      if (/^cid:/i.test(src)) {
        const cid = decodeURIComponent(src.slice(4)).replace(/^<|>$/g, '');
        ctx.cids.add(cid);
        node.setAttribute('data-tegami-cid', cid);
      } else if (/^data:image\/(png|gif|jpe?g|webp|bmp);/i.test(src)) {
        node.setAttribute('src', src);
      } else if (/^https?:/i.test(src)) {
        ctx.blocked++;
        node.setAttribute('data-tegami-remote', src);
      }
    }
    if (node.tagName === 'A') {
      const href = node.getAttribute('href');
      node.removeAttribute('href');
      const safe = href === null ? null : safeHref(href.trim());
      if (safe) {
        node.setAttribute('data-tegami-href', safe);
        node.setAttribute('title', safe);
        node.setAttribute('href', '#');
      }
    }
    // Anything else that still names a URL (e.g. <area href>, <blockquote cite>): drop it.
    for (const attr of ['href', 'src', 'cite', 'longdesc', 'xlink:href']) {
      if (node.tagName === 'A' && attr === 'href') continue;
      if (node.tagName === 'IMG' && attr === 'src') continue;
      node.removeAttribute(attr);
    }
  });
  purifier = p;
  return p;
}

export function sanitizeMailHtml(raw: string): SafeHtml {
  // DOMParser builds an inert document: nothing in it runs or loads.
  // <base> is dropped before parsing: even the inert document would try to apply it (and report it).
  const doc = new DOMParser().parseFromString(renameStyleAttributes(raw.replace(/<base\b[^>]*>/gi, '')), 'text/html');
  const ctx = { blocked: 0, cids: new Set<string>() };
  const styles = [...doc.querySelectorAll('style')].map((s) => cleanCss(s.textContent ?? '', (n) => (ctx.blocked += n)));
  current = ctx;
  try {
    const body = getPurifier().sanitize(doc.body.innerHTML, {
      USE_PROFILES: { html: true },
      FORBID_TAGS: forbiddenTags,
      FORBID_ATTR: forbiddenAttrs,
      // Read and removed by the hook; a style's value is CSS, not a URL to check (as for "style" itself).
      ADD_ATTR: [RAW_STYLE],
      ADD_URI_SAFE_ATTR: [RAW_STYLE],
      ALLOW_DATA_ATTR: false,
      ALLOW_UNKNOWN_PROTOCOLS: false,
      RETURN_TRUSTED_TYPE: false,
    });
    return { body, styles, blocked: ctx.blocked, cids: [...ctx.cids] };
  } finally {
    current = { blocked: 0, cids: new Set() };
  }
}

/**
 * The frame's own policy: nothing but data: images and inline styles — never the network, even when
 * the user allowed remote content (the engine fetches those images and they arrive as data: URLs).
 */
export function frameCsp(): string {
  return [
    "default-src 'none'",
    'img-src data:',
    "style-src 'unsafe-inline'",
    'font-src data:',
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function frameDocument(safe: SafeHtml): string {
  const csp = frameCsp().replace(/"/g, '&quot;');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="referrer" content="no-referrer"></head><body>${safe.body}</body></html>`;
}
