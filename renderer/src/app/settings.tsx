import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { languageFor, translator, type Translate } from '../i18n/translate.js';
import { failureText, type Failure } from '../i18n/errors.js';
import type { UiLanguage } from '../i18n/strings.js';

export type Density = 'comfortable' | 'compact';
export type LanguageSetting = 'auto' | UiLanguage;

export interface Settings {
  language: LanguageSetting;
  density: Density;
  /** Widths of the folder pane and the message list, in CSS pixels. */
  folderWidth: number;
  listWidth: number;
  /** Mark a message read when it is opened: after this many milliseconds, or never (null). */
  markReadDelay: number | null;
  /** Show every folder, not only the subscribed ones. */
  allFolders: boolean;
  /** Group the list by conversation (threadId). */
  conversations: boolean;
  /** The list's Date column: when a message arrived (INTERNALDATE), or when it was sent (its Date header). */
  listDate: 'received' | 'sent';
  /** Senders (lower-case addresses) whose remote content is always loaded. */
  remoteSenders: string[];
}

const defaults: Settings = {
  language: 'auto',
  density: 'comfortable',
  folderWidth: 240,
  listWidth: 560,
  markReadDelay: 1000,
  allFolders: false,
  conversations: false,
  listDate: 'received',
  remoteSenders: [],
};
const KEY = 'tegami.settings';

function load(): Settings {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return defaults;
    const v = JSON.parse(raw) as Partial<Settings>;
    return {
      language: v.language === 'en' || v.language === 'ja' ? v.language : 'auto',
      density: v.density === 'compact' ? 'compact' : 'comfortable',
      folderWidth: typeof v.folderWidth === 'number' ? v.folderWidth : defaults.folderWidth,
      listWidth: typeof v.listWidth === 'number' ? v.listWidth : defaults.listWidth,
      markReadDelay:
        v.markReadDelay === null
          ? null
          : typeof v.markReadDelay === 'number' && v.markReadDelay >= 0
            ? v.markReadDelay
            : defaults.markReadDelay,
      allFolders: v.allFolders === true,
      conversations: v.conversations === true,
      listDate: v.listDate === 'sent' ? 'sent' : 'received',
      remoteSenders: Array.isArray(v.remoteSenders) ? v.remoteSenders.filter((x): x is string => typeof x === 'string').slice(0, 5000) : [],
    };
  } catch {
    return defaults;
  }
}

interface SettingsContextValue {
  settings: Settings;
  update: (change: Partial<Settings>) => void;
  language: UiLanguage;
  /** BCP 47 tag for Intl formatting. */
  locale: string;
  t: Translate;
  /** An engine error (or the UI's own failure) in the UI's language. */
  describe: (failure: Failure) => string;
}

const SettingsContext = createContext<SettingsContextValue | null>(null);

const systemTag = (): string => (typeof navigator === 'undefined' ? 'en' : (navigator.languages?.[0] ?? navigator.language ?? 'en'));

export function SettingsProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState<Settings>(load);
  const update = useCallback((change: Partial<Settings>) => setSettings((prev) => ({ ...prev, ...change })), []);
  useEffect(() => {
    try {
      localStorage.setItem(KEY, JSON.stringify(settings));
    } catch {
      // Storage may be disabled; settings then last for this page only.
    }
  }, [settings]);
  // The words follow the language setting only: another setting leaves the same t, so what depends
  // on it is not redone.
  const words = useMemo(() => {
    const system = systemTag();
    const language = settings.language === 'auto' ? languageFor(system) : settings.language;
    const locale = languageFor(system) === language ? system : language === 'ja' ? 'ja-JP' : 'en-US';
    const t = translator(language, locale);
    return { language, locale, t, describe: (failure: Failure) => failureText(language, t, failure) };
  }, [settings.language]);
  const value = useMemo<SettingsContextValue>(() => ({ settings, update, ...words }), [settings, update, words]);
  useEffect(() => {
    document.documentElement.lang = value.language;
    document.documentElement.dataset.density = settings.density;
  }, [value.language, settings.density]);
  return <SettingsContext value={value}>{children}</SettingsContext>;
}

export function useSettings(): SettingsContextValue {
  const v = useContext(SettingsContext);
  if (!v) throw new Error('useSettings outside SettingsProvider');
  return v;
}

/** Just the translator. */
export function useT(): Translate {
  return useSettings().t;
}
