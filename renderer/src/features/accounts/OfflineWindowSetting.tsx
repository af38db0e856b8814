import { useEffect, useState } from 'react';
import { DEFAULT_OFFLINE_DAYS, type Account, type OfflineWindow } from '../../../../shared/domain/account.js';
import { useSettings } from '../../app/settings.js';
import { asTegamiError, call, subscribe } from '../../ipc/client.js';
import { byteSize } from '../messages/format.js';

/** The periods offered; one set elsewhere (the command line) is offered too, as it is. */
const CHOICES: readonly OfflineWindow[] = [30, DEFAULT_OFFLINE_DAYS, 365, 'all'];

/**
 * How much of the account's mail is kept on this computer for offline reading (accounts.setOfflineWindow).
 * A smaller period frees what falls out of it at once; a larger one is downloaded by the next sync.
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
  // The period just chosen, shown until the account (reloaded on accounts.changed) has another
  // period than it had when the choice was made: then the account's own is shown.
  const [chosen, setChosen] = useState<{ window: OfflineWindow; had: OfflineWindow } | null>(null);
  const shown = chosen && chosen.had === account.offlineWindow ? chosen.window : account.offlineWindow;
  const choices = CHOICES.includes(shown) ? CHOICES : [...CHOICES, shown];
  const label = (w: OfflineWindow): string =>
    w === 'all'
      ? t('offline.all')
      : w === DEFAULT_OFFLINE_DAYS
        ? t('offline.default', { n: w })
        : w === 365
          ? t('offline.year')
          : t('offline.last', { n: w });
  const choose = (value: string): void => {
    const window: OfflineWindow = value === 'all' ? 'all' : Number(value);
    setBusy(true);
    setNote(null);
    setChosen({ window, had: account.offlineWindow });
    call('accounts.setOfflineWindow', { accountId: account.id, window }).then(
      () => {
        setBusy(false);
        setNote({ kind: 'saved', text: t('offline.saved') });
      },
      (e: unknown) => {
        setBusy(false);
        setChosen(null); // back to what the account has
        setNote({ kind: 'error', text: describe(asTegamiError(e)) });
      },
    );
  };
  return (
    <section className="offline-window" data-testid="offline-window">
      <label className="field">
        <span>{t('offline.title')}</span>
        <select
          value={String(shown)}
          onChange={(e) => choose(e.target.value)}
          disabled={busy}
          aria-busy={busy}
          data-testid="offline-window-select"
        >
          {choices.map((w) => (
            <option key={String(w)} value={String(w)}>
              {label(w)}
            </option>
          ))}
        </select>
      </label>
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
