import { open, readFile } from 'node:fs/promises';
import type {
  GetMessageInput,
  GetPartInput,
  GetSourceInput,
  MessageDetail,
  OpenedMessage,
  MessageSource,
  PartContent,
  PartProgress,
  SearchLocalInput,
  SearchResults,
  SearchServerInput,
} from '../../shared/domain/body.js';
import { TegamiError } from '../../shared/domain/errors.js';
import { queryTerms } from '../../shared/domain/query.js';
import type { Address, AttachmentSummary } from '../../shared/domain/message.js';
import { BODY_FULL, SOURCE_PART, type CachedPart, type MessageBodyRow, type PartStore } from './db/parts.js';
import type { AccountRecord, Store } from './db/store.js';
import { openImap, type OpenOptions } from './imap/connect.js';
import {
  fetchPreviews,
  searchUids,
  streamPart,
  streamSource,
  withMailbox,
  type ServerSearchQuery,
  type StreamOptions,
} from './imap/parts.js';
import { ImapSession } from './imap/session.js';
import { decodeBytes } from './mime/charset.js';
import {
  bodyParts,
  findPart,
  flattenParts,
  parseBodyStructure,
  prefetchParts,
  textPartRef,
  type BodyNode,
  type TextPartRef,
} from './mime/structure.js';
import { sourcePart } from './mime/source.js';
import { createTransferDecoder, decodedSize } from './mime/transfer.js';
import { textRecords } from './mime/text.js';
import { salvagedRecord } from './sync/bodies.js';
import { MIRROR_MAX_BYTES } from './sync/mirror.js';
import { syncOrder, targetOf } from './sync/account.js';

/**
 * Handlers for reading mail: a message's headers and MIME tree, one part (from the cache, else
 * fetched with BODY.PEEK and cached), the raw source, and search (local FTS, or IMAP SEARCH on the
 * server). The lead wires them into the contract as messages.get, messages.part, messages.source,
 * search.local and search.server.
 */

/** Runs `fn` on an authenticated session of the account: the connection for user requests. */
export type WithSession = <T>(accountId: number, fn: (session: ImapSession) => Promise<T>) => Promise<T>;

export interface BodiesDeps {
  store: Store;
  parts: PartStore;
  withSession: WithSession;
  emit: (event: 'messages.partProgress', payload: PartProgress) => void;
  /** Bytes per partial fetch (RFC 3501 6.4.5 <start.length>). */
  chunkSize?: number;
  /** Text parts up to this size come back as text; larger ones as files. */
  maxInlineText?: number;
  /** "View source" returns at most this much text (the file has all of it). */
  maxSourceText?: number;
  /**
   * Where the server has a message whose row has no UID yet (a queued move or copy:
   * OpStore.serverLocation). Absent: such a message's parts come from its cached source only.
   */
  locate?: (messageId: number) => { path: string; uidvalidity: number; uid: number } | null;
}

export interface BodiesService {
  getMessage(input: GetMessageInput): Promise<MessageDetail>;
  getPart(input: GetPartInput): Promise<PartContent>;
  /** getMessage, and the first part's text when it is cached (null otherwise: nothing is fetched). */
  openMessage(input: GetMessageInput): Promise<OpenedMessage>;
  getSource(input: GetSourceInput): Promise<MessageSource>;
  searchLocal(input: SearchLocalInput): Promise<SearchResults>;
  searchServer(input: SearchServerInput): Promise<SearchResults>;
}

/**
 * The simplest WithSession: a new connection per request, logged out afterwards. A host that keeps
 * a long-lived user-request connection per account (DESIGN.md 4) can pass its own instead.
 */
export function sessionPerRequest(
  store: Store,
  passwordOf: (account: AccountRecord) => Promise<string>,
  opts: OpenOptions = {},
): WithSession {
  return async (accountId, fn) => {
    const account = store.getAccount(accountId);
    const target = targetOf(account);
    const session = new ImapSession(await openImap(target, await passwordOf(account), opts), target);
    try {
      return await fn(session);
    } finally {
      await session.logout();
    }
  };
}

const BODY_STATES = ['none', 'text', 'full'] as const;

function parseAddresses(json: string): Record<'from' | 'to' | 'cc' | 'bcc' | 'replyTo', Address[]> {
  const empty = { from: [], to: [], cc: [], bcc: [], replyTo: [] };
  try {
    return { ...empty, ...(JSON.parse(json) as Partial<typeof empty>) };
  } catch {
    return empty;
  }
}

function parseAttachments(json: string): AttachmentSummary[] {
  try {
    return JSON.parse(json) as AttachmentSummary[];
  } catch {
    return [];
  }
}

const partNotFound = (part: string) => new TegamiError({ code: 'NOT_FOUND', message: `This message has no part ${part}.` });
const goneFromServer = () =>
  new TegamiError({
    code: 'NOT_FOUND',
    message: 'The message is no longer on the server (it was moved or deleted elsewhere). Sync the folder to update the list.',
  });

/** Failures that mean "the server cannot be reached now", not "the account is set up wrong". */
const UNREACHABLE: ReadonlySet<string> = new Set(['CONNECTION_REFUSED', 'HOST_NOT_FOUND', 'TIMEOUT', 'NETWORK']);
/** Sources up to this size are read whole to cut a part from (a 50 MB attachment's message is, once). */
const MAX_SOURCE_PARSE = 96 * 1024 * 1024;
const notOnServerYet = () =>
  new TegamiError({
    code: 'OFFLINE',
    message:
      'This message has not reached its folder on the server yet (a change is waiting to be sent), and this part is not on this computer. It can be opened once the change is done.',
  });

export function createBodiesService(deps: BodiesDeps): BodiesService {
  const { parts, store } = deps;
  /**
   * The session for fetching what is not cached. Offline, opening such a message is not a setup
   * problem ("nothing answers at host:port, check the port"): it says what is missing and why.
   */
  const withSession: WithSession = async (accountId, fn) => {
    try {
      return await deps.withSession(accountId, fn);
    } catch (error) {
      if (error instanceof TegamiError && error.code === 'WORKING_OFFLINE')
        throw new TegamiError(
          { code: 'WORKING_OFFLINE', message: 'This is not on this computer yet, and you are working offline. Go online to download it.' },
          { cause: error },
        );
      if (!(error instanceof TegamiError) || !UNREACHABLE.has(error.code)) throw error;
      throw new TegamiError(
        {
          code: 'OFFLINE',
          message: 'This is not on this computer yet, and the server cannot be reached right now. Try again once the connection is back.',
        },
        { cause: error },
      );
    }
  };
  const chunkSize = deps.chunkSize ?? 1024 * 1024;
  const maxInlineText = deps.maxInlineText ?? 8 * 1024 * 1024;
  const maxSourceText = deps.maxSourceText ?? 2 * 1024 * 1024;
  /** One download per part at a time: a second click joins the first. */
  const inflight = new Map<string, Promise<PartContent>>();

  const boxOf = (m: MessageBodyRow) => ({ path: m.path, uidvalidity: m.uidvalidity });

  function progress(m: MessageBodyRow, part: string, total: number | null): Pick<StreamOptions, 'onProgress'> {
    return { onProgress: (received) => deps.emit('messages.partProgress', { id: m.id, part, received, total }) };
  }

  function fromCache(cached: CachedPart, filename: string | null): PartContent {
    return cached.kind === 'text'
      ? {
          kind: 'text',
          part: cached.part,
          contentType: cached.contentType,
          charset: cached.charset ?? 'utf-8',
          text: cached.text,
          size: cached.size,
        }
      : { kind: 'file', part: cached.part, contentType: cached.contentType, filename, file: cached.file, size: cached.size };
  }

  /** A file in the cache may have been removed behind our back (disk cleanup): then it is fetched again. */
  async function stillThere(cached: CachedPart): Promise<boolean> {
    if (cached.kind === 'text') return true;
    try {
      await (await open(cached.file, 'r')).close();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A text part decoded and cached with its search text: cut from the message's source when this
   * computer has it (localSource), else fetched. Small mail is fetched whole, as the body prefetch
   * would have (a message opened before the prefetch came to it): its source is kept, so its
   * attachments and inline images open offline too.
   */
  async function fetchText(m: MessageBodyRow, structure: BodyNode, node: BodyNode, part: string): Promise<PartContent> {
    const ref = textPartRef(structure, part);
    if (!ref) throw partNotFound(part);
    const local = await localSource(m);
    const cut = local && sourcePart(local, part);
    if (cut) return storeText(m, structure, part, ref, cut.bytes);
    if (m.uid <= 0) throw notOnServerYet();
    if (local || m.size >= MIRROR_MAX_BYTES) return storeText(m, structure, part, ref, await fetchBytes(m, part, node.size ?? null));
    const source = await fetchBytes(m, SOURCE_PART, m.size);
    // A source the parse is not sure of is kept all the same; the part then comes by its number.
    const bytes = sourcePart(source, part)?.bytes ?? (await fetchBytes(m, part, node.size ?? null));
    return storeText(m, structure, part, ref, bytes, source);
  }

  /** A part (or the whole message: SOURCE_PART) from the server, in memory, with progress. */
  async function fetchBytes(m: MessageBodyRow, part: string, total: number | null): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const options = { chunkSize, onChunk: (b: Buffer) => void chunks.push(b), ...progress(m, part, total) };
    const done = await withSession(m.accountId, (session) =>
      withMailbox(session, boxOf(m), (client) =>
        part === SOURCE_PART ? streamSource(client, m.uid, options) : streamPart(client, m.uid, part, options),
      ),
    );
    if (!done) throw goneFromServer();
    parts.markOpened(m.id);
    return Buffer.concat(chunks);
  }

  /** Decodes a text part's raw bytes and caches it (with the message's source, when it came whole). */
  function storeText(m: MessageBodyRow, structure: BodyNode, part: string, ref: TextPartRef, raw: Buffer, source?: Buffer): PartContent {
    const { parts: records, snippet } = textRecords([ref], new Map([[part, raw]]));
    const record = records[0];
    if (!record) throw partNotFound(part);
    const wanted = prefetchParts(structure).map((r) => r.part);
    const cached = parts.cachedParts(m.id);
    const isBody = wanted.includes(part);
    parts.storeTexts([
      {
        messageId: m.id,
        parts: [record],
        snippet: isBody && m.summary.snippet === null ? snippet : null,
        complete: wanted.every((p) => p === part || cached.has(p)),
        ...(source ? { source } : {}),
      },
    ]);
    return {
      kind: 'text',
      part,
      contentType: record.contentType,
      charset: record.charset ?? 'utf-8',
      text: record.text,
      size: record.size,
    };
  }

  /**
   * The message as the server has it now: one a queued move or copy has not reached the server with
   * yet is fetched from where it was moved from, or from its original (deps.locate).
   */
  const located = (m: MessageBodyRow): MessageBodyRow => (m.uid > 0 ? m : { ...m, ...(deps.locate?.(m.id) ?? {}) });

  /**
   * The message's whole source when this computer has it: stored with its text (small mail the
   * mirror or the body prefetch took whole), or a cached file (a source fetched on request, a queued
   * APPEND's). Null when there is none, or the file is too large to read whole.
   */
  async function localSource(m: MessageBodyRow): Promise<Buffer | null> {
    const stored = parts.storedSource(m.id);
    if (stored) return stored;
    const cached = parts.get(m.id, SOURCE_PART);
    if (cached?.kind !== 'file' || cached.size > MAX_SOURCE_PARSE || !(await stillThere(cached))) return null;
    return readFile(cached.file);
  }

  /**
   * A part cut from the message's source on this computer (sourcePart: the body as the server would
   * send it, then decoded): no round trip, and it works offline and for a message not on the server
   * yet. Null when there is no local source or the parse is not sure of it.
   */
  async function partFromSource(m: MessageBodyRow, node: BodyNode, part: string, filename: string | null): Promise<PartContent | null> {
    const local = await localSource(m);
    const found = local && sourcePart(local, part);
    if (!found) return null;
    const decoder = createTransferDecoder(node.encoding);
    const writer = await parts.openFile(m.id, part);
    try {
      await writer.write(decoder.write(found.bytes));
      await writer.write(decoder.end());
      const file = await writer.commit({ contentType: node.type.toLowerCase() });
      return { kind: 'file', part, contentType: file.contentType, filename, file: file.file, size: file.size };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /**
   * A part as a file: cut from the message's source when this computer has it (small mail kept
   * whole, a source fetched before, a queued APPEND's), else from the server.
   */
  async function fetchFile(m: MessageBodyRow, node: BodyNode, part: string, filename: string | null): Promise<PartContent> {
    const local = await partFromSource(m, node, part, filename);
    if (local) return local;
    if (m.uid <= 0) throw notOnServerYet();
    return fetchFileFromServer(m, node, part, filename);
  }

  /** Streams a part to a file in the part cache, removing the transfer encoding on the way. */
  async function fetchFileFromServer(m: MessageBodyRow, node: BodyNode, part: string, filename: string | null): Promise<PartContent> {
    const writer = await parts.openFile(m.id, part);
    const decoder = createTransferDecoder(node.encoding);
    try {
      const done = await withSession(m.accountId, (session) =>
        withMailbox(session, boxOf(m), (client) =>
          streamPart(client, m.uid, part, {
            chunkSize,
            onChunk: (b) => writer.write(decoder.write(b)),
            ...progress(m, part, node.size ?? null),
          }),
        ),
      );
      if (!done) throw goneFromServer();
      await writer.write(decoder.end());
      const cached = await writer.commit({ contentType: node.type.toLowerCase() });
      parts.markOpened(m.id);
      return { kind: 'file', part, contentType: cached.contentType, filename, file: cached.file, size: cached.size };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /**
   * The raw message as a file: cached, written from the source stored with its text, or fetched
   * (BODY.PEEK[] in ranges).
   */
  async function sourceFile(m: MessageBodyRow): Promise<CachedPart & { kind: 'file' }> {
    const cached = parts.get(m.id, SOURCE_PART);
    if (cached?.kind === 'file' && (await stillThere(cached))) return cached;
    const writer = await parts.openFile(m.id, SOURCE_PART);
    try {
      const stored = parts.storedSource(m.id);
      if (stored) await writer.write(stored);
      else {
        const done = await withSession(m.accountId, (session) =>
          withMailbox(session, boxOf(m), (client) =>
            streamSource(client, m.uid, { chunkSize, onChunk: (b) => writer.write(b), ...progress(m, SOURCE_PART, m.size) }),
          ),
        );
        if (!done) throw goneFromServer();
        parts.markOpened(m.id);
      }
      const file = await writer.commit({ contentType: 'message/rfc822' });
      parts.raiseBodyState(m.id, BODY_FULL);
      return file;
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  async function readHead(file: string, limit: number): Promise<Buffer> {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(limit);
      const { bytesRead } = await handle.read(buffer, 0, limit, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** The text of a message without a usable BODYSTRUCTURE, parsed from its source. */
  async function salvagedText(m: MessageBodyRow): Promise<PartContent> {
    const file = await sourceFile(m);
    const record = await salvagedRecord(await readHead(file.file, Math.max(file.size, 1)));
    parts.storeTexts([{ messageId: m.id, parts: record.parts, snippet: m.summary.snippet === null ? record.snippet : null }]);
    const text = record.parts[0]?.text ?? '';
    return { kind: 'text', part: 'TEXT', contentType: 'text/plain', charset: 'utf-8', text, size: file.size };
  }

  async function loadPart(m: MessageBodyRow, part: string): Promise<PartContent> {
    const structure = parseBodyStructure(m.bodystructure);
    if (part === 'TEXT' || !structure) {
      if (part !== 'TEXT') throw partNotFound(part);
      return salvagedText(m);
    }
    const node = findPart(structure, part);
    if (!node) throw partNotFound(part);
    const filename = flattenParts(node).at(0)?.filename ?? null;
    const type = node.type.toLowerCase();
    const isText = (type === 'text/plain' || type === 'text/html') && (node.size ?? 0) <= maxInlineText;
    return isText ? fetchText(m, structure, node, part) : fetchFile(m, node, part, filename);
  }

  function getMessage(id: number): MessageDetail {
    const m = parts.message(id);
    const structure = parseBodyStructure(m.bodystructure);
    const cached = parts.cachedParts(id);
    const whole = cached.has(SOURCE_PART) || parts.hasStoredSource(id);
    const addresses = parseAddresses(m.addresses);
    const body = structure ? bodyParts(structure) : { text: 'TEXT', html: null };
    return {
      summary: m.summary,
      ...addresses,
      // Every part is on this computer when the whole message is (cut from it when opened).
      parts: structure ? flattenParts(structure, (p) => whole || cached.has(p)) : [],
      textPart: body.text,
      htmlPart: body.html,
      // BODYSTRUCTURE sizes are of the encoded part: the size shown is what the file will be.
      attachments: parseAttachments(m.attachments).map((a) => {
        const node = structure && a.size !== null ? findPart(structure, a.part) : null;
        return node ? { ...a, size: decodedSize(a.size ?? 0, node.encoding) } : a;
      }),
      bodyState: BODY_STATES[m.bodyState],
    };
  }

  return {
    async getMessage({ id }) {
      return getMessage(id);
    },

    async openMessage({ id }) {
      const detail = getMessage(id);
      const first = detail.htmlPart ?? detail.textPart;
      // Only text kept in the database: a part cached as a file (or not at all) is left to messages.part.
      const cached = first === null ? null : parts.get(id, first);
      return { detail, part: cached?.kind === 'text' ? fromCache(cached, null) : null };
    },

    async getPart({ id, part }) {
      const m = located(parts.message(id));
      const structure = parseBodyStructure(m.bodystructure);
      const node = structure ? findPart(structure, part) : null;
      const filename = node ? (flattenParts(node).at(0)?.filename ?? null) : null;
      const cached = parts.get(id, part);
      if (cached && (await stillThere(cached))) return fromCache(cached, filename);
      const key = `${id}:${part}`;
      const running = inflight.get(key);
      if (running) return running;
      const load = loadPart(m, part).finally(() => inflight.delete(key));
      inflight.set(key, load);
      return load;
    },

    async getSource({ id }) {
      const m = located(parts.message(id));
      const file = await sourceFile(m);
      const head = await readHead(file.file, Math.min(Math.max(file.size, 1), maxSourceText));
      return { id, file: file.file, size: file.size, text: decodeBytes(head, null).text, truncated: file.size > maxSourceText };
    },

    async searchLocal({ query, accountId, mailboxId, limit, unread, read, flagged, hasAttachments, from, to, subject }) {
      const filters = { unread, read, flagged, hasAttachments, from, to, subject };
      const found = parts.search({ query, accountId, mailboxId, limit, filters });
      return { hits: found.messages.map((message) => ({ source: 'local' as const, message })), more: found.more };
    },

    async searchServer({ accountId, mailboxId, query, field, limit, unread, read, flagged, hasAttachments, from, to, subject }) {
      store.getAccount(accountId);
      const mailboxes =
        mailboxId !== undefined
          ? [store.getMailbox(mailboxId)]
          : // Every folder of the account that holds mail: INBOX first, then its own, then shared ones.
            store
              .listMailboxes(accountId)
              .filter((m) => m.selectable)
              .sort(syncOrder);
      if (mailboxes.some((m) => m.accountId !== accountId))
        throw new TegamiError({ code: 'INVALID_INPUT', message: 'That folder belongs to another account.' });
      const criteria = { field, ...queryTerms(query), unread, read, flagged, from, to, subject };
      // One folder after another on the user connection, until `limit` hits. A folder gone from the
      // server meanwhile is passed over when searching them all (the next sync drops it); asked for
      // by itself, it is an error.
      return deps.withSession(accountId, async (session) => {
        const hits: SearchResults['hits'] = [];
        let more = false;
        for (const mailbox of mailboxes) {
          if (hits.length >= limit) {
            more = true;
            break;
          }
          const box = { path: mailbox.path, uidvalidity: parts.mailboxUidvalidity(mailbox.id) };
          try {
            const found = await searchFolder(session, box, mailbox.id, criteria, limit - hits.length, hasAttachments === true);
            hits.push(...found.hits);
            more ||= found.more;
          } catch (error) {
            if (mailboxId !== undefined || !(error instanceof TegamiError) || error.code !== 'NOT_FOUND' || !session.usable) throw error;
          }
        }
        return { hits, more };
      });
    },
  };

  /**
   * IMAP SEARCH in one folder, newest first, at most `limit` hits. The user connection may have had
   * this folder selected for a while: a NOOP first lets the server show it what arrived since
   * (Dovecot searches the session's view, which only catches up at a command's end), so a SEARCH
   * right after new mail finds it. Hits not stored yet (mail that arrived since the last sync) are
   * shown by their ENVELOPE, fetched in the same session: one FETCH for at most `limit` UIDs. IMAP
   * SEARCH has no key for attachments: has:attachment keeps the stored hits that have some, and those
   * not stored by their BODYSTRUCTURE (fetched with the preview), until `limit` are found.
   */
  function searchFolder(
    session: ImapSession,
    box: { path: string; uidvalidity: number | null },
    mailboxId: number,
    criteria: ServerSearchQuery,
    limit: number,
    hasAttachments: boolean,
  ): Promise<SearchResults> {
    return withMailbox(session, box, async (client) => {
      await client.noop();
      const found = await searchUids(client, criteria);
      const out: SearchResults['hits'] = [];
      let at = 0;
      while (out.length < limit && at < found.length) {
        const batch = found.slice(at, at + (hasAttachments ? Math.max(limit - out.length, 50) : limit));
        at += batch.length;
        const stored = parts.byUids(mailboxId, batch);
        const missing = batch.filter((uid) => !stored.has(uid));
        const previews = missing.length ? await fetchPreviews(client, missing, { structure: hasAttachments }) : new Map();
        for (const uid of batch) {
          const message = stored.get(uid);
          const preview = previews.get(uid);
          if (hasAttachments && !(message ? message.hasAttachments : preview?.hasAttachments)) continue;
          if (out.length === limit) return { hits: out, more: true };
          if (message) out.push({ source: 'local' as const, message });
          else {
            const shown = preview && { from: preview.from, subject: preview.subject, date: preview.date, size: preview.size };
            out.push({ source: 'server' as const, mailboxId, uid, ...(shown ? { preview: shown } : {}) });
          }
        }
      }
      return { hits: out, more: at < found.length };
    });
  }
}
