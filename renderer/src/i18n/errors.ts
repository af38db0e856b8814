import type { ErrorCode } from '../../../shared/domain/errors.js';
import type { MessageKey, UiLanguage } from './strings.js';
import type { Translate } from './translate.js';

/**
 * Engine errors in the UI's language. The engine writes its messages in English, for a person and
 * specific to what failed; in English they are shown as they are. In Japanese each error code has a
 * sentence of its own, with the server's own words (a NO/BAD text) after it when it gave any.
 */
const ja: Record<ErrorCode, string> = {
  INVALID_INPUT: '入力内容が正しくありません。',
  AUTH_FAILED: 'サーバーがユーザー名またはパスワードを受け付けませんでした。',
  CONNECTION_REFUSED: 'サーバーに接続できませんでした。ホスト名とポート番号を確認してください。',
  HOST_NOT_FOUND: 'サーバーが見つかりませんでした。ホスト名を確認してください。',
  TIMEOUT: 'サーバーが時間内に応答しませんでした。しばらくしてからもう一度お試しください。',
  NETWORK: 'サーバーとの接続が切れました。ネットワークが戻ると再試行します。',
  OFFLINE: 'サーバーに接続できないため、この内容はまだこのコンピューターにありません。接続が戻ってからもう一度お試しください。',
  WORKING_OFFLINE: 'オフライン作業中のため、サーバーに接続しません。サーバーが必要な操作は、オンラインに戻してから行ってください。',
  TLS_UNTRUSTED: 'サーバーの証明書が信頼されていません。',
  TLS_FAILED: 'サーバーとの暗号化接続（TLS）を確立できませんでした。',
  STARTTLS_UNAVAILABLE: 'サーバーが STARTTLS に対応していないため、暗号化なしでは接続しません。',
  NO_GREETING:
    'サーバーから IMAP の応答（グリーティング）がありませんでした。このポートは SSL/TLS での接続を求めている可能性があります。接続の保護で SSL/TLS（通常はポート 993）を選んでください。',
  SERVER_ERROR: 'サーバーが要求を拒否しました。',
  NOT_FOUND: '見つかりませんでした。ほかの場所で移動または削除された可能性があります。フォルダーを同期すると一覧が更新されます。',
  ALREADY_EXISTS: '同じ名前のものがすでにあります。',
  STORAGE: 'このコンピューターにデータを保存できませんでした。ディスクの空き容量を確認してください。',
  INTERNAL: 'Tegami の内部エラーです。もう一度お試しください。',
};

/** An engine error (ErrorInfo, a TegamiError), or a failure the UI itself words (a message key). */
export type Failure =
  | { key: MessageKey; params?: Record<string, string | number> }
  | { code?: string; message: string; serverText?: string | undefined; info?: { serverText?: string | undefined } };

export function failureText(language: UiLanguage, t: Translate, failure: Failure): string {
  if ('key' in failure) return t(failure.key, failure.params);
  if (language === 'en') return failure.message;
  const text = failure.code !== undefined && Object.hasOwn(ja, failure.code) ? ja[failure.code as ErrorCode] : null;
  if (text === null) return failure.message;
  // A TegamiError keeps the server's words in its info.
  const serverText = failure.serverText ?? failure.info?.serverText;
  return serverText ? `${text}（サーバーの応答: ${serverText}）` : text;
}
