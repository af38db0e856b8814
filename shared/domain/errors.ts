import { z } from 'zod';
import { CertificateInfo } from './account.js';

/**
 * Every failure the engine reports has one of these codes and a message written for a person.
 * Exceptions' own details do not survive IPC, and stack traces never reach the user.
 */
export const ErrorCode = z.enum([
  'INVALID_INPUT', // the request did not match the contract
  'AUTH_FAILED', // the server refused the user name or password
  'CONNECTION_REFUSED', // nothing listens on that host and port
  'HOST_NOT_FOUND', // DNS could not resolve the host
  'TIMEOUT', // the server did not answer in time
  'NETWORK', // the connection broke for another reason
  'OFFLINE', // what was asked for needs the server, which cannot be reached now (a body not cached yet)
  'WORKING_OFFLINE', // what was asked for needs the server, and the user chose to work offline (sync.setOffline)
  'TLS_UNTRUSTED', // the certificate is not trusted by the system (details: CertificateInfo)
  'TLS_FAILED', // the TLS handshake failed for another reason (protocol, wrong port …)
  'STARTTLS_UNAVAILABLE', // STARTTLS was required but the server does not offer it
  'NO_GREETING', // connected without TLS, the server sent no IMAP greeting: the port probably expects implicit TLS (993)
  'SERVER_ERROR', // the server answered NO or BAD
  'NOT_FOUND', // the account, folder or message does not exist (any more)
  'ALREADY_EXISTS',
  'STORAGE', // the local database failed (disk full, corruption)
  'INTERNAL', // a bug: the message says so plainly
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorInfo = z.object({
  code: ErrorCode,
  message: z.string(),
  certificate: CertificateInfo.optional(),
  /** The server's own words, when it gave any (a NO/BAD response text or an ALERT). */
  serverText: z.string().optional(),
  /** The server's response code (RFC 5530: TRYCREATE, OVERQUOTA, NONEXISTENT …). */
  responseCode: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

/** An error that carries an ErrorInfo across layers; the IPC boundary turns it into a Result. */
export class TegamiError extends Error {
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'TegamiError';
    this.info = info;
  }
  get code(): ErrorCode {
    return this.info.code;
  }
}

/** The envelope every request answers with. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: ErrorInfo): Result<never> => ({ ok: false, error });
