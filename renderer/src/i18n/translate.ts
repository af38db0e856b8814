import { dictionaries, type MessageKey, type PluralKey, type Text, type UiLanguage } from './strings.js';

export type Params = Record<string, string | number>;
/**
 * A message in the UI language. A key with plural forms needs its count as a number, which picks the
 * form: `t('list.count', { n: 3 })`.
 */
export type Translate = <K extends MessageKey>(
  key: K,
  ...params: K extends PluralKey ? [params: Params & { n: number }] : [params?: Params | undefined]
) => string;

/** The UI language for a BCP 47 tag: Japanese for `ja*`, English for everything else. */
export function languageFor(tag: string | null | undefined): UiLanguage {
  return tag?.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Placeholders like {n} in a message, sorted (the i18n test compares them across languages). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

/**
 * The translator for a language. The count {n} picks the plural form by the language's rules and is
 * written the way `locale` writes numbers (2,000); other values (a port, a UID) go in as they are.
 */
export function translator(language: UiLanguage, locale: string = language): Translate {
  const dict: Record<MessageKey, Text> = dictionaries[language];
  const plurals = new Intl.PluralRules(language);
  const numbers = new Intl.NumberFormat(locale);
  return (key: MessageKey, params?: Params) => {
    const text = dict[key];
    const n = params?.n;
    const form = typeof text === 'string' ? text : ((typeof n === 'number' ? text[plurals.select(n)] : undefined) ?? text.other);
    if (!params) return form;
    return form.replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (!Object.hasOwn(params, name)) return whole;
      const value = params[name];
      return name === 'n' && typeof value === 'number' ? numbers.format(value) : String(value);
    });
  };
}
