import { describe, expect, it } from 'vitest';
import { Account, type Quota } from '../../../shared/domain/account.js';
import { openDatabase } from './database.js';
import { publicAccount, Store } from './store.js';

const newAccount = {
  name: 'Work',
  email: 'alice@example.com',
  user: 'alice',
  host: 'imap.example.com',
  port: 993,
  security: 'tls' as const,
  trustedCertificate: null,
  trustedCertificatePem: null,
};

const quota: Quota = {
  root: 'User quota',
  storage: { usedKb: 2048, limitKb: 102400 },
  messages: { used: 12, limit: null },
  at: '2026-11-28T10:00:00.000Z',
};

describe('account quota', () => {
  it('is null until set, then round-trips and is part of the public account', () => {
    const db = openDatabase(':memory:');
    const store = new Store(db);
    const a = store.insertAccount(newAccount);
    expect(store.getAccount(a.id).quota).toBeNull();
    expect(Account.parse(publicAccount(a)).quota).toBeNull();
    store.setQuota(a.id, quota);
    expect(store.getAccount(a.id).quota).toEqual(quota);
    expect(Account.parse(publicAccount(store.getAccount(a.id))).quota).toEqual(quota);
    store.setQuota(a.id, null);
    expect(store.getAccount(a.id).quota).toBeNull();
  });

  it('reads a damaged stored value as unknown instead of breaking the account list', () => {
    const db = openDatabase(':memory:');
    const store = new Store(db);
    const a = store.insertAccount(newAccount);
    db.prepare('UPDATE accounts SET quota = ? WHERE id = ?').run('{not json', a.id);
    expect(store.getAccount(a.id).quota).toBeNull();
    db.prepare('UPDATE accounts SET quota = ? WHERE id = ?').run(JSON.stringify({ root: 1 }), a.id);
    expect(store.listAccounts()[0]?.quota).toBeNull();
  });
});
