import type { Account } from '../../../../shared/domain/account.js';
import type { Mailbox } from '../../../../shared/domain/mailbox.js';
import { Icon } from '../../ui/Icon.js';
import { OfflineWindowSetting } from '../accounts/OfflineWindowSetting.js';
import { useSettings } from '../../app/settings.js';
import { formatCount } from '../messages/format.js';
import { folderLabel, roleIcon, roleLabel } from './roles.js';
import type { AccountFolders } from './useMailboxes.js';

/** The right-hand area when no readable folder is selected: the account's overview, or a folder that only holds folders. */
export function FolderPane({
  account,
  folders,
  path,
  onRefresh,
  onRemove,
}: {
  account: Account;
  folders: AccountFolders | undefined;
  path: string | null;
  onRefresh: () => void;
  onRemove: () => void;
}) {
  const { t, language, locale, describe } = useSettings();
  const count = (n: number | null): string => (n === null ? '—' : formatCount(n, locale));
  const mailbox: Mailbox | undefined = path === null ? undefined : folders?.mailboxes.find((m) => m.path === path);
  const refreshed = folders?.refreshedAt
    ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(folders.refreshedAt))
    : null;
  return (
    <div className="pane" data-testid="folder-pane">
      <header className="pane-header">
        <div className="pane-title">
          <Icon name={mailbox ? roleIcon(mailbox.role) : 'account'} className="pane-icon" />
          <div>
            <h1 data-testid="pane-title">{mailbox ? folderLabel(mailbox.name, mailbox.role, language) : account.name}</h1>
            <p className="pane-sub">
              {mailbox ? `${account.name} · ${mailbox.path}` : `${account.email} · ${account.host}:${account.port}`}
            </p>
          </div>
        </div>
        <div className="pane-actions">
          <button
            type="button"
            className="button"
            onClick={onRefresh}
            disabled={folders?.refreshing ?? false}
            aria-busy={folders?.refreshing ?? false}
          >
            <Icon name="refresh" /> {folders?.refreshing ? t('folders.refreshing') : t('folders.refresh')}
          </button>
          {!mailbox && (
            <button type="button" className="button danger-outline" onClick={onRemove}>
              {t('folders.removeAccount')}
            </button>
          )}
        </div>
      </header>
      {folders?.error && (
        <p className="pane-error" role="alert" data-testid="folders-error" data-error-code={folders.error.code}>
          {describe(folders.error)}
        </p>
      )}
      <div className="pane-body">
        {mailbox ? (
          <div className="empty-state">
            <dl className="counts" data-testid="folder-counts">
              <div>
                <dt>{t('folders.messages')}</dt>
                <dd>{count(mailbox.total)}</dd>
              </div>
              <div>
                <dt>{t('folders.unread')}</dt>
                <dd>{count(mailbox.unread)}</dd>
              </div>
            </dl>
            {mailbox.role && <p className="muted">{roleLabel(mailbox.role, language)}</p>}
            <p className="muted">{t('folders.noMessagesHere')}</p>
          </div>
        ) : (
          <div className="empty-state">
            <p className="empty-title">{t('folders.selectFolder')}</p>
            <p className="muted">
              {folders && folders.mailboxes.length === 0 && !folders.loading
                ? t('folders.noneYet')
                : refreshed
                  ? t('folders.fetchedAt', { when: refreshed })
                  : t('folders.keptUpToDate')}
            </p>
            <OfflineWindowSetting key={account.id} account={account} />
          </div>
        )}
      </div>
    </div>
  );
}
