/**
 * Opening a message: `messages.open` answers with the message's detail and, when its text is cached
 * locally, the part the reader shows first — one request; only a part that is not cached is asked for
 * afterwards (`messages.part`, which may go to the server). The request starts as soon as a row is
 * clicked (prefetchMessage, from the selection change), not after the reading pane rendered its
 * loading state and ran its effects. The rows next to the open message are read the same way
 * (locally only), so that j / k show their message in the first render.
 *
 * A part's content never changes, so the last few are kept. A detail is kept too: the reader renders
 * one read in the last minute at once, and reads it again when it is older than DETAIL_FRESH_MS
 * (its flags may have changed).
 */
import type { MessageDetail, PartContent } from '../../../../shared/domain/body.js';
import { call } from '../../ipc/client.js';

const PARTS_MAX = 16;
const DETAILS_MAX = 16;
/** A detail younger than this is used as it is; an older one is shown while it is read again. */
export const DETAIL_FRESH_MS = 2000;
/** A detail older than this is not shown at all. */
const DETAIL_KEEP_MS = 60_000;

interface DetailEntry {
  at: number;
  promise: Promise<MessageDetail>;
  value?: MessageDetail;
  /** Its first part is to be read even when that means the server (the message is being opened). */
  network: boolean;
}

const details = new Map<number, DetailEntry>();
const parts = new Map<string, Promise<PartContent>>();
const partValues = new Map<string, PartContent>();

const partKey = (id: number, part: string) => `${id}:${part}`;

/** The part the reader shows first: the HTML part when there is one, else the text part. */
export function firstPart(detail: MessageDetail): string | null {
  return detail.htmlPart ?? detail.textPart;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
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
        remember(partValues, key, value, PARTS_MAX);
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

/**
 * Reads a message's detail (and its first part when cached) into the cache. `network`: a first part
 * that is not cached locally is asked for too (the message the user opened), else not (neighbours).
 */
function fetchDetail(id: number, network: boolean): DetailEntry {
  const entry: DetailEntry = {
    at: performance.now(),
    network,
    promise: call('messages.open', { id }).then(({ detail, part }) => {
      const first = firstPart(detail);
      if (first !== null && part) remember(partValues, partKey(id, first), part, PARTS_MAX);
      else if (first !== null && entry.network) loadPart(id, first).catch(() => undefined);
      entry.value = detail;
      return detail;
    }),
  };
  entry.promise.catch(() => {
    if (details.get(id) === entry) details.delete(id);
  });
  remember(details, id, entry, DETAILS_MAX);
  return entry;
}

const age = (e: DetailEntry) => performance.now() - e.at;

/**
 * Starts reading a message the user just selected (`network`: its body may be fetched from the
 * server), or one next to it or being pressed (only what is cached locally is read).
 */
export function prefetchMessage(id: number, network = true): void {
  if (id <= 0) return;
  const entry = details.get(id);
  if (entry && age(entry) < DETAIL_FRESH_MS) {
    // Read before without its body (a neighbour, a row being pressed), now opened: the body may come
    // from the server — now, or as soon as the detail arrives.
    if (network && !entry.network) {
      entry.network = true;
      const first = entry.value ? firstPart(entry.value) : null;
      if (first !== null && !peekPart(id, first)) loadPart(id, first).catch(() => undefined);
    }
    return;
  }
  fetchDetail(id, network);
}

/** A detail read in the last minute, for a first render without a loading state; `fresh`: no need to read it again. */
export function peekDetail(id: number): { value: MessageDetail; fresh: boolean } | undefined {
  const entry = details.get(id);
  if (!entry?.value || age(entry) >= DETAIL_KEEP_MS) return undefined;
  return { value: entry.value, fresh: age(entry) < DETAIL_FRESH_MS };
}

/** The message's headers and structure: the prefetched answer when fresh, else read now. */
export function loadDetail(id: number): Promise<MessageDetail> {
  const entry = details.get(id);
  if (entry && age(entry) < DETAIL_FRESH_MS) return entry.promise;
  return fetchDetail(id, true).promise;
}

/** Forgets everything (tests). */
export function clearMessageCache(): void {
  details.clear();
  parts.clear();
  partValues.clear();
}
