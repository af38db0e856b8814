import type { ErrorInfo } from '../../../../shared/domain/errors.js';
import type { Translate } from '../../i18n/translate.js';

export interface ErrorText {
  title: string;
  detail: string;
}

/** Where the failed attempt went, to name it in the message. */
export interface Target {
  host: string;
  port: number;
}

/**
 * Turns an engine error from `accounts.add` into words for a person, in the UI's language. Where the
 * engine's own message is the only detail there is (it is English), it is shown as it is.
 */
export function describeAddError(error: ErrorInfo, { host, port }: Target, t: Translate): ErrorText {
  const at = `${host}:${port}`;
  switch (error.code) {
    case 'AUTH_FAILED':
      return { title: t('addError.authFailed'), detail: t('addError.authFailedDetail') };
    case 'CONNECTION_REFUSED':
      return { title: t('addError.refused', { at }), detail: t('addError.refusedDetail') };
    case 'HOST_NOT_FOUND':
      return { title: t('addError.hostNotFound', { host }), detail: t('addError.hostNotFoundDetail') };
    case 'TIMEOUT':
      return { title: t('addError.timeout', { at }), detail: t('addError.timeoutDetail') };
    case 'NETWORK':
      return { title: t('addError.network'), detail: error.message };
    case 'STARTTLS_UNAVAILABLE':
      return { title: t('addError.noStarttls', { host, port }), detail: t('addError.noStarttlsDetail') };
    case 'TLS_FAILED':
      return {
        title: t('addError.tlsFailed', { at }),
        detail: port === 143 ? t('addError.tlsFailedPort143') : t('addError.tlsFailedDetail', { message: error.message }),
      };
    case 'TLS_UNTRUSTED':
      return { title: t('addError.untrusted', { host }), detail: t('addError.untrustedDetail') };
    case 'SERVER_ERROR':
      return { title: t('addError.server'), detail: error.message };
    case 'ALREADY_EXISTS':
      return { title: t('addError.exists'), detail: error.message };
    case 'INVALID_INPUT':
      return { title: t('addError.invalid'), detail: error.message };
    case 'STORAGE':
      return { title: t('addError.storage'), detail: error.message };
    case 'NOT_FOUND':
    case 'INTERNAL':
      return { title: t('addError.internal'), detail: error.message };
  }
}
