import type { ErrorInfo } from '../../../../shared/domain/errors.js';

export interface ErrorText {
  title: string;
  detail: string;
}

/** Where the failed attempt went, to name it in the message. */
export interface Target {
  host: string;
  port: number;
}

/** Turns an engine error from `accounts.add` into words for a person. */
export function describeAddError(error: ErrorInfo, { host, port }: Target): ErrorText {
  const at = `${host}:${port}`;
  switch (error.code) {
    case 'AUTH_FAILED':
      return {
        title: 'The server did not accept the user name or password.',
        detail: 'Check the password. Some servers want the full email address as user name, others only the part before the @.',
      };
    case 'CONNECTION_REFUSED':
      return {
        title: `Nothing answers at ${at}.`,
        detail: 'Check the server name and the port. The server may also be down, or a firewall may block that port.',
      };
    case 'HOST_NOT_FOUND':
      return {
        title: `The server “${host}” could not be found.`,
        detail: 'Check the spelling of the server name, and that this computer is connected to the internet.',
      };
    case 'TIMEOUT':
      return {
        title: `${at} did not answer in time.`,
        detail: 'The server may be slow or unreachable, or a firewall may be dropping the connection. Check the port and try again.',
      };
    case 'NETWORK':
      return { title: 'The connection broke.', detail: error.message };
    case 'STARTTLS_UNAVAILABLE':
      return {
        title: `${host} does not offer STARTTLS on port ${port}.`,
        detail: 'Tegami will not send your password unencrypted. Choose TLS (port 993) instead: most servers support it.',
      };
    case 'TLS_FAILED':
      return {
        title: `A secure connection to ${at} could not be set up.`,
        detail:
          port === 143
            ? 'Port 143 usually expects STARTTLS, not TLS. Try STARTTLS, or TLS with port 993.'
            : `Check that the port matches the security setting (TLS is usually port 993). ${error.message}`,
      };
    case 'TLS_UNTRUSTED':
      return {
        title: `The certificate of ${host} is not trusted by this system.`,
        detail:
          'Someone may be impersonating the server, or it uses a certificate of its own (self-signed). Check the details below before you decide.',
      };
    case 'SERVER_ERROR':
      return { title: 'The server refused the request.', detail: error.message };
    case 'ALREADY_EXISTS':
      return { title: 'This account has already been added.', detail: error.message };
    case 'INVALID_INPUT':
      return { title: 'Some of the settings are not valid.', detail: error.message };
    case 'STORAGE':
      return { title: 'Tegami could not save the account on this computer.', detail: error.message };
    case 'NOT_FOUND':
    case 'INTERNAL':
      return { title: 'Something went wrong in Tegami.', detail: error.message };
  }
}
