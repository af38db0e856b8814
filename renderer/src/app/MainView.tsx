import { useCallback, useEffect, useRef, useState } from 'react';
import type { Account } from '../../../shared/domain/account.js';
import { AccountForm } from '../features/accounts/AccountForm.js';
import { RemoveAccountDialog } from '../features/accounts/RemoveAccountDialog.js';
import { FolderPane } from '../features/folders/FolderPane.js';
import { FolderTree, type Selection } from '../features/folders/FolderTree.js';
import { useMailboxes } from '../features/folders/useMailboxes.js';
import { MailPane, typingTarget } from '../features/messages/MailPane.js';
import { Icon } from '../ui/Icon.js';
import { Splitter } from '../ui/Splitter.js';
import { HelpDialog, SearchBox, SettingsMenu, StatusBar, Toasts, type Toast } from './Chrome.js';
import { useSettings } from './settings.js';

let toastKey = 1;

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
  const { t, settings, update } = useSettings();
  const [searchText, setSearchText] = useState('');
  const [help, setHelp] = useState(false);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const searchInput = useRef<HTMLInputElement>(null);
  const toast = useCallback((text: string) => {
    const key = toastKey++;
    setToasts((prev) => [...prev.slice(-2), { key, text }]);
    setTimeout(() => setToasts((prev) => prev.filter((x) => x.key !== key)), 6000);
  }, []);
  const mailbox =
    account && selected?.accountId === account.id && selected.path !== null
      ? folders.get(account.id)?.mailboxes.find((m) => m.path === selected.path && m.selectable)
      : undefined;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typingTarget(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (e.key === '/') {
        e.preventDefault();
        searchInput.current?.focus();
        searchInput.current?.select();
      } else if (e.key === '?') {
        e.preventDefault();
        setHelp(true);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="shell">
      <header className="toolbar">
        <span className="brand">{t('app.title')}</span>
        <SearchBox value={searchText} onChange={setSearchText} inputRef={searchInput} />
        <div className="toolbar-end">
          <button type="button" className="icon-button" onClick={() => setHelp(true)} title={t('help.title')} aria-label={t('help.title')}>
            <Icon name="help" />
          </button>
          <SettingsMenu onHelp={() => setHelp(true)} />
        </div>
      </header>
      <div className="main-view" style={{ gridTemplateColumns: `${settings.folderWidth}px auto minmax(0, 1fr)` }}>
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
        <Splitter
          value={settings.folderWidth}
          min={160}
          max={480}
          onChange={(folderWidth) => update({ folderWidth })}
          label={t('splitter.folders')}
          testId="splitter-folders"
        />
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
          ) : account && mailbox ? (
            <MailPane key={mailbox.id} account={account} mailbox={mailbox} searchText={searchText} onToast={toast} />
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
      <StatusBar accounts={accounts} />
      <Toasts toasts={toasts} onDismiss={(key) => setToasts((prev) => prev.filter((x) => x.key !== key))} />
      {help && <HelpDialog onClose={() => setHelp(false)} />}
    </div>
  );
}
