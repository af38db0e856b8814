import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/domain/errors.js';
import { translator } from '../../i18n/translate.js';
import { describeAddError } from './errorText.js';

const target = { host: 'imap.example.com', port: 993 };

describe('describeAddError', () => {
  for (const language of ['en', 'ja'] as const) {
    it(`words every engine error in ${language}, with nothing left unfilled`, () => {
      const t = translator(language);
      for (const code of ErrorCode.options) {
        const { title, detail } = describeAddError({ code, message: 'engine message' }, target, t, language);
        expect(title.trim(), code).not.toBe('');
        expect(detail.trim(), code).not.toBe('');
        expect(`${title} ${detail}`, code).not.toMatch(/\{\w+\}/);
      }
    });
  }

  it('names the server and port it tried, in either language', () => {
    expect(describeAddError({ code: 'CONNECTION_REFUSED', message: '' }, target, translator('en'), 'en').title).toBe(
      'Nothing answers at imap.example.com:993.',
    );
    expect(describeAddError({ code: 'CONNECTION_REFUSED', message: '' }, target, translator('ja'), 'ja').title).toBe(
      'imap.example.com:993 から応答がありません。',
    );
    expect(describeAddError({ code: 'STARTTLS_UNAVAILABLE', message: '' }, { host: 'mx', port: 143 }, translator('ja'), 'ja').title).toBe(
      'mx はポート 143 で STARTTLS に対応していません。',
    );
  });

  it('suggests STARTTLS for a TLS failure on port 143, and keeps the engine’s detail otherwise', () => {
    const en = translator('en');
    expect(describeAddError({ code: 'TLS_FAILED', message: 'x' }, { host: 'h', port: 143 }, en, 'en').detail).toMatch(/STARTTLS/);
    expect(describeAddError({ code: 'TLS_FAILED', message: 'wrong version' }, target, en, 'en').detail).toMatch(/wrong version$/);
  });

  it('in Japanese, gives advice of its own instead of the engine’s English, with the server’s words when it gave any', () => {
    const ja = translator('ja');
    for (const code of ErrorCode.options) {
      const { detail } = describeAddError({ code, message: 'engine message in English' }, target, ja, 'ja');
      expect(detail, code).not.toContain('engine message');
      expect(detail.trim(), code).not.toBe('');
    }
    const refused = describeAddError(
      { code: 'SERVER_ERROR', message: 'CREATE failed', serverText: 'Mailbox quota exceeded' },
      target,
      ja,
      'ja',
    );
    expect(refused).toEqual({
      title: 'サーバーが要求を拒否しました。',
      detail:
        'しばらくしてからもう一度お試しください。繰り返し起きる場合は、サーバーの管理者に原因を問い合わせてください。 サーバーの応答: Mailbox quota exceeded',
    });
    // English keeps the engine's specific sentence.
    expect(
      describeAddError({ code: 'SERVER_ERROR', message: 'CREATE failed', serverText: 'x' }, target, translator('en'), 'en').detail,
    ).toBe('CREATE failed');
  });
});
