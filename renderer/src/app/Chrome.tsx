import { useEffect, useRef, useState } from 'react';
import type { Account } from '../../../shared/domain/account.js';
import type { UiLanguage } from '../i18n/strings.js';
import { call } from '../ipc/client.js';
import { Icon } from '../ui/Icon.js';
import { formatCount } from '../features/messages/format.js';
import { useSettings, type Density, type LanguageSetting } from './settings.js';
import { useSyncStatus, useWorkingOffline } from './useSyncStatus.js';
import { useModal } from '../ui/useModal.js';

export function SearchBox({
  value,
  onChange,
  inputRef,
  onEscape,
}: {
  value: string;
  onChange: (v: string) => void;
  inputRef: React.RefObject<HTMLInputElement | null>;
  /** Esc in the box (it clears the box when not given). */
  onEscape?: () => void;
}) {
  const { t } = useSettings();
  return (
    <div className="search-box" role="search">
      <Icon name="search" className="search-icon" />
      <input
        ref={inputRef}
        type="search"
        aria-label={t('search.label')}
        placeholder={t('search.placeholder')}
        title={t('search.syntax')}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.currentTarget.blur();
            if (onEscape) onEscape();
            else onChange('');
          }
        }}
        data-testid="search-input"
      />
    </div>
  );
}

export function SettingsMenu({ onHelp }: { onHelp: () => void }) {
  const { t, settings, update } = useSettings();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  return (
    <div className="settings" ref={box}>
      <button
        type="button"
        className="icon-button"
        aria-expanded={open}
        aria-haspopup="true"
        title={t('settings.button')}
        aria-label={t('settings.button')}
        onClick={() => setOpen(!open)}
        data-testid="settings-button"
      >
        <Icon name="settings" />
      </button>
      {open && (
        <div
          className="settings-panel"
          role="group"
          aria-label={t('settings.button')}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.preventDefault(); // closes this panel only (not a search too)
            setOpen(false);
          }}
        >
          <label className="field">
            <span>{t('settings.language')}</span>
            <select
              value={settings.language}
              onChange={(e) => update({ language: e.target.value as LanguageSetting })}
              data-testid="language-select"
            >
              <option value="auto">{t('settings.language.auto')}</option>
              {(['en', 'ja'] as UiLanguage[]).map((l) => (
                <option key={l} value={l}>
                  {l === 'en' ? 'English' : '日本語'}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('settings.density')}</span>
            <select value={settings.density} onChange={(e) => update({ density: e.target.value as Density })} data-testid="density-select">
              <option value="comfortable">{t('settings.density.comfortable')}</option>
              <option value="compact">{t('settings.density.compact')}</option>
            </select>
          </label>
          <label className="field">
            <span>{t('settings.markRead')}</span>
            <select
              value={settings.markReadDelay === null ? 'never' : String(settings.markReadDelay)}
              onChange={(e) => update({ markReadDelay: e.target.value === 'never' ? null : Number(e.target.value) })}
              data-testid="mark-read-select"
            >
              <option value="0">{t('settings.markRead.now')}</option>
              <option value="1000">{t('settings.markRead.after', { n: 1 })}</option>
              <option value="3000">{t('settings.markRead.after', { n: 3 })}</option>
              <option value="never">{t('settings.markRead.never')}</option>
            </select>
          </label>
          <label className="field">
            <span>{t('settings.listDate')}</span>
            <select
              value={settings.listDate}
              onChange={(e) => update({ listDate: e.target.value === 'sent' ? 'sent' : 'received' })}
              data-testid="list-date-select"
            >
              <option value="received">{t('settings.listDate.received')}</option>
              <option value="sent">{t('settings.listDate.sent')}</option>
            </select>
          </label>
          <button
            type="button"
            className="button small"
            onClick={() => {
              setOpen(false);
              onHelp();
            }}
          >
            {t('settings.shortcuts')}
          </button>
        </div>
      )}
    </div>
  );
}

export function HelpDialog({ onClose }: { onClose: () => void }) {
  const { t } = useSettings();
  const ref = useRef<HTMLDialogElement>(null);
  useModal(ref);
  const rows: [string, Parameters<typeof t>[0]][] = [
    ['j / ↓', 'help.next'],
    ['k / ↑', 'help.prev'],
    ['Enter', 'help.open'],
    ['/', 'help.search'],
    ['Ctrl / ⌘ + A', 'help.selectAll'],
    [`Shift + ↑↓ / ${t('help.click')}`, 'help.range'],
    ['u', 'actions.toggleRead'],
    ['s', 'actions.flag'],
    ['e', 'actions.archive'],
    ['v', 'actions.moveTo'],
    ['Shift + V', 'actions.copyTo'],
    ['# / Delete', 'actions.delete'],
    ['z', 'actions.undo'],
    ['Shift + F10', 'actions.menu'],
    ['?', 'help.help'],
    ['Esc', 'help.escape'],
  ];
  return (
    <dialog ref={ref} className="dialog help-dialog" aria-labelledby="help-title" onClose={onClose} data-testid="help-dialog">
      <h2 id="help-title">{t('help.title')}</h2>
      <table className="shortcuts">
        <tbody>
          {rows.map(([keys, label]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{t(label)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="button" onClick={() => ref.current?.close()}>
          {t('help.close')}
        </button>
      </div>
    </dialog>
  );
}

/** Online / syncing / offline per account, and sync progress, at the bottom of the window. */
export function StatusBar({
  accounts,
  pending,
  failed,
  onShowFailed,
}: {
  accounts: readonly Account[];
  /** Operations waiting for the server (all accounts, or one). */
  pending: (accountId?: number) => number;
  failed: number;
  onShowFailed: () => void;
}) {
  const { t, locale, describe } = useSettings();
  const { states, progress } = useSyncStatus();
  const working = useWorkingOffline();
  const waiting = pending();
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className="status-item" role="status" data-testid="pending-count" data-count={waiting}>
        {/* Not "All changes saved" beside changes the server refused. */}
        {waiting > 0 ? t('ops.pending', { n: waiting }) : failed > 0 ? t('ops.noneWaiting') : t('ops.allSaved')}
      </span>
      {failed > 0 && (
        <button type="button" className="status-failed" onClick={onShowFailed} data-testid="failed-count" data-count={failed}>
          <Icon name="warning" /> {t('ops.failedCount', { n: failed })}
        </button>
      )}
      {accounts.map((a) => {
        const s = states.get(a.id);
        const p = progress.get(a.id);
        const state = s?.state ?? 'stopped';
        const text =
          state === 'idle'
            ? t('status.online')
            : state === 'syncing'
              ? t('status.syncing')
              : state === 'connecting'
                ? s?.error
                  ? t('status.reconnecting')
                  : t('status.connecting')
                : state === 'offline'
                  ? s?.retryAt
                    ? t('status.offlineRetry', {
                        time: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(
                          new Date(s.retryAt),
                        ),
                      })
                    : t('status.offline')
                  : state === 'auth-failed'
                    ? t('status.authFailed')
                    : state === 'paused'
                      ? t('status.workingOffline')
                      : t('status.stopped');
        return (
          <span
            key={a.id}
            className={`status-item state-${state}`}
            role="status"
            data-testid="sync-status"
            data-state={state}
            title={s?.error ? describe(s.error) : undefined}
          >
            <span className="status-dot" aria-hidden="true" />
            <span className="status-account">{a.name}</span> {text}
            {p && p.total > 0 && (
              <span className="status-progress">
                {' · '}
                {t('status.progress', { path: p.path, done: formatCount(p.done, locale), total: formatCount(p.total, locale) })}
              </span>
            )}
            {state === 'offline' && (
              // Back on the network before the retry time: reconnect now rather than wait it out.
              <button
                type="button"
                className="link-button"
                onClick={() => void call('sync.wake', {}).catch(() => undefined)}
                data-testid="retry-now"
              >
                {t('status.retryNow')}
              </button>
            )}
          </span>
        );
      })}
      {accounts.length > 0 && (
        // Work offline (a plane, a metered link): no connection until the user goes online again;
        // changes queue meanwhile. The desktop app's File and tray menus have it too.
        <button
          type="button"
          className="link-button status-offline-toggle"
          aria-pressed={working.offline}
          onClick={() => void working.setOffline(!working.offline).catch(() => undefined)}
          data-testid="work-offline"
        >
          {working.offline ? t('status.goOnline') : t('status.workOffline')}
        </button>
      )}
    </footer>
  );
}

export interface Toast {
  key: number;
  text: string;
  /** The action its Undo button takes back (ops.undo of exactly that action). */
  undo: { accountId: number; actionId: number } | null;
}

export function Toasts({
  toasts,
  onDismiss,
  onUndo,
}: {
  toasts: Toast[];
  onDismiss: (key: number) => void;
  onUndo: (key: number, undo: { accountId: number; actionId: number }) => void;
}) {
  const { t } = useSettings();
  return (
    <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.map((toast) => (
        <div key={toast.key} className="toast" data-testid="toast">
          <span>{toast.text}</span>
          {toast.undo && (
            <button
              type="button"
              className="toast-action"
              onClick={() => toast.undo && onUndo(toast.key, toast.undo)}
              data-testid="toast-undo"
            >
              {t('actions.undo')}
            </button>
          )}
          <button type="button" className="icon-button" aria-label={t('common.dismiss')} onClick={() => onDismiss(toast.key)}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
