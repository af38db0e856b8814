import { useId, useRef, useState } from 'react';
import type { Account } from '../../../../shared/domain/account.js';
import type { Op } from '../../../../shared/domain/ops.js';
import { useSettings } from '../../app/settings.js';
import { asTegamiError, call } from '../../ipc/client.js';
import { Icon } from '../../ui/Icon.js';
import { useModal } from '../../ui/useModal.js';
import { opText } from './opText.js';

/**
 * The operations the server refused: what it was, the server's own words, when; Retry puts it back
 * in the queue, Discard drops it (the local change is then taken back by the next sync).
 */
export function FailedOpsDialog({
  failed,
  accounts,
  folderName,
  onClose,
}: {
  failed: Op[];
  accounts: readonly Account[];
  /** A folder's shown name by id (null: not known here). */
  folderName: (id: number) => string | null;
  onClose: () => void;
}) {
  const { t, locale, describe } = useSettings();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  useModal(ref);
  const run = (op: Op, what: 'ops.retry' | 'ops.discard') => {
    setBusy(op.id);
    setError(null);
    call(what, { opId: op.id }).then(
      () => setBusy(null),
      (e: unknown) => {
        setBusy(null);
        setError(describe(asTegamiError(e)));
      },
    );
  };
  const when = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  return (
    <dialog
      ref={ref}
      className="dialog ops-dialog"
      aria-labelledby={titleId}
      data-testid="failed-ops"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{t('ops.failedTitle')}</h2>
      <p className="muted">{t('ops.failedHint')}</p>
      {failed.length === 0 ? (
        <p className="pad" data-testid="failed-ops-empty">
          {t('ops.noneFailed')}
        </p>
      ) : (
        <ul className="ops-list">
          {failed.map((op) => (
            <li key={op.id} className="op" data-testid="failed-op" data-op-id={op.id}>
              <Icon name="warning" className="op-icon" />
              <div className="op-text">
                <p className="op-summary">{opText(op, t, folderName)}</p>
                {op.subjects.length > 0 && (
                  <p className="op-subjects" data-testid="failed-op-subjects">
                    {op.subjects.map((s) => `“${s || t('list.noSubject')}”`).join(', ')}
                    {op.messageIds.length > op.subjects.length && ` ${t('ops.andMore', { n: op.messageIds.length - op.subjects.length })}`}
                  </p>
                )}
                <p className="op-reason" data-testid="failed-op-reason">
                  {op.error ? describe(op.error) : t('ops.noReason')}
                </p>
                <p className="muted op-meta">
                  {accounts.length > 1 && `${accounts.find((a) => a.id === op.accountId)?.name ?? ''} · `}
                  {t('ops.when', { time: when(op.updatedAt ?? op.createdAt) })}
                  {op.attempts > 1 && ` · ${t('ops.attempts', { n: op.attempts })}`}
                </p>
              </div>
              <div className="op-actions">
                <button type="button" className="button small" disabled={busy === op.id} onClick={() => run(op, 'ops.retry')}>
                  {t('ops.retry')}
                </button>
                <button
                  type="button"
                  className="button small danger"
                  disabled={busy === op.id}
                  onClick={() => run(op, 'ops.discard')}
                  data-testid="discard-op"
                >
                  {t('ops.discard')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button" onClick={onClose}>
          {t('help.close')}
        </button>
      </div>
    </dialog>
  );
}
