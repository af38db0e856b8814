import { useCallback, useState } from 'react';
import type { Account } from '../../../shared/domain/account.js';
import { AccountForm } from '../features/accounts/AccountForm.js';
import { useAccounts } from '../features/accounts/useAccounts.js';
import { Notice } from '../ui/Notice.js';
import { MainView } from './MainView.js';
import { ServerAlerts } from './ServerAlerts.js';
import { useSettings } from './settings.js';
import { useConnectionState } from './useConnectionState.js';

export function App() {
  const { t, describe } = useSettings();
  const { state, reload } = useAccounts();
  const connection = useConnectionState();
  // After the first account is added, ask the server for its folders once the main view is up.
  const [justAdded, setJustAdded] = useState<number | null>(null);
  const onFirstAccount = useCallback(
    (account: Account) => {
      setJustAdded(account.id);
      reload();
    },
    [reload],
  );

  return (
    <div className="app">
      {connection === 'reconnecting' && (
        <p className="connection-banner" role="status" data-testid="connection-status">
          {t('status.engineLost')}
        </p>
      )}
      <ServerAlerts />
      {state.status === 'loading' && (
        <div className="center" role="status">
          <span className="spinner" aria-hidden="true" /> {t('app.loading')}
        </div>
      )}
      {state.status === 'error' && (
        <div className="center">
          <Notice testId="engine-error">
            <p>{t('app.accountsError', { message: describe(state.error) })}</p>
            <button type="button" className="button small" onClick={reload}>
              {t('app.tryAgain')}
            </button>
          </Notice>
        </div>
      )}
      {state.status === 'ready' && state.accounts.length === 0 && (
        <main className="welcome" data-testid="first-run">
          <div className="welcome-card">
            <h1>{t('welcome.title')}</h1>
            <p className="muted">{t('welcome.body')}</p>
            <AccountForm onAdded={onFirstAccount} />
          </div>
        </main>
      )}
      {state.status === 'ready' && state.accounts.length > 0 && (
        <MainView accounts={state.accounts} onAccountsChanged={reload} refreshFirst={justAdded} />
      )}
    </div>
  );
}
