import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import type { Account } from '../../../../shared/domain/account.js';
import type { Mailbox } from '../../../../shared/domain/mailbox.js';
import type { MessageSort, MessageSummary } from '../../../../shared/domain/message.js';
import { useSettings } from '../../app/settings.js';
import type { Failure } from '../../i18n/errors.js';
import { asTegamiError, call, subscribe } from '../../ipc/client.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { ContextMenu, type MenuItem } from '../../ui/Menu.js';
import { Splitter } from '../../ui/Splitter.js';
import { FolderPicker } from '../folders/FolderPicker.js';
import { folderLabel } from '../folders/roles.js';
import { prefetchMessage } from '../reader/messageCache.js';
import { MessageView } from '../reader/MessageView.js';
import { engineQuery, parseQuery } from '../search/query.js';
import { useSearch } from '../search/useSearch.js';
import { actionLabel, runAction, type ActionName, type ActionResult } from './actions.js';
import { MESSAGE_DRAG_TYPE } from './drag.js';
import { MessageList, type MessageListHandle } from './MessageList.js';
import { emptySelection, isSelected, pruneSelection, selectedCount, singleSelected, type SelectionState } from './selection.js';
import { noFilters, useConversationSource, useFolderSource, useStaticSource, type Filters, type ListSource } from './source.js';

/** A toast; `undo`: the action its Undo button takes back (that one, not whatever was done last). */
export type ToastFn = (text: string, undo?: { accountId: number; actionId: number }) => void;

/** True when a key press belongs to a text field (shortcuts must not steal typing). */
export function typingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

const actionKeys: Record<string, ActionName> = { u: 'toggleRead', s: 'flag', e: 'archive', '#': 'delete', Delete: 'delete', z: 'undo' };
const removes: readonly ActionName[] = ['archive', 'delete', 'move'];
/** Selection changes closer together than this (a key held down) open their message once they rest. */
const SETTLE_MS = 90;
/** The neighbours of an opened message are read after this long (not competing with its own render). */
const NEIGHBOUR_DELAY_MS = 30;
/** The folder's first row is read this long after the folder opened (after its rows painted). */
const FIRST_ROW_DELAY_MS = 150;

/**
 * `value`, but while it changes quickly (j held down) only once it rests for `ms`: the first change
 * after a quiet moment is passed on at once, so a click opens its message without waiting.
 */
function useSettled<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const now = performance.now();
    const quiet = now - last.current > ms;
    last.current = now;
    if (quiet) {
      // Not a timer: a click's message renders right after the list, without waiting for a task.
      let live = true;
      queueMicrotask(() => live && setV(value));
      return () => {
        live = false;
      };
    }
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** A server search hit not stored yet: it is downloaded (one sync pass), then opened in its place. */
function ServerOnly({
  uid,
  mailboxId,
  download,
  onReady,
}: {
  uid: number;
  mailboxId: number;
  download: (uid: number, mailboxId: number, onFound: (m: MessageSummary) => void) => Promise<MessageSummary | null>;
  /** Called once the message is stored, even if this view has gone meanwhile (the row is replaced). */
  onReady: (id: number) => void;
}) {
  const { t, describe } = useSettings();
  const [error, setError] = useState<Failure | null>(null);
  const ready = useRef(onReady);
  useEffect(() => {
    ready.current = onReady;
  });
  useEffect(() => {
    let live = true;
    download(uid, mailboxId, (m) => ready.current(m.id)).then(
      (m) => {
        if (live && m === null) setError({ key: 'search.serverGone' });
      },
      (e: unknown) => live && setError(asTegamiError(e)),
    );
    return () => {
      live = false;
    };
  }, [uid, mailboxId, download]);
  return (
    <section className="reader empty-state" data-testid="reader">
      {error === null ? (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> {t('search.serverOnlyLoading')}
        </p>
      ) : (
        <p className="pane-error" role="alert">
          {describe(error)}
        </p>
      )}
    </section>
  );
}

/** The message list and the reading pane for one folder, or for search results. */
export function MailPane({
  account,
  mailbox,
  mailboxes,
  searchText,
  onToast,
  onUndone,
}: {
  account: Account;
  mailbox: Mailbox;
  /** The account's folders (move / copy targets). */
  mailboxes: readonly Mailbox[];
  searchText: string;
  onToast: ToastFn;
  /** An action was undone here (z): its toast no longer offers Undo. */
  onUndone?: (actionId: number) => void;
}) {
  const { t, language, settings, update, describe } = useSettings();
  const folderName = folderLabel(mailbox.name, mailbox.role, language);
  const [sort, setSort] = useState<MessageSort>('date');
  const [descending, setDescending] = useState(true);
  const [chosenFilters, setFilters] = useState<Filters>(noFilters);
  // A search of filters only ("is:unread", "is:read", "is:flagged", "has:attachment"), with no words
  // to look for, filters the folder's list instead: the search index has nothing to match.
  const typed = parseQuery(searchText);
  const filterOnly =
    searchText.trim() !== '' && engineQuery(typed) === null && (typed.unread !== null || typed.flagged || typed.hasAttachment);
  const filters = useMemo<Filters>(
    () =>
      filterOnly
        ? {
            // is:read beside the Unread chip: both hold, so nothing is shown.
            unread: chosenFilters.unread || typed.unread === true,
            read: typed.unread === false,
            flagged: chosenFilters.flagged || typed.flagged,
            hasAttachments: chosenFilters.hasAttachments || typed.hasAttachment,
          }
        : chosenFilters,
    [filterOnly, chosenFilters, typed.unread, typed.flagged, typed.hasAttachment],
  );
  // One selection for the folder and one for search results, so that each survives the other.
  const [selections, setSelections] = useState<{ folder: SelectionState; search: SelectionState }>({
    folder: emptySelection,
    search: emptySelection,
  });
  const list = useRef<MessageListHandle>(null);
  const readerRef = useRef<HTMLDivElement>(null);

  const anyFilter = filters.unread || filters.read === true || filters.flagged || filters.hasAttachments;
  // The folder's own counts size the scrollbar until the engine has counted (read: total − unread).
  const hint = anyFilter
    ? filters.flagged || filters.hasAttachments
      ? 0
      : filters.unread && filters.read
        ? 0
        : filters.unread
          ? (mailbox.unread ?? 0)
          : Math.max(0, (mailbox.total ?? 0) - (mailbox.unread ?? 0))
    : (mailbox.total ?? 0);
  const resetSelection = useCallback(() => setSelections((s) => ({ ...s, folder: emptySelection })), []);
  const conversations = settings.conversations;
  const searching = searchText.trim() !== '' && !filterOnly;
  // The Date column sorts by arrival, or by the sender's date when the settings say so.
  const listSort: MessageSort = sort === 'date' && settings.listDate === 'sent' ? 'sent' : sort;
  const pagedSource = useFolderSource(mailbox.id, listSort, descending, filters, hint, resetSelection);
  const limitNote = useCallback((n: number) => t('list.conversationLimit', { n }), [t]);
  const threadSource = useConversationSource(mailbox.id, listSort, descending, filters, conversations && !searching, limitNote);
  const folderSource = conversations ? threadSource : pagedSource;

  const search = useSearch(searching ? searchText : '', account.id, mailbox.id, (uid) => t('search.serverOnlyRow', { uid }));
  const searchRows = useMemo(() => search.rows.map((r) => r.message), [search.rows]);
  const searchSource = useStaticSource(searchRows, search.loading, search.error);
  const serverIds = useMemo(() => new Set(search.rows.filter((r) => r.source === 'server').map((r) => r.message.id)), [search.rows]);
  const source: ListSource = searching ? searchSource : folderSource;

  const mode = searching ? 'search' : 'folder';
  // The folder list's scroll position is kept while a search shows its results in the same list,
  // and given back when the search is cleared (with the selection, which is kept per mode).
  const folderScroll = useRef(0);
  const wasSearching = useRef(false);
  useLayoutEffect(() => {
    if (searching === wasSearching.current) return;
    wasSearching.current = searching;
    if (!searching) list.current?.setScrollTop(folderScroll.current);
  }, [searching]);

  // A message selected after a quiet moment (a click, not j held down) starts loading at once, before
  // the reading pane renders (see useSettled, which passes the same changes on without delay).
  const lastSelect = useRef(0);
  const setSelection = useCallback(
    (s: SelectionState) => {
      const one = singleSelected(s);
      const now = performance.now();
      if (one !== null && now - lastSelect.current > SETTLE_MS) prefetchMessage(one);
      lastSelect.current = now;
      setSelections((prev) => ({ ...prev, [mode]: s }));
    },
    [mode],
  );
  // Live updates: the selection holds only messages still in the list (when the whole list is known).
  const raw = selections[mode];
  const selection = useMemo(() => (source.exact ? pruneSelection(raw, (id) => source.indexOf(id) >= 0) : raw), [raw, source]);
  // The open message left the list because a sync removed it from the store (another device moved or
  // deleted it), not by the user's own archive, delete or move, nor by a filter that no longer holds
  // it: the reading pane says so instead of just going blank. (A local action's event lists no
  // removed ids; a sync's does.)
  const [removedHere, setRemovedHere] = useState<ReadonlySet<number>>(() => new Set());
  const [removedBySync, setRemovedBySync] = useState<ReadonlySet<number>>(() => new Set());
  useEffect(
    () =>
      subscribe('messages.changed', (e) => {
        if (e.mailboxId === mailbox.id && e.removed.length) setRemovedBySync((prev) => new Set([...prev, ...e.removed]));
      }),
    [mailbox.id],
  );
  const rawSingle = singleSelected(raw);
  const goneElsewhere =
    rawSingle !== null && singleSelected(selection) === null && removedBySync.has(rawSingle) && !removedHere.has(rawSingle);

  const single = useSettled(singleSelected(selection), SETTLE_MS);
  // Once a message is open, the ones above and below it are read too (what is cached locally only),
  // so that j / k or a click on the next row shows its text in the first render.
  const singleIndex = single === null ? -1 : source.indexOf(single);
  const below = singleIndex < 0 ? undefined : source.rowAt(singleIndex + 1)?.id;
  const above = singleIndex <= 0 ? undefined : source.rowAt(singleIndex - 1)?.id;
  useEffect(() => {
    if (below === undefined && above === undefined) return;
    const timer = setTimeout(() => {
      if (below !== undefined) prefetchMessage(below, false);
      if (above !== undefined) prefetchMessage(above, false);
    }, NEIGHBOUR_DELAY_MS);
    return () => clearTimeout(timer);
  }, [below, above]);
  // The newest message is the one most often opened next: once the folder has painted, it is read
  // too (local data only), so that its first click shows the text at once.
  const firstId = searching ? undefined : source.rowAt(0)?.id;
  useEffect(() => {
    if (firstId === undefined) return;
    const timer = setTimeout(() => prefetchMessage(firstId, false), FIRST_ROW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [firstId]);
  const count = selectedCount(selection, source.rowCount);

  const [picker, setPicker] = useState<'move' | 'copy' | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);

  /** The selected messages (a collapsed conversation stands for all of its messages). */
  const targets = useCallback(() => {
    const chosen = (id: number) => id > 0 && isSelected(selection, id);
    const rows: { id: number; mailboxId: number; seen: boolean; flagged: boolean }[] = [];
    for (let i = 0; i < source.rowCount; i++) {
      const m = source.rowAt(i);
      if (m && chosen(m.id)) rows.push(m);
      if (!selection.all && rows.length === selection.ids.size) break;
    }
    const ids = source.actionIds ? source.actionIds(chosen) : rows.map((m) => m.id);
    return {
      ids,
      mailboxIds: new Set(rows.map((m) => m.mailboxId)),
      allSeen: rows.length > 0 && rows.every((m) => m.seen),
      allFlagged: rows.length > 0 && rows.every((m) => m.flagged),
    };
  }, [source, selection]);

  /** A delete that expunges (in Trash, or an account without one) and waits for "Delete permanently". */
  const [confirmDelete, setConfirmDelete] = useState<{ n: number } | null>(null);

  const act = useCallback(
    (action: ActionName, targetId?: number, confirmed = false) => {
      if (action === 'move' || action === 'copy') {
        if (targetId === undefined) {
          if (targets().ids.length === 0) onToast(t('actions.nothingSelected'));
          else setPicker(action);
          return;
        }
      }
      const { ids: loadedIds, mailboxIds, allSeen, allFlagged } = targets();
      // "Select all" in a folder means every message it shows, not only the rows loaded so far: their
      // ids come from the engine (minus those clicked away). Search results are all loaded already.
      const everyId = selection.all && !searching && action !== 'undo';
      const chosenCount = everyId ? count : loadedIds.length;
      // Deleting from Trash (or where there is no Trash) expunges: asked first, and no Undo after it.
      const trash = mailboxes.find((m) => m.role === 'trash');
      const permanent = action === 'delete' && (trash === undefined || mailboxIds.has(trash.id) || (everyId && mailbox.id === trash.id));
      if (permanent && !confirmed && chosenCount > 0) {
        setConfirmDelete({ n: chosenCount });
        return;
      }
      const idsReady: Promise<number[]> = everyId
        ? call('messages.ids', { mailboxId: mailbox.id, ...filters }).then((r) => r.ids.filter((id) => isSelected(selection, id)))
        : Promise.resolve(loadedIds);
      const ids = loadedIds;
      if (removes.includes(action)) setRemovedHere((prev) => new Set([...prev, ...ids]));
      // After a message leaves the list, the next one is selected (the one below, else the one above).
      let next: number | null = null;
      if (removes.includes(action) && ids.length > 0 && !selection.all) {
        const chosen = new Set(ids);
        let last = -1;
        let first = -1;
        for (const id of chosen) {
          const i = source.indexOf(id);
          if (i > last) last = i;
          if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        for (let i = last + 1; i < source.rowCount && next === null; i++) {
          const m = source.rowAt(i);
          if (!m) break;
          if (!chosen.has(m.id)) next = m.id;
        }
        for (let i = first - 1; i >= 0 && next === null; i--) {
          const m = source.rowAt(i);
          if (!m) break;
          if (!chosen.has(m.id)) next = m.id;
        }
      }
      const folder = mailboxes.find((m) => m.id === targetId)?.name ?? '';
      const name = t(actionLabel[action]);
      let n = ids.length;
      void idsReady
        .then(
          (all) => {
            n = all.length;
            return runAction(action, { accountId: account.id, ids: all, allSeen, allFlagged, targetId });
          },
          // Not knowing which messages "all" is, nothing is done (rather than part of it).
          (error: unknown): ActionResult => ({ status: 'failed', failure: asTegamiError(error).info }),
        )
        .then((r) => {
          if (r.status === 'empty') onToast(t('actions.nothingSelected'));
          else if (r.status === 'nothing') onToast(t('actions.nothingToUndo'));
          else if (r.status === 'failed') onToast(t('actions.failed', { action: name, message: describe(r.failure) }));
          else if (action === 'undo') {
            if (r.actionId !== null) onUndone?.(r.actionId);
            onToast(t('actions.undone'));
          } else {
            const text =
              action === 'toggleRead'
                ? t(allSeen ? 'done.unread' : 'done.read', { n })
                : action === 'markRead'
                  ? t('done.read', { n })
                  : action === 'markUnread'
                    ? t('done.unread', { n })
                    : action === 'flag'
                      ? t(allFlagged ? 'done.unflagged' : 'done.flagged', { n })
                      : action === 'archive'
                        ? t('done.archived', { n })
                        : action === 'delete'
                          ? t('done.deleted', { n })
                          : action === 'move'
                            ? t('done.moved', { n, folder })
                            : t('done.copied', { n, folder });
            // A permanent delete cannot be taken back once it reaches the server: no Undo offered.
            onToast(text, permanent || r.actionId === null ? undefined : { accountId: account.id, actionId: r.actionId });
            if (removes.includes(action))
              setSelection(next === null ? emptySelection : { all: false, ids: new Set([next]), anchor: next, focus: next });
          }
        });
    },
    [
      account.id,
      mailbox.id,
      source,
      selection,
      searching,
      count,
      filters,
      targets,
      mailboxes,
      t,
      describe,
      onToast,
      onUndone,
      setSelection,
      setPicker,
      setConfirmDelete,
    ],
  );

  // Opening an unread message marks it read after a moment (Settings), so j/k through the list does
  // not. Once per opening: a message the user then marks unread stays unread while it is open.
  const single0 = singleSelected(selection);
  const openSeen = single0 === null ? undefined : source.rowAt(source.indexOf(single0))?.seen;
  const delay = settings.markReadDelay;
  const readSettled = useRef<number | null>(null);
  useEffect(() => {
    if (single0 === null || single0 < 0) {
      readSettled.current = null;
      return;
    }
    if (readSettled.current === single0 || openSeen === undefined) return;
    if (delay === null || openSeen) {
      readSettled.current = single0;
      return;
    }
    const timer = setTimeout(() => {
      readSettled.current = single0;
      // Not the user's action: z still takes back what they did last (an archive, a delete).
      void call('messages.setFlags', { ids: [single0], add: ['\\Seen'], remove: [], undoable: false }).catch(() => undefined);
    }, delay);
    return () => clearTimeout(timer);
  }, [single0, delay, openSeen]);

  // The key handler calls the latest `act`, updated in the same task as the render commits: a key
  // pressed right after a change shows (a row just flagged) acts on what is shown. (An effect that
  // re-registered the listener ran after paint, so a quick second "s" could flag again.)
  const actRef = useRef(act);
  useLayoutEffect(() => {
    actRef.current = act;
  }, [act]);
  useEffect(() => {
    const act = (action: ActionName) => actRef.current(action);
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
      if (e.key === 'v' || e.key === 'V') {
        e.preventDefault();
        act(e.key === 'v' ? 'move' : 'copy');
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
  }, []);

  const onSort = (s: MessageSort) => {
    if (s === sort) setDescending(!descending);
    else {
      setSort(s);
      setDescending(s === 'date' || s === 'size');
    }
    // A new order starts at its top: the old offset is an arbitrary place in it.
    list.current?.setScrollTop(0);
  };

  const filterButton = (key: keyof Filters, label: string) => (
    <button
      type="button"
      className={filters[key] ? 'chip on' : 'chip'}
      aria-pressed={filters[key]}
      onClick={() => setFilters({ ...chosenFilters, [key]: !chosenFilters[key] })}
      data-testid={`filter-${key}`}
    >
      {label}
    </button>
  );

  // Messages, not rows: in conversations a row stands for its thread.
  const total = source.messageCount ?? (source.exact || source.counted ? source.rowCount : (mailbox.total ?? source.rowCount));
  const menuItems = (): MenuItem[] => {
    const { allSeen, allFlagged } = targets();
    return [
      {
        key: 'read',
        label: t(allSeen ? 'actions.markUnread' : 'actions.markRead'),
        shortcut: 'u',
        onSelect: () => act(allSeen ? 'markUnread' : 'markRead'),
      },
      { key: 'flag', label: t(allFlagged ? 'actions.unflag' : 'actions.flagOne'), shortcut: 's', onSelect: () => act('flag') },
      { key: 'archive', label: t('actions.archive'), shortcut: 'e', onSelect: () => act('archive') },
      { key: 'move', label: t('actions.moveTo'), shortcut: 'v', onSelect: () => act('move') },
      { key: 'copy', label: t('actions.copyTo'), shortcut: '⇧V', onSelect: () => act('copy') },
      { key: 'delete', label: t('actions.delete'), shortcut: 'Del', danger: true, onSelect: () => act('delete') },
    ];
  };
  const onDragRows = (e: DragEvent, only: number | null) => {
    const ids = only !== null ? [only] : targets().ids;
    if (ids.length === 0) return;
    e.dataTransfer.setData(MESSAGE_DRAG_TYPE, JSON.stringify({ accountId: account.id, mailboxId: mailbox.id, ids }));
    e.dataTransfer.setData('text/plain', t('drag.messages', { n: ids.length }));
    e.dataTransfer.effectAllowed = 'copyMove';
  };
  return (
    // The list is as wide as the user made it, narrower when that would leave the message less than
    // 480 px, though never below half the pane for it: the message gets the room first. Each side at
    // least 240 px, or 40% of a pane too narrow for that. In a narrower window still, the message goes
    // below the list (styles.css).
    <div
      className="mail-pane"
      style={{
        gridTemplateColumns: `minmax(min(240px, 40%), min(${settings.listWidth}px, max(50%, 100% - 480px))) auto minmax(min(240px, 40%), 1fr)`,
      }}
    >
      <section className="list-pane" aria-label={searching ? t('search.results', { query: searchText }) : folderName}>
        <header className="list-header">
          <div className="list-title">
            <h1 data-testid="pane-title">{searching ? t('search.results', { query: searchText }) : folderName}</h1>
            <span className="muted" data-testid="list-count">
              {count > 1
                ? t('list.selected', { n: count })
                : searching && search.more
                  ? t('list.countMore', { n: total })
                  : t('list.count', { n: total })}
            </span>
          </div>
          {searching ? (
            <div className="list-tools">
              {search.server === 'busy' ? (
                <span className="muted" role="status">
                  <span className="spinner" aria-hidden="true" /> {t('search.serverBusy')}
                </span>
              ) : (
                // Every folder of the account, as the local results.
                <button type="button" className="chip" onClick={search.searchServer} data-testid="search-server">
                  {t('search.server')}
                </button>
              )}
              {search.server === 'done' && (
                <span className="muted" role="status">
                  {t('search.serverDone', { n: search.serverFound })}
                </span>
              )}
              {search.server === 'failed' && search.serverError && (
                <span className="search-server-error" role="alert" data-testid="search-server-error">
                  {t('search.serverFailed', { message: describe(search.serverError) })}
                </span>
              )}
            </div>
          ) : (
            <div className="list-tools" role="group" aria-label={t('list.filters')}>
              {filterButton('unread', t('list.filter.unread'))}
              {filterButton('flagged', t('list.filter.flagged'))}
              {filterButton('hasAttachments', t('list.filter.attachments'))}
              <button
                type="button"
                className={conversations ? 'chip on' : 'chip'}
                aria-pressed={conversations}
                onClick={() => update({ conversations: !conversations })}
                data-testid="toggle-conversations"
              >
                {t('list.conversations')}
              </button>
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
          label={t('list.label', { folder: searching ? searchText : folderName })}
          onOpen={() => readerRef.current?.querySelector<HTMLElement>('.reader')?.focus()}
          onPress={(id) => prefetchMessage(id, false)}
          onContextMenu={(x, y) => setMenu({ x, y })}
          onDragRows={searching ? undefined : onDragRows}
          sourceBadge={
            searching && search.server === 'done'
              ? (m) =>
                  !serverIds.has(m.id)
                    ? { kind: 'local', text: t('search.sourceLocal') }
                    : { kind: 'server', text: t(m.id < 0 ? 'search.sourceServer' : 'search.sourceFoundOnServer') }
              : undefined
          }
          folderOf={
            searching
              ? (m) => {
                  const box = mailboxes.find((b) => b.id === m.mailboxId);
                  return box ? folderLabel(box.name, box.role, language) : null;
                }
              : undefined
          }
          onScrolled={(top) => {
            if (!searching) folderScroll.current = top;
          }}
          testId={searching ? 'search-results' : 'message-list'}
          emptyText={searching ? t('search.none') : anyFilter ? t('list.emptyFiltered') : undefined}
        />
        {searching && search.more && <p className="muted pad">{t('search.more')}</p>}
        {!searching && source.note && <p className="muted pad">{source.note}</p>}
        {menu && <ContextMenu x={menu.x} y={menu.y} label={t('actions.menu')} items={menuItems()} onClose={() => setMenu(null)} />}
        {picker && (
          <FolderPicker
            title={t(picker === 'move' ? 'actions.moveTo' : 'actions.copyTo')}
            mailboxes={mailboxes}
            exclude={picker === 'move' ? mailbox.id : null}
            onCancel={() => setPicker(null)}
            onPick={(m) => {
              setPicker(null);
              act(picker, m.id);
            }}
          />
        )}
        {confirmDelete && (
          <ConfirmDialog
            title={t('actions.deleteForeverTitle', { n: confirmDelete.n })}
            confirmLabel={t('actions.deleteForever')}
            cancelLabel={t('common.cancel')}
            danger
            onCancel={() => setConfirmDelete(null)}
            onConfirm={() => {
              setConfirmDelete(null);
              act('delete', undefined, true);
            }}
          >
            <p>{t('actions.deleteForeverBody', { n: confirmDelete.n })}</p>
          </ConfirmDialog>
        )}
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
          <ServerOnly
            key={single}
            uid={source.rowAt(source.indexOf(single))?.uid ?? 0}
            mailboxId={source.rowAt(source.indexOf(single))?.mailboxId ?? mailbox.id}
            download={search.download}
            onReady={(id) =>
              // Only while the placeholder is still what is selected (the user may have moved on).
              setSelections((prev) =>
                singleSelected(prev.search) === single
                  ? { ...prev, search: { all: false, ids: new Set([id]), anchor: id, focus: id } }
                  : prev,
              )
            }
          />
        ) : (
          <MessageView messageId={single} count={count} actions={count > 1 ? menuItems() : []} gone={goneElsewhere} />
        )}
      </div>
    </div>
  );
}
