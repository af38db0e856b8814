import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from './linkify.js';

describe('linkify', () => {
  it('turns http, https, mailto and bare addresses into links', () => {
    const pieces = linkify('See https://example.com/a?b=1. Mail bob@tegami.test or mailto:x@y.jp, http://h.example/(x)');
    expect(pieces.filter((p) => p.kind === 'link').map((p) => (p.kind === 'link' ? p.href : ''))).toEqual([
      'https://example.com/a?b=1',
      'mailto:bob@tegami.test',
      'mailto:x@y.jp',
      'http://h.example/(x)',
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe(
      'See https://example.com/a?b=1. Mail bob@tegami.test or mailto:x@y.jp, http://h.example/(x)',
    );
  });

  it('never links other schemes', () => {
    const pieces = linkify('javascript:alert(1) file:///etc/passwd data:text/html,x ftp://x.example');
    expect(pieces.every((p) => p.kind === 'text')).toBe(true);
  });

  it('stops a URL at Japanese text', () => {
    const pieces = linkify('詳細はhttps://example.jp/aboutをご覧ください');
    expect(pieces.find((p) => p.kind === 'link')?.text).toBe('https://example.jp/about');
  });
});

describe('safeHref', () => {
  it('refuses credentials and unknown schemes', () => {
    expect(safeHref('https://user:pw@example.com/')).toBeNull();
    expect(safeHref('JavaScript:alert(1)')).toBeNull();
    expect(safeHref('https://example.com')).toBe('https://example.com/');
  });
});
