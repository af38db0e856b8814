import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Account } from '../../../shared/domain/account.js';
import type { Mailbox } from '../../../shared/domain/mailbox.js';
import { AccountForm } from '../features/accounts/AccountForm.js';
import { RemoveAccountDialog } from '../features/accounts/RemoveAccountDialog.js';
import { FolderPane } from '../features/folders/FolderPane.js';
import { FolderTree, type Selection } from '../features/folders/FolderTree.js';
import { isInbox } from '../features/folders/tree.js';
import { folderLabel, folderPathLabel } from '../features/folders/roles.js';
import { loadLastFolder, saveLastFolder } from './lastFolder.js';
import { useMailboxes } from '../features/folders/useMailboxes.js';
import { runAction } from '../features/messages/actions.js';
import { importAll } from '../features/messages/importEml.js';
import { useListFontWarmup } from '../features/messages/fontWarmup.js';
import { MailPane, typingTarget, type ToastFn } from '../features/messages/MailPane.js';
import { FailedOpsDialog } from '../features/ops/FailedOpsDialog.js';
import { useOps } from '../features/ops/useOps.js';
import { asTegamiError, call, subscribe } from '../ipc/client.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { Icon } from '../ui/Icon.js';
import { ContextMenu, type MenuItem } from '../ui/Menu.js';
import { PromptDialog } from '../ui/PromptDialog.js';
import { Splitter } from '../ui/Splitter.js';
import { HelpDialog, SearchBox, SettingsMenu, StatusBar, Toasts, type Toast } from './Chrome.js';
import { useSettings } from './settings.js';

let toastKey = 1;
/** How long a folder stays open before the engine is asked to watch it (sync.watch). */
const WATCH_DELAY_MS = 400;

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
  // The fonts message rows may need (CJK, bold) are loaded while idle, not in the first folder open.
  useListFontWarmup();
  const { t, settings, update, describe, language } = useSettings();
  // The account and folder selected last time (a reload, the app started again), if that account is still here.
  const [selected, setSelected] = useState<Selection | null>(() => {
    const last = loadLastFolder();
    return last && accounts.some((a) => a.id === last.accountId) ? last : null;
  });
  useEffect(() => saveLastFolder(selected), [selected]);
  // Files dragged from the desktop import only where a folder takes them: dropped anywhere else, the
  // browser would open the file in place of the app (the desktop app refuses that navigation anyway).
  useEffect(() => {
    const guard = (e: DragEvent) => {
      if (e.defaultPrevented || !e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'none';
    };
    window.addEventListener('dragover', guard);
    window.addEventListener('drop', guard);
    return () => {
      window.removeEventListener('dragover', guard);
      window.removeEventListener('drop', guard);
    };
  }, []);
  // The open folder gets the server's push, like INBOX (a connection idles on it).
  const watchAccount = selected?.accountId ?? null;
  const watchPath = selected?.path ?? null;
  useEffect(() => {
    if (watchAccount === null) return;
    const watch = () => void call('sync.watch', { accountId: watchAccount, path: watchPath }).catch(() => undefined);
    // After the folder's first rows: the engine answers one request at a time, and a click through
    // folders need not start a connection for each.
    const timer = setTimeout(watch, WATCH_DELAY_MS);
    // A restarted engine process (desktop app) knows nothing of it: told again.
    const off = subscribe('app.engine', (e) => {
      if (e.state === 'running') watch();
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [watchAccount, watchPath]);
  // A folder selected last time may be gone since (deleted or renamed elsewhere): once the account's
  // folders are read, its INBOX is selected instead.
  const [checkRestored, setCheckRestored] = useState(selected !== null && selected.path !== null);
  const restoredFolders = checkRestored && selected ? folders.get(selected.accountId) : undefined;
  if (selected && restoredFolders && !restoredFolders.loading) {
    setCheckRestored(false);
    if (!restoredFolders.mailboxes.some((m) => m.path === selected.path)) {
      setSelected({ accountId: selected.accountId, path: restoredFolders.mailboxes.find(isInbox)?.path ?? null });
    }
  }
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
  const [searchText, setSearchText] = useState('');
  const [help, setHelp] = useState(false);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const searchInput = useRef<HTMLInputElement>(null);
  const toast = useCallback<ToastFn>((text, undo) => {
    const key = toastKey++;
    setToasts((prev) => [...prev.slice(-2), { key, text, undo: undo ?? null }]);
    setTimeout(() => setToasts((prev) => prev.filter((x) => x.key !== key)), undo ? 10_000 : 6000);
  }, []);
  // An action undone (by its toast, z or the menu) takes its toast's Undo button with it.
  const undone = useCallback(
    (actionId: number) => setToasts((prev) => prev.map((x) => (x.undo?.actionId === actionId ? { ...x, undo: null } : x))),
    [],
  );
  const undo = useCallback(
    (accountId: number, actionId?: number) =>
      void runAction('undo', { accountId, ids: [], allSeen: false, allFlagged: false, actionId }).then((r) => {
        if (r.status === 'done' && r.actionId !== null) undone(r.actionId);
        toast(r.status === 'done' ? t('actions.undone') : r.status === 'failed' ? describe(r.failure) : t('actions.nothingToUndo'));
      }),
    [toast, t, describe, undone],
  );
  const ops = useOps();
  // A change the server refused was taken back already: its toast no longer offers Undo.
  const refused = useMemo(() => new Set(ops.failed.map((op) => op.actionId)), [ops.failed]);
  const shownToasts = useMemo(
    () => toasts.map((x) => (x.undo && refused.has(x.undo.actionId) ? { ...x, undo: null } : x)),
    [toasts, refused],
  );
  const [showFailed, setShowFailed] = useState(false);
  /** The hierarchy delimiter of an account's own folders (a new top-level folder's name cannot hold it). */
  const accountDelimiter = (accountId: number): string | null =>
    folders.get(accountId)?.mailboxes.find((m) => m.namespace === 'personal' && m.delimiter !== null)?.delimiter ?? null;
  /** A folder name the server would read as a path: said in the dialog, not after it closed. */
  const badFolderName = (name: string, delimiter: string | null): string | null =>
    delimiter && name.includes(delimiter) ? t('folders.badChar', { char: delimiter }) : null;
  const shownFolderName = useCallback(
    (id: number) => {
      for (const f of folders.values()) {
        const m = f.mailboxes.find((b) => b.id === id);
        if (m) return folderLabel(m.name, m.role, language);
      }
      return null;
    },
    [folders, language],
  );
  type FolderDialog =
    | { kind: 'create'; accountId: number; parent: Mailbox | null }
    | { kind: 'rename'; mailbox: Mailbox }
    | { kind: 'delete'; mailbox: Mailbox }
    | { kind: 'empty'; mailbox: Mailbox };
  const [folderDialog, setFolderDialog] = useState<FolderDialog | null>(null);
  const [folderMenu, setFolderMenu] = useState<{ accountId: number; mailbox: Mailbox | null; x: number; y: number } | null>(null);
  const folderChange = useCallback(
    (p: Promise<unknown>, done: string) =>
      void p.then(
        () => toast(done),
        (e: unknown) => toast(t('folders.failed', { message: describe(asTegamiError(e).info) })),
      ),
    [toast, t, describe],
  );
  const selectedFolder = (accountId: number): Mailbox | null =>
    selected?.accountId === accountId && selected.path !== null
      ? (folders.get(accountId)?.mailboxes.find((m) => m.path === selected.path) ?? null)
      : null;
  /**
   * Message files (.eml) chosen in the folder menu or dropped on the folder, appended to it one by one
   * (queued offline like any change; each keeps the date it was sent as the date it arrived).
   */
  const importFiles = useCallback(
    async (m: Mailbox, files: readonly File[]) => {
      const name = folderLabel(m.name, m.role, language);
      const { imported, failed } = await importAll(
        files,
        (raw, date) => call('messages.append', { mailboxId: m.id, raw, flags: ['\\Seen'], ...(date ? { date } : {}) }),
        (reason) => t(`import.${reason}`),
        (e) => describe(asTegamiError(e).info),
      );
      if (imported > 0) toast(t('folders.imported', { n: imported, name }));
      const [first] = failed;
      if (first)
        toast(
          failed.length === 1
            ? t('folders.importFailed', { file: first.file, reason: first.reason })
            : t('folders.importFailedMore', { file: first.file, reason: first.reason, n: failed.length - 1 }),
        );
    },
    [language, t, toast, describe],
  );
  // The file input the folder menu's Import opens (a callback ref kept as state: read in the menu's handler).
  const [importInput, setImportInput] = useState<HTMLInputElement | null>(null);
  const [importTarget, setImportTarget] = useState<Mailbox | null>(null);
  /** Every unread message of the folder marked read: one action, undone by its toast or z. */
  const markFolderRead = async (accountId: number, m: Mailbox) => {
    let ids: number[];
    try {
      ({ ids } = await call('messages.ids', { mailboxId: m.id, unread: true }));
    } catch (e) {
      toast(t('actions.failed', { action: t('actions.markRead'), message: describe(asTegamiError(e).info) }));
      return;
    }
    const r = await runAction('markRead', { accountId, ids, allSeen: false, allFlagged: false });
    if (r.status === 'done') toast(t('done.read', { n: r.count }), r.actionId === null ? undefined : { accountId, actionId: r.actionId });
    else if (r.status === 'empty') toast(t('folders.nothingUnread', { name: folderLabel(m.name, m.role, language) }));
    else if (r.status === 'failed') toast(t('actions.failed', { action: t('actions.markRead'), message: describe(r.failure) }));
  };
  const folderMenuItems = (accountId: number, m: Mailbox | null): MenuItem[] => {
    const items: MenuItem[] = [
      {
        key: 'create',
        label: m ? t('folders.newSub') : t('folders.new'),
        disabled: m !== null && (m.namespace !== 'personal' || m.attributes.some((a) => a.toLowerCase() === '\\noinferiors')),
        onSelect: () => setFolderDialog({ kind: 'create', accountId, parent: m }),
      },
    ];
    if (m) {
      const special = m.role !== null || m.path.toUpperCase() === 'INBOX';
      const label = folderLabel(m.name, m.role, language);
      items.push({
        key: 'markRead',
        label: t('folders.markAllRead'),
        disabled: !m.selectable || m.unread === 0,
        onSelect: () => void markFolderRead(accountId, m),
      });
      items.push({
        key: 'import',
        label: t('folders.import'),
        disabled: !m.selectable || m.readOnly,
        onSelect: () => {
          setImportTarget(m);
          importInput?.click();
        },
      });
      // Trash and Junk are emptied for good (UID EXPUNGE of exactly what they hold), after a question.
      if (m.selectable && (m.role === 'trash' || m.role === 'junk'))
        items.push({
          key: 'empty',
          label: t('folders.emptyFolder', { name: label }),
          danger: true,
          disabled: m.total === 0,
          onSelect: () => setFolderDialog({ kind: 'empty', mailbox: m }),
        });
      items.push(
        { key: 'rename', label: t('folders.rename'), disabled: special, onSelect: () => setFolderDialog({ kind: 'rename', mailbox: m }) },
        {
          key: 'subscribe',
          label: m.subscribed ? t('folders.unsubscribe') : t('folders.subscribe'),
          onSelect: () =>
            folderChange(
              call('folders.subscribe', { mailboxId: m.id, subscribed: !m.subscribed }),
              t(m.subscribed ? 'folders.unsubscribed' : 'folders.subscribed', { name: m.name }),
            ),
        },
        {
          key: 'offline',
          label: m.offline ? t('folders.offlineOff') : t('folders.offlineOn'),
          disabled: !m.selectable,
          onSelect: () =>
            folderChange(
              call('folders.setOffline', { mailboxId: m.id, offline: !m.offline }),
              t(m.offline ? 'folders.notKeptOffline' : 'folders.keptOffline', { name: folderLabel(m.name, m.role, language) }),
            ),
        },
        {
          key: 'delete',
          label: t('folders.delete'),
          danger: true,
          disabled: special,
          onSelect: () => setFolderDialog({ kind: 'delete', mailbox: m }),
        },
      );
    }
    return items;
  };
  const onDropMessages = useCallback(
    (target: Mailbox, dragged: { accountId: number; ids: number[] }, copy: boolean) => {
      const n = dragged.ids.length;
      void runAction(copy ? 'copy' : 'move', {
        accountId: dragged.accountId,
        ids: dragged.ids,
        allSeen: false,
        allFlagged: false,
        targetId: target.id,
      }).then((r) => {
        if (r.status === 'done')
          toast(
            t(copy ? 'done.copied' : 'done.moved', { n, folder: target.name }),
            r.actionId === null ? undefined : { accountId: dragged.accountId, actionId: r.actionId },
          );
        else if (r.status === 'failed')
          toast(t('actions.failed', { action: t(copy ? 'actions.copy' : 'actions.move'), message: describe(r.failure) }));
      });
    },
    [toast, t, describe],
  );
  const mailbox =
    account && selected?.accountId === account.id && selected.path !== null
      ? folders.get(account.id)?.mailboxes.find((m) => m.path === selected.path && m.selectable)
      : undefined;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typingTarget(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (e.key === 'z' && !document.querySelector('.mail-pane')) {
        // Outside a folder (the account overview), z still takes back the last action.
        e.preventDefault();
        if (account) undo(account.id);
      } else if (e.key === '/') {
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
  }, [account, undo]);

  // Search shows its results in a folder's pane (they span the account): typed on the account's page
  // (no folder open), it opens INBOX to show them there.
  const typeSearch = useCallback(
    (text: string) => {
      setSearchText(text);
      if (text.trim() === '' || mailbox || !account) return;
      const inbox = folders.get(account.id)?.mailboxes.find(isInbox);
      if (inbox) setSelected({ accountId: account.id, path: inbox.path });
    },
    [mailbox, account, folders],
  );

  // Esc ends a search from the box or from its results, and leaves the keyboard in the folder's list
  // (j/k, s, u … work at once), not on the page.
  const endSearch = useCallback(() => {
    setSearchText('');
    requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid="message-list"]')?.focus());
  }, []);
  const searching = searchText.trim() !== '';
  useEffect(() => {
    if (!searching) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typingTarget(e.target)) return;
      if (document.querySelector('dialog[open], [role="menu"]')) return;
      e.preventDefault();
      endSearch();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [searching, endSearch]);

  // The desktop app's menu, tray and notifications send commands; its engine process reports
  // restarts. (In browser mode these events never come.)
  useEffect(() => {
    const offCommand = subscribe('app.command', (c) => {
      if (c.command === 'undo') {
        if (account) undo(account.id);
      } else if (c.command === 'find') {
        searchInput.current?.focus();
        searchInput.current?.select();
      } else if (c.command === 'shortcuts') {
        setHelp(true);
      } else if (c.command === 'openMessage') {
        for (const [accountId, state] of folders) {
          const target = state.mailboxes.find((m) => m.id === c.mailboxId);
          if (target) setSelected({ accountId, path: target.path });
        }
      }
    });
    const offEngine = subscribe('app.engine', (e) => {
      if (e.state !== 'running') toast(e.detail);
    });
    return () => {
      offCommand();
      offEngine();
    };
  }, [account, undo, folders, toast]);

  // Back online (network change, wake from sleep): reconnect every account now instead of waiting
  // out the backoff.
  useEffect(() => {
    const onOnline = () => void call('sync.wake', {}).catch(() => undefined);
    window.addEventListener('online', onOnline);
    return () => window.removeEventListener('online', onOnline);
  }, []);

  return (
    <div className="shell">
      <header className="toolbar">
        <span className="brand">{t('app.title')}</span>
        <SearchBox value={searchText} onChange={typeSearch} inputRef={searchInput} onEscape={endSearch} />
        <div className="toolbar-end">
          <button type="button" className="icon-button" onClick={() => setHelp(true)} title={t('help.title')} aria-label={t('help.title')}>
            <Icon name="help" />
          </button>
          <SettingsMenu onHelp={() => setHelp(true)} />
        </div>
      </header>
      {/* The folder tree's chosen width, but at most 30% of a narrow window (the list and the message keep room). */}
      <div className="main-view" style={{ gridTemplateColumns: `min(${settings.folderWidth}px, 30vw) auto minmax(0, 1fr)` }}>
        <nav className="sidebar" aria-label={t('sidebar.label')}>
          <div className="sidebar-scroll">
            <FolderTree
              accounts={accounts}
              folders={folders}
              selected={selected}
              onSelect={(s) => {
                setAdding(false);
                setSelected(s);
              }}
              allFolders={settings.allFolders}
              onDropMessages={onDropMessages}
              onDropFiles={(target, files) => void importFiles(target, files)}
              onMenu={(target, x, y) => setFolderMenu({ ...target, x, y })}
            />
            <input
              ref={setImportInput}
              type="file"
              multiple
              accept=".eml,message/rfc822"
              hidden
              data-testid="import-input"
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = ''; // the same file can be chosen again
                if (importTarget && files.length > 0) void importFiles(importTarget, files);
              }}
            />
          </div>
          <div className="sidebar-tools">
            <button
              type="button"
              className="button ghost small"
              disabled={!account}
              onClick={() => account && setFolderDialog({ kind: 'create', accountId: account.id, parent: selectedFolder(account.id) })}
              data-testid="new-folder"
            >
              <Icon name="plus" /> {t('folders.new')}
            </button>
            <label className="toggle" title={t('folders.showAllHint')}>
              <input
                type="checkbox"
                checked={settings.allFolders}
                onChange={(e) => update({ allFolders: e.target.checked })}
                data-testid="show-all-folders"
              />
              {t('folders.showAll')}
            </label>
          </div>
          {/* Hidden while the form is open, so "Add account" names one button at a time (the form's submit). */}
          {!adding && (
            <div className="sidebar-footer">
              <button type="button" className="button ghost" onClick={() => setAdding(true)} data-testid="add-account-button">
                <Icon name="plus" /> {t('account.add')}
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
                  <h1>{t('account.formTitle')}</h1>
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
            <MailPane
              key={mailbox.id}
              account={account}
              mailbox={mailbox}
              mailboxes={folders.get(account.id)?.mailboxes ?? []}
              searchText={searchText}
              onToast={toast}
              onUndone={undone}
            />
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
      <StatusBar accounts={accounts} pending={ops.pending} failed={ops.failed.length} onShowFailed={() => setShowFailed(true)} />
      <Toasts
        toasts={shownToasts}
        onDismiss={(key) => setToasts((prev) => prev.filter((x) => x.key !== key))}
        onUndo={(key, target) => {
          setToasts((prev) => prev.filter((x) => x.key !== key));
          undo(target.accountId, target.actionId);
        }}
      />
      {showFailed && (
        <FailedOpsDialog failed={ops.failed} accounts={accounts} folderName={shownFolderName} onClose={() => setShowFailed(false)} />
      )}
      {folderMenu && (
        <ContextMenu
          x={folderMenu.x}
          y={folderMenu.y}
          label={t('folders.menu')}
          items={folderMenuItems(folderMenu.accountId, folderMenu.mailbox)}
          onClose={() => setFolderMenu(null)}
          testId="folder-menu"
        />
      )}
      {folderDialog?.kind === 'create' && (
        <PromptDialog
          title={
            folderDialog.parent
              ? t('folders.newUnder', {
                  name: folderPathLabel(folderDialog.parent, folders.get(folderDialog.accountId)?.mailboxes ?? [], language),
                })
              : t('folders.new')
          }
          label={t('folders.name')}
          validate={(name) => badFolderName(name, folderDialog.parent?.delimiter ?? accountDelimiter(folderDialog.accountId))}
          confirmLabel={t('folders.create')}
          cancelLabel={t('common.cancel')}
          onCancel={() => setFolderDialog(null)}
          onSubmit={(name) => {
            const { accountId, parent } = folderDialog;
            setFolderDialog(null);
            folderChange(call('folders.create', { accountId, parentId: parent?.id ?? null, name }), t('folders.created', { name }));
          }}
        >
          {/* Where it goes: the selected folder by default, any other of the account's own, or the top. */}
          <label className="field">
            <span>{t('folders.createIn')}</span>
            <select
              value={folderDialog.parent?.id ?? ''}
              data-testid="new-folder-parent"
              onChange={(e) => {
                const parent = (folders.get(folderDialog.accountId)?.mailboxes ?? []).find((m) => String(m.id) === e.target.value);
                setFolderDialog({ ...folderDialog, parent: parent ?? null });
              }}
            >
              <option value="">{t('folders.topLevel')}</option>
              {(folders.get(folderDialog.accountId)?.mailboxes ?? [])
                .filter((m) => m.namespace === 'personal' && m.delimiter !== null)
                .map((m) => (
                  <option key={m.id} value={m.id}>
                    {folderPathLabel(m, folders.get(folderDialog.accountId)?.mailboxes ?? [], language)}
                  </option>
                ))}
            </select>
          </label>
        </PromptDialog>
      )}
      {folderDialog?.kind === 'rename' && (
        <PromptDialog
          title={t('folders.renameTitle', { name: folderDialog.mailbox.name })}
          label={t('folders.name')}
          initial={folderDialog.mailbox.name}
          validate={(name) => badFolderName(name, folderDialog.mailbox.delimiter)}
          confirmLabel={t('folders.renameConfirm')}
          cancelLabel={t('common.cancel')}
          onCancel={() => setFolderDialog(null)}
          onSubmit={(name) => {
            const m = folderDialog.mailbox;
            setFolderDialog(null);
            if (name === m.name) return;
            if (selected?.accountId === m.accountId && selected.path === m.path) {
              setSelected({ accountId: m.accountId, path: m.parentPath && m.delimiter ? `${m.parentPath}${m.delimiter}${name}` : name });
            }
            folderChange(call('folders.rename', { mailboxId: m.id, name }), t('folders.renamed', { name }));
          }}
        />
      )}
      {folderDialog?.kind === 'delete' && (
        <ConfirmDialog
          title={t('folders.deleteTitle', { name: folderDialog.mailbox.name })}
          confirmLabel={t('folders.delete')}
          cancelLabel={t('common.cancel')}
          danger
          onCancel={() => setFolderDialog(null)}
          onConfirm={() => {
            const m = folderDialog.mailbox;
            setFolderDialog(null);
            if (selected?.accountId === m.accountId && selected.path !== null && selected.path.startsWith(m.path)) {
              setSelected({ accountId: m.accountId, path: null });
            }
            folderChange(call('folders.delete', { mailboxId: m.id }), t('folders.deleted', { name: m.name }));
          }}
        >
          <p>{folderDialog.mailbox.total ? t('folders.deleteBody', { n: folderDialog.mailbox.total }) : t('folders.deleteBodyEmpty')}</p>
        </ConfirmDialog>
      )}
      {folderDialog?.kind === 'empty' && (
        <ConfirmDialog
          title={t('folders.emptyTitle', { name: folderLabel(folderDialog.mailbox.name, folderDialog.mailbox.role, language) })}
          confirmLabel={t('folders.emptyConfirm')}
          cancelLabel={t('common.cancel')}
          danger
          onCancel={() => setFolderDialog(null)}
          onConfirm={() => {
            const m = folderDialog.mailbox;
            setFolderDialog(null);
            folderChange(call('folders.empty', { mailboxId: m.id }), t('folders.emptied', { name: folderLabel(m.name, m.role, language) }));
          }}
        >
          <p>{folderDialog.mailbox.total ? t('folders.emptyBody', { n: folderDialog.mailbox.total }) : t('folders.emptyBodyAll')}</p>
        </ConfirmDialog>
      )}
      {help && <HelpDialog onClose={() => setHelp(false)} />}
    </div>
  );
}
