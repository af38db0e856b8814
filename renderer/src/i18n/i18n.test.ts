import { describe, expect, it } from 'vitest';
import { en, ja } from './strings.js';
import { languageFor, placeholders, translator } from './translate.js';
import { failureText } from './errors.js';
import { ErrorCode } from '../../../shared/domain/errors.js';

describe('UI strings', () => {
  it('has every key in English and Japanese, none empty', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of [...Object.entries(en), ...Object.entries(ja)]) expect(text.trim(), key).not.toBe('');
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(placeholders(ja[key]), key).toEqual(placeholders(en[key]));
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translator('en')('list.count', { n: 3 })).toBe('3 messages');
    expect(translator('ja')('list.count', { n: 3 })).toBe('3 件');
    expect(translator('en')('list.count')).toBe('{n} messages');
  });

  it('writes フォルダー with its long vowel mark in Japanese, never フォルダ (as Microsoft and Thunderbird do)', () => {
    const bare = /フォルダ(?!ー)/;
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
