import { useState } from 'react';
import type { Account } from '../../../../shared/domain/account.js';
import { asTegamiError, call } from '../../ipc/client.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';

export function RemoveAccountDialog({ account, onDone, onCancel }: { account: Account; onDone: () => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = (): void => {
    setBusy(true);
    setError(null);
    call('accounts.remove', { accountId: account.id }).then(
      () => onDone(),
      (e: unknown) => {
        setBusy(false);
        setError(asTegamiError(e).message);
      },
    );
  };
  return (
    <ConfirmDialog
      title={`Remove “${account.name}”?`}
      confirmLabel="Remove account"
      danger
      busy={busy}
      onConfirm={remove}
      onCancel={onCancel}
    >
      <p>
        Tegami will forget <strong>{account.email}</strong> and delete its copy of the mail from this computer. The mail on the server is
        not touched.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </ConfirmDialog>
  );
}
