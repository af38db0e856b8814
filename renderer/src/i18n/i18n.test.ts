import { describe, expect, it } from 'vitest';
import { en, ja } from './strings.js';
import { languageFor, placeholders, translator } from './translate.js';

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

  it('picks Japanese for ja tags only', () => {
    expect(languageFor('ja-JP')).toBe('ja');
    expect(languageFor('JA')).toBe('ja');
    expect(languageFor('en-US')).toBe('en');
    expect(languageFor('jv')).toBe('en');
    expect(languageFor(undefined)).toBe('en');
  });
});
