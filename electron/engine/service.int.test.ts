import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { AccountInput } from '../../shared/domain/account.js';
import { MemoryCredentialStore } from './credentials.js';
import { openDatabase } from './db/database.js';
import { openEngine } from './index.js';

const server = inject('dovecot');
const alice = server.users.find((u) => u.user === 'alice') ?? server.users[0]!;

const dirs: string[] = [];
async function engine() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-int-'));
  dirs.push(dataDir);
  const credentials = new MemoryCredentialStore();
  const e = await openEngine({ dataDir, host: 'cli', credentials, version: 'test' });
  const events: string[] = [];
  e.onEvent((name) => events.push(name));
  return { e, credentials, events, dataDir };
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const input = (over: Partial<AccountInput> = {}): AccountInput => ({
  name: 'Alice',
  email: alice.email,
  user: alice.user,
  host: server.host,
  port: server.imapsPort,
  security: 'tls',
  password: alice.password,
  ...over,
});

describe('accounts.add against the real Dovecot', () => {
  it('refuses the self-signed certificate with its SHA-256 fingerprint, and stores nothing', async () => {
    const { e, credentials } = await engine();
    const result = await e.invoke('accounts.add', input());
    expect(result).toMatchObject({ ok: false, error: { code: 'TLS_UNTRUSTED' } });
    expect(!result.ok && result.error.certificate?.fingerprint256).toBe(server.certFingerprint256);
    expect(!result.ok && result.error.message).toMatch(/not trusted: it is self-signed/);
    expect(await e.invoke('accounts.list', {})).toEqual({ ok: true, value: [] });
    expect(await credentials.get(1)).toBeNull();
    await e.close();
  });

  it('shows the certificate over STARTTLS too', async () => {
    const { e } = await engine();
    const result = await e.invoke('accounts.add', input({ port: server.imapPort, security: 'starttls' }));
    expect(!result.ok && result.error.certificate?.fingerprint256).toBe(server.certFingerprint256);
    await e.close();
  });

  it('adds the account once the user trusts that certificate, and stores the folder tree', async () => {
    const { e, credentials, events } = await engine();
    const result = await e.invoke('accounts.add', input({ trustCertificate: server.certFingerprint256 }));
    expect(result).toMatchObject({ ok: true, value: { name: 'Alice', trustedCertificate: server.certFingerprint256 } });
    if (!result.ok) return;
    const account = result.value as { id: number };
    expect(await credentials.get(account.id)).toBe(alice.password);
    expect(events).toEqual(['accounts.changed', 'mailboxes.changed']);

    const folders = await e.invoke('mailboxes.list', { accountId: account.id });
    if (!folders.ok) throw new Error(folders.error.message);
    const { mailboxes, namespaces } = folders.value as {
      mailboxes: { path: string; role: string | null; namespace: string; parentPath: string | null; selectable: boolean }[];
      namespaces: { kind: string }[];
    };
    const byPath = new Map(mailboxes.map((m) => [m.path, m]));
    expect(byPath.get('INBOX')).toMatchObject({ role: 'inbox', namespace: 'personal' });
    for (const role of ['drafts', 'sent', 'trash', 'junk', 'archive']) expect(mailboxes.some((m) => m.role === role)).toBe(true);
    // Japanese names arrive decoded from modified UTF-7.
    expect(byPath.get('仕事')).toMatchObject({ namespace: 'personal' });
    expect(byPath.get('仕事/請求書')).toMatchObject({ parentPath: '仕事' });
    expect(namespaces.map((n) => n.kind)).toEqual(expect.arrayContaining(['personal', 'other', 'shared']));
    expect(mailboxes.some((m) => m.namespace === 'shared' && m.selectable)).toBe(true);
    expect(mailboxes.some((m) => m.namespace === 'other' && m.selectable)).toBe(true);
    await e.close();
  });

  it('refuses a pinned fingerprint that does not match the server any more', async () => {
    const { e } = await engine();
    const wrong = server.certFingerprint256.replace(/^../, server.certFingerprint256.startsWith('00') ? '11' : '00');
    const result = await e.invoke('accounts.add', input({ trustCertificate: wrong }));
    expect(result).toMatchObject({ ok: false, error: { code: 'TLS_UNTRUSTED' } });
    expect(!result.ok && result.error.message).toMatch(/changed since you looked/);
    await e.close();
  });

  it('says the password is wrong, and stores nothing', async () => {
    const { e } = await engine();
    const result = await e.invoke('accounts.add', input({ trustCertificate: server.certFingerprint256, password: 'not-the-password' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(await e.invoke('accounts.list', {})).toEqual({ ok: true, value: [] });
    await e.close();
  });

  it('says nothing answers on a closed port', async () => {
    const { e } = await engine();
    const closed = await (await import('node:net')).createServer().listen(0, '127.0.0.1');
    await new Promise((r) => closed.once('listening', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const result = await e.invoke('accounts.add', input({ port }));
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECTION_REFUSED' } });
    expect(!result.ok && result.error.message).toContain(`127.0.0.1:${port}`);
    await e.close();
  });

  it('refuses STARTTLS when the server does not offer it, instead of sending the password in clear', async () => {
    const { e } = await engine();
    const result = await e.invoke('accounts.add', input({ port: server.noStarttlsPort, security: 'starttls' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'STARTTLS_UNAVAILABLE' } });
    await e.close();
  });

  it('explains a TLS handshake against a cleartext port: choose STARTTLS there, TLS on 993', async () => {
    const { e } = await engine();
    for (const port of [server.imapPort, server.noStarttlsPort]) {
      const result = await e.invoke('accounts.add', input({ port, security: 'tls' }));
      expect(result).toMatchObject({ ok: false, error: { code: 'TLS_FAILED' } });
      expect(!result.ok && result.error.message).toBe(
        `Could not set up an encrypted connection with 127.0.0.1:${port}. If this port expects STARTTLS (usually 143), choose STARTTLS; for port 993 choose TLS.`,
      );
    }
    await e.close();
  });

  it('says within seconds that an implicit-TLS port sent no greeting, when STARTTLS or no security was chosen', async () => {
    const { e } = await engine();
    await Promise.all(
      (['starttls', 'none'] as const).map(async (security) => {
        const started = Date.now();
        const result = await e.invoke('accounts.add', input({ port: server.imapsPort, security }));
        // The greeting timeout (5 s), not imapflow's 16 s nor the 20 s connection timeout.
        expect(Date.now() - started, security).toBeLessThan(10_000);
        expect(result, security).toMatchObject({ ok: false, error: { code: 'NO_GREETING' } });
        expect(!result.ok && result.error.message, security).toBe(
          `The server at 127.0.0.1:${server.imapsPort} sent no IMAP greeting. This port may expect implicit TLS: choose TLS (usually port 993).`,
        );
      }),
    );
    expect(await e.invoke('accounts.list', {})).toEqual({ ok: true, value: [] });
    await e.close();
  });

  it('refuses the same account twice, and removes an account with its password and its cached files', async () => {
    const { e, credentials, dataDir } = await engine();
    const first = await e.invoke('accounts.add', input({ trustCertificate: server.certFingerprint256 }));
    if (!first.ok) throw new Error(first.error.message);
    const id = (first.value as { id: number }).id;
    expect(await e.invoke('accounts.add', input({ trustCertificate: server.certFingerprint256 }))).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_EXISTS' },
    });
    // A message's source cached on disk, as "view source" or an attachment leaves it.
    await e.invoke('sync.run', { accountId: id });
    const inbox = (
      (await e.invoke('mailboxes.list', { accountId: id })) as { ok: true; value: { mailboxes: { id: number; path: string }[] } }
    ).value.mailboxes.find((m) => m.path === 'INBOX');
    const page = (await e.invoke('messages.page', { mailboxId: inbox?.id, limit: 1 })) as {
      ok: true;
      value: { messages: { id: number }[] };
    };
    const messageId = page.value.messages[0]?.id;
    expect(await e.invoke('messages.source', { id: messageId })).toMatchObject({ ok: true });
    expect(readdirSync(path.join(dataDir, 'parts'))).toContain(String(messageId));

    expect(await e.invoke('accounts.remove', { accountId: id })).toEqual({ ok: true, value: { removed: true } });
    expect(readdirSync(path.join(dataDir, 'parts'))).not.toContain(String(messageId));
    expect(await credentials.get(id)).toBeNull();
    expect(await e.invoke('mailboxes.list', { accountId: id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await e.close();
  });

  it('refreshes the folder list from the server', async () => {
    const { e } = await engine();
    const added = await e.invoke('accounts.add', input({ trustCertificate: server.certFingerprint256 }));
    if (!added.ok) throw new Error(added.error.message);
    const id = (added.value as { id: number }).id;
    const refreshed = await e.invoke('mailboxes.refresh', { accountId: id });
    expect(refreshed).toMatchObject({ ok: true });
    expect(refreshed.ok && (refreshed.value as { refreshedAt: string | null }).refreshedAt).toBeTruthy();
    await e.close();
  });
});

describe('background sync', () => {
  it('writes the header search rows of its pass once the sync connection is idle', async () => {
    const { e } = await engine();
    const states: string[] = [];
    e.onEvent((name, payload) => {
      if (name === 'sync.state') states.push((payload as { state: string }).state);
    });
    const added = await e.invoke('accounts.add', input({ trustCertificate: server.certFingerprint256 }));
    if (!added.ok) throw new Error(added.error.message);
    const dataDir = dirs.at(-1) as string;
    const db = openDatabase(path.join(dataDir, 'tegami.db'));
    try {
      const count = (sql: string) => db.prepare(sql).pluck().get() as number;
      e.startBackgroundSync?.();
      await expect.poll(() => states.includes('idle'), { timeout: 20_000 }).toBe(true);
      expect(count('SELECT count(*) FROM messages')).toBeGreaterThan(0);
      // The pass left its rows for after it (migration 12); idle, the engine writes them.
      await expect.poll(() => count('SELECT count(*) FROM header_backfill'), { timeout: 10_000 }).toBe(0);
      expect(count('SELECT count(*) FROM message_search')).toBe(count('SELECT count(*) FROM messages'));
      const hits = await e.invoke('search.local', { query: '会議', limit: 50 });
      expect(hits.ok && (hits.value as { hits: unknown[] }).hits.length).toBeGreaterThan(0);
    } finally {
      db.close();
      await e.close();
    }
  });
});
