import { describe, expect, it } from 'vitest';
import { en, ja, type MessageKey, type Text } from './strings.js';
import { languageFor, placeholders, translator } from './translate.js';
import { failureText } from './errors.js';
import { ErrorCode } from '../../../shared/domain/errors.js';

const keys = Object.keys(en) as MessageKey[];
/** A message's words: the text, or each of its plural forms. */
const forms = (text: Text): string[] => (typeof text === 'string' ? [text] : Object.values(text));

describe('UI strings', () => {
  it('has every key in English and Japanese, none empty', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const key of keys) for (const text of [...forms(en[key]), ...forms(ja[key])]) expect(text.trim(), key).not.toBe('');
  });

  it('uses the same placeholders in both languages, in every plural form', () => {
    for (const key of keys) {
      const expected = placeholders(forms(en[key])[0] ?? '');
      for (const text of [...forms(en[key]), ...forms(ja[key])]) expect(placeholders(text), key).toEqual(expected);
    }
  });

  it('gives each plural the forms of its language, and no English text a count of a plural noun without them', () => {
    for (const [language, dict] of [
      ['en', en],
      ['ja', ja],
    ] as const) {
      const categories = [...new Intl.PluralRules(language).resolvedOptions().pluralCategories].sort();
      for (const key of keys) {
        const text: Text = dict[key];
        if (typeof text !== 'string') expect(Object.keys(text).sort(), key).toEqual(categories);
      }
    }
    for (const key of keys) {
      const text: Text = en[key];
      // "message(s)", or a count before a plural noun ("{n} messages"; not "{n} as read").
      if (typeof text === 'string') expect(text, key).not.toMatch(/\(s\)|\{n\} \w{2,}s\b/);
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translator('en')('list.count', { n: 3 })).toBe('3 messages');
    expect(translator('ja')('list.count', { n: 3 })).toBe('3 件');
    expect(translator('en')('list.selected')).toBe('{n} selected');
  });

  it('picks the plural form by the count in English; Japanese words are the same for any count', () => {
    const t = translator('en');
    expect(t('actions.deleteForeverTitle', { n: 1 })).toBe('Delete 1 message permanently?');
    expect(t('actions.deleteForeverBody', { n: 1 })).toBe('It is removed from the server at once, and cannot be undone.');
    expect(t('actions.deleteForeverBody', { n: 2 })).toMatch(/^They are removed/);
    expect(t('actions.deleteForeverTitle', { n: 3 })).toBe('Delete 3 messages permanently?');
    expect(t('actions.deleteForeverTitle', { n: 0 })).toBe('Delete 0 messages permanently?');
    expect(t('list.count', { n: 1 })).toBe('1 message');
    expect(t('ops.pending', { n: 1 })).toBe('1 change waiting for the server');
    expect(t('ops.pending', { n: 2 })).toBe('2 changes waiting for the server');
    expect(translator('ja')('actions.deleteForeverTitle', { n: 1 })).toBe('1 件のメッセージを完全に削除しますか？');
    expect(translator('ja')('actions.deleteForeverTitle', { n: 3 })).toBe('3 件のメッセージを完全に削除しますか？');
  });

  it('writes the count the way the locale writes numbers, and other numbers as they are', () => {
    expect(translator('en', 'en-US')('list.count', { n: 2000 })).toBe('2,000 messages');
    expect(translator('en', 'de-DE')('list.count', { n: 2000 })).toBe('2.000 messages');
    expect(translator('ja', 'ja-JP')('list.count', { n: 2000 })).toBe('2,000 件');
    expect(translator('en', 'en-US')('addError.noStarttls', { host: 'mail.example.com', port: 10143 })).toBe(
      'mail.example.com does not offer STARTTLS on port 10143.',
    );
    // @ts-expect-error A plural takes its count as a number (it picks the form), not as formatted text.
    expect(translator('en')('list.count', { n: '2,000' })).toBe('2,000 messages');
  });

  it('writes フォルダー, コンピューター, フィルター with their long vowel mark in Japanese (as Microsoft and Thunderbird do)', () => {
    const bare = /(フォルダ|コンピュータ|フィルタ|サーバ|ユーザ)(?!ー)/;
    for (const [key, text] of Object.entries(ja)) expect(text, key).not.toMatch(bare);
    for (const code of ErrorCode.options) expect(failureText('ja', translator('ja'), { code, message: code }), code).not.toMatch(bare);
  });

  it('picks Japanese for ja tags only', () => {
    expect(languageFor('ja-JP')).toBe('ja');
    expect(languageFor('JA')).toBe('ja');
    expect(languageFor('en-US')).toBe('en');
    expect(languageFor('jv')).toBe('en');
    expect(languageFor(undefined)).toBe('en');
  });
});

describe('engine errors in the UI language', () => {
  const error = (code: string, serverText?: string) => ({
    code,
    message: `English words for ${code}.`,
    ...(serverText ? { serverText } : {}),
  });

  it('shows the engine’s own (specific, English) words in English', () => {
    expect(failureText('en', translator('en'), error('NOT_FOUND'))).toBe('English words for NOT_FOUND.');
  });

  it('has a Japanese sentence for every error code, with the server’s words after it', () => {
    for (const code of ErrorCode.options) {
      const text = failureText('ja', translator('ja'), error(code));
      expect(text, code).not.toMatch(/English/);
      expect(text, code).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    expect(failureText('ja', translator('ja'), error('SERVER_ERROR', '[OVERQUOTA] Quota exceeded'))).toBe(
      'サーバーが要求を拒否しました。（サーバーの応答: [OVERQUOTA] Quota exceeded）',
    );
  });

  it('keeps a message it has no words for, and words the UI’s own failures by key', () => {
    expect(failureText('ja', translator('ja'), { message: 'No code' })).toBe('No code');
    expect(failureText('ja', translator('ja'), { key: 'list.count', params: { n: 2 } })).toBe('2 件');
  });
});
