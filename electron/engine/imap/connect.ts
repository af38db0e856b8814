import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { Security } from '../../../shared/domain/account.js';
import { TegamiError } from '../../../shared/domain/errors.js';
import { isUntrustedCertificateCode, pinnedTlsOptions, probeCertificate, serverName } from './tls.js';

/** Where and how to reach an account's server. */
export interface ImapTarget {
  host: string;
  port: number;
  security: Security;
  user: string;
  trustedCertificate: string | null;
  trustedCertificatePem: string | null;
}

/**
 * How long to wait for the server's greeting once connected, well short of connectionTimeout. The
 * server speaks first (RFC 3501 2.2) and does so at once; one that stays silent is most often an
 * implicit-TLS port (RFC 8314, 993) reached without TLS, waiting for a handshake that never comes.
 */
const GREETING_TIMEOUT_MS = 5_000;

export interface OpenOptions {
  /** Server ALERTs (RFC 3501 7.1) are for the user: they go to the UI. */
  onAlert?: (message: string) => void;
  /** Called once if the connection fails after connect() resolved (imapflow emits it at most once). */
  onError?: (error: TegamiError) => void;
  connectionTimeoutMs?: number;
  /**
   * Which sync extensions to use: all the server offers (the default), CONDSTORE without QRESYNC,
   * or none (ENABLE not sent). The lower rungs of the sync ladder are tested through this.
   */
  extensions?: 'all' | 'condstore' | 'none';
}

export function imapOptions(target: ImapTarget, password: string, opts: OpenOptions = {}): ImapFlowOptions {
  const sni = serverName(target.host);
  return {
    host: target.host,
    port: target.port,
    // RFC 8314: implicit TLS, or STARTTLS *required*: imapflow's default (doSTARTTLS unset) would
    // silently continue in cleartext when the server does not offer it.
    secure: target.security === 'tls',
    doSTARTTLS: target.security === 'starttls' ? true : target.security === 'tls' ? undefined : false,
    ...(sni ? { servername: sni } : {}),
    auth: { user: target.user, pass: password },
    tls: { minVersion: 'TLSv1.2', ...pinnedTlsOptions(target.trustedCertificate, target.trustedCertificatePem) },
    logger: false,
    disableAutoIdle: true,
    qresync: (opts.extensions ?? 'all') === 'all',
    disableAutoEnable: opts.extensions === 'none',
    connectionTimeout: opts.connectionTimeoutMs ?? 20_000,
    greetingTimeout: GREETING_TIMEOUT_MS,
    clientInfo: { name: 'Tegami' },
  };
}

/**
 * Opens one authenticated IMAP session. imapflow instances are single use: a new one is built for
 * every connection, and the error listener is attached before connect() so a late error can never
 * kill the process.
 */
/**
 * imapflow's high-level commands (MOVE, COPY, STORE …) answer `false` on NO/BAD and only log the
 * error; this silent logger keeps the last one per connection, so callers can tell the user the
 * server's words and see codes like TRYCREATE or OVERQUOTA. Nothing is printed.
 */
const lastErrors = new WeakMap<ImapFlow, unknown>();
export const lastCommandError = (client: ImapFlow): unknown => lastErrors.get(client);
export const clearCommandError = (client: ImapFlow): void => void lastErrors.delete(client);

export async function openImap(target: ImapTarget, password: string, opts: OpenOptions = {}): Promise<ImapFlow> {
  const holder: { client?: ImapFlow } = {};
  const keep = (entry: unknown) => {
    const err = (entry as { err?: { responseStatus?: unknown } } | undefined)?.err;
    if (holder.client && err && err.responseStatus) lastErrors.set(holder.client, err);
  };
  const quiet = () => undefined;
  // isLevelEnabled (read by imapflow, not in its Logger type): without it imapflow serialises every
  // response line (each FETCH of a header sync) for a trace/debug call that discards it.
  const logger = {
    debug: quiet,
    info: quiet,
    trace: quiet,
    warn: keep,
    error: keep,
    isLevelEnabled: (l: string) => l === 'warn' || l === 'error',
  };
  const client = new ImapFlow({
    ...imapOptions(target, password, opts),
    logger,
  });
  holder.client = client;
  let connected = false;
  client.on('error', (error: Error) => {
    if (connected) opts.onError?.(classifyImapError(error, target));
  });
  client.on('alert', (alert) => opts.onAlert?.(alert.message));
  try {
    await client.connect();
    connected = true;
    return client;
  } catch (error) {
    client.close();
    throw await explainConnectError(error, target);
  }
}

/** Like classifyImapError, and for an untrusted certificate fetches it so the user can judge it. */
export async function explainConnectError(error: unknown, target: ImapTarget): Promise<TegamiError> {
  const classified = classifyImapError(error, target);
  if (classified.code !== 'TLS_UNTRUSTED' || target.security === 'none') return classified;
  try {
    const probed = await probeCertificate(target.host, target.port, target.security);
    return new TegamiError(
      {
        code: 'TLS_UNTRUSTED',
        message: `The certificate of ${target.host} is not trusted: ${probed.info.reason}. Check its SHA-256 fingerprint with your mail provider before you trust it.`,
        certificate: probed.info,
      },
      { cause: error },
    );
  } catch {
    return classified;
  }
}

const errorCodes = (error: unknown): string[] => {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
};

/**
 * A response text as a person should read it: without the timing Dovecot appends to tagged
 * responses ("Mailbox doesn't exist: X (0.001 + 0.000 secs)."). Undefined when there is none.
 */
export function serverWords(text: string | undefined): string | undefined {
  const words = text?.replace(/\s*\(\d+\.\d+(?:\s*\+\s*\d+\.\d+)*\s+secs\)\.?\s*$/, '').trim();
  return words ? words : undefined;
}

/** Maps what imapflow, Node's sockets, TLS and DNS throw to a code and a sentence for a person. */
export function classifyImapError(
  error: unknown,
  target: Pick<ImapTarget, 'host' | 'port' | 'user'> & Partial<Pick<ImapTarget, 'security'>>,
  /** The folder the command was about, for errors that name it when imapflow's does not. */
  path?: string,
): TegamiError {
  if (error instanceof TegamiError) return error;
  const e = (error ?? {}) as {
    message?: string;
    authenticationFailed?: boolean;
    tlsFailed?: boolean;
    responseStatus?: string;
    responseText?: string;
    serverResponseCode?: string;
    mailboxMissing?: boolean;
    path?: string;
  };
  const codes = errorCodes(error);
  const where = `${target.host}:${target.port}`;
  const responseText = serverWords(e.responseText);
  const serverText = responseText ? { serverText: responseText } : {};
  const make = (code: TegamiError['code'], message: string) => new TegamiError({ code, message, ...serverText }, { cause: error });

  if (e.mailboxMissing) {
    const folder = e.path ?? path;
    return make(
      'NOT_FOUND',
      folder ? `The folder “${folder}” no longer exists on the server.` : 'The folder no longer exists on the server.',
    );
  }
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return make('AUTH_FAILED', `The server refused the user name or password for “${target.user}”. Check them and try again.`);
  }
  if (codes.some(isUntrustedCertificateCode)) {
    return make('TLS_UNTRUSTED', `The certificate of ${target.host} is not trusted by this system.`);
  }
  if (codes.includes('ECONNREFUSED')) {
    return make('CONNECTION_REFUSED', `Nothing answers at ${where}. Check the server name and port, and that the server is running.`);
  }
  if (codes.some((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_NONAME')) {
    return make('HOST_NOT_FOUND', `The server “${target.host}” could not be found. Check its name and your network connection.`);
  }
  if (codes.includes('GREETING_TIMEOUT') && (target.security === 'starttls' || target.security === 'none')) {
    return make(
      'NO_GREETING',
      `The server at ${where} sent no IMAP greeting. This port may expect implicit TLS: choose TLS (usually port 993).`,
    );
  }
  if (codes.some((c) => /TIMEOUT|ETIMEDOUT/.test(c))) {
    return make('TIMEOUT', `${where} did not answer in time. Check the port and your network connection.`);
  }
  if (e.tlsFailed && /STARTTLS/i.test(e.message ?? '')) {
    return make(
      'STARTTLS_UNAVAILABLE',
      `${target.host} does not offer STARTTLS on port ${target.port}, so the password cannot be sent safely. Try the TLS security setting (usually port 993).`,
    );
  }
  if (e.tlsFailed || codes.some((c) => c.startsWith('ERR_SSL') || c.startsWith('ERR_TLS') || c === 'EPROTO')) {
    return make(
      'TLS_FAILED',
      `Could not set up an encrypted connection with ${where}. If this port expects STARTTLS (usually 143), choose STARTTLS; for port 993 choose TLS.`,
    );
  }
  if (
    codes.some((c) =>
      [
        'ECONNRESET',
        'EPIPE',
        'EHOSTUNREACH',
        'ENETUNREACH',
        'EConnectionClosed',
        'NoConnection',
        'ClosedAfterConnectText',
        'ClosedAfterConnectTLS',
      ].includes(c),
    )
  ) {
    return make('NETWORK', `The connection to ${where} was lost. Check your network connection; Tegami will try again.`);
  }
  if (e.responseStatus === 'NO' || e.responseStatus === 'BAD') {
    return make('SERVER_ERROR', `The server refused the request${responseText ? `: ${responseText}` : '.'}`);
  }
  return make('NETWORK', `Could not talk to ${where}: ${e.message ?? String(error)}`);
}
