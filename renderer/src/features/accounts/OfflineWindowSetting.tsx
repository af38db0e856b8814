import { useEffect, useState } from 'react';
import {
  DEFAULT_OFFLINE_DAYS,
  DEFAULT_WHOLE_BELOW,
  sizeLimitText,
  type Account,
  type OfflineWindow,
} from '../../../../shared/domain/account.js';
import { useSettings } from '../../app/settings.js';
import { asTegamiError, call, subscribe } from '../../ipc/client.js';
import { byteSize } from '../messages/format.js';

/** The periods offered; one set elsewhere (the command line) is offered too, as it is. */
const CHOICES: readonly OfflineWindow[] = [30, DEFAULT_OFFLINE_DAYS, 365, 'all'];

const MB = 1024 * 1024;
/** The sizes below which mail is kept whole; one set elsewhere is offered too. */
const WHOLE_CHOICES: readonly number[] = [DEFAULT_WHOLE_BELOW, 1 * MB, 10 * MB, 50 * MB];

/**
 * How much of the account's mail is kept on this computer for offline reading (accounts.setOfflineWindow),
 * and of it which messages whole, attachments and all (accounts.setWholeBelow). A smaller period or
 * size frees what falls out of it at once; a larger one is downloaded by the next sync.
 */
export function OfflineWindowSetting({ account }: { account: Account }) {
  const { t, describe, locale } = useSettings();
  const [busy, setBusy] = useState(false);
  const [usage, setUsage] = useState<number | null>(null);
  // What it takes now: read when the page opens, when the period changes, and after each sync pass.
  useEffect(() => {
    let live = true;
    const load = (): void =>
      void call('app.storage', {}).then(
        (u) => live && setUsage(u.bytes),
        () => live && setUsage(null),
      );
    load();
    const unsubscribe = subscribe('sync.state', (s) => {
      if (s.accountId === account.id && s.state === 'idle') load();
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [account.id, account.offlineWindow]);
  const [note, setNote] = useState<{ kind: 'saved' | 'error'; text: string } | null>(null);
  // A value just chosen, shown until the account (reloaded on accounts.changed) has another value
  // than it had when the choice was made: then the account's own is shown.
  const [chosen, setChosen] = useState<{ window: OfflineWindow; had: OfflineWindow } | null>(null);
  const [chosenWhole, setChosenWhole] = useState<{ bytes: number; had: number } | null>(null);
  const shown = chosen && chosen.had === account.offlineWindow ? chosen.window : account.offlineWindow;
  const shownWhole = chosenWhole && chosenWhole.had === account.wholeBelow ? chosenWhole.bytes : account.wholeBelow;
  const choices = CHOICES.includes(shown) ? CHOICES : [...CHOICES, shown];
  const wholeChoices = WHOLE_CHOICES.includes(shownWhole) ? WHOLE_CHOICES : [...WHOLE_CHOICES, shownWhole].sort((a, b) => a - b);
  const label = (w: OfflineWindow): string =>
    w === 'all'
      ? t('offline.all')
      : w === DEFAULT_OFFLINE_DAYS
        ? t('offline.default', { n: w })
        : w === 365
          ? t('offline.year')
          : t('offline.last', { n: w });
  const wholeLabel = (bytes: number): string =>
    t(bytes === DEFAULT_WHOLE_BELOW ? 'offline.wholeDefault' : 'offline.wholeBelow', { size: sizeLimitText(bytes) });
  /** Saves a choice; on failure the account's own value is shown again, and why. */
  const save = (request: Promise<unknown>, saved: string, undo: () => void): void => {
    setBusy(true);
    setNote(null);
    request.then(
      () => {
        setBusy(false);
        setNote({ kind: 'saved', text: saved });
      },
      (e: unknown) => {
        setBusy(false);
        undo();
        setNote({ kind: 'error', text: describe(asTegamiError(e)) });
      },
    );
  };
  const choose = (value: string): void => {
    const window: OfflineWindow = value === 'all' ? 'all' : Number(value);
    setChosen({ window, had: account.offlineWindow });
    save(call('accounts.setOfflineWindow', { accountId: account.id, window }), t('offline.saved'), () => setChosen(null));
  };
  const chooseWhole = (value: string): void => {
    const bytes = Number(value);
    setChosenWhole({ bytes, had: account.wholeBelow });
    save(call('accounts.setWholeBelow', { accountId: account.id, bytes }), t('offline.wholeSaved'), () => setChosenWhole(null));
  };
  return (
    <section className="offline-window" data-testid="offline-window">
      <Choice
        title={t('offline.title')}
        value={shown}
        choices={choices}
        label={label}
        onChoose={choose}
        busy={busy}
        testId="offline-window-select"
      />
      <Choice
        title={t('offline.wholeTitle')}
        value={shownWhole}
        choices={wholeChoices}
        label={wholeLabel}
        onChoose={chooseWhole}
        busy={busy}
        testId="offline-whole-select"
      />
      <p className="muted">{t('offline.help')}</p>
      {usage !== null && (
        <p className="muted" data-testid="offline-window-usage">
          {t('offline.usage', { size: byteSize(usage, locale) })}
        </p>
      )}
      {note && (
        <p
          className={note.kind === 'error' ? 'field-error' : 'muted'}
          role={note.kind === 'error' ? 'alert' : 'status'}
          data-testid={`offline-window-${note.kind}`}
        >
          {note.text}
        </p>
      )}
    </section>
  );
}

/** One labelled select of the page: the values as strings, each shown by `label`. */
function Choice<T extends string | number>(props: {
  title: string;
  value: T;
  choices: readonly T[];
  label: (value: T) => string;
  onChoose: (value: string) => void;
  busy: boolean;
  testId: string;
}) {
  return (
    <label className="field">
      <span>{props.title}</span>
      <select
        value={String(props.value)}
        onChange={(e) => props.onChoose(e.target.value)}
        disabled={props.busy}
        aria-busy={props.busy}
        data-testid={props.testId}
      >
        {props.choices.map((v) => (
          <option key={String(v)} value={String(v)}>
            {props.label(v)}
          </option>
        ))}
      </select>
    </label>
  );
}
