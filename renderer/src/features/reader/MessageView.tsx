import { Fragment, useEffect, useMemo, useState } from 'react';
import type { MessageDetail, MessageSource, PartContent } from '../../../../shared/domain/body.js';
import type { Address, AttachmentSummary } from '../../../../shared/domain/message.js';
import { SOURCE, type FileRef } from '../../../../shared/domain/files.js';
import { useSettings } from '../../app/settings.js';
import type { Failure } from '../../i18n/errors.js';
import { asTegamiError, call, subscribe, type TegamiError } from '../../ipc/client.js';
import { Icon } from '../../ui/Icon.js';
import type { MenuItem } from '../../ui/Menu.js';
import { addressText, byteSize, fullDate, shortDateTime } from '../messages/format.js';
import { canOpenFiles, openFile, saveFile } from './files.js';
import { HtmlFrame } from './HtmlFrame.js';
import { loadDetail, loadPart, peekDetail, peekPart } from './messageCache.js';
import { linkify } from './linkify.js';
import { sanitizeMailHtml } from './sanitize.js';
import { sameAddresses } from './addresses.js';

/** How far the Date header may be from the arrival time before the reader shows both. */
const RECEIVED_SHOWN_MS = 3600_000;

type Load<T> = { state: 'loading' } | { state: 'error'; error: TegamiError } | { state: 'ready'; value: T };

function useLoad<T>(key: string | null, load: () => Promise<T>): Load<T> | null {
  const [result, setResult] = useState<{ key: string; value: Load<T> } | null>(null);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    load().then(
      (value) => live && setResult({ key, value: { state: 'ready', value } }),
      (error: unknown) => live && setResult({ key, value: { state: 'error', error: asTegamiError(error) } }),
    );
    return () => {
      live = false;
    };
    // `key` names what `load` loads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (key === null) return null;
  return result?.key === key ? result.value : { state: 'loading' };
}

function Addresses({ list }: { list: Address[] }) {
  return (
    <>
      {list.map((a, i) => (
        <Fragment key={`${a.address}-${i}`}>
          {i > 0 && ', '}
          <span className="address" title={addressText(a)}>
            {a.name || a.address}
          </span>
        </Fragment>
      ))}
    </>
  );
}

function PlainText({ text }: { text: string }) {
  const pieces = useMemo(() => linkify(text), [text]);
  return (
    <pre className="plain-body" data-testid="message-text">
      {pieces.map((p, i) =>
        p.kind === 'text' ? (
          p.text
        ) : (
          <a
            key={i}
            href={p.href}
            title={p.href}
            onClick={(e) => {
              e.preventDefault();
              window.open(p.href, '_blank', 'noopener,noreferrer');
            }}
          >
            {p.text}
          </a>
        ),
      )}
    </pre>
  );
}

/** Inline images by Content-ID, as data: URLs, once the engine can give the bytes (`messages.partData`). */
function useInlineImages(detail: MessageDetail | null, cids: readonly string[]): ReadonlyMap<string, string> {
  const [images, setImages] = useState<ReadonlyMap<string, string>>(new Map());
  const key = detail ? `${detail.summary.id}:${cids.join(',')}` : '';
  useEffect(() => {
    if (!detail || cids.length === 0) return;
    let live = true;
    const wanted = detail.parts.filter((p) => p.contentId && cids.includes(p.contentId) && p.contentType.startsWith('image/'));
    // Each image shows as soon as it arrives; one that cannot be read keeps its placeholder.
    for (const p of wanted)
      call('messages.partData', { id: detail.summary.id, part: p.part }).then(
        (r) => live && setImages((prev) => new Map(prev).set(p.contentId ?? '', `data:${r.contentType};base64,${r.base64}`)),
        () => undefined,
      );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return images;
}

type FileState =
  | { kind: 'idle' }
  | { kind: 'busy'; received: number; total: number | null }
  | { kind: 'done'; text: string; title?: string | undefined }
  | { kind: 'error'; failure: Failure };

/**
 * Save (and, in the desktop app, Open) for one part of a message, or its whole source: the state of
 * the last click, with progress while the engine fetches the part from the server and while it is
 * handed over.
 */
function useFileAction(messageId: number, part: string, size: number | null) {
  const { t } = useSettings();
  const [state, setState] = useState<FileState>({ kind: 'idle' });
  const busy = state.kind === 'busy';
  useEffect(() => {
    if (!busy) return;
    return subscribe('messages.partProgress', (p) => {
      if (p.id === messageId && p.part === part) setState({ kind: 'busy', received: p.received, total: p.total ?? size });
    });
  }, [busy, messageId, part, size]);
  const run = (ref: FileRef, action: 'save' | 'open') => {
    setState({ kind: 'busy', received: 0, total: size });
    const done =
      action === 'open'
        ? openFile(ref).then((): FileState => ({ kind: 'done', text: t('reader.opened') }))
        : saveFile(ref, (received, total) => setState({ kind: 'busy', received, total })).then((r): FileState =>
            r.kind === 'cancelled'
              ? { kind: 'idle' }
              : r.path === null
                ? { kind: 'done', text: t('reader.saved') }
                : { kind: 'done', text: t('reader.savedTo', { path: r.path }), title: r.path },
          );
    done.then(setState, (e: unknown) => setState({ kind: 'error', failure: asTegamiError(e) }));
  };
  const percent = state.kind === 'busy' && state.total ? `${Math.min(100, Math.round((state.received / state.total) * 100))}%` : '';
  return { state, run, percent };
}

function FileStatus({ state, percent }: { state: FileState; percent: string }) {
  const { t, describe } = useSettings();
  if (state.kind === 'busy')
    return (
      <span className="muted" role="status" data-testid="file-progress">
        <span className="spinner" aria-hidden="true" /> {t('reader.saving', { percent })}
      </span>
    );
  if (state.kind === 'done')
    return (
      <span className="muted" role="status" title={state.title} data-testid="attachment-state">
        {state.text}
      </span>
    );
  if (state.kind === 'error')
    return (
      <span className="field-error" role="alert" data-testid="attachment-error">
        {describe(state.failure)}
      </span>
    );
  return null;
}

function AttachmentRow({ messageId, a, local }: { messageId: number; a: AttachmentSummary; local: boolean }) {
  const { t, locale } = useSettings();
  const { state, run, percent } = useFileAction(messageId, a.part, a.size);
  // Saved or opened once, it is cached here too.
  const onThisComputer = local || state.kind === 'done';
  const ref: FileRef = { id: messageId, part: a.part, ...(a.filename ? { filename: a.filename } : {}) };
  const name = a.filename ?? t('reader.unnamed');
  return (
    <li className="attachment" data-testid="attachment">
      <Icon name="attachment" />
      <span className="attachment-name" title={a.filename ?? undefined}>
        {name}
      </span>
      <span className="muted">
        {a.contentType} · {byteSize(a.size, locale)}
        {onThisComputer && (
          <span title={t('reader.onThisComputerHint')} data-testid="attachment-local">
            {' · '}
            {t('reader.onThisComputer')}
          </span>
        )}
      </span>
      {state.kind !== 'busy' && (
        <span className="attachment-actions">
          <button
            type="button"
            className="button small"
            onClick={() => run(ref, 'save')}
            aria-label={`${t('reader.save')}: ${name}`}
            data-testid="attachment-save"
          >
            <Icon name="download" /> {t('reader.save')}
          </button>
          {canOpenFiles() && (
            <button
              type="button"
              className="button small"
              onClick={() => run(ref, 'open')}
              aria-label={`${t('reader.open')}: ${name}`}
              data-testid="attachment-open"
            >
              {t('reader.open')}
            </button>
          )}
        </span>
      )}
      <FileStatus state={state} percent={percent} />
    </li>
  );
}

/** "Save as .eml": the whole message as the server has it. */
function SaveEml({ messageId, subject }: { messageId: number; subject: string }) {
  const { t } = useSettings();
  const { state, run, percent } = useFileAction(messageId, SOURCE, null);
  return (
    <>
      <button
        type="button"
        className="icon-button"
        onClick={() => run({ id: messageId, part: SOURCE, filename: `${subject.trim() || 'message'}.eml` }, 'save')}
        disabled={state.kind === 'busy'}
        title={t('reader.saveEml')}
        aria-label={t('reader.saveEml')}
        data-testid="save-eml"
      >
        <Icon name="download" />
      </button>
      {state.kind !== 'idle' && (
        <span className="reader-file-status">
          <FileStatus state={state} percent={percent} />
        </span>
      )}
    </>
  );
}

function Body({ detail }: { detail: MessageDetail }) {
  const { t, settings, update, describe } = useSettings();
  const [preferText, setPreferText] = useState(false);
  const sender = (detail.from[0]?.address ?? detail.summary.from?.address ?? '').toLowerCase();
  const trusted = sender !== '' && settings.remoteSenders.includes(sender);
  const [allowOnce, setAllowOnce] = useState(false);
  const allowRemote = allowOnce || trusted;
  const useHtml = detail.htmlPart !== null && (!preferText || detail.textPart === null);
  const part = useHtml ? detail.htmlPart : detail.textPart;
  // A part read before (usually just now, asked for as the headers arrived) shows in this render.
  const known = part === null ? undefined : peekPart(detail.summary.id, part);
  const loaded = useLoad<PartContent>(part === null || known ? null : `${detail.summary.id}:${part}`, () =>
    loadPart(detail.summary.id, part ?? '1'),
  );
  const content: Load<PartContent> | null = known ? { state: 'ready', value: known } : loaded;
  const readyText = content?.state === 'ready' && content.value.kind === 'text' ? content.value.text : null;
  const safe = useMemo(() => (useHtml && readyText !== null ? sanitizeMailHtml(readyText) : null), [useHtml, readyText]);
  const images = useInlineImages(detail, safe?.cids ?? []);

  return (
    <div className="message-body">
      {detail.htmlPart !== null && detail.textPart !== null && (
        <div className="body-switch">
          <button type="button" className="link-button" onClick={() => setPreferText(!preferText)} data-testid="toggle-html">
            {useHtml ? t('reader.showText') : t('reader.showHtml')}
          </button>
        </div>
      )}
      {safe && safe.blocked > 0 && (
        <div className="remote-bar" role="status" data-testid="remote-bar">
          <Icon name="lock" />
          {allowRemote ? (
            <>
              <span>{trusted ? t('reader.remoteAlwaysOn', { sender }) : t('reader.remoteLoaded')}</span>
              {trusted && (
                <button
                  type="button"
                  className="button small"
                  onClick={() => {
                    setAllowOnce(false);
                    update({ remoteSenders: settings.remoteSenders.filter((x) => x !== sender) });
                  }}
                  data-testid="remote-forget"
                >
                  {t('reader.remoteForget')}
                </button>
              )}
            </>
          ) : (
            <>
              <span>{t('reader.remoteBlocked', { n: safe.blocked })}</span>
              <button type="button" className="button small" onClick={() => setAllowOnce(true)} data-testid="remote-load">
                {t('reader.remoteLoad')}
              </button>
              {sender && (
                <button
                  type="button"
                  className="button small"
                  onClick={() => update({ remoteSenders: [...settings.remoteSenders, sender] })}
                  data-testid="remote-always"
                >
                  {t('reader.remoteAlways', { sender })}
                </button>
              )}
            </>
          )}
        </div>
      )}
      {part === null && <p className="muted pad">{t('reader.noBody')}</p>}
      {content?.state === 'loading' && (
        <p className="muted pad" role="status">
          <span className="spinner" aria-hidden="true" /> {t('reader.bodyLoading')}
        </p>
      )}
      {content?.state === 'error' && (
        <p className="pane-error" role="alert">
          {t('reader.error', { message: describe(content.error) })}
        </p>
      )}
      {content?.state === 'ready' &&
        (safe ? (
          <HtmlFrame safe={safe} allowRemote={allowRemote} images={images} />
        ) : content.value.kind === 'text' ? (
          <PlainText text={content.value.text} />
        ) : (
          <p className="muted pad">{t('reader.noBody')}</p>
        ))}
    </div>
  );
}

function Source({ id }: { id: number }) {
  const { t, describe } = useSettings();
  const source = useLoad<MessageSource>(`src:${id}`, () => call('messages.source', { id }));
  if (!source || source.state === 'loading')
    return (
      <p className="muted pad" role="status">
        <span className="spinner" aria-hidden="true" />
      </p>
    );
  if (source.state === 'error')
    return (
      <p className="pane-error" role="alert">
        {describe(source.error)}
      </p>
    );
  return (
    <div className="source-view">
      {source.value.truncated && <p className="muted pad">{t('reader.sourceTruncated')}</p>}
      <pre data-testid="message-source">{source.value.text}</pre>
    </div>
  );
}

/** The reading pane: headers, then only what is shown is fetched (the text or HTML part). */
export function MessageView({
  messageId,
  count,
  actions = [],
  gone = false,
}: {
  messageId: number | null;
  count: number;
  /** The message that was open left the list by another device's doing (moved or deleted there). */
  gone?: boolean;
  /** What can be done to the selected messages (the row menu's actions), offered when several are. */
  actions?: readonly MenuItem[];
}) {
  const { t, locale, describe } = useSettings();
  // A detail read moments ago (the click's prefetch, or a neighbour's) renders at once; one older than
  // a few seconds renders too, while it is read again.
  const known = messageId === null ? undefined : peekDetail(messageId);
  const loaded = useLoad<MessageDetail>(messageId === null || known?.fresh ? null : String(messageId), () => loadDetail(messageId ?? 0));
  const detail: Load<MessageDetail> | null =
    known && (!loaded || loaded.state === 'loading') ? { state: 'ready', value: known.value } : loaded;
  const [sourceFor, setSourceFor] = useState<number | null>(null);

  if (messageId === null)
    return (
      <section className="reader empty-state" aria-label={t('reader.none')} data-testid="reader">
        <p className="empty-title">{count > 1 ? t('reader.many', { n: count }) : t('reader.none')}</p>
        {count <= 1 && gone && (
          <p className="muted" role="status" data-testid="reader-gone">
            {t('reader.goneElsewhere')}
          </p>
        )}
        {count <= 1 && <p className="muted">{t('reader.noneHint')}</p>}
        {count > 1 && actions.length > 0 && (
          <div className="many-actions" role="group" aria-label={t('reader.many', { n: count })} data-testid="many-actions">
            {actions.map((a) => (
              <button
                key={a.key}
                type="button"
                className={a.danger ? 'button danger-outline' : 'button'}
                disabled={a.disabled}
                onClick={a.onSelect}
                title={a.shortcut}
                data-action={a.key}
              >
                {a.label}
              </button>
            ))}
          </div>
        )}
      </section>
    );
  if (!detail || detail.state === 'loading')
    return (
      <section className="reader empty-state" data-testid="reader" aria-busy="true">
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> {t('reader.loading')}
        </p>
      </section>
    );
  if (detail.state === 'error')
    return (
      <section className="reader" data-testid="reader">
        <p className="pane-error" role="alert">
          {t('reader.error', { message: describe(detail.error) })}
        </p>
      </section>
    );

  const d = detail.value;
  const m = d.summary;
  // Attachments, as the list's paperclip counts them; inline parts with a name (an image the message
  // shows) apart, so they can still be saved.
  const attachments = d.attachments.filter((a) => !a.inline);
  const inlineFiles = d.attachments.filter((a) => a.inline && a.filename);
  const local = new Set(d.parts.filter((p) => p.cached).map((p) => p.part));
  const rows: [string, Address[]][] = [
    [t('reader.to'), d.to],
    [t('reader.cc'), d.cc],
    [t('reader.bcc'), d.bcc],
    // The ENVELOPE gives From as Reply-To when the message has none (RFC 3501 7.4.2): shown only when it differs.
    [t('reader.replyTo'), sameAddresses(d.replyTo, d.from) ? [] : d.replyTo],
  ];
  const showSource = sourceFor === m.id;
  return (
    <section className="reader" aria-label={m.subject || t('list.noSubject')} data-testid="reader" data-message-id={m.id} tabIndex={-1}>
      <header className="reader-header">
        <div className="reader-title-row">
          <h2 className="reader-subject" data-testid="reader-subject">
            {m.subject || t('list.noSubject')}
          </h2>
          <SaveEml key={m.id} messageId={m.id} subject={m.subject} />
          <button
            type="button"
            className="icon-button"
            onClick={() => setSourceFor(showSource ? null : m.id)}
            title={showSource ? t('reader.hideSource') : t('reader.viewSource')}
            aria-pressed={showSource}
            data-testid="view-source"
          >
            <Icon name="source" />
          </button>
        </div>
        <dl className="reader-meta">
          <div>
            <dt>{t('reader.from')}</dt>
            <dd data-testid="reader-from">
              <Addresses list={d.from.length > 0 ? d.from : m.from ? [m.from] : []} />
            </dd>
          </div>
          {rows
            .filter(([, list]) => list.length > 0)
            .map(([label, list]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>
                  <Addresses list={list} />
                </dd>
              </div>
            ))}
          <div>
            <dt>{t('reader.date')}</dt>
            <dd title={shortDateTime(m.sentDate ?? m.date, locale)}>{fullDate(m.sentDate ?? m.date, locale)}</dd>
          </div>
          {/* The list shows (and sorts by) when the message arrived: said here too when the Date header
              is more than an hour from it (a sender's clock, an imported archive, a delayed delivery). */}
          {m.sentDate !== null && Math.abs(Date.parse(m.sentDate) - Date.parse(m.date)) > RECEIVED_SHOWN_MS && (
            <div data-testid="reader-received">
              <dt>{t('reader.received')}</dt>
              <dd title={shortDateTime(m.date, locale)}>{fullDate(m.date, locale)}</dd>
            </div>
          )}
        </dl>
      </header>
      <div className="reader-scroll">
        {showSource ? <Source id={m.id} /> : <Body key={m.id} detail={d} />}
        <AttachmentList title={t('reader.attachments', { n: attachments.length })} messageId={m.id} list={attachments} local={local} />
        <AttachmentList
          title={t('reader.inlineFiles', { n: inlineFiles.length })}
          messageId={m.id}
          list={inlineFiles}
          local={local}
          testId="inline-files"
        />
      </div>
    </section>
  );
}

/** A titled list of a message's files (nothing when there are none). */
function AttachmentList({
  title,
  messageId,
  list,
  local,
  testId,
}: {
  title: string;
  messageId: number;
  list: readonly AttachmentSummary[];
  /** The parts on this computer (MessageDetail.parts' cached): they open and save offline. */
  local: ReadonlySet<string>;
  testId?: string;
}) {
  if (list.length === 0) return null;
  return (
    <section className="attachments" aria-label={title} data-testid={testId}>
      <h3>{title}</h3>
      <ul>
        {list.map((a) => (
          <AttachmentRow key={`${messageId}:${a.part}`} messageId={messageId} a={a} local={local.has(a.part)} />
        ))}
      </ul>
    </section>
  );
}
