// imapflow clients for the test Dovecot, one per security mode. Used by the seeding helper and tests.
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { DovecotConnectionInfo, DovecotUser } from './server.js';

/** 'starttls': plain port, STARTTLS required; 'tls': implicit TLS port; 'none': plain port, no TLS. */
export type Security = 'starttls' | 'tls' | 'none';

export function findUser(info: Pick<DovecotConnectionInfo, 'users'>, user: string): DovecotUser {
  const found = info.users.find((u) => u.user === user);
  if (!found) throw new Error(`No test user ${user} (have: ${info.users.map((u) => u.user).join(', ')})`);
  return found;
}

/**
 * What `accounts.add` takes for a test user: implicit TLS, with the server's self-signed certificate
 * trusted, named like the user ("ivan" → "Ivan") unless `name` says otherwise.
 */
export function trustedAccountInput(info: DovecotConnectionInfo, user: string, name?: string) {
  const u = findUser(info, user);
  return {
    name: name ?? user.charAt(0).toUpperCase() + user.slice(1),
    email: u.email,
    user: u.user,
    host: info.host,
    port: info.imapsPort,
    security: 'tls' as const,
    password: u.password,
    trustCertificate: info.certFingerprint256.toUpperCase(),
  };
}

/**
 * Options for one imapflow connection. TLS is verified against the server's own self-signed
 * certificate (ca: certPem; the certificate names IP 127.0.0.1), never with rejectUnauthorized: false.
 */
export function imapOptions(
  info: DovecotConnectionInfo,
  user: string,
  security: Security = 'starttls',
  extra: ImapFlowOptions = {},
): ImapFlowOptions {
  const u = findUser(info, user);
  const base: ImapFlowOptions = {
    host: info.host,
    logger: false,
    auth: { user: u.user, pass: u.password },
    disableAutoIdle: true,
    tls: { ca: [info.certPem] },
  };
  const mode: ImapFlowOptions =
    security === 'tls'
      ? { port: info.imapsPort, secure: true }
      : security === 'starttls'
        ? { port: info.imapPort, secure: false, doSTARTTLS: true }
        : { port: info.imapPort, secure: false, doSTARTTLS: false };
  return { ...base, ...mode, ...extra };
}

/**
 * Connects and logs in. An 'error' listener is attached before connect() (imapflow kills the
 * process on an unhandled 'error'); errors after connect are kept in `errors` of the returned object.
 */
export async function connectImap(
  info: DovecotConnectionInfo,
  user: string,
  security: Security = 'starttls',
  extra: ImapFlowOptions = {},
): Promise<ImapFlow> {
  const client = new ImapFlow(imapOptions(info, user, security, extra));
  client.on('error', () => {
    // Reported by the failing command or by 'close'; the listener only keeps the process alive.
  });
  await client.connect();
  return client;
}

/** Runs `fn` with a logged-in client and logs out afterwards, even when `fn` throws. */
export async function withImap<T>(
  info: DovecotConnectionInfo,
  user: string,
  fn: (client: ImapFlow) => Promise<T>,
  security: Security = 'starttls',
): Promise<T> {
  const client = await connectImap(info, user, security);
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * A folder as the server has it: subject → sorted flags (\Recent left out). A NOOP first collects
 * expunges another session caused, which a FETCH need not report (RFC 3501 7.4.1).
 */
export async function serverFlagsBySubject(client: ImapFlow, folder: string): Promise<Map<string, string[]>> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.noop();
    const out = new Map<string, string[]>();
    for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true }, { uid: true })) {
      out.set(m.envelope?.subject ?? '', [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort());
    }
    return out;
  } finally {
    lock.release();
  }
}
