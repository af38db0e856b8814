import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { publicAccount, Store, type MailboxListing, type NewAccount } from './store.js';

const account: NewAccount = {
  name: 'Work',
  email: 'alice@example.com',
  user: 'alice',
  host: 'imap.example.com',
  port: 993,
  security: 'tls',
  trustedCertificate: null,
  trustedCertificatePem: null,
};

const listing = (path: string, extra: Partial<MailboxListing> = {}): MailboxListing => ({
  path,
  name: path.split('/').at(-1) ?? path,
  parentPath: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : null,
  delimiter: '/',
  role: null,
  namespace: 'personal',
  subscribed: true,
  selectable: true,
  attributes: [],
  total: 1,
  unread: 0,
  ...extra,
});

describe('Store', () => {
  it('stores an account and never exposes its pinned certificate publicly', () => {
    const store = new Store(openDatabase(':memory:'));
    const a = store.insertAccount({ ...account, trustedCertificate: 'AA:BB', trustedCertificatePem: '-----BEGIN CERTIFICATE-----' });
    expect(store.getAccount(a.id).trustedCertificatePem).toContain('BEGIN');
    expect(publicAccount(a)).not.toHaveProperty('trustedCertificatePem');
    expect(store.findAccountByLogin('alice', 'imap.example.com', 993)).toBe(a.id);
  });

  it('refuses the same login twice', () => {
    const store = new Store(openDatabase(':memory:'));
    store.insertAccount(account);
    expect(() => store.insertAccount(account)).toThrow(/UNIQUE/);
  });

  it('replaces the folder list: updates, adds, and drops folders the server no longer lists', () => {
    const store = new Store(openDatabase(':memory:'));
    const { id } = store.insertAccount(account);
    store.replaceFolderList(
      id,
      [{ kind: 'personal', prefix: '', delimiter: '/' }],
      [listing('INBOX', { role: 'inbox' }), listing('Old'), listing('仕事')],
      't1',
    );
    const first = store.listMailboxes(id);
    const inboxId = first.find((m) => m.path === 'INBOX')?.id;
    store.replaceFolderList(
      id,
      [{ kind: 'personal', prefix: '', delimiter: '/' }],
      [listing('INBOX', { role: 'inbox', unread: 5 }), listing('仕事'), listing('仕事/請求書')],
      't2',
    );
    const second = store.listMailboxes(id);
    expect(second.map((m) => m.path).sort()).toEqual(['INBOX', '仕事', '仕事/請求書']);
    expect(second.find((m) => m.path === 'INBOX')).toMatchObject({ id: inboxId, unread: 5, role: 'inbox' });
    expect(second.find((m) => m.path === '仕事/請求書')?.parentPath).toBe('仕事');
    expect(store.getFoldersRefreshedAt(id)).toBe('t2');
    expect(store.listNamespaces(id)).toEqual([{ kind: 'personal', prefix: '', delimiter: '/' }]);
  });

  it('keeps the last known counts when a listing has none (a folder STATUS could not read)', () => {
    const store = new Store(openDatabase(':memory:'));
    const { id } = store.insertAccount(account);
    store.replaceFolderList(id, [], [listing('INBOX', { total: 10, unread: 3 })], 't1');
    store.replaceFolderList(id, [], [listing('INBOX', { total: null, unread: null })], 't2');
    expect(store.listMailboxes(id)[0]).toMatchObject({ total: 10, unread: 3 });
  });

  it('says plainly when an account does not exist', () => {
    const store = new Store(openDatabase(':memory:'));
    expect(() => store.getAccount(42)).toThrow(/does not exist/);
  });
});
