import type { Account } from '../../../../shared/domain/account.js';
import type { Mailbox } from '../../../../shared/domain/mailbox.js';
import { Icon } from '../../ui/Icon.js';
import { uiLocale } from '../../ui/locale.js';
import { roleIcon, roleLabel } from './roles.js';
import type { AccountFolders } from './useMailboxes.js';

const count = (n: number | null): string => (n === null ? '—' : new Intl.NumberFormat(uiLocale).format(n));

/** The right-hand area until the message list arrives: what is selected, and its counts. */
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
  const mailbox: Mailbox | undefined = path === null ? undefined : folders?.mailboxes.find((m) => m.path === path);
  const refreshed = folders?.refreshedAt
    ? new Intl.DateTimeFormat(uiLocale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(folders.refreshedAt))
    : null;
  return (
    <div className="pane" data-testid="folder-pane">
      <header className="pane-header">
        <div className="pane-title">
          <Icon name={mailbox ? roleIcon(mailbox.role) : 'account'} className="pane-icon" />
          <div>
            <h1 data-testid="pane-title">{mailbox ? mailbox.name : account.name}</h1>
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
            <Icon name="refresh" /> {folders?.refreshing ? 'Refreshing…' : 'Refresh folders'}
          </button>
          {!mailbox && (
            <button type="button" className="button danger-outline" onClick={onRemove}>
              Remove account…
            </button>
          )}
        </div>
      </header>
      {folders?.error && (
        <p className="pane-error" role="alert" data-testid="folders-error" data-error-code={folders.error.code}>
          {folders.error.message}
        </p>
      )}
      <div className="pane-body">
        {mailbox ? (
          <div className="empty-state">
            <dl className="counts" data-testid="folder-counts">
              <div>
                <dt>Messages</dt>
                <dd>{count(mailbox.total)}</dd>
              </div>
              <div>
                <dt>Unread</dt>
                <dd>{count(mailbox.unread)}</dd>
              </div>
            </dl>
            {mailbox.role && <p className="muted">{roleLabel(mailbox.role)}</p>}
            <p className="muted">The message list comes in a later version.</p>
          </div>
        ) : (
          <div className="empty-state">
            <p className="empty-title">Select a folder</p>
            <p className="muted">
              {folders && folders.mailboxes.length === 0 && !folders.loading
                ? 'No folders yet: use Refresh folders to fetch them from the server.'
                : refreshed
                  ? `Folder list fetched from the server ${refreshed}.`
                  : 'Folders are read from this computer and kept up to date with the server.'}
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
