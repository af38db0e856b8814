import { describe, expect, it } from 'vitest';
import { cleanCss, frameCsp } from './sanitize.js';

describe('cleanCss', () => {
  it('removes remote url(), @import and script-ish CSS, and counts them', () => {
    let n = 0;
    const out = cleanCss(
      '@import url(https://evil.example/a.css); body{background:url( "https://t.example/p.gif" )} /* x */ p{width:expression(alert(1))} i{background:url(data:image/png;base64,AAAA)}',
      (k) => (n += k),
    );
    expect(out).not.toMatch(/evil|t\.example|expression|@import/);
    expect(out).toContain('url("data:image/png;base64,AAAA")');
    expect(n).toBe(3);
  });

  it('catches unbalanced url( too', () => {
    let n = 0;
    expect(cleanCss('a{background:url(https://x.example/y', (k) => (n += k))).not.toMatch(/url\(/);
    expect(n).toBe(1);
  });
});

describe('frameCsp', () => {
  it('allows no network at all: remote images arrive as data: URLs fetched by the engine', () => {
    expect(frameCsp()).toBe(
      "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'",
    );
  });
});
