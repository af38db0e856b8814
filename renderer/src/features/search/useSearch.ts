import { useCallback, useEffect, useRef, useState } from 'react';
import type { ServerHitPreview } from '../../../../shared/domain/body.js';
import type { MessageSummary } from '../../../../shared/domain/message.js';
import { asTegamiError, call, subscribe, type TegamiError } from '../../ipc/client.js';
import { engineQuery, parseQuery, searchConditions, serverQuery } from './query.js';

export interface SearchRow {
  message: MessageSummary;
  source: 'local' | 'server';
}

export interface SearchState {
  rows: SearchRow[];
  loading: boolean;
  error: TegamiError | null;
  more: boolean;
  server: 'idle' | 'busy' | 'done' | 'unavailable' | 'failed';
  /** Why the server search failed (server 'failed'); the local results stay. */
  serverError: TegamiError | null;
  serverFound: number;
}

interface Result {
  text: string;
  rows: SearchRow[];
  error: TegamiError | null;
  more: boolean;
  server: SearchState['server'];
  serverFound: number;
  serverError?: TegamiError | null;
}

/**
 * The list id of a server-only hit: negative (never a stored message's), and one per folder and UID
 * (the server search spans folders, whose UIDs repeat).
 */
export const serverRowId = (mailboxId: number, uid: number): number => -(mailboxId * 2 ** 32 + uid);

/**
 * A server-only hit as a list row: no local copy yet, so what its ENVELOPE said (or, when the server
 * gave no preview, only its UID).
 */
function serverOnlyRow(mailboxId: number, uid: number, label: string, preview?: ServerHitPreview): MessageSummary {
  return {
    id: serverRowId(mailboxId, uid),
    mailboxId,
    uid,
    uidvalidity: 0,
    flags: [],
    seen: true,
    flagged: false,
    answered: false,
    draft: false,
    subject: preview?.subject || label,
    from: preview?.from ?? null,
    date: preview?.date ?? '',
    sentDate: null,
    size: preview?.size ?? 0,
    messageId: null,
    threadId: null,
    hasAttachments: false,
    snippet: null,
  };
}

/** Local search as you type (debounced), plus an explicit server search of the current folder. */
export function useSearch(
  text: string,
  accountId: number | null,
  mailboxId: number | null,
  serverLabel: (uid: number) => string,
): SearchState & {
  searchServer: () => void;
  download: (uid: number, mailboxId: number, onFound: (m: MessageSummary) => void) => Promise<MessageSummary | null>;
} {
  const [result, setResult] = useState<Result | null>(null);
  const parsed = parseQuery(text);
  const query = engineQuery(parsed);
  const active = text.trim() !== '' && query !== null;

  useEffect(() => {
    if (!active || query === null) return;
    const filters = parseQuery(text);
    let live = true;
    const timer = setTimeout(() => {
      call('search.local', { query, ...(accountId !== null ? { accountId } : {}), limit: 200, ...searchConditions(filters) }).then(
        (r) => {
          if (!live) return;
          const rows = r.hits.flatMap((h) => (h.source === 'local' ? [{ message: h.message, source: 'local' as const }] : []));
          setResult((prev) => {
            if (prev?.text !== text) return { text, rows, error: null, more: r.more, server: 'idle', serverFound: 0 };
            // "Also search the server" was pressed before this answered: its rows stay, after these.
            const here = new Set(rows.map((row) => row.message.id));
            const extra = prev.rows.filter((row) => row.source === 'server' && !here.has(row.message.id));
            return { ...prev, rows: [...rows, ...extra], error: null, more: r.more };
          });
        },
        (e: unknown) => live && setResult({ text, rows: [], error: asTegamiError(e), more: false, server: 'idle', serverFound: 0 }),
      );
    }, 180);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [active, query, text, accountId]);

  // Results follow changes to their messages (flagged, read, moved, deleted here or elsewhere), so
  // a row shows what a second "s" or "u" would toggle; a message gone from the store leaves them.
  const latest = useRef<Result | null>(null);
  useEffect(() => {
    latest.current = result;
  }, [result]);
  const hasResult = result !== null;
  useEffect(() => {
    if (!hasResult || query === null) return;
    return subscribe('messages.changed', (e) => {
      const rows = latest.current?.rows ?? [];
      const removed = new Set(e.removed);
      const touched = new Set([...e.changed, ...e.removed]);
      // A change in a folder the results come from (a local action names no ids): the search is asked
      // again, without the is:/has: filters, and the rows it returns take their new state. A row that
      // no longer matches a filter stays (the message just read in an is:unread search is not pulled
      // away while it is open); a message removed from the store leaves.
      if (!rows.some((r) => touched.has(r.message.id) || (r.message.id > 0 && r.message.mailboxId === e.mailboxId))) return;
      call('search.local', { query, ...(accountId !== null ? { accountId } : {}), limit: 500 }).then(
        (r) => {
          const now = new Map(r.hits.flatMap((h) => (h.source === 'local' ? [[h.message.id, h.message]] : [])));
          setResult(
            (s) =>
              s && {
                ...s,
                rows: s.rows.flatMap((row) => {
                  const m = now.get(row.message.id);
                  if (m) return [{ ...row, message: m }];
                  return removed.has(row.message.id) ? [] : [row];
                }),
              },
          );
        },
        () => undefined, // the next change or search tries again
      );
    });
  }, [hasResult, query, accountId]);

  const searchServer = useCallback(() => {
    const sq = serverQuery(parseQuery(text));
    // Pressed before the local search answered, it starts anyway: the local rows join it when they come.
    const patch = (change: Partial<Result>) =>
      setResult((r) =>
        r && r.text === text
          ? { ...r, ...change }
          : { text, rows: [], error: null, more: false, server: 'idle', serverFound: 0, ...change },
      );
    if (!sq || accountId === null || mailboxId === null) {
      patch({ server: 'unavailable' });
      return;
    }
    patch({ server: 'busy' });
    // Every folder of the account, as the local search: a result may be in any of them.
    call('search.server', { accountId, ...sq }).then(
      (r) =>
        setResult((s) => {
          if (!s || s.text !== text) return s;
          const known = new Set(s.rows.map((row) => row.message.id));
          const extra: SearchRow[] = [];
          for (const h of r.hits) {
            if (h.source === 'local') {
              if (!known.has(h.message.id)) extra.push({ message: h.message, source: 'server' });
            } else if (!known.has(serverRowId(h.mailboxId, h.uid)))
              extra.push({ message: serverOnlyRow(h.mailboxId, h.uid, serverLabel(h.uid), h.preview), source: 'server' });
          }
          return { ...s, rows: [...s.rows, ...extra], server: 'done', serverFound: r.hits.length, serverError: null };
        }),
      // Said beside the button, in the search's own words; the local results stay.
      (e: unknown) => patch({ server: 'failed', serverError: asTegamiError(e) }),
    );
  }, [text, accountId, mailboxId, serverLabel]);

  // Refused while working offline: back online, the button is offered again without the refusal.
  useEffect(
    () =>
      subscribe('sync.offline', ({ offline }) => {
        if (!offline)
          setResult((s) =>
            s && s.server === 'failed' && s.serverError?.code === 'WORKING_OFFLINE' ? { ...s, server: 'idle', serverError: null } : s,
          );
      }),
    [],
  );

  /**
   * A server hit that is not stored yet (a placeholder row): one sync pass of the account stores its
   * headers, then it replaces its placeholder (or goes, when the list has it already). Null (and the
   * placeholder stays) when the server no longer has it. `onFound` runs just before its row changes.
   */
  const download = useCallback(
    async (uid: number, inMailbox: number, onFound: (m: MessageSummary) => void): Promise<MessageSummary | null> => {
      if (accountId === null) return null;
      await call('sync.run', { accountId });
      const m = await call('messages.byUid', { mailboxId: inMailbox, uid });
      // Gone from the server: the row stays, so that the reading pane can say so.
      if (m === null) return null;
      // In the same task as the rows change (before any render), so the selection can follow.
      onFound(m);
      setResult((s) => {
        if (!s || s.text !== text) return s;
        const placeholder = (r: SearchRow) => r.message.id === serverRowId(inMailbox, uid);
        const known = s.rows.some((r) => r.message.id === m.id);
        const rows = known
          ? s.rows.filter((r) => !placeholder(r))
          : s.rows.map((r) => (placeholder(r) ? { message: m, source: r.source } : r));
        return { ...s, rows };
      });
      return m;
    },
    [text, accountId],
  );

  const current = active && result?.text === text ? result : null;
  return {
    rows: current?.rows ?? [],
    loading: active && current === null,
    error: current?.error ?? null,
    more: current?.more ?? false,
    server: current?.server ?? 'idle',
    serverFound: current?.serverFound ?? 0,
    serverError: current?.serverError ?? null,
    searchServer,
    download,
  };
}
