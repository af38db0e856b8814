// A local store for engine unit tests that need no server: an account with personal folders, and
// header records as header sync would hand them to MessageStore.
import type { Db } from '../electron/engine/db/database.js';
import type { HeaderRecord } from '../electron/engine/db/messages.js';
import { Store } from '../electron/engine/db/store.js';

/** One account ('a', no server) with the given personal folders; their ids by path. */
export function seedAccount(
  db: Db,
  folders: readonly string[] = ['INBOX'],
): { store: Store; accountId: number; mailbox: Record<string, number> } {
  const store = new Store(db);
  const accountId = store.insertAccount({
    name: 'A',
    email: 'a@example.com',
    user: 'a',
    host: 'h',
    port: 993,
    security: 'tls',
    trustedCertificate: null,
    trustedCertificatePem: null,
  }).id;
  const listings = folders.map((p) => ({
    path: p,
    name: p,
    parentPath: null,
    delimiter: '/',
    role: p === 'INBOX' ? ('inbox' as const) : null,
    namespace: 'personal' as const,
    subscribed: true,
    selectable: true,
    attributes: [],
    total: null,
    unread: null,
  }));
  store.replaceFolderList(accountId, [], listings, new Date().toISOString());
  const mailbox = Object.fromEntries(store.listMailboxes(accountId).map((m) => [m.path, m.id]));
  return { store, accountId, mailbox };
}

/** A plain one-part message's header record; `overrides` replace any field. */
export const headerRecord = (uid: number, overrides: Partial<HeaderRecord> = {}): HeaderRecord => ({
  uid,
  modseq: null,
  flags: [],
  internalDate: Date.UTC(2026, 0, 1) + uid * 60_000,
  sentDate: null,
  size: 1000,
  subject: `Message ${uid}`,
  from: { name: '', address: `s${uid}@example.com` },
  to: [],
  cc: [],
  bcc: [],
  replyTo: [],
  messageId: `<m${uid}@example.com>`,
  inReplyTo: null,
  references: [],
  bodystructure: JSON.stringify({ type: 'text/plain', parameters: { charset: 'utf-8' }, size: 100 }),
  attachments: [],
  ...overrides,
});
