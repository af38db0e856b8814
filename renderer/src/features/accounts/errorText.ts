import type { ErrorInfo } from '../../../../shared/domain/errors.js';
import type { MessageKey, UiLanguage } from '../../i18n/strings.js';
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
 * engine's own message is the only detail there is, English shows it as it is (it is specific, and
 * English); other languages show advice of their own, with the server's words when it gave any.
 */
export function describeAddError(error: ErrorInfo, { host, port }: Target, t: Translate, language: UiLanguage): ErrorText {
  const at = `${host}:${port}`;
  const engine = (advice: MessageKey): string => {
    if (language === 'en') return error.message;
    return error.serverText ? `${t(advice)} ${t('addError.serverSaid', { text: error.serverText })}` : t(advice);
  };
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
    case 'OFFLINE':
      return { title: t('addError.network'), detail: engine('addError.networkDetail') };
    case 'WORKING_OFFLINE':
      return { title: t('addError.workingOffline'), detail: t('addError.workingOfflineDetail') };
    case 'STARTTLS_UNAVAILABLE':
      return { title: t('addError.noStarttls', { host, port }), detail: t('addError.noStarttlsDetail') };
    case 'NO_GREETING':
      return { title: t('addError.noGreeting', { at }), detail: t('addError.noGreetingDetail') };
    case 'TLS_FAILED':
      return {
        title: t('addError.tlsFailed', { at }),
        detail:
          port === 143
            ? t('addError.tlsFailedPort143')
            : t('addError.tlsFailedDetail', { message: language === 'en' ? error.message : '' }).trim(),
      };
    case 'TLS_UNTRUSTED':
      return { title: t('addError.untrusted', { host }), detail: t('addError.untrustedDetail') };
    case 'SERVER_ERROR':
      return { title: t('addError.server'), detail: engine('addError.serverDetail') };
    case 'ALREADY_EXISTS':
      return { title: t('addError.exists'), detail: engine('addError.existsDetail') };
    case 'INVALID_INPUT':
      return { title: t('addError.invalid'), detail: engine('addError.invalidDetail') };
    case 'STORAGE':
      return { title: t('addError.storage'), detail: engine('addError.storageDetail') };
    case 'NOT_FOUND':
    case 'INTERNAL':
      return { title: t('addError.internal'), detail: engine('addError.internalDetail') };
  }
}
