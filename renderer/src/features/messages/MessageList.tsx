import {
  memo,
  useCallback,
  useEffect,
  useId,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
  type Ref,
} from 'react';
import type { MessageSort, MessageSummary } from '../../../../shared/domain/message.js';
import { useSettings } from '../../app/settings.js';
import type { MessageKey } from '../../i18n/strings.js';
import type { Translate } from '../../i18n/translate.js';
import { Icon } from '../../ui/Icon.js';
import { addressLabel, addressText, byteSize, listDate, shortDateTime } from './format.js';
import { clickRow, isSelected, moveTo, selectAll, type RowLookup, type SelectionState } from './selection.js';
import type { ListSource } from './source.js';
import type { ThreadRow } from './threads.js';
import {
  anchoredScrollTop,
  overscanFor,
  prefetchRows,
  rowsPerPage,
  sameWindow,
  scrollToReveal,
  windowRange,
  type RowWindow,
  type ScrollAnchor,
} from './virtual.js';

export interface MessageListHandle {
  /** Moves the keyboard row by `delta` (j/k), selecting it. */
  moveBy(delta: number, extend?: boolean): void;
  focus(): void;
  /** Scrolls the list to `top` (back where it was after a search). */
  setScrollTop(top: number): void;
}

const columns: { sort: MessageSort | null; label: MessageKey; className: string }[] = [
  { sort: null, label: 'list.col.status', className: 'col-status' },
  { sort: 'from', label: 'list.col.from', className: 'col-from' },
  { sort: 'subject', label: 'list.col.subject', className: 'col-subject' },
  { sort: 'date', label: 'list.col.date', className: 'col-date' },
  { sort: 'size', label: 'list.col.size', className: 'col-size' },
];

/** Where a search result came from: this computer's index, or the server's SEARCH. */
export interface SourceBadge {
  kind: 'local' | 'server';
  text: string;
}

export const rowHeights = { comfortable: 34, compact: 26 } as const;

/**
 * Rows read ahead of the viewport in the direction of scrolling: two pages of the folder cache at
 * rest, up to one and a half seconds of scrolling (at most twenty pages) while the list moves fast.
 */
const PREFETCH_MIN = 500;
const PREFETCH_MAX = 5000;
const PREFETCH_SECONDS = 1.5;

/** Rows rendered beyond the viewport: ahead of the scrolling direction, and behind it. */
const OVERSCAN_AHEAD = 8;
const OVERSCAN_BEHIND = 3;
/** After a scroll that jumped whole viewports (no overscan), the overscan comes back once it rests this long. */
const REST_MS = 100;

interface RowProps {
  index: number;
  /** Absent: the row is not loaded yet (a placeholder). */
  m?: MessageSummary;
  /** Only the keyboard row has an id (the grid's aria-activedescendant): one attribute less per row update. */
  rowId?: string | undefined;
  selected?: boolean;
  focused?: boolean;
  thread?: ThreadRow | undefined;
  badge?: SourceBadge | null;
  /** The folder the message is in, shown where results span folders (search). */
  folder?: string | null;
  draggable?: boolean;
  comfortable?: boolean;
  /** Which date the Date column shows: when the message arrived, or when it was sent. */
  sentDates?: boolean;
  t?: Translate;
  locale?: string;
}

/** One row of the grid; its events are handled by the list (see onCanvasClick). */
const RowView = memo(function RowView({
  index,
  m,
  rowId,
  selected,
  focused,
  thread,
  badge,
  folder,
  draggable,
  comfortable,
  sentDates,
  t,
  locale,
}: RowProps) {
  if (!m || !t || locale === undefined) {
    return (
      <div role="row" aria-rowindex={index + 2} className="msg-row placeholder">
        <div role="gridcell" className="placeholder-bar" />
      </div>
    );
  }
  const unread = thread && thread.depth === 0 && !thread.expanded ? thread.unread > 0 : !m.seen;
  const shown = sentDates ? (m.sentDate ?? m.date) : m.date;
  const classes = [
    'msg-row',
    unread ? 'unread' : 'read',
    selected ? 'selected' : null,
    focused ? 'focused' : null,
    thread?.depth === 1 ? 'thread-member' : null,
  ]
    .filter(Boolean)
    .join(' ');
  const statusText = [
    !m.seen && t('list.unread'),
    m.flagged && t('list.flagged'),
    m.answered && t('list.answered'),
    m.hasAttachments && t('list.attachment'),
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div
      id={rowId}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={classes}

      data-id={m.id}
      data-testid="message-row"
      draggable={draggable ? true : undefined}
    >
      <div role="gridcell" className="col-status" aria-label={statusText || undefined}>
        <span className={m.seen ? 'dot' : 'dot on'} aria-hidden="true" />
        {m.flagged && <Icon name="flagged" className="mark flag" />}
        {m.answered && <Icon name="reply" className="mark" />}
        {m.hasAttachments && <Icon name="attachment" className="mark" />}
      </div>
      <div role="gridcell" className="col-from" title={m.from ? addressText(m.from) : undefined}>
        {addressLabel(m.from, t('list.unknownSender'))}
      </div>
      <div role="gridcell" className="col-subject">
        {thread && thread.depth === 0 && thread.count > 1 && (
          <button
            type="button"
            className={thread.expanded ? 'thread-toggle open' : 'thread-toggle'}
            aria-expanded={thread.expanded}
            aria-label={t(thread.expanded ? 'list.collapseThread' : 'list.expandThread', { n: thread.count })}
            tabIndex={-1}
            data-thread-key={thread.key}
            data-testid="thread-toggle"
          >
            <Icon name="chevron" />
            <span className="thread-count" data-testid="thread-count">
              {thread.count}
            </span>
          </button>
        )}
        {badge && (
          // An icon in the row (a cloud: the server's; a computer: this one's), its words on hover and for a screen reader.
          <span className={`source-badge ${badge.kind}`} title={badge.text}>
            <Icon name={badge.kind === 'server' ? 'cloud' : 'computer'} />
            <span className="visually-hidden">{badge.text}</span>
          </span>
        )}
        {folder && (
          <span className="row-folder" data-testid="row-folder" title={folder}>
            {folder}
          </span>
        )}
        <span className="subject">{m.subject || t('list.noSubject')}</span>
        {comfortable && m.snippet && <span className="snippet">{` — ${m.snippet}`}</span>}
      </div>
      {/* The date the list is sorted by: when the message arrived (INTERNALDATE), unless the settings
          ask for when it was sent (its Date header, which a sender's clock or an imported archive can
          put anywhere; the arrival stands in where it has none). The message view shows both. */}
      <div role="gridcell" className="col-date" data-date={shown} title={shortDateTime(shown, locale)}>
        {listDate(shown, locale)}
      </div>
      <div role="gridcell" className="col-size">
        {byteSize(m.size, locale)}
      </div>
    </div>
  );
});

/**
 * The message list: an ARIA grid (role grid/row/gridcell, aria-rowcount/rowindex, aria-selected)
 * over fixed-height rows, of which only the visible ones (plus overscan) are in the DOM.
 */
export function MessageList({
  source,
  selection,
  onSelection,
  sort,
  descending,
  onSort,
  label,
  onOpen,
  onPress,
  onContextMenu,
  onDragRows,
  sourceBadge,
  folderOf,
  onScrolled,
  handle,
  testId = 'message-list',
  emptyText,
}: {
  source: ListSource;
  selection: SelectionState;
  onSelection: (s: SelectionState) => void;
  sort: MessageSort | null;
  descending: boolean;
  onSort: ((sort: MessageSort) => void) | null;
  label: string;
  onOpen: () => void;
  /** A row is being pressed (pointer down): the message it is about to open can start loading. */
  onPress?: ((id: number) => void) | undefined;
  /** Opens the row menu at a point (right-click, Shift+F10, the menu key). */
  onContextMenu?: ((x: number, y: number) => void) | undefined;
  /** Starts dragging the selection (or only this row, when it was not selected). */
  onDragRows?: ((e: DragEvent, only: number | null) => void) | undefined;
  sourceBadge?: ((m: MessageSummary) => SourceBadge | null) | undefined;
  /** The name of a message's folder, for lists that span folders (search results). */
  folderOf?: ((m: MessageSummary) => string | null) | undefined;
  /** Told the scroll position after each scroll. */
  onScrolled?: ((top: number) => void) | undefined;
  handle?: Ref<MessageListHandle>;
  testId?: string;
  /** What an empty list says (a search that found nothing, filters that leave nothing); "No messages in this folder." by default. */
  emptyText?: string | undefined;
}) {
  const { t, locale, settings, describe } = useSettings();
  const rowHeight = rowHeights[settings.density];
  const scroller = useRef<HTMLDivElement>(null);
  const { rowCount } = source;
  // The rendered window changes state only when a row enters or leaves it: a scroll event that moves
  // the rows already there renders nothing (the browser just scrolls them).
  const [view, setView] = useState<{ window: RowWindow; direction: 1 | -1 }>(() => ({
    window: windowRange(0, 600, rowHeight, rowCount, 1, OVERSCAN_AHEAD, OVERSCAN_BEHIND),
    direction: 1,
  }));
  const gridId = useId();
  const last = useRef({ top: 0, at: 0, direction: 1 as 1 | -1, ahead: PREFETCH_MIN });
  const rest = useRef<ReturnType<typeof setTimeout> | null>(null);
  const remeasure = useRef(() => undefined as void);

  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const top = el.scrollTop;
    const height = el.clientHeight;
    const l = last.current;
    const now = performance.now();
    const direction: 1 | -1 = top === l.top ? l.direction : top > l.top ? 1 : -1;
    // Scrolling speed (rows per second) sets how far ahead rows are read.
    const dt = now - l.at;
    const speed = dt > 0 && dt < 500 ? (Math.abs(top - l.top) / rowHeight / dt) * 1000 : 0;
    last.current = { top, at: now, direction, ahead: prefetchRows(speed, PREFETCH_SECONDS, PREFETCH_MIN, PREFETCH_MAX) };
    const over = overscanFor(top - l.top, height, OVERSCAN_AHEAD, OVERSCAN_BEHIND);
    if (rest.current) clearTimeout(rest.current);
    rest.current = over.ahead === 0 ? setTimeout(() => remeasure.current(), REST_MS) : null;
    const window = windowRange(top, height, rowHeight, rowCount, direction, over.ahead, over.behind);
    setView((v) => (sameWindow(v.window, window) && v.direction === direction ? v : { window, direction }));
  }, [rowHeight, rowCount]);

  // Measured again when the rows or their height change, and when the list is resized.
  useLayoutEffect(() => {
    remeasure.current = measure;
    measure();
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => {
      ro.disconnect();
      if (rest.current) clearTimeout(rest.current);
    };
  }, [measure]);

  const range = view.window;
  const { ensure } = source;
  // The rows ahead of the scrolling direction are read before they come into view.
  const { direction } = view;
  useEffect(() => {
    ensure(range.start, range.end, direction * last.current.ahead);
  }, [ensure, range.start, range.end, direction]);
  // Live updates: mail arriving or leaving above the viewport does not move the rows in view (the
  // row at the top stays at the top), unless the list is scrolled to the very top.
  const anchor = useRef<ScrollAnchor | null>(null);
  const setAnchor = (top: number) => {
    const index = Math.floor(top / rowHeight);
    const m = source.rowAt(index);
    anchor.current = m && source.query !== undefined ? { query: source.query, id: m.id, index } : null;
  };
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const top = anchoredScrollTop(anchor.current, source.query, el.scrollTop, (id) => source.indexOf(id), rowHeight);
    if (top !== null) {
      el.scrollTop = top;
      measure();
    }
    setAnchor(el.scrollTop);
    // Runs when the rows change (a new source object), before the browser paints them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, rowHeight]);
  // A plain (deferred) update: rendering inside the scroll event (flushSync) made more frames late
  // in the renderer benchmark (626 vs 427 of 1,124 over 25 ms).
  const onScroll = () => {
    const el = scroller.current;
    if (el) setAnchor(el.scrollTop);
    if (el) onScrolled?.(el.scrollTop);
    measure();
  };

  const lookup: RowLookup = { idAt: (i) => source.rowAt(i)?.id, indexOf: (id) => source.indexOf(id) };
  const focusIndex = selection.focus === null ? -1 : source.indexOf(selection.focus);

  const reveal = useCallback(
    (index: number) => {
      const el = scroller.current;
      if (!el) return;
      const top = scrollToReveal(index, el.scrollTop, el.clientHeight, rowHeight);
      if (top !== null) el.scrollTop = top;
    },
    [rowHeight],
  );

  // A row moved to by the keyboard (End in a large folder) that was not loaded yet: selected when it is.
  const pending = useRef<{ index: number; extend: boolean; query: unknown; selection: SelectionState } | null>(null);
  const goTo = (index: number, extend = false) => {
    const i = Math.max(0, Math.min(rowCount - 1, index));
    reveal(i);
    if (source.rowAt(i) === undefined) {
      pending.current = { index: i, extend, query: source.query, selection };
      source.ensure(Math.max(0, i - 20), i + 20);
      return;
    }
    pending.current = null;
    onSelection(moveTo(selection, i, lookup, extend));
  };
  useEffect(() => {
    const p = pending.current;
    if (!p) return;
    // Another folder, search or sort since, or a row clicked meanwhile: the row meant is not this one.
    if (p.query !== source.query || p.selection !== selection || p.index >= rowCount) pending.current = null;
    else if (source.rowAt(p.index) !== undefined) {
      pending.current = null;
      onSelection(moveTo(selection, p.index, lookup, p.extend));
    }
    // Runs when rows arrive (a new source object).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source]);

  useImperativeHandle(handle, () => ({
    moveBy: (delta, extend) => goTo(focusIndex < 0 ? (delta > 0 ? 0 : 0) : focusIndex + delta, extend),
    focus: () => scroller.current?.focus(),
    setScrollTop: (top) => {
      if (scroller.current) scroller.current.scrollTop = top;
    },
  }));

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = rowsPerPage(scroller.current?.clientHeight ?? 600, rowHeight);
    const at = focusIndex < 0 ? -1 : focusIndex;
    const keys: Record<string, () => void> = {
      ArrowDown: () => goTo(at + 1, e.shiftKey),
      ArrowUp: () => goTo(at - 1, e.shiftKey),
      PageDown: () => goTo(at + page, e.shiftKey),
      PageUp: () => goTo(at - page, e.shiftKey),
      Home: () => goTo(0, e.shiftKey),
      End: () => goTo(rowCount - 1, e.shiftKey),
      Enter: () => onOpen(),
      ' ': () => at >= 0 && onSelection(clickRow(selection, at, lookup, { toggle: true })),
      ArrowRight: () => {
        const th = at >= 0 ? source.thread?.(at) : undefined;
        if (th && th.depth === 0 && th.count > 1 && !th.expanded) source.toggleThread?.(th.key);
      },
      ArrowLeft: () => {
        const th = at >= 0 ? source.thread?.(at) : undefined;
        if (th && th.expanded) source.toggleThread?.(th.key);
      },
    };
    if (onContextMenu && (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10'))) {
      e.preventDefault();
      const el = scroller.current;
      const box = el?.getBoundingClientRect();
      const rowTop = focusIndex >= 0 ? focusIndex * rowHeight - (el?.scrollTop ?? 0) + rowHeight * 2 : rowHeight;
      onContextMenu((box?.left ?? 0) + 40, (box?.top ?? 0) + Math.max(rowHeight, Math.min(rowTop, (box?.height ?? 600) - rowHeight)));
      return;
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      onSelection(selectAll(selection));
      return;
    }
    const action = !e.altKey && !e.ctrlKey && !e.metaKey ? keys[e.key] : undefined;
    if (action) {
      e.preventDefault();
      action();
    }
  };

  const onRowClick = (e: MouseEvent, index: number) => {
    onSelection(clickRow(selection, index, lookup, { range: e.shiftKey, toggle: e.ctrlKey || e.metaKey }));
    scroller.current?.focus();
  };

  // Row events are handled here, once for the whole canvas (delegation): rows take no closures, so a
  // row whose message, selection and position did not change is not rendered again (RowView is memo).
  const rowOf = (e: { target: EventTarget }): { index: number; id: number | null } | null => {
    const el = e.target instanceof Element ? e.target.closest<HTMLElement>('.msg-row') : null;
    const rowIndex = Number(el?.getAttribute('aria-rowindex'));
    if (!el || !(rowIndex >= 2)) return null;
    return { index: rowIndex - 2, id: el.dataset.id ? Number(el.dataset.id) : null };
  };
  const onCanvasClick = (e: MouseEvent) => {
    const row = rowOf(e);
    if (!row || row.id === null) return;
    const toggle = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-thread-key]') : null;
    if (toggle?.dataset.threadKey) {
      source.toggleThread?.(Number(toggle.dataset.threadKey));
      return;
    }
    onRowClick(e, row.index);
  };
  const onCanvasPointerDown = onPress
    ? (e: PointerEvent) => {
        const row = e.button === 0 && !e.shiftKey && !e.ctrlKey && !e.metaKey ? rowOf(e) : null;
        if (row?.id) onPress(row.id);
      }
    : undefined;
  const onCanvasDoubleClick = (e: MouseEvent) => {
    const row = rowOf(e);
    if (row && row.id !== null && !(e.target instanceof Element && e.target.closest('[data-thread-key]'))) onOpen();
  };
  const onCanvasContextMenu = onContextMenu
    ? (e: MouseEvent) => {
        const row = rowOf(e);
        if (!row || row.id === null) return;
        e.preventDefault();
        if (!isSelected(selection, row.id)) onSelection(clickRow(selection, row.index, lookup, {}));
        onContextMenu(e.clientX, e.clientY);
      }
    : undefined;
  const onCanvasDragStart = onDragRows
    ? (e: DragEvent) => {
        const row = rowOf(e);
        if (!row || row.id === null) return;
        const selected = isSelected(selection, row.id);
        if (!selected) onSelection(clickRow(selection, row.index, lookup, {}));
        onDragRows(e, selected ? null : row.id);
      }
    : undefined;

  // Rows are keyed by their position in the window: scrolling changes the rows' contents, never their
  // DOM nodes — no row is created, removed or moved, and the nodes stay in row order (for screen
  // readers). The rows flow after a spacer as tall as the rows above them, inside a canvas with size
  // containment: a scroll relays out only the rows, where rows placed one by one (position: absolute
  // and top) made Chromium lay out the whole page from the root on every frame, and a block of rows
  // moved by a transform made it repaint the block on every frame.
  const comfortable = settings.density === 'comfortable';
  const sentDates = settings.listDate === 'sent';
  const columnLabel = (c: (typeof columns)[number]): MessageKey => (c.sort === 'date' && sentDates ? 'list.col.sent' : c.label);
  const rows = [];
  for (let i = range.start; i < range.end; i++) {
    const m = source.rowAt(i);
    const key = i - range.start;
    if (!m) {
      rows.push(<RowView key={key} index={i} />);
      continue;
    }
    rows.push(
      <RowView
        key={key}
        index={i}
        m={m}
        rowId={i === focusIndex ? `${gridId}-r${m.id}` : undefined}
        selected={isSelected(selection, m.id)}
        focused={i === focusIndex}
        thread={source.thread?.(i)}
        badge={sourceBadge?.(m) ?? null}
        folder={folderOf?.(m) ?? null}
        draggable={onDragRows !== undefined}
        comfortable={comfortable}
        sentDates={sentDates}
        t={t}
        locale={locale}
      />,
    );
  }

  const activeId =
    focusIndex >= range.start && focusIndex < range.end && selection.focus !== null ? `${gridId}-r${selection.focus}` : undefined;

  return (
    <div className="message-list" data-density={settings.density}>
      <div
        ref={scroller}
        className="msg-scroll"
        role="grid"
        aria-label={label}
        aria-rowcount={rowCount + 1}
        aria-colcount={columns.length}
        aria-multiselectable="true"
        aria-busy={source.loading}
        aria-activedescendant={activeId}
        tabIndex={0}
        data-testid={testId}
        data-row-count={source.exact || source.counted ? rowCount : undefined}
        onKeyDown={onKeyDown}
        onScroll={onScroll}
      >
        <div role="row" aria-rowindex={1} className="msg-header">
          {columns.map((c) => {
            const active = c.sort !== null && c.sort === sort;
            return (
              <div
                key={c.label}
                role="columnheader"
                className={c.className}
                aria-sort={active ? (descending ? 'descending' : 'ascending') : undefined}
              >
                {c.sort && onSort ? (
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => c.sort && onSort(c.sort)}
                    title={t(c.sort === 'date' ? (sentDates ? 'list.sortBySent' : 'list.sortByReceived') : 'list.sortBy', {
                      column: t(columnLabel(c)),
                    })}
                    data-sort={c.sort}
                  >
                    {t(columnLabel(c))}
                    {active && <span aria-hidden="true">{descending ? ' ▾' : ' ▴'}</span>}
                  </button>
                ) : (
                  <span className={c.sort ? '' : 'visually-hidden'}>{t(columnLabel(c))}</span>
                )}
              </div>
            );
          })}
        </div>
        <div
          className="msg-canvas"
          style={{ height: rowCount * rowHeight }}
          onClick={onCanvasClick}
          onPointerDown={onCanvasPointerDown}
          onDoubleClick={onCanvasDoubleClick}
          onContextMenu={onCanvasContextMenu}
          onDragStart={onCanvasDragStart}
        >
          <div className="msg-spacer" style={{ height: range.start * rowHeight }} aria-hidden="true" />
          {rows}
        </div>
        {source.exact && rowCount === 0 && !source.loading && <p className="list-empty">{emptyText ?? t('list.empty')}</p>}
      </div>
      {source.error && (
        <p className="pane-error" role="alert">
          {t('list.error', { message: describe(source.error) })}
        </p>
      )}
    </div>
  );
}
