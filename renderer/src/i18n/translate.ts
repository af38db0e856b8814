import { dictionaries, type MessageKey, type UiLanguage } from './strings.js';

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** The UI language for a BCP 47 tag: Japanese for `ja*`, English for everything else. */
export function languageFor(tag: string | null | undefined): UiLanguage {
  return tag?.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Placeholders like {n} in a message, sorted (the i18n test compares them across languages). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

export function translator(language: UiLanguage): Translate {
  const dict = dictionaries[language];
  return (key, params) => {
    const text = dict[key];
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
  };
}
