// What every benchmark needs: a private Dovecot filled with bulk mail, a fresh Tegami store with an
// account for it, the bare imapflow fetch (the lower bound), a timer and an optional CPU profile.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, type Db } from '../../electron/engine/db/database.js';
import { BACKLOG_CHUNK, bulkStores, openBulkWriter, type BacklogScope } from '../../electron/engine/db/bulk-writer.js';
import { MessageStore } from '../../electron/engine/db/messages.js';
import { PartStore, type OfflineWindow } from '../../electron/engine/db/parts.js';
import { Store, type AccountRecord } from '../../electron/engine/db/store.js';
import { syncAccount, type AccountSyncDeps, type AccountSyncReport } from '../../electron/engine/sync/account.js';
import { connectImap, findUser } from '../../test/dovecot/client.js';
import { connectionInfo, startDovecot, type DovecotConnectionInfo, type DovecotServer } from '../../test/dovecot/server.js';
import { seedBulk } from '../../test/seed/seed.js';

export const USER = 'alice';

export const log = (...parts: unknown[]): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${parts.map(String).join(' ')}\n`);
};

/** Starts a private Dovecot with room for `messages` bulk messages (~1.1 KB each). */
export async function startServer(messages: number): Promise<DovecotServer> {
  return startDovecot({ users: [USER], quotaMb: 100 + Math.ceil((messages * 4096) / 1024 ** 2) });
}

/** Fills `folder` with `count` synthetic messages (seedBulk: varied senders, subjects in English and Japanese, threads, flags). */
export async function seed(server: DovecotServer, folder: string, count: number, seedValue = 1): Promise<number> {
  const t = performance.now();
  await seedBulk(server, USER, folder, count, { seed: seedValue });
  return (performance.now() - t) / 1000;
}

/** A throw-away directory on the real disk (not tmpfs: a user's store lives on a disk). */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tegami-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TegamiStore {
  db: Db;
  store: Store;
  messages: MessageStore;
  parts: PartStore;
  account: AccountRecord;
  password: string;
  file: string;
  /** Writes the search rows the header passes (migration 12) and, scope 'all', the body prefetch left for later, as the engine does. */
  indexBacklog(scope?: BacklogScope): Promise<void>;
  close(): Promise<void>;
}

/** The stores over `db`, their bulk writes going through a worker thread's writer, as the engine's do. */
async function storesOver(db: Db, file: string): Promise<Pick<TegamiStore, 'messages' | 'parts' | 'indexBacklog' | 'close'>> {
  const messages = new MessageStore(db);
  const parts = new PartStore(db, path.dirname(file));
  const bulk = await openBulkWriter(file, bulkStores(db, messages, parts), {
    onFallback: (error) => log(`bulk writer: no worker thread (${error.message})`),
  });
  messages.writer = bulk;
  parts.writer = bulk;
  const indexBacklog = async (scope: BacklogScope = 'all') => {
    while ((await bulk.backfillIndex(BACKLOG_CHUNK, scope)) > 0);
  };
  const close = async () => {
    await bulk.close();
    db.close();
  };
  return { messages, parts, indexBacklog, close };
}

/** A fresh store (migrations applied) with one account for the fixture's user over implicit TLS, its certificate pinned. */
export async function freshStore(info: DovecotConnectionInfo, file: string): Promise<TegamiStore> {
  const db = openDatabase(file);
  const store = new Store(db);
  const user = findUser(info, USER);
  const account = store.insertAccount({
    name: 'Bench',
    email: user.email,
    user: user.user,
    host: info.host,
    port: info.imapsPort,
    security: 'tls',
    trustedCertificate: info.certFingerprint256,
    trustedCertificatePem: info.certPem,
  });
  return { db, store, account, password: user.password, file, ...(await storesOver(db, file)) };
}

/** Opens an existing bench store (one written by freshStore, e.g. by the memory child). */
export async function reopenStore(info: DovecotConnectionInfo, file: string): Promise<TegamiStore> {
  const db = openDatabase(file);
  const store = new Store(db);
  const account = store.listAccounts()[0];
  if (!account) throw new Error(`${file} has no account`);
  return { db, store, account, password: findUser(info, USER).password, file, ...(await storesOver(db, file)) };
}

/** One account pass, as the engine runs it; with `offlineWindow`, the mail in it is mirrored whole (sync/mirror.ts). */
export function tegamiSync(
  s: TegamiStore,
  extensions: 'all' | 'condstore' | 'none' = 'all',
  onProgress?: AccountSyncDeps['onProgress'],
  offlineWindow?: OfflineWindow,
): Promise<AccountSyncReport> {
  return syncAccount(s.account, s.password, {
    store: s.store,
    messages: s.messages,
    extensions,
    ...(onProgress ? { onProgress } : {}),
    ...(offlineWindow === undefined ? {} : { offlineWindow: () => offlineWindow }),
  });
}

export const addedIn = (r: AccountSyncReport): number => r.mailboxes.reduce((n, m) => n + m.added, 0);

/** The lower bound: one ImapFlow over the same transport, one FETCH 1:* of the fields header sync asks for, counting, storing nothing. */
export async function bareHeaderFetch(info: DovecotConnectionInfo, folder: string): Promise<{ count: number; seconds: number }> {
  const t = performance.now();
  const client = await connectImap(info, USER, 'tls');
  let count = 0;
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      for await (const m of client.fetch('1:*', {
        uid: true,
        flags: true,
        envelope: true,
        internalDate: true,
        size: true,
        bodyStructure: true,
        headers: ['references'],
      })) {
        if (m.uid > 0) count++;
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return { count, seconds: (performance.now() - t) / 1000 };
}

/** The same, fetching whole messages (BODY.PEEK[]): the lower bound of a full mirror. */
export async function bareSourceFetch(
  info: DovecotConnectionInfo,
  folder: string,
): Promise<{ count: number; bytes: number; seconds: number }> {
  const t = performance.now();
  const client = await connectImap(info, USER, 'tls');
  let count = 0;
  let bytes = 0;
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      for await (const m of client.fetch('1:*', { uid: true, flags: true, internalDate: true, source: true })) {
        count++;
        bytes += m.source?.length ?? 0;
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return { count, bytes, seconds: (performance.now() - t) / 1000 };
}

/**
 * mbsync's own work done with imapflow: one FETCH 1:* BODY.PEEK[] (with UID, FLAGS, INTERNALDATE, as
 * mbsync asks), each message written to its own file in `dir` as it arrives (Maildir names, no fsync
 * as the mbsync configuration says), no parse and no database: how far imapflow alone stands from
 * mbsync, the full mirror's reference.
 */
export async function bareMaildirFetch(
  info: DovecotConnectionInfo,
  folder: string,
  dir: string,
): Promise<{ count: number; seconds: number; cpuSeconds: number }> {
  const sub = path.join(dir, 'new');
  mkdirSync(sub, { recursive: true });
  const result = await timed(async () => {
    const client = await connectImap(info, USER, 'tls');
    let count = 0;
    try {
      const lock = await client.getMailboxLock(folder);
      try {
        const stamp = Math.floor(Date.now() / 1000);
        for await (const m of client.fetch('1:*', { uid: true, flags: true, internalDate: true, source: true })) {
          if (!m.source) continue;
          writeFileSync(path.join(sub, `${stamp}.${count}_${process.pid}.bench,U=${m.uid}`), m.source);
          count++;
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    return count;
  });
  return { count: result.value, seconds: result.seconds, cpuSeconds: result.cpuSeconds };
}

/** Wall time of `fn` in seconds, with this process's CPU time (user + system) over the same span. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  return { value, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

export { connectionInfo };
