import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Account } from '../../../../shared/domain/account.js';
import type { Mailbox } from '../../../../shared/domain/mailbox.js';
import type { MessageSort } from '../../../../shared/domain/message.js';
import { useSettings } from '../../app/settings.js';
import { Splitter } from '../../ui/Splitter.js';
import { MessageView } from '../reader/MessageView.js';
import { useSearch } from '../search/useSearch.js';
import { actionLabel, runAction, type ActionName } from './actions.js';
import { MessageList, type MessageListHandle } from './MessageList.js';
import { emptySelection, isSelected, pruneSelection, selectedCount, singleSelected, type SelectionState } from './selection.js';
import { noFilters, useFolderSource, useStaticSource, type Filters, type ListSource } from './source.js';

/** True when a key press belongs to a text field (shortcuts must not steal typing). */
export function typingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

const actionKeys: Record<string, ActionName> = { u: 'markRead', s: 'flag', e: 'archive', '#': 'delete', Delete: 'delete', z: 'undo' };

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** The message list and the reading pane for one folder, or for search results. */
export function MailPane({
  account,
  mailbox,
  searchText,
  onToast,
}: {
  account: Account;
  mailbox: Mailbox;
  searchText: string;
  onToast: (text: string) => void;
}) {
  const { t, locale, settings, update } = useSettings();
  const [sort, setSort] = useState<MessageSort>('date');
  const [descending, setDescending] = useState(true);
  const [filters, setFilters] = useState<Filters>(noFilters);
  // One selection for the folder and one for search results, so that each survives the other.
  const [selections, setSelections] = useState<{ folder: SelectionState; search: SelectionState }>({
    folder: emptySelection,
    search: emptySelection,
  });
  const list = useRef<MessageListHandle>(null);
  const readerRef = useRef<HTMLDivElement>(null);

  const anyFilter = filters.unread || filters.flagged || filters.hasAttachments;
  const hint = anyFilter
    ? filters.unread && !filters.flagged && !filters.hasAttachments
      ? (mailbox.unread ?? 0)
      : 0
    : (mailbox.total ?? 0);
  const resetSelection = useCallback(() => setSelections((s) => ({ ...s, folder: emptySelection })), []);
  const folderSource = useFolderSource(mailbox.id, sort, descending, filters, hint, resetSelection);

  const searching = searchText.trim() !== '';
  const search = useSearch(searching ? searchText : '', account.id, mailbox.id, (uid) => t('search.serverOnlyRow', { uid }));
  const searchRows = useMemo(() => search.rows.map((r) => r.message), [search.rows]);
  const searchSource = useStaticSource(searchRows, search.loading, search.error);
  const serverIds = useMemo(() => new Set(search.rows.filter((r) => r.source === 'server').map((r) => r.message.id)), [search.rows]);
  const source: ListSource = searching ? searchSource : folderSource;

  const mode = searching ? 'search' : 'folder';
  const setSelection = useCallback((s: SelectionState) => setSelections((prev) => ({ ...prev, [mode]: s })), [mode]);
  // Live updates: the selection holds only messages still in the list (when the whole list is known).
  const raw = selections[mode];
  const selection = useMemo(() => (source.exact ? pruneSelection(raw, (id) => source.indexOf(id) >= 0) : raw), [raw, source]);

  const single = useDebounced(singleSelected(selection), 90);
  const count = selectedCount(selection, source.rowCount);

  const act = useCallback(
    (action: ActionName) => {
      const ids: number[] = [];
      const loaded: { seen: boolean; flagged: boolean }[] = [];
      for (let i = 0; i < source.rowCount; i++) {
        const m = source.rowAt(i);
        if (m && m.id > 0 && isSelected(selection, m.id)) {
          ids.push(m.id);
          loaded.push(m);
        }
        if (!selection.all && ids.length === selection.ids.size) break;
      }
      const name = t(actionLabel[action]);
      void runAction(action, {
        accountId: account.id,
        ids,
        allSeen: loaded.every((m) => m.seen),
        allFlagged: loaded.every((m) => m.flagged),
      }).then((r) => {
        if (r.status === 'unavailable') onToast(t('actions.notAvailable', { action: name }));
        else if (r.status === 'empty') onToast(t('actions.nothingSelected'));
        else if (r.status === 'failed') onToast(t('actions.failed', { action: name, message: r.message }));
        else onToast(t('actions.done', { action: name }));
      });
    },
    [account.id, source, selection, t, onToast],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typingTarget(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (e.key === 'j' || e.key === 'k') {
        e.preventDefault();
        list.current?.moveBy(e.key === 'j' ? 1 : -1);
        return;
      }
      if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement) && !(e.target instanceof HTMLAnchorElement)) {
        e.preventDefault();
        readerRef.current?.querySelector<HTMLElement>('.reader')?.focus();
        return;
      }
      const action = actionKeys[e.key];
      if (action) {
        e.preventDefault();
        act(action);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [act]);

  const onSort = (s: MessageSort) => {
    if (s === sort) setDescending(!descending);
    else {
      setSort(s);
      setDescending(s === 'date' || s === 'size');
    }
  };

  const filterButton = (key: keyof Filters, label: string) => (
    <button
      type="button"
      className={filters[key] ? 'chip on' : 'chip'}
      aria-pressed={filters[key]}
      onClick={() => setFilters({ ...filters, [key]: !filters[key] })}
      data-testid={`filter-${key}`}
    >
      {label}
    </button>
  );

  const total = source.exact ? source.rowCount : (mailbox.total ?? source.rowCount);
  return (
    <div className="mail-pane" style={{ gridTemplateColumns: `${settings.listWidth}px auto minmax(280px, 1fr)` }}>
      <section className="list-pane" aria-label={searching ? t('search.results', { query: searchText }) : mailbox.name}>
        <header className="list-header">
          <div className="list-title">
            <h1 data-testid="pane-title">{searching ? t('search.results', { query: searchText }) : mailbox.name}</h1>
            <span className="muted" data-testid="list-count">
              {count > 1
                ? t('list.selected', { n: new Intl.NumberFormat(locale).format(count) })
                : total === 1
                  ? t('list.countOne')
                  : t('list.count', { n: new Intl.NumberFormat(locale).format(total) })}
            </span>
          </div>
          {searching ? (
            <div className="list-tools">
              {search.server === 'busy' ? (
                <span className="muted" role="status">
                  <span className="spinner" aria-hidden="true" /> {t('search.serverBusy')}
                </span>
              ) : (
                <button type="button" className="chip" onClick={search.searchServer} data-testid="search-server">
                  {t('search.server')}
                </button>
              )}
              {search.server === 'done' && (
                <span className="muted" role="status">
                  {t('search.serverDone', { n: search.serverFound })}
                </span>
              )}
            </div>
          ) : (
            <div className="list-tools" role="group" aria-label={t('list.filters')}>
              {filterButton('unread', t('list.filter.unread'))}
              {filterButton('flagged', t('list.filter.flagged'))}
              {filterButton('hasAttachments', t('list.filter.attachments'))}
            </div>
          )}
        </header>
        <MessageList
          handle={list}
          source={source}
          selection={selection}
          onSelection={setSelection}
          sort={searching ? null : sort}
          descending={descending}
          onSort={searching ? null : onSort}
          label={t('list.label', { folder: searching ? searchText : mailbox.name })}
          onOpen={() => readerRef.current?.querySelector<HTMLElement>('.reader')?.focus()}
          sourceBadge={
            searching && search.server === 'done'
              ? (m) => (serverIds.has(m.id) ? t('search.sourceServer') : t('search.sourceLocal'))
              : undefined
          }
          testId={searching ? 'search-results' : 'message-list'}
        />
        {searching && !search.loading && search.rows.length === 0 && <p className="list-empty">{t('search.none')}</p>}
        {searching && search.more && <p className="muted pad">{t('search.more')}</p>}
        {!searching && source.exact && source.rowCount === 0 && anyFilter && <p className="list-empty">{t('list.emptyFiltered')}</p>}
      </section>
      <Splitter
        value={settings.listWidth}
        min={260}
        max={900}
        onChange={(listWidth) => update({ listWidth })}
        label={t('splitter.list')}
        testId="splitter-list"
      />
      <div className="reader-pane" ref={readerRef}>
        {single !== null && single < 0 ? (
          <section className="reader empty-state" data-testid="reader">
            <p className="muted">{t('search.sourceServer')}</p>
          </section>
        ) : (
          <MessageView messageId={single} count={count} />
        )}
      </div>
    </div>
  );
}
