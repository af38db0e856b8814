/**
 * Opening a message: `messages.get`, then the part the reader shows first (`messages.part`). Both
 * start as soon as a row is clicked (prefetchMessage, from the selection change), not after the
 * reading pane rendered its loading state and ran its effects; the part is asked for the moment the
 * headers arrive. A part's content never changes, so the last few are kept and a reader that opens
 * one of them renders its text in its first render.
 */
import type { MessageDetail, PartContent } from '../../../../shared/domain/body.js';
import { call } from '../../ipc/client.js';

const PARTS_MAX = 16;
/** How long a prefetched `messages.get` is used (flags may change after). */
const DETAIL_FRESH_MS = 2000;

const details = new Map<number, { at: number; promise: Promise<MessageDetail> }>();
const parts = new Map<string, Promise<PartContent>>();
const partValues = new Map<string, PartContent>();

const partKey = (id: number, part: string) => `${id}:${part}`;

/** The part the reader shows first: the HTML part when there is one, else the text part. */
export function firstPart(detail: MessageDetail): string | null {
  return detail.htmlPart ?? detail.textPart;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > PARTS_MAX) map.delete(map.keys().next().value as K);
}

/** A part's content: from the cache, or in flight, or asked for now. */
export function loadPart(id: number, part: string): Promise<PartContent> {
  const key = partKey(id, part);
  const known = partValues.get(key);
  if (known) return Promise.resolve(known);
  let p = parts.get(key);
  if (!p) {
    p = call('messages.part', { id, part });
    parts.set(key, p);
    p.then(
      (value) => {
        parts.delete(key);
        remember(partValues, key, value);
      },
      () => parts.delete(key),
    );
  }
  return p;
}

/** A part already read this session, for a first render without a loading state. */
export function peekPart(id: number, part: string): PartContent | undefined {
  return partValues.get(partKey(id, part));
}

function fetchDetail(id: number): Promise<MessageDetail> {
  const promise = call('messages.get', { id });
  promise.then(
    (detail) => {
      const part = firstPart(detail);
      if (part !== null) loadPart(id, part).catch(() => undefined);
    },
    () => undefined,
  );
  return promise;
}

/** Starts reading a message the user just selected. */
export function prefetchMessage(id: number): void {
  if (id <= 0) return;
  const entry = details.get(id);
  if (entry && performance.now() - entry.at < DETAIL_FRESH_MS) return;
  details.set(id, { at: performance.now(), promise: fetchDetail(id) });
  for (const [key, e] of details) if (performance.now() - e.at >= DETAIL_FRESH_MS) details.delete(key);
}

/** The message's headers and structure: the prefetched answer when fresh (used once), else read now. */
export function loadDetail(id: number): Promise<MessageDetail> {
  const entry = details.get(id);
  details.delete(id);
  if (entry && performance.now() - entry.at < DETAIL_FRESH_MS) return entry.promise;
  return fetchDetail(id);
}
