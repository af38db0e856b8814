// A private engine store (temp dir, SQLite, an account for a test user of the fixture Dovecot, its
// certificate pinned) for integration tests that drive the sync engine's pieces directly.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../electron/engine/db/database.js';
import { MessageStore } from '../electron/engine/db/messages.js';
import { Store, type AccountRecord } from '../electron/engine/db/store.js';
import { findUser } from './dovecot/client.js';
import type { DovecotConnectionInfo } from './dovecot/server.js';

export interface TestStore {
  dir: string;
  db: Db;
  store: Store;
  messages: MessageStore;
  account: AccountRecord;
  close(): void;
}

export function openTestStore(server: DovecotConnectionInfo, user: string, security: 'starttls' | 'tls' = 'starttls'): TestStore {
  const u = findUser(server, user);
  const dir = mkdtempSync(path.join(os.tmpdir(), `tegami-${user}-`));
  const db = openDatabase(path.join(dir, 'tegami.db'));
  const store = new Store(db);
  const account = store.insertAccount({
    name: user[0]!.toUpperCase() + user.slice(1),
    email: u.email,
    user: u.user,
    host: server.host,
    port: security === 'tls' ? server.imapsPort : server.imapPort,
    security,
    trustedCertificate: server.certFingerprint256,
    trustedCertificatePem: server.certPem,
  });
  return {
    dir,
    db,
    store,
    messages: new MessageStore(db),
    account,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
