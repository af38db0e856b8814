import { describe, expect, it } from 'vitest';
import { cleanCss, frameCsp, RAW_STYLE, renameStyleAttributes } from './sanitize.js';

describe('renameStyleAttributes', () => {
  it('renames the style attribute of start tags only, whatever the quoting and case', () => {
    expect(renameStyleAttributes('<p style="color:red">x</p>')).toBe(`<p ${RAW_STYLE}="color:red">x</p>`);
    expect(renameStyleAttributes(`<div title="a > b" STYLE='x'>`)).toBe(`<div title="a > b" ${RAW_STYLE}='x'>`);
    expect(renameStyleAttributes('<td style = color:red width=3>')).toBe(`<td ${RAW_STYLE} = color:red width=3>`);
    expect(renameStyleAttributes('<img data-style="y" alt="style=z">')).toBe('<img data-style="y" alt="style=z">');
    expect(renameStyleAttributes('style="a" </p style="b"> <p style>')).toBe('style="a" </p style="b"> <p style>');
    expect(renameStyleAttributes('<p style="never closed')).toBe(`<p ${RAW_STYLE}="never closed`);
    // Event handlers too: DOMPurify drops the data attribute they become.
    expect(renameStyleAttributes(`<img src=x onerror="alert(1)" ONLOAD='y'>`)).toBe(
      `<img src=x data-tegami-dropped="alert(1)" data-tegami-dropped='y'>`,
    );
  });

  it('copies hostile markup (50,000 open tags, unterminated quotes) as it is: one scan, no backtracking', () => {
    const hostile = '<a '.repeat(50_000) + '="'.repeat(50_000);
    expect(renameStyleAttributes(hostile)).toBe(hostile);
  });
});

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
