import { useState } from 'react';
import type { Account } from '../../../../shared/domain/account.js';
import { useSettings } from '../../app/settings.js';
import { asTegamiError, call } from '../../ipc/client.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';

export function RemoveAccountDialog({ account, onDone, onCancel }: { account: Account; onDone: () => void; onCancel: () => void }) {
  const { t, describe } = useSettings();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = (): void => {
    setBusy(true);
    setError(null);
    call('accounts.remove', { accountId: account.id }).then(
      () => onDone(),
      (e: unknown) => {
        setBusy(false);
        setError(describe(asTegamiError(e)));
      },
    );
  };
  // The address is set in bold inside the sentence, wherever the language puts it.
  const [before = '', after = ''] = t('account.removeBody').split('{email}');
  return (
    <ConfirmDialog
      title={t('account.removeTitle', { name: account.name })}
      confirmLabel={t('account.remove')}
      cancelLabel={t('common.cancel')}
      danger
      busy={busy}
      onConfirm={remove}
      onCancel={onCancel}
    >
      <p>
        {before}
        <strong>{account.email}</strong>
        {after}
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </ConfirmDialog>
  );
}
