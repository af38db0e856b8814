import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { ParsedInput, RequestName, RequestOutput } from '../../shared/ipc/contract.js';
import type { EventName, EventPayload } from '../../shared/ipc/contract.js';
import { TegamiError } from '../../shared/domain/errors.js';
import type { CredentialStore } from './credentials.js';
import type { MessageStore } from './db/messages.js';
import { publicAccount, type AccountRecord, type Store } from './db/store.js';
import { classifyImapError, openImap } from './imap/connect.js';
import { fetchFolderList } from './imap/folders.js';
import { probeCertificate } from './imap/tls.js';
import { openSession, syncAccountWith, targetOf, type AccountSyncReport } from './sync/account.js';
import type { SyncManager } from './sync/manager.js';
import { DEFAULT_OFFLINE_DAYS, DEFAULT_WHOLE_BELOW, type PartStore } from './db/parts.js';
import type { OpStore } from './db/ops.js';
import type { BacklogScope } from './db/bulk-writer.js';
import type { ImapSession } from './imap/session.js';
import { createOpsService } from './ops/service.js';
import { fetchRemoteImage } from './remote.js';
import { createBodiesService } from './bodies-service.js';
import { afterHeaderPass, evictFolder, evictOutsideWindow, evictWholeFrom } from './sync/bodies.js';
import { UserSessions, type WithSession } from './sync/user-session.js';

/** The engine's surface: one handler per request of the contract (a missing one fails to compile). */
export type Service = { [N in RequestName]: (input: ParsedInput<N>) => Promise<RequestOutput<N>> };

export interface ServiceDeps {
  store: Store;
  messages: MessageStore;
  parts: PartStore;
  ops: OpStore;
  replay: (accountId: number, session: ImapSession) => Promise<void>;
  dataDir: string;
  credentials: CredentialStore;
  sync: SyncManager;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  host: 'electron' | 'web' | 'cli';
  version: string;
  /**
   * Writes the search rows a header pass (migration 12) and, scope 'all', a body prefetch left for
   * later; resolves when none are left.
   */
  indexBacklog?: (scope?: BacklogScope) => Promise<void>;
}

const desktopOnly = () =>
  new TegamiError({
    code: 'INVALID_INPUT',
    message: 'Saving or opening a file is done by the desktop app. In the browser, the file is downloaded instead.',
  });

export function createService(deps: ServiceDeps): Service & { close(): Promise<void> } {
  const { store, messages, credentials, emit } = deps;

  async function passwordOf(account: AccountRecord): Promise<string> {
    const password = await credentials.get(account.id);
    if (password === null) {
      throw new TegamiError({
        code: 'AUTH_FAILED',
        message: `No password is saved for ${account.name}. Remove the account and add it again.`,
      });
    }
    return password;
  }

  /** Refuses what needs the server while the user works offline (sync.setOffline). */
  function online(what: string): void {
    if (deps.sync.offline) throw new TegamiError({ code: 'WORKING_OFFLINE', message: `You are working offline. Go online to ${what}.` });
  }

  // User requests (a clicked part, a server search) run on each account's second connection.
  const userSessions = new UserSessions(store, passwordOf);
  const withSession: WithSession = (accountId, fn) => {
    online('reach the server');
    return userSessions.withSession(accountId, fn);
  };
  const bodies = createBodiesService({ store, parts: deps.parts, withSession, emit, locate: (id) => deps.ops.serverLocation(id) });
  const queue = createOpsService({
    store,
    messages,
    ops: deps.ops,
    parts: deps.parts,
    dataDir: deps.dataDir,
    changed: (accountId, mailboxIds, folders) => {
      // The folders' counts follow the local change at once (the tree's unread badges).
      for (const mailboxId of mailboxIds) if (store.mailboxExists(mailboxId)) messages.recount(mailboxId);
      for (const mailboxId of mailboxIds) emit('messages.changed', { mailboxId, added: [], changed: [], removed: [], reset: false });
      if (folders || mailboxIds.length) emit('mailboxes.changed', { accountId });
      emit('ops.changed', { accountId });
      deps.sync.kick(accountId);
    },
  });

  /** One pass per account at a time: a second request joins the running one. */
  const running = new Map<number, Promise<AccountSyncReport>>();
  function syncOnce(account: AccountRecord): Promise<AccountSyncReport> {
    const current = running.get(account.id);
    if (current) return current;
    const pass = (async () => {
      const onAlert = (message: string) => emit('server.alert', { accountId: account.id, message });
      const session = await openSession(account, await passwordOf(account), { onAlert });
      try {
        const report = await syncAccountWith(session, account, {
          store,
          messages,
          replay: (s) => deps.replay(account.id, s),
          onChanges: (c) => emit('messages.changed', c),
          onFoldersChanged: () => emit('mailboxes.changed', { accountId: account.id }),
          onProgress: (p) => emit('sync.progress', p),
          offlineWindow: () => deps.parts.offlineWindow(account.id),
        });
        // Bodies after headers (DESIGN.md 4.4), on the same connection; the header search rows of
        // the pass are written meanwhile (the writer takes both in turn), the prefetched texts' after
        // it, so a pass ends complete.
        const indexing = deps.indexBacklog?.('headers');
        try {
          await afterHeaderPass(session, deps.parts, account.id);
        } finally {
          await indexing;
        }
        await deps.indexBacklog?.();
        return report;
      } finally {
        await session.logout();
      }
    })().finally(() => running.delete(account.id));
    running.set(account.id, pass);
    return pass;
  }

  /** Lists the folders on the server and stores them; the session ends with LOGOUT. */
  async function refreshFolders(account: AccountRecord, password: string) {
    const client = await openImap(targetOf(account), password, {
      onAlert: (message) => emit('server.alert', { accountId: account.id, message }),
    });
    try {
      const { namespaces, listings } = await fetchFolderList(client);
      store.replaceFolderList(account.id, namespaces, listings, new Date().toISOString());
    } finally {
      await client.logout().catch(() => client.close());
    }
    emit('mailboxes.changed', { accountId: account.id });
  }

  const folderState = (accountId: number) => ({
    mailboxes: store.listMailboxes(accountId),
    namespaces: store.listNamespaces(accountId),
    refreshedAt: store.getFoldersRefreshedAt(accountId),
  });

  const handlers: Service = {
    'app.info': async () => ({ version: deps.version, host: deps.host, platform: os.platform() }),
    'app.storage': async () => ({ bytes: await deps.parts.diskUsage() }),

    'accounts.list': async () => store.listAccounts().map(publicAccount),

    'accounts.add': async (input) => {
      online('add an account: Tegami signs in to it first');
      if (store.findAccountByLogin(input.user, input.host, input.port) !== null) {
        throw new TegamiError({
          code: 'ALREADY_EXISTS',
          message: `An account for ${input.user} on ${input.host}:${input.port} is already set up.`,
        });
      }
      let trustedCertificatePem: string | null = null;
      if (input.trustCertificate) {
        if (input.security === 'none') {
          throw new TegamiError({ code: 'INVALID_INPUT', message: 'A certificate can only be trusted for a TLS or STARTTLS account.' });
        }
        // Fetch the certificate again and pin it only if it is still the one the user saw.
        const probed = await probeCertificate(input.host, input.port, input.security).catch((error: unknown) => {
          throw classifyImapError(error, input);
        });
        if (probed.info.fingerprint256 !== input.trustCertificate) {
          throw new TegamiError({
            code: 'TLS_UNTRUSTED',
            message: `The certificate of ${input.host} changed since you looked at it. Check the new fingerprint before you trust it.`,
            certificate: probed.info,
          });
        }
        trustedCertificatePem = probed.chainPem.join('\n');
      }
      const candidate: AccountRecord = {
        id: 0,
        name: input.name,
        email: input.email,
        user: input.user,
        host: input.host,
        port: input.port,
        security: input.security,
        trustedCertificate: input.trustCertificate ?? null,
        trustedCertificatePem,
        createdAt: '',
        foldersRefreshedAt: null,
        quota: null,
        offlineWindow: DEFAULT_OFFLINE_DAYS,
        wholeBelow: DEFAULT_WHOLE_BELOW,
      };
      // The connection test: log in and list the folders. Nothing is stored unless it succeeds.
      const client = await openImap(targetOf(candidate), input.password, {
        onAlert: (message) => emit('server.alert', { accountId: 0, message }),
      });
      let folders: Awaited<ReturnType<typeof fetchFolderList>>;
      try {
        folders = await fetchFolderList(client);
      } finally {
        await client.logout().catch(() => client.close());
      }
      const account = store.insertAccount(candidate);
      try {
        await credentials.set(account.id, input.password);
      } catch (error) {
        store.deleteAccount(account.id);
        throw new TegamiError(
          {
            code: 'STORAGE',
            message: `The account works, but its password could not be saved in ${credentials.description}: ${(error as Error).message}`,
          },
          { cause: error },
        );
      }
      store.replaceFolderList(account.id, folders.namespaces, folders.listings, new Date().toISOString());
      deps.sync.ensure(account);
      emit('accounts.changed', {});
      emit('mailboxes.changed', { accountId: account.id });
      return publicAccount(account);
    },

    'accounts.setOfflineWindow': async ({ accountId, window }) => {
      store.getAccount(accountId);
      deps.parts.setOfflineWindow(accountId, window);
      // What falls out of a smaller window is freed now (offline too); a larger one is filled by the
      // next pass's body prefetch, asked for here.
      await evictOutsideWindow(deps.parts, accountId, { window });
      deps.sync.kick(accountId);
      emit('accounts.changed', {});
      return publicAccount(store.getAccount(accountId));
    },

    'accounts.setWholeBelow': async ({ accountId, bytes }) => {
      store.getAccount(accountId);
      const lowered = bytes < deps.parts.wholeBelow(accountId);
      deps.parts.setWholeBelow(accountId, bytes);
      // Lowered, the whole copies of mail no longer small enough are freed now (offline too);
      // raised, the mail that now is comes with the next pass's body prefetch, asked for here.
      if (lowered) await evictWholeFrom(deps.parts, accountId, bytes);
      else deps.sync.kick(accountId);
      emit('accounts.changed', {});
      return publicAccount(store.getAccount(accountId));
    },

    'accounts.remove': async ({ accountId }) => {
      store.getAccount(accountId);
      await deps.sync.remove(accountId);
      await userSessions.forget(accountId);
      store.deleteAccount(accountId);
      // Its messages went with it; the part files they had on disk (attachments, sources) go too.
      await deps.parts.sweepOrphanFiles();
      await credentials.delete(accountId);
      emit('accounts.changed', {});
      return { removed: true as const };
    },

    'mailboxes.list': async ({ accountId }) => {
      store.getAccount(accountId);
      return folderState(accountId);
    },

    'mailboxes.refresh': async ({ accountId }) => {
      const account = store.getAccount(accountId);
      online('list the folders on the server');
      await refreshFolders(account, await passwordOf(account));
      return folderState(accountId);
    },

    'sync.run': async ({ accountId }) => {
      const accounts = accountId === undefined ? store.listAccounts() : [store.getAccount(accountId)];
      online('check for mail');
      const reports: AccountSyncReport[] = [];
      for (const account of accounts) {
        reports.push(await syncOnce(account));
        // The server answers again: a background connection waiting out its backoff retries now.
        deps.sync.reachable(account.id);
      }
      emit('accounts.changed', {}); // the quota may have changed
      return { accounts: reports };
    },

    'sync.status': async () => deps.sync.status(),

    'sync.offline': async () => ({ offline: deps.sync.offline }),

    'sync.setOffline': async ({ offline }) => {
      await deps.sync.setOffline(offline);
      // The user connections too: nothing stays connected while offline.
      if (offline) await userSessions.closeAll();
      return { offline: deps.sync.offline };
    },

    'sync.watch': async ({ accountId, path }) => {
      store.getAccount(accountId);
      return { watched: deps.sync.watch(accountId, path) };
    },

    'sync.wake': async () => {
      deps.sync.wake();
      return { woken: deps.sync.status().length };
    },

    'messages.page': async (q) => {
      store.getMailbox(q.mailboxId);
      return messages.page(q);
    },
    'messages.count': async (q) => {
      store.getMailbox(q.mailboxId);
      return { count: messages.count(q) };
    },
    'messages.ids': async (q) => {
      store.getMailbox(q.mailboxId);
      return { ids: messages.ids(q) };
    },
    'messages.cursorAt': async (q) => {
      store.getMailbox(q.mailboxId);
      return messages.cursorAt(q);
    },
    'messages.partData': async ({ id, part }) => {
      const content = await bodies.getPart({ id, part });
      if (content.kind !== 'file' || !content.contentType.startsWith('image/')) {
        throw new TegamiError({ code: 'INVALID_INPUT', message: 'Only image parts can be fetched as data.' });
      }
      if (content.size > 5 * 1024 * 1024)
        throw new TegamiError({ code: 'INVALID_INPUT', message: 'That image is too large to show inline (over 5 MB).' });
      return { contentType: content.contentType, base64: (await readFile(content.file)).toString('base64'), size: content.size };
    },
    'remote.image': async ({ url }) => {
      online('load remote images');
      return fetchRemoteImage(url);
    },
    'messages.byUid': async ({ mailboxId, uid }) => {
      store.getMailbox(mailboxId);
      return messages.byUid(mailboxId, uid);
    },
    'messages.get': (input) => bodies.getMessage(input),
    'messages.part': (input) => bodies.getPart(input),
    'messages.open': (input) => bodies.openMessage(input),
    'messages.source': (input) => bodies.getSource(input),
    'search.local': (input) => bodies.searchLocal(input),
    'search.server': (input) => bodies.searchServer(input),
    // The desktop app's main process answers these itself (electron/main/files.ts): only it can show
    // a save dialog or open a file. Any other host that asks is told how it works there.
    'files.save': async () => {
      throw desktopOnly();
    },
    'files.open': async () => {
      throw desktopOnly();
    },
    'messages.setFlags': async (input) => queue.setFlags(input),
    'messages.move': async (input) => queue.move(input),
    'messages.copy': async (input) => queue.copy(input),
    'messages.delete': async (input) => queue.delete(input),
    'messages.expunge': async (input) => queue.expunge(input),
    'messages.append': (input) => queue.append(input),
    'folders.create': async (input) => queue.createFolder(input),
    'folders.rename': async (input) => queue.renameFolder(input),
    'folders.delete': async (input) => queue.deleteFolder(input),
    'folders.subscribe': async (input) => queue.subscribe(input),
    'folders.setOffline': async ({ mailboxId, offline }) => {
      const mailbox = store.setMailboxOffline(store.getMailbox(mailboxId).id, offline);
      if (offline) deps.sync.kick(mailbox.accountId);
      else await evictFolder(deps.parts, mailboxId);
      emit('mailboxes.changed', { accountId: mailbox.accountId });
      return mailbox;
    },
    'folders.empty': async (input) => queue.emptyFolder(input),
    'ops.list': async (input) => queue.list(input),
    'ops.retry': async (input) => queue.retry(input),
    'ops.discard': async (input) => queue.discard(input),
    'ops.undo': async (input) => queue.undo(input),
  };
  return Object.assign(handlers, { close: () => userSessions.closeAll() });
}
