import { useCallback, useId, useMemo, useRef, useState } from 'react';
import type { Mailbox } from '../../../../shared/domain/mailbox.js';
import { useSettings } from '../../app/settings.js';
import { Icon } from '../../ui/Icon.js';
import { uiLocale } from '../../ui/locale.js';
import { folderPathLabel, roleIcon } from './roles.js';
import { isInbox } from './tree.js';
import { useModal } from '../../ui/useModal.js';

/** Folders a message can go to, best first (INBOX, special folders, then by path), filtered by text. */
export function pickerChoices(
  mailboxes: readonly Mailbox[],
  exclude: number | null,
  filter: string,
  shown: (m: Mailbox) => string = (m) => m.path,
): Mailbox[] {
  const f = filter.trim().toLocaleLowerCase(uiLocale);
  const has = (text: string) => text.toLocaleLowerCase(uiLocale).includes(f);
  const rank = (m: Mailbox) => (isInbox(m) ? 0 : m.role ? 1 : m.namespace === 'personal' ? 2 : 3);
  return mailboxes
    .filter((m) => m.selectable && m.id !== exclude && !m.readOnly)
    .filter((m) => f === '' || has(m.path) || has(m.name) || has(shown(m)))
    .sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path, uiLocale));
}

/** "Move to…" / "Copy to…": type to filter, ↑/↓ to choose, Enter to go. */
export function FolderPicker({
  title,
  mailboxes,
  exclude,
  onPick,
  onCancel,
}: {
  title: string;
  mailboxes: readonly Mailbox[];
  exclude: number | null;
  onPick: (mailbox: Mailbox) => void;
  onCancel: () => void;
}) {
  const { t, language } = useSettings();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const listId = useId();
  const [filter, setFilter] = useState('');
  const [active, setActive] = useState(0);
  const shown = useCallback((m: Mailbox) => folderPathLabel(m, mailboxes, language), [mailboxes, language]);
  const choices = useMemo(() => pickerChoices(mailboxes, exclude, filter, shown), [mailboxes, exclude, filter, shown]);
  const current = choices[Math.min(active, choices.length - 1)];
  useModal(ref);
  return (
    <dialog
      ref={ref}
      className="dialog picker-dialog"
      aria-labelledby={titleId}
      data-testid="folder-picker"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <input
        className="picker-filter"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={current ? `${listId}-${current.id}` : undefined}
        aria-label={t('picker.filter')}
        placeholder={t('picker.filter')}
        value={filter}
        autoFocus
        onChange={(e) => {
          setFilter(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive(Math.min(choices.length - 1, active + 1));
          else if (e.key === 'ArrowUp') setActive(Math.max(0, active - 1));
          else if (e.key === 'Enter') {
            if (current) onPick(current);
          } else return;
          e.preventDefault();
        }}
        data-testid="picker-filter"
      />
      <ul className="picker-list" role="listbox" id={listId} aria-label={title}>
        {choices.map((m, i) => (
          <li
            key={m.id}
            id={`${listId}-${m.id}`}
            role="option"
            aria-selected={m === current}
            className={m === current ? 'picker-item active' : 'picker-item'}
            onMouseEnter={() => setActive(i)}
            onClick={() => onPick(m)}
            data-path={m.path}
          >
            <Icon name={roleIcon(m.role)} />
            <span title={m.path}>{shown(m)}</span>
          </li>
        ))}
        {choices.length === 0 && <li className="muted pad">{t('picker.none')}</li>}
      </ul>
      <div className="actions">
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
