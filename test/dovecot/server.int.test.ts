// The test server fixture itself: TLS modes, capabilities, namespaces, special-use folders, quota,
// Japanese folder names, and a clean stop. Starts its own Dovecot, not the suite's global one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { connectImap, imapOptions, withImap } from './client.js';
import { connectionInfo, publicFolderPath, startDovecot, type DovecotConnectionInfo, type DovecotServer } from './server.js';

let server: DovecotServer;
let info: DovecotConnectionInfo;

beforeAll(async () => {
  server = await startDovecot({ quotaMb: 50 });
  info = connectionInfo(server);
  await withImap(info, 'alice', async (client) => {
    await client.mailboxCreate('仕事');
    await client.mailboxCreate(['仕事', '請求書']);
    await client.append('仕事/請求書', Buffer.from('Subject: invoice\r\n\r\nhello\r\n'), ['\\Seen']);
  });
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

describe('Dovecot test server', () => {
  it('presents the certificate it reports, with the reported fingerprint', () => {
    const cert = new X509Certificate(info.certPem);
    expect(cert.fingerprint256).toBe(info.certFingerprint256);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
  });

  it('logs in over STARTTLS, verifying the certificate against certPem', async () => {
    await withImap(
      info,
      'alice',
      async (client) => {
        expect(client.secureConnection).toBe(true);
        expect(client.tls && client.tls.authorized).toBe(true);
      },
      'starttls',
    );
  });

  it('logs in over implicit TLS', async () => {
    await withImap(
      info,
      'bob',
      async (client) => {
        expect(client.secureConnection).toBe(true);
        expect(client.port).toBe(info.imapsPort);
      },
      'tls',
    );
  });

  it('allows plaintext login without TLS on loopback', async () => {
    await withImap(
      info,
      'alice',
      async (client) => {
        expect(client.secureConnection).toBe(false);
      },
      'none',
    );
  });

  it('offers the extensions Tegami relies on after login', async () => {
    await withImap(info, 'alice', async (client) => {
      for (const cap of [
        'CONDSTORE',
        'QRESYNC',
        'IDLE',
        'UIDPLUS',
        'MOVE',
        'SPECIAL-USE',
        'QUOTA',
        'NAMESPACE',
        'LIST-STATUS',
        'ACL',
        'ENABLE',
      ]) {
        expect(client.capabilities.has(cap), cap).toBe(true);
      }
    });
  });

  it('rejects a wrong password', async () => {
    const client = new ImapFlow({ ...imapOptions(info, 'alice'), auth: { user: 'alice', pass: 'wrong' } });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    client.close();
  });

  it('does not offer STARTTLS on noStarttlsPort, so a required STARTTLS fails there', async () => {
    const plain = await connectImap(info, 'alice', 'none', { port: info.noStarttlsPort });
    try {
      expect(plain.capabilities.has('STARTTLS')).toBe(false);
    } finally {
      await plain.logout();
    }
    const client = new ImapFlow(imapOptions(info, 'alice', 'starttls', { port: info.noStarttlsPort }));
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow();
    expect(client.authenticated).toBeFalsy();
    client.close();
  });

  it('has the special-use folders, subscribed, with their roles', async () => {
    await withImap(info, 'alice', async (client) => {
      const list = await client.list();
      const role = (path: string): string | undefined => list.find((b) => b.path === path)?.specialUse;
      expect(role('Drafts')).toBe('\\Drafts');
      expect(role('Sent')).toBe('\\Sent');
      expect(role('Trash')).toBe('\\Trash');
      expect(role('Junk')).toBe('\\Junk');
      expect(role('Archive')).toBe('\\Archive');
      for (const path of ['Drafts', 'Sent', 'Trash', 'Junk', 'Archive']) {
        const box = list.find((b) => b.path === path);
        expect(box?.specialUseSource, path).toBe('extension');
        expect(box?.subscribed, path).toBe(true);
      }
    });
  });

  it('reports personal, other-users and shared namespaces with "/" as delimiter', async () => {
    await withImap(info, 'alice', async (client) => {
      expect(client.namespaces?.personal).toEqual([{ prefix: '', delimiter: '/' }]);
      expect(client.namespaces?.other).toEqual([{ prefix: 'Other/', delimiter: '/' }]);
      expect(client.namespaces?.shared).toEqual([{ prefix: 'Public/', delimiter: '/' }]);
    });
  });

  it('shows the public folder with mail to every user, read-only', async () => {
    for (const user of ['alice', 'bob']) {
      await withImap(info, user, async (client) => {
        const status = await client.status(publicFolderPath, { messages: true });
        expect(status && status.messages).toBe(3);
        expect(await client.append(publicFolderPath, Buffer.from('Subject: x\r\n\r\nx\r\n')).catch(() => false)).toBe(false);
      });
    }
  });

  it('round-trips Japanese folder names (modified UTF-7 on the wire)', async () => {
    await withImap(info, 'alice', async (client) => {
      const list = await client.list();
      const work = list.find((b) => b.path === '仕事');
      const invoices = list.find((b) => b.path === '仕事/請求書');
      expect(work?.pathAsListed).toBe('&TtVOiw-');
      expect(invoices?.pathAsListed).toBe('&TtVOiw-/&istsQmb4-');
      expect(invoices?.parentPath).toBe('仕事');
      const status = await client.status('仕事/請求書', { messages: true });
      expect(status && status.messages).toBe(1);
    });
  });

  it('reports the quota', async () => {
    await withImap(info, 'alice', async (client) => {
      const quota = await client.getQuota('INBOX');
      expect(quota).not.toBe(false);
      if (!quota) return;
      expect(quota.storage?.limit).toBe(50 * 1024 * 1024);
      expect(quota.storage?.usage).toBeGreaterThan(0);
    });
  });

  it('adds users at runtime', async () => {
    const carol = await server.addUser('carol');
    const client = await connectImap(connectionInfo(server), carol.user);
    expect(client.authenticated).toBeTruthy();
    await client.logout();
  });

  it('stop() leaves no Dovecot process and removes the directory', async () => {
    const own = await startDovecot({ users: ['dave'] });
    const client = await connectImap(connectionInfo(own), 'dave');
    await client.mailboxOpen('INBOX');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await own.stop();
    await closed;
    expect(() => process.kill(own.pid, 0)).toThrow();
    // No process of the instance runs any more. (Not kill(-pgid, 0): on a machine whose init does
    // not reap orphans, an exited child can linger as a zombie in the group, which is not running.)
    expect(pgrep(own.dir)).toBe('');
    expect(existsSync(own.dir)).toBe(false);
  }, 20_000);
});

function pgrep(pattern: string): string {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // exit status 1: no process matched
  }
}
