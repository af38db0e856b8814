import { TegamiError } from '../../../shared/domain/errors.js';
import { classifyImapError, clearCommandError, lastCommandError, serverWords } from './connect.js';
import { uidSet, type ImapSession } from './session.js';
import { counted } from '../plural.js';

/**
 * The write commands the offline queue replays (RFC 3501 6.4.6-6.4.8, RFC 6851 MOVE, RFC 4315
 * UIDPLUS, RFC 7162 UNCHANGEDSINCE). Each runs on the mailbox the caller selected and turns a NO
 * into a TegamiError that carries the server's words and its response code (TRYCREATE, OVERQUOTA …).
 */

export interface CommandFailure extends TegamiError {
  readonly responseCode: string | undefined;
}

function failed(session: ImapSession, what: string, error?: unknown): TegamiError {
  const e = (error ?? lastCommandError(session.client) ?? {}) as { responseText?: string; serverResponseCode?: string; code?: string };
  if (!error && !e.responseText && !session.usable) {
    return new TegamiError({ code: 'NETWORK', message: `The connection was lost while ${what}.` });
  }
  const classified = classifyImapError(error ?? Object.assign(new Error(e.responseText ?? what), e, { responseStatus: 'NO' }), {
    host: '',
    port: 0,
    user: '',
  });
  const code = e.serverResponseCode?.toUpperCase();
  const words = serverWords(e.responseText);
  return new TegamiError(
    {
      ...classified.info,
      message: `The server refused ${what}${words ? `: ${words}` : '.'}`,
      ...(words ? { serverText: words } : {}),
      ...(code ? { responseCode: code } : {}),
    },
    { cause: error },
  );
}

/** The response code of a refusal (TRYCREATE, OVERQUOTA, NONEXISTENT …), when the server sent one. */
export const responseCodeOf = (error: unknown): string | undefined =>
  error instanceof TegamiError ? (error.info as { responseCode?: string }).responseCode : undefined;

async function run<T>(session: ImapSession, what: string, command: () => Promise<T | false | undefined>): Promise<T> {
  clearCommandError(session.client);
  let result: T | false | undefined;
  try {
    result = await command();
  } catch (error) {
    throw failed(session, what, error);
  }
  if (result === false || result === undefined) throw failed(session, what);
  return result;
}

export const hasCapability = (session: ImapSession, name: string): boolean =>
  session.client.capabilities.has(name) && !session.without.has(name.toUpperCase());

/** UID STORE ±FLAGS.SILENT (one command for the whole UID set); UNCHANGEDSINCE when given. */
export async function storeFlags(
  session: ImapSession,
  uids: number[],
  op: 'add' | 'remove',
  flags: string[],
  unchangedSince?: bigint,
): Promise<void> {
  if (!uids.length || !flags.length) return;
  const options = { uid: true, silent: true, ...(unchangedSince !== undefined && session.condstore ? { unchangedSince } : {}) };
  const range = uidSet(uids);
  await run(session, `to change flags of ${counted(uids.length, 'message')}`, () =>
    op === 'add' ? session.client.messageFlagsAdd(range, flags, options) : session.client.messageFlagsRemove(range, flags, options),
  );
}

/**
 * UID STORE ±FLAGS without .SILENT (RFC 3501 6.4.6): the server answers with each message's
 * resulting flags, which is the merged state (ours and the other device's) — no read-back needed.
 * With UNCHANGEDSINCE (RFC 7162 3.1.3) a message changed since `unchangedSince` is left alone and
 * reported MODIFIED, i.e. it gets no FETCH answer here: the caller decides what to do with it.
 * Returns uid → flags for the messages the server answered for.
 */
export async function storeFlagsReporting(
  session: ImapSession,
  uids: number[],
  op: 'add' | 'remove',
  flags: string[],
  unchangedSince?: bigint,
): Promise<Map<number, { flags: string[]; modseq: bigint | null }>> {
  const answered = new Map<number, { flags: string[]; modseq: bigint | null }>();
  if (!uids.length || !flags.length) return answered;
  const onFlags = (e: { uid?: number; flags: Set<string>; modseq?: bigint }) => {
    if (e.uid !== undefined) answered.set(e.uid, { flags: [...e.flags], modseq: e.modseq ?? null });
  };
  const options = { uid: true, ...(unchangedSince !== undefined && session.condstore ? { unchangedSince } : {}) };
  const range = uidSet(uids);
  session.client.on('flags', onFlags);
  try {
    await run(session, `to change flags of ${counted(uids.length, 'message')}`, () =>
      op === 'add' ? session.client.messageFlagsAdd(range, flags, options) : session.client.messageFlagsRemove(range, flags, options),
    );
  } finally {
    session.client.off('flags', onFlags);
  }
  return answered;
}

export interface Placement {
  uidvalidity: number | null;
  /** source UID → destination UID, from COPYUID (RFC 4315 3) */
  uids: Map<number, number>;
}

/**
 * UID MOVE (RFC 6851). Without MOVE: UID COPY, +FLAGS \\Deleted, and UID EXPUNGE of exactly those
 * UIDs (UIDPLUS) — never a bare EXPUNGE, which would remove other messages marked \\Deleted too.
 * Without UIDPLUS the originals stay marked \\Deleted for the user's next explicit expunge
 * (RFC 4549 4.2.4); `expunged` says so.
 */
export async function moveMessages(session: ImapSession, uids: number[], destination: string): Promise<Placement & { expunged: boolean }> {
  const range = uidSet(uids);
  if (hasCapability(session, 'MOVE')) {
    const r = await run(session, `to move ${counted(uids.length, 'message')} to “${destination}”`, () =>
      session.client.messageMove(range, destination, { uid: true }),
    );
    return { uidvalidity: r.uidValidity === undefined ? null : Number(r.uidValidity), uids: r.uidMap ?? new Map(), expunged: true };
  }
  const copied = await copyMessages(session, uids, destination);
  await storeFlags(session, uids, 'add', ['\\Deleted']);
  const expunged = await expungeUids(session, uids);
  return { ...copied, expunged };
}

export async function copyMessages(session: ImapSession, uids: number[], destination: string): Promise<Placement> {
  const r = await run(session, `to copy ${counted(uids.length, 'message')} to “${destination}”`, () =>
    session.client.messageCopy(uidSet(uids), destination, { uid: true }),
  );
  // COPYUID is UIDPLUS's (RFC 4315 3): without it there is nothing to learn the new UIDs from.
  if (!hasCapability(session, 'UIDPLUS')) return { uidvalidity: null, uids: new Map() };
  return { uidvalidity: r.uidValidity === undefined ? null : Number(r.uidValidity), uids: r.uidMap ?? new Map() };
}

/** UID EXPUNGE (RFC 4315 2.1) of exactly these UIDs; false when the server has no UIDPLUS. */
export async function expungeUids(session: ImapSession, uids: number[]): Promise<boolean> {
  if (!hasCapability(session, 'UIDPLUS')) return false;
  // imapflow's messageDelete stores \\Deleted and, with UIDPLUS, sends UID EXPUNGE <set>.
  await run(session, `to delete ${counted(uids.length, 'message')}`, () => session.client.messageDelete(uidSet(uids), { uid: true }));
  return true;
}

export async function appendMessage(
  session: ImapSession,
  path: string,
  raw: Buffer,
  flags: string[],
  internalDate?: Date,
): Promise<{ uidvalidity: number | null; uid: number | null }> {
  const r = await run(session, `to save the message in “${path}”`, () => session.client.append(path, raw, flags, internalDate));
  return { uidvalidity: r.uidValidity === undefined ? null : Number(r.uidValidity), uid: r.uid ?? null };
}

export async function createFolder(session: ImapSession, path: string): Promise<void> {
  await run(session, `to create the folder “${path}”`, () => session.client.mailboxCreate(path));
}
export async function renameFolder(session: ImapSession, from: string, to: string): Promise<void> {
  await run(session, `to rename the folder “${from}” to “${to}”`, () => session.client.mailboxRename(from, to));
}
export async function deleteFolder(session: ImapSession, path: string): Promise<void> {
  await run(session, `to delete the folder “${path}”`, () => session.client.mailboxDelete(path));
}
/**
 * The folder at `path` and every folder below it on the server, deepest first, with whether each is
 * subscribed (LIST and LSUB: RENAME and DELETE leave subscriptions as they were, RFC 3501 6.3.5–6).
 */
export async function folderTree(session: ImapSession, path: string): Promise<Array<{ path: string; subscribed: boolean }>> {
  const all = await run(session, `to list the folders under “${path}”`, () => session.client.list());
  return all
    .filter((m) => m.path === path || (m.delimiter && m.path.startsWith(`${path}${m.delimiter}`)))
    .map((m) => ({ path: m.path, subscribed: m.subscribed === true }))
    .sort((a, b) => b.path.length - a.path.length);
}

export async function setSubscribed(session: ImapSession, path: string, subscribed: boolean): Promise<void> {
  await run(session, `to ${subscribed ? 'subscribe to' : 'unsubscribe from'} “${path}”`, () =>
    subscribed ? session.client.mailboxSubscribe(path) : session.client.mailboxUnsubscribe(path),
  );
}

/** Current flags (and MODSEQ) of these UIDs, to learn the merged result after a store. */
export async function readFlags(session: ImapSession, uids: number[]): Promise<Map<number, { flags: string[]; modseq: bigint | null }>> {
  const out = new Map<number, { flags: string[]; modseq: bigint | null }>();
  if (!uids.length) return out;
  for (const u of await session.fetchFlags(uidSet(uids))) out.set(u.uid, { flags: u.flags, modseq: u.modseq });
  return out;
}

/** UID SEARCH HEADER Message-ID (RFC 3501 6.4.4) in the selected folder: the newest match, or null. */
export async function findByMessageId(session: ImapSession, messageId: string): Promise<number | null> {
  const result = await run(session, 'to search the folder', async () => {
    const r = await session.client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(r) ? r : false;
  });
  return result.length ? Math.max(...result) : null;
}
