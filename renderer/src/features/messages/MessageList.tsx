import {
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
  type Ref,
} from 'react';
import type { MessageSort, MessageSummary } from '../../../../shared/domain/message.js';
import { useSettings } from '../../app/settings.js';
import type { MessageKey } from '../../i18n/strings.js';
import { Icon } from '../../ui/Icon.js';
import { addressLabel, addressText, byteSize, listDate } from './format.js';
import { clickRow, isSelected, moveTo, selectAll, type RowLookup, type SelectionState } from './selection.js';
import type { ListSource } from './source.js';
import { rowsPerPage, scrollToReveal, visibleRange } from './virtual.js';

export interface MessageListHandle {
  /** Moves the keyboard row by `delta` (j/k), selecting it. */
  moveBy(delta: number, extend?: boolean): void;
  focus(): void;
}

const columns: { sort: MessageSort | null; label: MessageKey; className: string }[] = [
  { sort: null, label: 'list.col.status', className: 'col-status' },
  { sort: 'from', label: 'list.col.from', className: 'col-from' },
  { sort: 'subject', label: 'list.col.subject', className: 'col-subject' },
  { sort: 'date', label: 'list.col.date', className: 'col-date' },
  { sort: 'size', label: 'list.col.size', className: 'col-size' },
];

export const rowHeights = { comfortable: 34, compact: 26 } as const;

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
  onContextMenu,
  onDragRows,
  sourceBadge,
  handle,
  testId = 'message-list',
}: {
  source: ListSource;
  selection: SelectionState;
  onSelection: (s: SelectionState) => void;
  sort: MessageSort | null;
  descending: boolean;
  onSort: ((sort: MessageSort) => void) | null;
  label: string;
  onOpen: () => void;
  /** Opens the row menu at a point (right-click, Shift+F10, the menu key). */
  onContextMenu?: ((x: number, y: number) => void) | undefined;
  /** Starts dragging the selection (or only this row, when it was not selected). */
  onDragRows?: ((e: DragEvent, only: number | null) => void) | undefined;
  sourceBadge?: ((m: MessageSummary) => string | null) | undefined;
  handle?: Ref<MessageListHandle>;
  testId?: string;
}) {
  const { t, locale, settings } = useSettings();
  const rowHeight = rowHeights[settings.density];
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const gridId = useId();

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const { rowCount } = source;
  const range = visibleRange(viewport.top, viewport.height, rowHeight, rowCount, 10);
  const { ensure } = source;
  useEffect(() => {
    ensure(range.start, range.end);
  }, [ensure, range.start, range.end]);

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

  const goTo = (index: number, extend = false) => {
    const i = Math.max(0, Math.min(rowCount - 1, index));
    reveal(i);
    if (source.rowAt(i) === undefined) {
      // Not loaded yet: ask for it; the selection follows when the user presses again.
      source.ensure(Math.max(0, i - 20), i + 20);
      return;
    }
    onSelection(moveTo(selection, i, lookup, extend));
  };

  useImperativeHandle(handle, () => ({
    moveBy: (delta, extend) => goTo(focusIndex < 0 ? (delta > 0 ? 0 : 0) : focusIndex + delta, extend),
    focus: () => scroller.current?.focus(),
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

  const rows = [];
  for (let i = range.start; i < range.end; i++) {
    const m = source.rowAt(i);
    const top = i * rowHeight;
    if (!m) {
      rows.push(
        <div key={`p${i}`} role="row" aria-rowindex={i + 2} className="msg-row placeholder" style={{ top, height: rowHeight }}>
          <div role="gridcell" className="placeholder-bar" />
        </div>,
      );
      continue;
    }
    const selected = isSelected(selection, m.id);
    const badge = sourceBadge?.(m) ?? null;
    const thread = source.thread?.(i);
    const unread = thread && thread.depth === 0 && !thread.expanded ? thread.unread > 0 : !m.seen;
    const classes = [
      'msg-row',
      unread ? 'unread' : 'read',
      selected ? 'selected' : null,
      i === focusIndex ? 'focused' : null,
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
    rows.push(
      <div
        key={m.id}
        id={`${gridId}-r${m.id}`}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={selected}
        className={classes}
        style={{ top, height: rowHeight }}
        data-id={m.id}
        data-testid="message-row"
        onClick={(e) => onRowClick(e, i)}
        onDoubleClick={onOpen}
        onContextMenu={
          onContextMenu &&
          ((e) => {
            e.preventDefault();
            if (!selected) onSelection(clickRow(selection, i, lookup, {}));
            onContextMenu(e.clientX, e.clientY);
          })
        }
        draggable={onDragRows ? true : undefined}
        onDragStart={
          onDragRows &&
          ((e) => {
            if (!selected) onSelection(clickRow(selection, i, lookup, {}));
            onDragRows(e, selected ? null : m.id);
          })
        }
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
              onClick={(e) => {
                e.stopPropagation();
                source.toggleThread?.(thread.key);
              }}
              data-testid="thread-toggle"
            >
              <Icon name="chevron" />
              <span className="thread-count" data-testid="thread-count">
                {thread.count}
              </span>
            </button>
          )}
          {badge && <span className={`source-badge ${badge === t('search.sourceServer') ? 'server' : 'local'}`}>{badge}</span>}
          <span className="subject">{m.subject || t('list.noSubject')}</span>
          {settings.density === 'comfortable' && m.snippet && <span className="snippet"> — {m.snippet}</span>}
        </div>
        <div role="gridcell" className="col-date" title={new Date(m.date).toLocaleString(locale)}>
          {listDate(m.sentDate ?? m.date, locale)}
        </div>
        <div role="gridcell" className="col-size">
          {byteSize(m.size, locale)}
        </div>
      </div>,
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
        onScroll={(e) => setViewport({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
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
                    title={t('list.sortBy', { column: t(c.label) })}
                    data-sort={c.sort}
                  >
                    {t(c.label)}
                    {active && <span aria-hidden="true">{descending ? ' ▾' : ' ▴'}</span>}
                  </button>
                ) : (
                  <span className={c.sort ? '' : 'visually-hidden'}>{t(c.label)}</span>
                )}
              </div>
            );
          })}
        </div>
        <div className="msg-canvas" style={{ height: rowCount * rowHeight }}>
          {rows}
        </div>
        {source.exact && rowCount === 0 && !source.loading && <p className="list-empty">{t('list.empty')}</p>}
      </div>
      {source.error && (
        <p className="pane-error" role="alert">
          {t('list.error', { message: source.error.message })}
        </p>
      )}
    </div>
  );
}
