import type { PartInfo } from '../../../shared/domain/body.js';
import { safeFilename } from './words.js';

/**
 * The MIME tree as the server described it in BODYSTRUCTURE (RFC 3501 7.4.2), in the JSON shape the
 * store keeps (imapflow's parse of it). Declared here, not imported, so this module stays free of
 * imapflow (only engine/imap names it).
 */
export interface BodyNode {
  part?: string | undefined;
  type: string;
  parameters?: Record<string, string> | undefined;
  id?: string | undefined;
  encoding?: string | undefined;
  size?: number | undefined;
  disposition?: string | undefined;
  dispositionParameters?: Record<string, string> | undefined;
  childNodes?: BodyNode[] | undefined;
}

/** A leaf the engine may fetch and decode as text. */
export interface TextPartRef {
  part: string;
  contentType: 'text/plain' | 'text/html';
  charset: string | null;
  encoding: string | null;
  size: number | null;
  flowed: { delSp: boolean } | null;
}

const leaves = (n: BodyNode): BodyNode[] => (n.childNodes?.length ? n.childNodes.flatMap(leaves) : [n]);

/**
 * Reads a stored BODYSTRUCTURE; null when absent, not the shape we expect, or unusable: a
 * multipart whose parts are all empty is what a server reports when the boundary never appears
 * (everything is preamble, RFC 2046 5.1.1), and such a message is read from its source instead.
 */
export function parseBodyStructure(json: string | null | unknown): BodyNode | null {
  const node = readBodyStructure(json);
  if (node && lower(node.type).startsWith('multipart/') && leaves(node).every((l) => !l.size)) return null;
  return node;
}

function readBodyStructure(json: string | null | unknown): BodyNode | null {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') return null;
  return value as BodyNode;
}

const lower = (s: string | undefined | null): string => (s ?? '').toLowerCase();
const isMultipart = (n: BodyNode): boolean => lower(n.type).startsWith('multipart/');
/** A single-part message has the part number "1" (RFC 3501 6.4.5); imapflow leaves it unset. */
const partOf = (n: BodyNode): string => n.part ?? '1';
const cid = (id: string | undefined): string | null => (id ? id.trim().replace(/^<|>$/g, '') || null : null);

export function filenameOf(n: BodyNode): string | null {
  return safeFilename(n.dispositionParameters?.filename ?? n.parameters?.name ?? null);
}

function dispositionOf(n: BodyNode): 'inline' | 'attachment' | null {
  const d = lower(n.disposition);
  return d === 'inline' || d === 'attachment' ? d : null;
}

/** The tree in document order, one entry per node; `cached` is filled in by the caller. */
export function flattenParts(root: BodyNode, isCached: (part: string) => boolean = () => false): PartInfo[] {
  const out: PartInfo[] = [];
  const walk = (n: BodyNode, depth: number, isRoot: boolean) => {
    const multipart = isMultipart(n);
    const part = multipart && isRoot ? '' : partOf(n);
    out.push({
      part,
      depth,
      contentType: lower(n.type),
      charset: n.parameters?.charset ?? null,
      size: n.size ?? null,
      filename: filenameOf(n),
      disposition: dispositionOf(n),
      contentId: cid(n.id),
      encoding: n.encoding ? lower(n.encoding) : null,
      cached: part !== '' && isCached(part),
    });
    for (const child of n.childNodes ?? []) walk(child, depth + 1, false);
  };
  walk(root, 0, true);
  return out;
}

/** A text leaf that is the message's body, not an attachment (RFC 2183: no attachment disposition, no file name). */
function isBodyText(n: BodyNode, subtype: 'plain' | 'html'): boolean {
  return lower(n.type) === `text/${subtype}` && dispositionOf(n) !== 'attachment' && !filenameOf(n);
}

/**
 * The parts to display (RFC 2046 5.1): in multipart/alternative the last alternative we can show
 * is the best; multipart/related shows its root (the first part, RFC 2387 3.2); multipart/mixed
 * shows its first displayable part. A message/rfc822 inside is an attachment, not the body.
 */
export function bodyParts(root: BodyNode): { text: string | null; html: string | null } {
  const found: { text: string | null; html: string | null } = { text: null, html: null };
  const visit = (n: BodyNode): void => {
    const type = lower(n.type);
    if (!isMultipart(n)) {
      if (isBodyText(n, 'plain')) found.text ??= partOf(n);
      else if (isBodyText(n, 'html')) found.html ??= partOf(n);
      return;
    }
    const children = n.childNodes ?? [];
    if (type === 'multipart/alternative') {
      for (const child of [...children].reverse()) visit(child);
    } else if (type === 'multipart/related') {
      const start = children[0];
      if (start) visit(start);
    } else {
      for (const child of children) {
        if (found.text !== null || found.html !== null) break;
        visit(child);
      }
    }
  };
  visit(root);
  return found;
}

function textRef(n: BodyNode): TextPartRef {
  const format = lower(n.parameters?.format);
  return {
    part: partOf(n),
    contentType: lower(n.type) === 'text/html' ? 'text/html' : 'text/plain',
    charset: n.parameters?.charset ?? null,
    encoding: n.encoding ?? null,
    size: n.size ?? null,
    flowed: format === 'flowed' ? { delSp: lower(n.parameters?.delsp) === 'yes' } : null,
  };
}

/** Finds a node by its part number. */
export function findPart(root: BodyNode, part: string): BodyNode | null {
  if (partOf(root) === part && !isMultipart(root)) return root;
  for (const child of root.childNodes ?? []) {
    const hit = findPart(child, part);
    if (hit) return hit;
  }
  return null;
}

export function textPartRef(root: BodyNode, part: string): TextPartRef | null {
  const n = findPart(root, part);
  if (!n) return null;
  const type = lower(n.type);
  return type === 'text/plain' || type === 'text/html' ? textRef(n) : null;
}

/** The body text parts the prefetch caches: the displayable plain text and/or HTML, of at most `maxBytes` each when known. */
export function prefetchParts(root: BodyNode, maxBytes = Number.POSITIVE_INFINITY): TextPartRef[] {
  const { text, html } = bodyParts(root);
  const refs: TextPartRef[] = [];
  for (const part of [text, html]) {
    const ref = part === null ? null : textPartRef(root, part);
    if (ref && (ref.size === null || ref.size <= maxBytes)) refs.push(ref);
  }
  return refs;
}

/** True when a part's bytes are shown as text (and so cached in the database, not as a file). */
export function isTextType(contentType: string): boolean {
  const t = lower(contentType);
  return t === 'text/plain' || t === 'text/html';
}
