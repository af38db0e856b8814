import type { FetchMessageObject, ImapFlow, SearchObject } from 'imapflow';
import { TegamiError } from '../../../shared/domain/errors.js';
import { classifyImapError } from './connect.js';
import type { ImapSession } from './session.js';
import { toHeaderRecord, uidSet } from './session.js';
import type { FieldTerm, ServerHitPreview } from '../../../shared/domain/body.js';

/**
 * Message bodies on demand (RFC 3501 6.4.5). Every fetch uses BODY.PEEK, which never sets \Seen
 * (imapflow writes BODY.PEEK[section]<partial> for `bodyParts` and `source`), and large parts are
 * read in byte ranges with the partial form `<start.length>`, so a 50 MB attachment never sits in
 * memory whole and its progress can be shown. Each function finishes its command before returning:
 * no command is ever issued inside a `for await` over fetch().
 */

export const DEFAULT_CHUNK = 1024 * 1024;

export interface MailboxRef {
  path: string;
  /** The UIDVALIDITY the UIDs belong to (null: not known yet); a different one on the server means they are void. */
  uidvalidity: number | null;
}

export interface StreamResult {
  /** Bytes received from the server (as sent, transfer-encoded). */
  received: number;
  /** FETCH commands issued: one per byte range. */
  requests: number;
}

export interface StreamOptions {
  chunkSize?: number;
  /** Called with each range's bytes, in order; may be async (a file write). */
  onChunk: (bytes: Buffer) => void | Promise<void>;
  onProgress?: (received: number) => void;
}

const fail = (session: ImapSession, error: unknown, path?: string): never => {
  const { host, port, options } = session.client;
  throw error instanceof TegamiError ? error : classifyImapError(error, { host, port, user: options.auth?.user ?? '' }, path);
};

/**
 * Runs `fn` with the mailbox open read-only (EXAMINE, RFC 3501 6.3.2: nothing we do can change
 * flags) under imapflow's mailbox lock, after checking that the UIDs we hold are still valid.
 */
export async function withMailbox<T>(session: ImapSession, box: MailboxRef, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = session.client;
  let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
  try {
    lock = await client.getMailboxLock(box.path, { readOnly: true, description: 'tegami: fetch parts' });
  } catch (error) {
    return fail(session, error, box.path);
  }
  try {
    const current = client.mailbox ? Number(client.mailbox.uidValidity) : null;
    if (current !== null && box.uidvalidity !== null && current !== box.uidvalidity) {
      throw new TegamiError({
        code: 'NOT_FOUND',
        message: `The folder “${box.path}” was reset on the server, so this message has to be found again. Sync the account and try again.`,
      });
    }
    return await fn(client);
  } catch (error) {
    return fail(session, error, box.path);
  } finally {
    lock.release();
  }
}

/** The bytes of one requested section in a FETCH response, whatever key imapflow filed them under. */
function sectionBytes(message: FetchMessageObject | false, part: string): Buffer | null {
  if (!message || !message.bodyParts) return null;
  const wanted = part.toLowerCase();
  for (const [key, value] of message.bodyParts) {
    // "1.2", or "1.2]<0>"-style keys for partial responses
    const section = key.toLowerCase().replace(/\]?<\d+>$/, '');
    if (section === wanted) return value;
  }
  return null;
}

/**
 * One range of one part: UID FETCH uid (BODY.PEEK[part]<start.length>). Returns null when the
 * message is gone; an empty buffer when `start` is past the end of the part.
 */
export async function fetchPartRange(client: ImapFlow, uid: number, part: string, start: number, length: number): Promise<Buffer | null> {
  const message = await client.fetchOne(String(uid), { uid: true, bodyParts: [{ key: part, start, maxLength: length }] }, { uid: true });
  if (!message) return null;
  return sectionBytes(message, part) ?? Buffer.alloc(0);
}

/**
 * Streams one part in byte ranges (RFC 3501 6.4.5 partial fetch) until the server sends a short
 * range. A server that ignores the range and sends the whole part ends the loop too.
 */
export async function streamPart(client: ImapFlow, uid: number, part: string, opts: StreamOptions): Promise<StreamResult | null> {
  return streamRanges(
    opts,
    (start, length) => fetchPartRange(client, uid, part, start, length),
    () => client.noop(),
  );
}

/** Streams the whole message, BODY.PEEK[]<start.length>, the same way. */
export async function streamSource(client: ImapFlow, uid: number, opts: StreamOptions): Promise<StreamResult | null> {
  return streamRanges(
    opts,
    async (start, length) => {
      const message = await client.fetchOne(String(uid), { uid: true, source: { start, maxLength: length } }, { uid: true });
      if (!message) return null;
      return message.source ?? Buffer.alloc(0);
    },
    () => client.noop(),
  );
}

/**
 * A connection that has had the mailbox open a while knows only the messages the server has shown
 * it: Dovecot answers a UID FETCH of mail that arrived since (through another connection) with
 * nothing until a command's end brings the news. So a message that seems gone is asked for once
 * more after a NOOP (RFC 3501 6.1.2), before it is called gone.
 */
async function streamRanges(
  opts: StreamOptions,
  fetchRange: (start: number, length: number) => Promise<Buffer | null>,
  refresh: () => Promise<unknown>,
): Promise<StreamResult | null> {
  const chunk = Math.max(1024, opts.chunkSize ?? DEFAULT_CHUNK);
  let received = 0;
  let requests = 0;
  let refreshed = false;
  for (;;) {
    const bytes = await fetchRange(received, chunk);
    requests++;
    if (bytes === null && received === 0 && !refreshed) {
      refreshed = true;
      await refresh();
      continue;
    }
    if (bytes === null) {
      if (received === 0) return null;
      throw new TegamiError({ code: 'NOT_FOUND', message: 'The message was deleted on the server while it was being downloaded.' });
    }
    if (bytes.length > 0) {
      await opts.onChunk(bytes);
      received += bytes.length;
      opts.onProgress?.(received);
    }
    if (bytes.length < chunk || bytes.length > chunk) break;
  }
  return { received, requests };
}

/**
 * The text parts of many messages in one command per distinct set of part numbers (most mail
 * shares "1" or "1.1"/"1.2"): UID FETCH set (BODY.PEEK[p]<0.max> …). Parts longer than
 * `maxLength` arrive cut at that length; the caller can tell by comparing with their size.
 * Returns uid → part → raw (transfer-encoded) bytes.
 */
export async function fetchTextParts(
  client: ImapFlow,
  wanted: ReadonlyArray<{ uid: number; parts: readonly string[] }>,
  maxLength: number,
): Promise<Map<number, Map<string, Buffer>>> {
  const groups = new Map<string, { parts: string[]; uids: number[] }>();
  for (const w of wanted) {
    if (w.parts.length === 0) continue;
    const parts = [...new Set(w.parts)].sort();
    const key = parts.join(' ');
    const group = groups.get(key) ?? { parts, uids: [] };
    group.uids.push(w.uid);
    groups.set(key, group);
  }
  const out = new Map<number, Map<string, Buffer>>();
  const refresh = onceNoop(client);
  for (const { parts, uids } of groups.values()) {
    const responses: FetchMessageObject[] = [];
    await fetchShown(uids, refresh, async (set) => {
      for await (const m of client.fetch(
        uidSet(set),
        { uid: true, bodyParts: parts.map((key) => ({ key, start: 0, maxLength })) },
        { uid: true },
      ))
        responses.push(m);
      return responses.map((m) => m.uid);
    });
    for (const m of responses) {
      const found = new Map<string, Buffer>();
      for (const p of parts) {
        const bytes = sectionBytes(m, p);
        if (bytes) found.set(p, bytes);
      }
      out.set(m.uid, found);
    }
  }
  return out;
}

/**
 * Whole messages, one command for them all: UID FETCH set (BODY.PEEK[]). Callers keep the set's
 * sizes small (the body prefetch's small mail): each arrives whole in memory. Returns uid → source;
 * a message gone from the server is missing from it.
 */
export async function fetchSources(client: ImapFlow, uids: readonly number[]): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  if (!uids.length) return out;
  await fetchShown(uids, onceNoop(client), async (set) => {
    for await (const m of client.fetch(uidSet(set), { uid: true, source: true }, { uid: true })) if (m.source) out.set(m.uid, m.source);
    return [...out.keys()];
  });
  return out;
}

/** A NOOP the first time it is called, nothing after: false once it has been sent. */
const onceNoop = (client: ImapFlow) => {
  let sent = false;
  return async (): Promise<boolean> => {
    if (sent) return false;
    sent = true;
    await client.noop();
    return true;
  };
};

/**
 * `fetch` of `uids` (it answers the UIDs answered so far). Mail this connection has not been shown
 * yet answers nothing (see streamRanges): the missing ones are asked for again after a NOOP, once per
 * `refresh`; what is still missing is gone.
 */
async function fetchShown(
  uids: readonly number[],
  refresh: () => Promise<boolean>,
  fetch: (set: readonly number[]) => Promise<readonly number[]>,
): Promise<void> {
  const answered = new Set(await fetch(uids));
  const missing = uids.filter((u) => !answered.has(u));
  if (missing.length && (await refresh())) await fetch(missing);
}

/**
 * What a list row shows of messages in the selected mailbox that are not stored yet (server search
 * hits): sender, subject (the raw Subject repairs one the ENVELOPE lost bytes of), INTERNALDATE and
 * size, in one UID FETCH; with `structure`, whether it has attachments too (from BODYSTRUCTURE, as
 * stored messages count them). A preview is optional: a refused or failed FETCH gives none.
 */
export async function fetchPreviews(
  client: ImapFlow,
  uids: readonly number[],
  options: { structure?: boolean } = {},
): Promise<Map<number, ServerHitPreview & { hasAttachments?: boolean }>> {
  const out = new Map<number, ServerHitPreview & { hasAttachments?: boolean }>();
  try {
    for await (const m of client.fetch(
      uidSet(uids),
      {
        uid: true,
        envelope: true,
        internalDate: true,
        size: true,
        headers: ['subject'],
        ...(options.structure ? { bodyStructure: true } : {}),
      },
      { uid: true },
    )) {
      const r = toHeaderRecord(m);
      const date = r.internalDate > 0 ? new Date(r.internalDate).toISOString() : ''; // no INTERNALDATE: no date shown
      out.set(m.uid, {
        from: r.from,
        subject: r.subject,
        date,
        size: r.size,
        ...(options.structure ? { hasAttachments: r.attachments.some((a) => !a.inline) } : {}),
      });
    }
  } catch {
    // No previews: the hits are listed by UID, and opening one downloads it.
  }
  return out;
}

/** IMAP SEARCH keys (RFC 3501 6.4.4) a user's query may use. */
export type SearchField = 'text' | 'subject' | 'from';

/** A user's server search: the query's terms as `field` keys, and the search box's conditions. */
export interface ServerSearchQuery {
  field: SearchField;
  /** Words and phrases (queryTerms), each one key. */
  terms: readonly string[];
  /** Words and phrases to leave out (`-word`), each one NOT key. */
  excluded?: readonly string[] | undefined;
  /** Groups of alternatives (`a OR b`), each one OR key (of `field` keys), required like a term. */
  anyOf?: readonly (readonly string[])[] | undefined;
  unread?: boolean | undefined;
  read?: boolean | undefined;
  flagged?: boolean | undefined;
  /** Each entry one key; an entry that is a list, an OR of its values (`from:a OR from:b`). */
  from?: readonly FieldTerm[] | undefined;
  /** Any recipient: TO, CC or BCC. */
  to?: readonly FieldTerm[] | undefined;
  subject?: readonly FieldTerm[] | undefined;
}

/**
 * The SEARCH criteria of a query: every term and condition is one search key, all required (IMAP
 * ANDs a search's keys). imapflow's object holds each key name once, so the keys are chained: a
 * one-element `or` is emitted as its operand in parentheses (an AND group), and after a key that is
 * an OR itself (to:, three ways) the chain goes on in NOT NOT (…), which is the same group.
 */
export function searchCriteria(q: ServerSearchQuery): SearchObject {
  // A field term's key; alternatives, an OR of their keys (imapflow nests an OR of more than two).
  const anyOf = (term: FieldTerm, key: (value: string) => SearchObject): SearchObject =>
    typeof term === 'string' ? key(term) : { or: term.map(key) };
  const keyOf = (term: string): SearchObject =>
    q.field === 'subject' ? { subject: term } : q.field === 'from' ? { from: term } : { text: term };
  const keys: SearchObject[] = [
    ...(q.unread ? [{ seen: false }] : []),
    ...(q.read ? [{ seen: true }] : []),
    ...(q.flagged ? [{ flagged: true }] : []),
    ...q.terms.map(keyOf),
    ...(q.excluded ?? []).map((term) => ({ not: keyOf(term) })),
    ...(q.anyOf ?? []).map((group) => ({ or: group.map(keyOf) })),
    ...(q.subject ?? []).map((t) => anyOf(t, (subject) => ({ subject }))),
    ...(q.from ?? []).map((t) => anyOf(t, (from) => ({ from }))),
    ...(q.to ?? []).map((t) => anyOf(t, (to) => ({ or: [{ to }, { cc: to }, { bcc: to }] }))),
  ];
  const chain = (list: SearchObject[]): SearchObject => {
    const [first, ...rest] = list;
    if (!first) return { all: true };
    if (rest.length === 0) return first;
    return first.or ? { ...first, not: { not: chain(rest) } } : { ...first, or: [chain(rest)] };
  };
  return chain(keys);
}

/**
 * UID SEARCH over the selected mailbox; imapflow adds CHARSET UTF-8 (RFC 3501 6.4.4) when the
 * query is not ASCII. imapflow answers `false` on NO/BAD: that is a refusal, not "no results".
 */
export async function searchUids(client: ImapFlow, q: ServerSearchQuery): Promise<number[]> {
  const result = await client.search(searchCriteria(q), { uid: true });
  if (!Array.isArray(result)) {
    throw new TegamiError({
      code: 'SERVER_ERROR',
      message: 'The server refused the search. It may not support searching for this text; try a shorter or plainer query.',
    });
  }
  return [...result].sort((a, b) => b - a);
}
