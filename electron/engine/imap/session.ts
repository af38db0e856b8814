import type { FetchMessageObject, ImapFlow, MessageAddressObject, MessageStructureObject } from 'imapflow';
import type { Quota } from '../../../shared/domain/account.js';
import type { Address } from '../../../shared/domain/message.js';
import { TegamiError } from '../../../shared/domain/errors.js';
import type { FlagUpdate, HeaderRecord } from '../db/messages.js';
import { decodeWords } from '../mime/words.js';
import { attachmentsOf, declaredCharset, headerValues, messageIds, referencesOf, sentTime, toTime } from '../mime/record.js';
import { classifyImapError } from './connect.js';

export { attachmentsOf, declaredCharset, headerValues, referencesOf, sentTime };

/** What SELECT (with QRESYNC when we can) told us, and the changes it reported on the way. */
export interface SelectResult {
  path: string;
  uidvalidity: number;
  uidnext: number;
  exists: number;
  highestmodseq: bigint | null;
  readonly: boolean;
  permanentFlags: string[] | null;
  /** True when the server honoured QRESYNC: `changed` and `vanished` are then complete. */
  qresync: boolean;
  changed: FlagUpdate[];
  vanished: number[];
}

export interface StatusInfo {
  messages: number;
  uidnext: number;
  uidvalidity: number;
  unseen: number;
  highestmodseq: bigint | null;
}

const toAddress = (a: MessageAddressObject): Address => ({ name: a.name ?? '', address: a.address ?? '' });
const toAddresses = (list: MessageAddressObject[] | undefined): Address[] => (list ?? []).map(toAddress);
/**
 * The subject as the ENVELOPE gives it, unless that lost bytes: a raw 8-bit Subject (RFC 6532 UTF-8
 * is fine, but older mailers send Shift_JIS, EUC-JP or Big5 unencoded) reaches imapflow as a buffer
 * it decodes as UTF-8, leaving U+FFFD where the bytes were. Then the raw header is decoded again
 * with the charset sniffing of mime/ (RFC 2047 words, raw UTF-8, the charset the message declares
 * for its text, Shift_JIS, EUC-JP, windows-1252).
 */
function subjectOf(envelopeSubject: string | undefined, raw: Buffer | undefined, structure: MessageStructureObject | undefined): string {
  const subject = envelopeSubject ?? '';
  if (!subject.includes('\uFFFD')) return subject;
  const header = headerValues(raw, 'subject')[0];
  return header === undefined ? subject : decodeWords(header, declaredCharset(structure));
}

const LOST = '\uFFFD';
const lostIn = (list: readonly Address[]): boolean => list.some((a) => a.name.includes(LOST));

/**
 * True when the ENVELOPE lost bytes of a record's subject or of a display name: raw 8-bit header
 * bytes that are not UTF-8 (Shift_JIS, Big5 … sent unencoded), which imapflow decodes as UTF-8.
 */
export const lostBytes = (r: HeaderRecord): boolean =>
  r.subject.includes(LOST) ||
  (r.from !== null && r.from.name.includes(LOST)) ||
  lostIn(r.to) ||
  lostIn(r.cc) ||
  lostIn(r.bcc) ||
  lostIn(r.replyTo);

/** The header fields a record that lost bytes is mended from (HEADER.FIELDS). */
export const MENDED_FIELDS = ['subject', 'from', 'sender', 'to', 'cc', 'bcc', 'reply-to'];

/**
 * Mends a record that lost bytes (lostBytes) from its raw header fields (MENDED_FIELDS): the subject
 * as subjectOf decodes it; each display name that lost bytes from the same address in the fields as
 * parseRawMessage reads them (the raw bytes in the charset the message declares for its text, else
 * sniffed). What cannot be matched stays as the ENVELOPE gave it.
 */
export async function mendRecord(r: HeaderRecord, raw: Buffer | undefined): Promise<void> {
  const structure = r.bodystructure ? (JSON.parse(r.bodystructure) as MessageStructureObject) : undefined;
  r.subject = subjectOf(r.subject, raw, structure);
  if (!raw || !(r.from?.name.includes(LOST) || lostIn(r.to) || lostIn(r.cc) || lostIn(r.bcc) || lostIn(r.replyTo))) return;
  // Loaded only here: mailparser and its dependencies cost the header pass ~20 MB of memory, for a
  // rare message (in the engine, reading mail loads it anyway).
  const { parseRawMessage } = await import('../mime/message.js');
  const parsed = await parseRawMessage(Buffer.concat([raw, Buffer.from('\r\n\r\n')]), declaredCharset(structure));
  const names = new Map<string, string>();
  for (const a of [...parsed.from, ...parsed.to, ...parsed.cc, ...parsed.bcc, ...parsed.replyTo])
    if (a.address && a.name && !a.name.includes(LOST)) names.set(a.address.toLowerCase(), a.name);
  const mend = (a: Address): Address => (a.name.includes(LOST) ? { ...a, name: names.get(a.address.toLowerCase()) ?? a.name } : a);
  if (r.from) r.from = mend(r.from);
  r.to = r.to.map(mend);
  r.cc = r.cc.map(mend);
  r.bcc = r.bcc.map(mend);
  r.replyTo = r.replyTo.map(mend);
}

export function toHeaderRecord(m: FetchMessageObject): HeaderRecord {
  const env = m.envelope;
  const from = env?.from?.[0] ?? env?.sender?.[0];
  return {
    uid: m.uid,
    modseq: m.modseq ?? null,
    flags: [...(m.flags ?? [])],
    internalDate: toTime(m.internalDate) ?? 0,
    sentDate: sentTime(env?.date),
    size: m.size ?? 0,
    subject: subjectOf(env?.subject, m.headers, m.bodyStructure),
    from: from ? toAddress(from) : null,
    to: toAddresses(env?.to),
    cc: toAddresses(env?.cc),
    bcc: toAddresses(env?.bcc),
    replyTo: toAddresses(env?.replyTo),
    messageId: env?.messageId ?? null,
    inReplyTo: env?.inReplyTo ? (messageIds(env.inReplyTo)[0] ?? null) : null,
    references: referencesOf(m.headers),
    bodystructure: m.bodyStructure ? JSON.stringify(m.bodyStructure) : null,
    attachments: attachmentsOf(m.bodyStructure),
  };
}

/** Compresses sorted UIDs into an IMAP sequence set: 1:3,7,9:12. */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A whole message as the mirror fetches it (ImapSession.streamSources). */
export interface SourceItem {
  uid: number;
  modseq: bigint | null;
  flags: string[];
  internalDate: number;
  size: number;
  source: Buffer;
}

/**
 * Items handed on in batches of `size` (or of `weight.max`, by weight) as they stream in, with at
 * most `inFlight` batches unsettled (a store on another thread). `push` answers false once a batch failed: the stream should stop;
 * `finish` hands on the rest and throws the first failure, as is.
 */
function batches<T>(
  size: number,
  onBatch: (items: T[]) => void | Promise<unknown>,
  inFlight: number,
  weight?: { of: (item: T) => number; max: number },
) {
  let batch: T[] = [];
  let weighed = 0;
  let failed: { error: unknown } | null = null;
  const unsettled: Promise<void>[] = [];
  const flush = async () => {
    const items = batch;
    batch = [];
    weighed = 0;
    try {
      const stored = onBatch(items);
      if (stored)
        unsettled.push(
          stored.then(
            () => undefined,
            (error: unknown) => void (failed ??= { error }),
          ),
        );
    } catch (error) {
      failed ??= { error };
    }
    while (unsettled.length > inFlight) await unsettled.shift();
  };
  return {
    get failed() {
      return failed !== null;
    },
    /** Adds an item without handing on a batch. */
    add(item: T) {
      batch.push(item);
    },
    /** True, or (when a batch is handed on) a promise of it; false once a batch failed. Sync when it can: it runs per message. */
    push(item: T): boolean | Promise<boolean> {
      batch.push(item);
      if (weight) weighed += weight.of(item);
      if (batch.length < size && !(weight && weighed >= weight.max)) return failed === null;
      return flush().then(() => failed === null);
    },
    settle: () => Promise.all(unsettled),
    async finish() {
      if (!failed && batch.length > 0) await flush();
      await Promise.all(unsettled);
      if (failed) throw (failed as { error: unknown }).error;
    },
  };
}

/**
 * One authenticated connection, as the sync engine uses it. The only place that talks imapflow's
 * fetch/select API; every method finishes its command before returning (imapflow deadlocks when a
 * command is issued inside a `for await` over fetch()).
 */
export class ImapSession {
  readonly client: ImapFlow;
  readonly #target: { host: string; port: number; user: string };

  /**
   * Extensions to act as if the server lacked (MOVE, UIDPLUS): the fallbacks of RFC 4549 4.2.4 are
   * then exercised against a real server that has them.
   */
  readonly without: ReadonlySet<string>;

  constructor(client: ImapFlow, target: { host: string; port: number; user: string }, without: Iterable<string> = []) {
    this.client = client;
    this.#target = target;
    this.without = new Set([...without].map((c) => c.toUpperCase()));
  }

  get qresync(): boolean {
    return this.client.enabled.has('QRESYNC');
  }
  get condstore(): boolean {
    return this.client.enabled.has('CONDSTORE') || this.client.enabled.has('QRESYNC');
  }
  get usable(): boolean {
    return this.client.usable;
  }

  #fail(error: unknown, path?: string): never {
    throw error instanceof TegamiError ? error : classifyImapError(error, this.#target, path);
  }

  /**
   * SELECT (RFC 3501 6.3.1), with QRESYNC (RFC 7162 3.2.5) when we know the mailbox's last
   * UIDVALIDITY and HIGHESTMODSEQ: the server then reports changed flags and VANISHED UIDs at once.
   */
  async select(path: string, known?: { uidvalidity: number; highestmodseq: bigint }): Promise<SelectResult> {
    const changed: FlagUpdate[] = [];
    const vanished: number[] = [];
    const onFlags = (e: { path: string; uid?: number; flags: Set<string>; modseq?: bigint }) => {
      if (e.path === path && e.uid !== undefined) changed.push({ uid: e.uid, flags: [...e.flags], modseq: e.modseq ?? null });
    };
    const onExpunge = (e: { path: string; uid?: number; vanished: boolean }) => {
      if (e.path === path && e.vanished && e.uid !== undefined) vanished.push(e.uid);
    };
    this.client.on('flags', onFlags);
    this.client.on('expunge', onExpunge);
    try {
      const useQresync = this.qresync && known !== undefined && known.highestmodseq > 0n;
      const box = await this.client.mailboxOpen(
        path,
        useQresync ? { changedSince: known.highestmodseq, uidValidity: BigInt(known.uidvalidity) } : {},
      );
      const honoured = useQresync && (box as { qresync?: boolean }).qresync === true;
      return {
        path,
        uidvalidity: Number(box.uidValidity),
        uidnext: box.uidNext,
        exists: box.exists,
        highestmodseq: box.noModseq ? null : (box.highestModseq ?? null),
        readonly: box.readOnly === true,
        permanentFlags: box.permanentFlags ? [...box.permanentFlags] : null,
        qresync: honoured,
        changed: honoured ? changed : [],
        vanished: honoured ? vanished : [],
      };
    } catch (error) {
      this.#fail(error, path);
    } finally {
      this.client.off('flags', onFlags);
      this.client.off('expunge', onExpunge);
    }
  }

  /** UID FETCH of the headers the store keeps, for a UID set. */
  async fetchHeaders(uids: string): Promise<HeaderRecord[]> {
    const out: HeaderRecord[] = [];
    await this.streamHeaders(uids, Number.MAX_SAFE_INTEGER, (batch) => void out.push(...batch));
    return out;
  }

  /**
   * UID FETCH of the headers for a UID set, handed to `onBatch` every `batchSize` records as they
   * stream in (and once more at the end), so the whole set is never held in memory. `onBatch` must
   * not issue IMAP commands (it runs inside the fetch loop). It may return a promise (a store on
   * another thread): the fetch goes on meanwhile, with at most `inFlight` batches unsettled, and
   * everything is settled before this returns. An error `onBatch` throws or rejects with ends the
   * fetch and is rethrown as is. Returns the number of records.
   *
   * The Subject and address headers are not fetched with the rest (the Subject's bytes alone are
   * ~10% of a header FETCH, for the rare message whose ENVELOPE lost bytes): records whose subject or
   * a display name has U+FFFD are held back, their raw fields fetched in one more command after the
   * stream, mended (mendRecord) and stored last. If the pass ends before that, they are not stored,
   * and the next pass fetches them as new.
   */
  async streamHeaders(
    uids: string,
    batchSize: number,
    onBatch: (records: HeaderRecord[]) => void | Promise<unknown>,
    inFlight = 2,
  ): Promise<number> {
    const out = batches(batchSize, onBatch, inFlight);
    const lossy: HeaderRecord[] = [];
    let count = 0;
    try {
      for await (const m of this.client.fetch(
        uids,
        { uid: true, flags: true, envelope: true, internalDate: true, size: true, bodyStructure: true, headers: ['references'] },
        { uid: true },
      )) {
        const record = toHeaderRecord(m);
        count++;
        if (lostBytes(record)) lossy.push(record);
        else {
          const more = out.push(record);
          if (more !== true && !(await more)) break;
        }
      }
      if (!out.failed && lossy.length > 0) {
        const byUid = new Map(lossy.map((r) => [r.uid, r]));
        const raw = new Map<number, Buffer | undefined>();
        for await (const m of this.client.fetch(uidSet([...byUid.keys()]), { uid: true, headers: MENDED_FIELDS }, { uid: true }))
          raw.set(m.uid, m.headers);
        for (const r of lossy) await mendRecord(r, raw.get(r.uid));
        for (const r of lossy) out.add(r);
      }
    } catch (error) {
      await out.settle();
      this.#fail(error);
    }
    await out.finish();
    return count;
  }

  /**
   * UID FETCH of whole messages (BODY.PEEK[]) with their flags, dates and sizes, for the mirror:
   * handed to `onBatch` as streamHeaders hands its records (same batching, backpressure and errors).
   * Meant for messages known to be small (SEARCH SMALLER): each is held whole until stored, and a
   * batch is handed on at 4 MB of them too.
   */
  async streamSources(
    uids: string,
    batchSize: number,
    onBatch: (items: SourceItem[]) => void | Promise<unknown>,
    inFlight = 2,
  ): Promise<number> {
    // Bytes bound a batch too: 500 messages of 100 KB would hold 50 MB, twice over while stored.
    const out = batches(batchSize, onBatch, inFlight, { of: (item: SourceItem) => item.source.length, max: 4 * 1024 * 1024 });
    let count = 0;
    try {
      for await (const m of this.client.fetch(
        uids,
        { uid: true, flags: true, internalDate: true, size: true, source: true },
        { uid: true },
      )) {
        if (!m.source) continue; // nothing to read it from: left for the header pass
        count++;
        const item = {
          uid: m.uid,
          modseq: m.modseq ?? null,
          flags: [...(m.flags ?? [])],
          internalDate: toTime(m.internalDate) ?? 0,
          size: m.size ?? 0,
          source: m.source,
        };
        const more = out.push(item);
        if (more !== true && !(await more)) break;
      }
    } catch (error) {
      await out.settle();
      this.#fail(error);
    }
    await out.finish();
    return count;
  }

  /**
   * The UIDs in `range` of messages smaller than `bytes` (RFC822.SIZE), received on or after `since`
   * (the day of it, as SEARCH SINCE counts, RFC 3501 6.4.4) when given: what the mirror fetches whole.
   */
  async smallUids(range: string, bytes: number, since: Date | null): Promise<number[]> {
    let result: number[] | false | undefined;
    try {
      result = await this.client.search({ uid: range, smaller: bytes, ...(since ? { since } : {}) }, { uid: true });
    } catch (error) {
      this.#fail(error);
    }
    if (!Array.isArray(result)) throw new TegamiError({ code: 'SERVER_ERROR', message: 'The server refused to search the folder.' });
    return result;
  }

  /** UID FETCH FLAGS, with CHANGEDSINCE (RFC 7162 3.1.4) when given and CONDSTORE is on. */
  async fetchFlags(uids: string, changedSince?: bigint): Promise<FlagUpdate[]> {
    const out: FlagUpdate[] = [];
    try {
      const options = changedSince !== undefined && this.condstore ? { uid: true, changedSince } : { uid: true };
      for await (const m of this.client.fetch(uids, { uid: true, flags: true }, options)) {
        out.push({ uid: m.uid, flags: [...(m.flags ?? [])], modseq: m.modseq ?? null });
      }
    } catch (error) {
      this.#fail(error);
    }
    return out;
  }

  /** Every UID in the selected mailbox (UID SEARCH ALL). imapflow answers false on NO/BAD: that is an error, not "none". */
  async allUids(): Promise<number[]> {
    let result: number[] | false | undefined;
    try {
      result = await this.client.search({ all: true }, { uid: true });
    } catch (error) {
      this.#fail(error);
    }
    if (!Array.isArray(result))
      throw new TegamiError({ code: 'SERVER_ERROR', message: 'The server refused to list the messages of the folder.' });
    return result.sort((a, b) => a - b);
  }

  async status(path: string): Promise<StatusInfo> {
    try {
      const s = await this.client.status(path, {
        messages: true,
        uidNext: true,
        uidValidity: true,
        unseen: true,
        highestModseq: this.condstore,
      });
      if (!s) throw new TegamiError({ code: 'SERVER_ERROR', message: `The server refused STATUS for ${path}.` });
      return {
        messages: s.messages ?? 0,
        uidnext: s.uidNext ?? 0,
        uidvalidity: Number(s.uidValidity ?? 0),
        unseen: s.unseen ?? 0,
        highestmodseq: s.highestModseq ?? null,
      };
    } catch (error) {
      this.#fail(error, path);
    }
  }

  /**
   * QUOTA (RFC 9208) of the quota root holding `path`: GETQUOTAROOT, and GETQUOTA when the server
   * did not send the QUOTA inline. Null when the server has no QUOTA or refused (imapflow answers
   * false then); a broken connection throws. imapflow reports STORAGE in octets (it multiplies the
   * wire's KiB by 1024) under `usage`/`limit`.
   */
  async quota(path = 'INBOX'): Promise<Omit<Quota, 'at'> | null> {
    let q: Awaited<ReturnType<ImapFlow['getQuota']>>;
    try {
      q = await this.client.getQuota(path);
    } catch (error) {
      this.#fail(error);
    }
    if (!q) return null;
    const count = (n: number | undefined) => (n === undefined ? null : n);
    const kb = (n: number | undefined) => (n === undefined ? null : Math.round(n / 1024));
    const storage = q.storage && q.storage.usage !== undefined ? { usedKb: kb(q.storage.usage) ?? 0, limitKb: kb(q.storage.limit) } : null;
    const messages =
      q.message && q.message.usage !== undefined ? { used: count(q.message.usage) ?? 0, limit: count(q.message.limit) } : null;
    return { root: q.quotaRoot ?? null, storage, messages };
  }

  async logout(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      this.client.close();
    }
  }
}
