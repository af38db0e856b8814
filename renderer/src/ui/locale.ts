/** The UI language: English, with Japanese labels where the system asks for Japanese. */
export const uiLocale: string = typeof navigator === 'undefined' ? 'en' : (navigator.languages?.[0] ?? navigator.language ?? 'en');
export const isJapanese = uiLocale.toLowerCase().startsWith('ja');
