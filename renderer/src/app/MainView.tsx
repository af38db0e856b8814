import { useEffect, useRef, useState } from 'react';
import type { Account } from '../../../shared/domain/account.js';
import { AccountForm } from '../features/accounts/AccountForm.js';
import { RemoveAccountDialog } from '../features/accounts/RemoveAccountDialog.js';
import { FolderPane } from '../features/folders/FolderPane.js';
import { FolderTree, type Selection } from '../features/folders/FolderTree.js';
import { useMailboxes } from '../features/folders/useMailboxes.js';
import { Icon } from '../ui/Icon.js';

export function MainView({
  accounts,
  onAccountsChanged,
  refreshFirst = null,
}: {
  accounts: Account[];
  onAccountsChanged: () => void;
  /** An account just added from the first-run form: fetch its folders from the server. */
  refreshFirst?: number | null;
}) {
  const { folders, refresh } = useMailboxes(accounts);
  const [selected, setSelected] = useState<Selection | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Account | null>(null);

  useEffect(() => {
    if (refreshFirst !== null) refresh(refreshFirst);
  }, [refreshFirst, refresh]);

  // Keep the selection pointing at something that exists: when its account is removed (or nothing is
  // selected), fall back to the first account. A just-added account may not be in the list yet.
  const seen = useRef(new Set<number>());
  useEffect(() => {
    const ids = new Set(accounts.map((a) => a.id));
    const gone = selected !== null && !ids.has(selected.accountId) && seen.current.has(selected.accountId);
    seen.current = new Set([...seen.current, ...ids]);
    const first = accounts[0];
    if ((selected === null || gone) && first) setSelected({ accountId: first.id, path: null });
  }, [accounts, selected]);

  const account = accounts.find((a) => a.id === selected?.accountId) ?? accounts[0];

  return (
    <div className="main-view">
      <nav className="sidebar" aria-label="Accounts and folders">
        <div className="sidebar-scroll">
          <FolderTree
            accounts={accounts}
            folders={folders}
            selected={selected}
            onSelect={(s) => {
              setAdding(false);
              setSelected(s);
            }}
          />
        </div>
        {/* Hidden while the form is open, so "Add account" names one button at a time (the form's submit). */}
        {!adding && (
          <div className="sidebar-footer">
            <button type="button" className="button ghost" onClick={() => setAdding(true)} data-testid="add-account-button">
              <Icon name="plus" /> Add account
            </button>
          </div>
        )}
      </nav>
      <main className="content">
        {adding ? (
          <div className="pane">
            <header className="pane-header">
              <div className="pane-title">
                <h1>Add an account</h1>
              </div>
            </header>
            <div className="pane-body scroll">
              <AccountForm
                onAdded={(added) => {
                  setAdding(false);
                  setSelected({ accountId: added.id, path: null });
                  onAccountsChanged();
                  refresh(added.id);
                }}
                onCancel={() => setAdding(false)}
              />
            </div>
          </div>
        ) : account ? (
          <FolderPane
            account={account}
            folders={folders.get(account.id)}
            path={selected?.accountId === account.id ? selected.path : null}
            onRefresh={() => refresh(account.id)}
            onRemove={() => setRemoving(account)}
          />
        ) : null}
      </main>
      {removing && (
        <RemoveAccountDialog
          account={removing}
          onCancel={() => setRemoving(null)}
          onDone={() => {
            setRemoving(null);
            setSelected(null);
            onAccountsChanged();
          }}
        />
      )}
    </div>
  );
}
