import { parseArgs } from 'node:util';
import { OfflineWindow, sizeLimitText, WholeBelow, type Account } from '../../shared/domain/account.js';
import { TegamiError, type ErrorInfo, type Result } from '../../shared/domain/errors.js';
import type { EventPayload, RequestInput, RequestName, RequestOutput } from '../../shared/ipc/contract.js';
import { MessageSort } from '../../shared/domain/message.js';
import type { Engine } from '../engine/engine.js';
import { counted } from '../engine/plural.js';

/**
 * Tegami's command line, over the same contract as the UI: stdout carries data only (one JSON
 * object per line with --json), progress and errors go to stderr, and the exit code says whether it
 * worked (0), the input was wrong (2) or the operation failed (1).
 */
export interface CliIo {
  stdout: (text: string) => void;
  /** Raw bytes to stdout (a raw message or an attachment, unchanged). */
  stdoutBytes: (bytes: Uint8Array) => void;
  readFile: (file: string) => Promise<Uint8Array>;
  /** Resolves when the user interrupts (Ctrl-C, SIGTERM). */
  untilInterrupted: () => Promise<void>;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  readStdin: () => Promise<string>;
}

export class UsageError extends Error {}

/** Bytes as megabytes, one decimal (what a person reads of a store's size). */
const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** "128K", "10M", "1.5M" or a number of bytes, as bytes; NaN when it is none of these. */
export function byteCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KM]?)B?$/i.exec(text.trim());
  if (!m) return Number.NaN;
  const unit = { '': 1, K: 1024, M: 1024 * 1024 }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

/** An offline window as given on the command line: DAYS or all. */
function windowOf(text: string): OfflineWindow {
  const window = OfflineWindow.safeParse(text === 'all' ? 'all' : Number(text));
  if (!window.success) throw new UsageError(`The offline window is a number of days (1 to 36500) or "all", not “${text}”`);
  return window.data;
}

/** --whole-below SIZE as bytes. */
function wholeOf(text: string): number {
  const bytes = WholeBelow.safeParse(byteCount(text));
  if (!bytes.success) throw new UsageError(`--whole-below is a size from 128K to 96M (such as 128K, 10M or 1048576), not “${text}”`);
  return bytes.data;
}

export const usage = `Usage: npm run cli -- [--data DIR] COMMAND …

Commands:
  account add --name N --host H --port P --security tls|starttls|none --user U
              [--email E] (--password-env VAR | --password-stdin) [--trust-certificate SHA256]
              [--offline-window DAYS|all] [--whole-below SIZE]   (as account window sets them)
  account list [--json]
  account remove --account N
  account window --account N [DAYS|all] [--whole-below SIZE] [--json]
                                 mail kept for offline reading: the last DAYS days (90 unless set)
                                 or all; of it, messages smaller than SIZE (128K unless set; up to
                                 96M; K and M suffixes) whole, attachments and all, of larger ones
                                 the text; without a value, say which
  folders --account N [--json] [--refresh]
  sync [--account N] --once      one full pass, then exit (non-zero with a message on failure)
  sync [--account N]             keep the mirror current until interrupted
  list --account N --folder PATH [--sort date|sent|from|subject|size] [--ascending] [--json]
                                 newest first by when each message arrived unless sorted otherwise
                                 (sent: by its Date header)
  show --account N --folder PATH --uid UID [--part P] [--raw] [--json]
                                 the decoded text (or the part, or the raw source), fetched if not cached
  search --account N QUERY [--folder PATH] [--server] [--json]
                                 local full-text search; --server also asks the server (IMAP SEARCH),
                                 in every folder of the account unless --folder is given;
                                 QUERY: words, "phrases", -word to leave out ('lunch -friday', quoted,
                                 or after --: search --account N -- -friday lunch), a OR b for either

Changes (applied locally at once, no network needed; the next sync replays them on the server):
  flag --account N --folder PATH --uid UID[,UID…] (--add|--remove) FLAG…
  move --account N --folder PATH --uid UID[,UID…] --to PATH
  copy --account N --folder PATH --uid UID[,UID…] --to PATH
  delete --account N --folder PATH --uid UID[,UID…]       (to Trash, or \\Deleted + UID EXPUNGE)
  append --account N --folder PATH FILE.eml [--flags FLAG,…]
  folder create --account N --name NAME [--parent PATH]
  folder rename --account N --folder PATH --name NEW
  folder delete|subscribe|unsubscribe|empty --account N --folder PATH
  folder offline --account N --folder PATH [on|off] [--json]
                                                          its mail of the offline window downloaded
                                                          (every folder but \\All unless set; local)
  undo --account N                                        (the last action not undone yet)
  ops [--account N] [--json]                              pending and failed operations
  ops retry|discard --id OP
  offline [on|off] [--json]                               work offline (no connection until off;
                                                          kept in the profile), or say which

--account takes the account's name or id. --data chooses the profile directory
(default: $TEGAMI_DATA or the platform's data folder).
`;

async function call<N extends RequestName>(engine: Engine, name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  const result = (await engine.invoke(name, input)) as Result<RequestOutput<N>>;
  if (!result.ok) throw new TegamiError(result.error);
  return result.value;
}

async function findAccount(engine: Engine, ref: string | undefined): Promise<Account> {
  if (!ref) throw new UsageError('--account is required');
  const accounts = await call(engine, 'accounts.list', {});
  const found = accounts.find((a) => String(a.id) === ref || a.name === ref);
  if (!found) {
    const known = accounts.map((a) => a.name).join(', ') || 'none';
    throw new TegamiError({ code: 'NOT_FOUND', message: `No account “${ref}” (accounts: ${known}).` });
  }
  return found;
}

async function findFolder(engine: Engine, accountId: number, path: string | undefined) {
  if (!path) throw new UsageError('--folder is required');
  const { mailboxes } = await call(engine, 'mailboxes.list', { accountId });
  const found =
    mailboxes.find((m) => m.path === path) ?? mailboxes.find((m) => m.path.toLowerCase() === path.toLowerCase() && m.role === 'inbox');
  if (!found) throw new TegamiError({ code: 'NOT_FOUND', message: `No folder “${path}” in this account (run sync first?).` });
  return found;
}

/** Local ids of the messages with these UIDs in a folder (comma-separated UIDs). */
async function messageIds(engine: Engine, accountId: number, folder: string | undefined, uids: string | undefined): Promise<number[]> {
  const mailbox = await findFolder(engine, accountId, folder);
  if (!uids) throw new UsageError('--uid UID[,UID…] is required');
  const list = uids.split(',').map((u) => Number(u.trim()));
  if (list.some((u) => !Number.isInteger(u) || u < 1)) throw new UsageError(`--uid takes UIDs separated by commas, not “${uids}”`);
  const ids: number[] = [];
  for (const uid of list) {
    const m = await call(engine, 'messages.byUid', { mailboxId: mailbox.id, uid });
    if (!m) throw new TegamiError({ code: 'NOT_FOUND', message: `No message with UID ${uid} in ${mailbox.path} (run sync first?).` });
    ids.push(m.id);
  }
  return ids;
}

export async function runCli(argv: string[], engine: Engine, io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      security: { type: 'string' },
      user: { type: 'string' },
      email: { type: 'string' },
      'password-env': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'trust-certificate': { type: 'string' },
      'whole-below': { type: 'string' },
      'offline-window': { type: 'string' },
      account: { type: 'string' },
      refresh: { type: 'boolean', default: false },
      once: { type: 'boolean', default: false },
      folder: { type: 'string' },
      uid: { type: 'string' },
      part: { type: 'string' },
      raw: { type: 'boolean', default: false },
      server: { type: 'boolean', default: false },
      add: { type: 'boolean', default: false },
      remove: { type: 'boolean', default: false },
      to: { type: 'string' },
      parent: { type: 'string' },
      flags: { type: 'string' },
      id: { type: 'string' },
      sort: { type: 'string' },
      ascending: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    io.stdout(usage);
    return values.help ? 0 : 2;
  }

  if (command === 'account' && sub === 'add') {
    // Checked before the connection test: a typo adds nothing.
    const window = values['offline-window'] === undefined ? undefined : windowOf(values['offline-window']);
    const whole = values['whole-below'] === undefined ? undefined : wholeOf(values['whole-below']);
    let password: string | undefined;
    if (values['password-env']) {
      password = io.env[values['password-env']];
      if (!password) throw new UsageError(`The environment variable ${values['password-env']} is not set`);
    } else if (values['password-stdin']) {
      password = (await io.readStdin()).replace(/\r?\n$/, '');
    } else {
      throw new UsageError('Give the password with --password-env VAR or --password-stdin (never on the command line)');
    }
    const security = values.security ?? 'tls';
    const port = Number(values.port ?? (security === 'tls' ? 993 : 143));
    io.stderr(`Testing the connection to ${values.host ?? '?'}:${port} …\n`);
    let account = await call(engine, 'accounts.add', {
      name: values.name ?? values.user ?? '',
      email: values.email ?? (values.user?.includes('@') ? values.user : `${values.user ?? ''}@${values.host ?? ''}`),
      user: values.user ?? '',
      host: values.host ?? '',
      port,
      security: security as 'tls',
      password,
      ...(values['trust-certificate'] ? { trustCertificate: values['trust-certificate'].toUpperCase() } : {}),
    });
    if (window !== undefined) account = await call(engine, 'accounts.setOfflineWindow', { accountId: account.id, window });
    if (whole !== undefined) account = await call(engine, 'accounts.setWholeBelow', { accountId: account.id, bytes: whole });
    io.stdout(values.json ? `${JSON.stringify(account)}\n` : `Added account ${account.name} (id ${account.id})\n`);
    return 0;
  }
  if (command === 'account' && sub === 'list') {
    for (const a of await call(engine, 'accounts.list', {})) {
      io.stdout(values.json ? `${JSON.stringify(a)}\n` : `${a.id}\t${a.name}\t${a.user}@${a.host}:${a.port} (${a.security})\n`);
    }
    return 0;
  }
  if (command === 'account' && sub === 'window') {
    let account = await findAccount(engine, values.account);
    const wanted = positionals[2];
    const whole = values['whole-below'] === undefined ? undefined : wholeOf(values['whole-below']);
    if (wanted !== undefined)
      account = await call(engine, 'accounts.setOfflineWindow', { accountId: account.id, window: windowOf(wanted) });
    if (whole !== undefined) account = await call(engine, 'accounts.setWholeBelow', { accountId: account.id, bytes: whole });
    const window = account.offlineWindow;
    const used = await call(engine, 'app.storage', {});
    io.stdout(
      values.json
        ? `${JSON.stringify({ account: account.name, offlineWindow: window, wholeBelow: account.wholeBelow, ...used })}\n`
        : `${account.name}: ${window === 'all' ? 'all mail' : `the last ${counted(window, 'day')}`} kept for offline reading, ` +
            `whole (attachments too) when smaller than ${sizeLimitText(account.wholeBelow)} ` +
            `(the mail store takes ${megabytes(used.bytes)} on this computer, every account's)\n`,
    );
    return 0;
  }
  if (command === 'account' && sub === 'remove') {
    const account = await findAccount(engine, values.account);
    await call(engine, 'accounts.remove', { accountId: account.id });
    io.stderr(`Removed account ${account.name}\n`);
    return 0;
  }
  if (command === 'folders') {
    const account = await findAccount(engine, values.account);
    const state = await call(engine, values.refresh ? 'mailboxes.refresh' : 'mailboxes.list', { accountId: account.id });
    for (const m of state.mailboxes) {
      const row = {
        path: m.path,
        name: m.name,
        delimiter: m.delimiter,
        role: m.role,
        namespace: m.namespace,
        subscribed: m.subscribed,
        selectable: m.selectable,
        total: m.total,
        unread: m.unread,
        uidvalidity: m.uidvalidity,
        readOnly: m.readOnly,
        offline: m.offline,
      };
      io.stdout(values.json ? `${JSON.stringify(row)}\n` : `${m.path}\t${m.role ?? ''}\t${m.total ?? '?'}\t${m.unread ?? '?'}\n`);
    }
    return 0;
  }
  if (command === 'sync') {
    const accountId = values.account ? (await findAccount(engine, values.account)).id : undefined;
    const unsubscribe = engine.onEvent((event, payload) => {
      if (event === 'sync.progress') {
        const p = payload as EventPayload<'sync.progress'>;
        io.stderr(`  ${p.path}: ${p.done}/${p.total}\n`);
      } else if (event === 'sync.state' && !values.once) {
        const s = payload as EventPayload<'sync.state'>;
        if (accountId === undefined || s.accountId === accountId) {
          io.stderr(
            `account ${s.accountId}: ${s.state}${s.error ? ` (${s.error.message})` : ''}${s.retryAt ? `, retrying at ${s.retryAt}` : ''}\n`,
          );
        }
      } else if (event === 'messages.changed' && !values.once) {
        const c = payload as EventPayload<'messages.changed'>;
        io.stderr(`  folder ${c.mailboxId}: +${c.added.length} ~${c.changed.length} -${c.removed.length}\n`);
      }
    });
    try {
      if (!values.once) {
        // Stay running: one connection per account IDLEs, the others are polled; Ctrl-C stops
        // (with LOGOUT).
        if (!engine.startBackgroundSync) throw new TegamiError({ code: 'INTERNAL', message: 'This engine cannot sync in the background.' });
        engine.startBackgroundSync();
        await io.untilInterrupted();
        return 0;
      }
      const { accounts } = await call(engine, 'sync.run', accountId === undefined ? {} : { accountId });
      for (const a of accounts) {
        for (const w of a.warnings) io.stderr(`  warning: ${w}\n`);
        for (const m of a.mailboxes) {
          if (m.error) io.stderr(`  ${m.path}: skipped: ${m.error}\n`);
          else if (m.method !== 'skipped')
            io.stderr(`  ${m.path}: ${m.method}, +${m.added} ~${m.changed} -${m.removed}${m.reset ? ' (UIDVALIDITY changed)' : ''}\n`);
        }
      }
      io.stderr(`Synced ${counted(accounts.length, 'account')}.\n`);
      return 0;
    } finally {
      unsubscribe();
    }
  }
  if (command === 'list') {
    const sort = MessageSort.safeParse(values.sort ?? 'date');
    if (!sort.success) throw new UsageError(`--sort is one of ${MessageSort.options.join(', ')}, not “${values.sort}”`);
    const account = await findAccount(engine, values.account);
    const mailbox = await findFolder(engine, account.id, values.folder);
    let after: { key: string | number; id: number } | null = null;
    do {
      const page: RequestOutput<'messages.page'> = await call(engine, 'messages.page', {
        mailboxId: mailbox.id,
        sort: sort.data,
        descending: !values.ascending,
        after,
        limit: 500,
      });
      for (const m of page.messages) {
        const row = {
          uid: m.uid,
          uidvalidity: m.uidvalidity,
          flags: m.flags,
          subject: m.subject,
          from: m.from,
          date: m.date,
          sentDate: m.sentDate,
          size: m.size,
          messageId: m.messageId,
          threadId: m.threadId,
        };
        io.stdout(values.json ? `${JSON.stringify(row)}\n` : `${m.uid}\t${m.date.slice(0, 16)}\t${m.from?.address ?? ''}\t${m.subject}\n`);
      }
      after = page.next;
    } while (after);
    return 0;
  }
  if (command === 'show') {
    const account = await findAccount(engine, values.account);
    const mailbox = await findFolder(engine, account.id, values.folder);
    const uid = Number(values.uid);
    if (!Number.isInteger(uid) || uid < 1) throw new UsageError('Give the message with --uid UID');
    const message = await call(engine, 'messages.byUid', { mailboxId: mailbox.id, uid });
    if (!message) throw new TegamiError({ code: 'NOT_FOUND', message: `No message with UID ${uid} in ${mailbox.path} (run sync first?).` });
    if (values.raw) {
      const source = await call(engine, 'messages.source', { id: message.id });
      if (values.json) io.stdout(`${JSON.stringify(source)}\n`);
      else io.stdoutBytes(await io.readFile(source.file));
      return 0;
    }
    const detail = await call(engine, 'messages.get', { id: message.id });
    const part = values.part ?? detail.textPart ?? detail.htmlPart;
    const content = part ? await call(engine, 'messages.part', { id: message.id, part }) : null;
    if (values.json) {
      io.stdout(`${JSON.stringify({ ...detail, content })}\n`);
    } else if (values.part && content?.kind === 'file') {
      io.stdoutBytes(await io.readFile(content.file));
    } else {
      const who = (list: { name: string; address: string }[]) =>
        list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
      const body =
        content === null ? '' : content.kind === 'text' ? content.text : `[${content.contentType}, ${content.size} bytes: ${content.file}]`;
      io.stdout(
        `From: ${who(detail.from)}\nTo: ${who(detail.to)}\nDate: ${detail.summary.sentDate ?? detail.summary.date}\nSubject: ${detail.summary.subject}\n\n${body}\n`,
      );
    }
    return 0;
  }
  if (command === 'search') {
    const account = await findAccount(engine, values.account);
    const query = positionals.slice(1).join(' ');
    if (!query) throw new UsageError('Give something to search for');
    // Without --folder, both searches span the account (the server's: every folder, INBOX first).
    const mailbox = values.folder ? await findFolder(engine, account.id, values.folder) : undefined;
    const scope = mailbox ? { mailboxId: mailbox.id } : {};
    const local = await call(engine, 'search.local', { query, accountId: account.id, ...scope });
    const hits = [...local.hits];
    if (values.server) {
      // Merge: what the server found that the local search did not, marked by source. A server-only
      // hit is keyed by folder and UID: UIDs repeat across folders.
      const key = (h: (typeof hits)[number]) => (h.source === 'local' ? `#${h.message.id}` : `${h.mailboxId}:${h.uid}`);
      const seen = new Set(hits.map(key));
      const remote = await call(engine, 'search.server', { accountId: account.id, ...scope, query });
      for (const h of remote.hits) if (!seen.has(key(h))) hits.push(h);
    }
    // Each hit names its folder by path too: what folders --json prints and show --folder takes.
    // (null only for a folder removed since the search, by a sync in another process.)
    const paths = new Map((await call(engine, 'mailboxes.list', { accountId: account.id })).mailboxes.map((m) => [m.id, m.path]));
    for (const h of hits) {
      const folderId = h.source === 'local' ? h.message.mailboxId : h.mailboxId;
      const folder = paths.get(folderId) ?? null;
      const row =
        h.source === 'local'
          ? {
              source: 'local',
              folderId,
              folder,
              uid: h.message.uid,
              subject: h.message.subject,
              from: h.message.from,
              date: h.message.date,
              messageId: h.message.messageId,
            }
          : {
              source: 'server',
              folderId,
              folder,
              uid: h.uid,
              // What its ENVELOPE said, when the server gave one (not stored yet: no Message-ID, no thread).
              ...(h.preview ? { subject: h.preview.subject, from: h.preview.from, date: h.preview.date, size: h.preview.size } : {}),
            };
      io.stdout(
        values.json
          ? `${JSON.stringify(row)}\n`
          : h.source === 'local'
            ? `${folder ?? '?'}\t${h.message.uid}\t${h.message.date.slice(0, 16)}\t${h.message.subject}\n`
            : `${folder ?? '?'}\t${h.uid}\t${h.preview?.date.slice(0, 16) ?? ''}\t${h.preview?.subject ?? ''} (on the server, not synced yet)\n`,
      );
    }
    return 0;
  }
  const changeResult = (r: { actionId: number }) => {
    io.stdout(values.json ? `${JSON.stringify(r)}\n` : '');
    io.stderr(`Done locally (action ${r.actionId}); the next sync replays it on the server.\n`);
    return 0;
  };
  if (command === 'flag' || command === 'move' || command === 'copy' || command === 'delete') {
    const account = await findAccount(engine, values.account);
    const ids = await messageIds(engine, account.id, values.folder, values.uid);
    if (command === 'flag') {
      const flags = positionals.slice(1);
      if (values.add === values.remove || !flags.length)
        throw new UsageError('flag needs --add or --remove and at least one FLAG (\\Seen, \\Flagged, $Label …)');
      return changeResult(
        await call(engine, 'messages.setFlags', { ids, add: values.add ? flags : [], remove: values.remove ? flags : [] }),
      );
    }
    if (command === 'delete') return changeResult(await call(engine, 'messages.delete', { ids }));
    const target = await findFolder(engine, account.id, values.to);
    return changeResult(await call(engine, command === 'move' ? 'messages.move' : 'messages.copy', { ids, target: target.id }));
  }
  if (command === 'append') {
    const account = await findAccount(engine, values.account);
    const mailbox = await findFolder(engine, account.id, values.folder);
    const file = positionals[1];
    if (!file) throw new UsageError('append needs the message file: append --account N --folder PATH FILE.eml');
    const raw = Buffer.from(await io.readFile(file)).toString('base64');
    const flags = values.flags
      ? values.flags
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean)
      : [];
    return changeResult(await call(engine, 'messages.append', { mailboxId: mailbox.id, raw, flags }));
  }
  if (command === 'folder') {
    const account = await findAccount(engine, values.account);
    if (sub === 'create') {
      if (!values.name) throw new UsageError('folder create needs --name NAME');
      const parent = values.parent ? await findFolder(engine, account.id, values.parent) : null;
      return changeResult(await call(engine, 'folders.create', { accountId: account.id, parentId: parent?.id ?? null, name: values.name }));
    }
    const mailbox = await findFolder(engine, account.id, values.folder);
    if (sub === 'rename') {
      if (!values.name) throw new UsageError('folder rename needs --name NEW');
      return changeResult(await call(engine, 'folders.rename', { mailboxId: mailbox.id, name: values.name }));
    }
    if (sub === 'delete') return changeResult(await call(engine, 'folders.delete', { mailboxId: mailbox.id }));
    if (sub === 'empty') return changeResult(await call(engine, 'folders.empty', { mailboxId: mailbox.id }));
    if (sub === 'subscribe' || sub === 'unsubscribe') {
      return changeResult(await call(engine, 'folders.subscribe', { mailboxId: mailbox.id, subscribed: sub === 'subscribe' }));
    }
    if (sub === 'offline') {
      const wanted = positionals[2];
      if (wanted !== undefined && wanted !== 'on' && wanted !== 'off')
        throw new UsageError(`folder offline takes on or off, not “${wanted}”`);
      const shown =
        wanted === undefined ? mailbox : await call(engine, 'folders.setOffline', { mailboxId: mailbox.id, offline: wanted === 'on' });
      io.stdout(
        values.json
          ? `${JSON.stringify({ path: shown.path, offline: shown.offline })}\n`
          : `${shown.path}: ${shown.offline ? 'kept for offline reading' : 'not kept for offline reading (read from the server)'}\n`,
      );
      return 0;
    }
    throw new UsageError(`Unknown folder command “${sub ?? ''}”`);
  }
  if (command === 'undo') {
    const account = await findAccount(engine, values.account);
    const { undone } = await call(engine, 'ops.undo', { accountId: account.id });
    io.stderr(undone === null ? 'Nothing to undo.\n' : `Undid action ${undone}; the next sync replays it on the server.\n`);
    if (values.json) io.stdout(`${JSON.stringify({ undone })}\n`);
    return 0;
  }
  if (command === 'ops') {
    if (sub === 'retry' || sub === 'discard') {
      const opId = Number(values.id);
      if (!Number.isInteger(opId) || opId < 1) throw new UsageError(`ops ${sub} needs --id OP`);
      if (sub === 'retry') return changeResult(await call(engine, 'ops.retry', { opId }));
      await call(engine, 'ops.discard', { opId });
      return 0;
    }
    const accountId = values.account ? (await findAccount(engine, values.account)).id : undefined;
    for (const op of await call(engine, 'ops.list', accountId === undefined ? {} : { accountId })) {
      io.stdout(
        values.json
          ? `${JSON.stringify(op)}\n`
          : `${op.id}\t${op.state}\t${op.createdAt}\t${op.summary}${op.error ? `\t${op.error.message}` : ''}\n`,
      );
    }
    return 0;
  }
  if (command === 'offline') {
    if (sub !== undefined && sub !== 'on' && sub !== 'off') throw new UsageError('offline takes on, off or nothing');
    const { offline } =
      sub === undefined ? await call(engine, 'sync.offline', {}) : await call(engine, 'sync.setOffline', { offline: sub === 'on' });
    if (values.json) io.stdout(`${JSON.stringify({ offline })}\n`);
    else io.stdout(offline ? 'Working offline\n' : 'Online\n');
    return 0;
  }
  throw new UsageError(`Unknown command “${positionals.join(' ')}”`);
}

/** The message and exit code for a failure. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof UsageError) return { message: `${error.message}\n\n${usage}`, exitCode: 2 };
  if (error instanceof TegamiError) {
    const info: ErrorInfo = error.info;
    let message = info.message;
    if (info.certificate) {
      message += `\n  SHA-256 fingerprint: ${info.certificate.fingerprint256}\n  subject: ${info.certificate.subject}\n  To trust it for this account, add --trust-certificate ${info.certificate.fingerprint256}`;
    }
    if (info.serverText && !message.includes(info.serverText)) message += `\n  server said: ${info.serverText}`;
    if (info.code === 'WORKING_OFFLINE') message += '\n  To go online: npm run cli -- offline off';
    return { message, exitCode: info.code === 'INVALID_INPUT' ? 2 : 1 };
  }
  if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    return { message: `${error.message}\n\n${usage}`, exitCode: 2 };
  }
  return { message: error instanceof Error ? error.message : String(error), exitCode: 1 };
}
