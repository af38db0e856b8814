import { describe, expect, it } from 'vitest';
import { contentDisposition, defaultFilename, downloadContentType, FileRef, openable, safeFilename } from './files.js';

describe('safeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../.bashrc', 'bashrc'],
    ['C:\\Windows\\evil.exe', 'evil.exe'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['  trailing dots... ', 'trailing dots'],
    ['CON.txt', '_CON.txt'],
    ['lpt1', '_lpt1'],
    ['bell\u0007\u202eexe.txt', 'bellexe.txt'],
    ['見積書（最終）.pdf', '見積書（最終）.pdf'],
    ['', 'fallback'],
    ['...', 'fallback'],
    ['/', 'fallback'],
  ])('%j → %j', (name, expected) => {
    expect(safeFilename(name, 'fallback')).toBe(expected);
  });

  it('uses the fallback for a missing name and keeps the extension of a long one', () => {
    expect(safeFilename(null, 'attachment-2')).toBe('attachment-2');
    const long = safeFilename(`${'あ'.repeat(300)}.pdf`, 'x');
    expect(long.length).toBe(180);
    expect(long.endsWith('あ.pdf')).toBe(true);
  });

  it('names a part without a filename by its number, and the source message.eml', () => {
    expect(defaultFilename('1.2')).toBe('attachment-1.2');
    expect(defaultFilename('source')).toBe('message.eml');
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII filename and the exact one as filename* (RFC 6266, RFC 8187)', () => {
    expect(contentDisposition('report.pdf')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(contentDisposition(`見積 "it's" 100%.pdf`)).toBe(
      `attachment; filename="__ _it's_ 100_.pdf"; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%20%22it%27s%22%20100%25.pdf`,
    );
  });
});

describe('downloadContentType', () => {
  it('keeps passive types, without parameters', () => {
    expect(downloadContentType('application/pdf')).toBe('application/pdf');
    expect(downloadContentType('Image/PNG; name="x.png"')).toBe('image/png');
    expect(downloadContentType('application/zip')).toBe('application/zip');
    expect(downloadContentType('text/plain; charset=iso-8859-1')).toBe('text/plain');
  });

  it.each([
    'text/html',
    'application/xhtml+xml',
    'image/svg+xml',
    'text/xml',
    'application/xml',
    'application/rss+xml',
    'text/javascript',
    'application/javascript',
    'application/x-javascript',
    'multipart/mixed',
    'text/html; charset=utf-8',
    '',
    null,
    'nonsense',
    'text/plain\r\nSet-Cookie: x',
  ])('serves %j as bytes', (type) => {
    expect(downloadContentType(type)).toBe('application/octet-stream');
  });
});

describe('openable', () => {
  it('opens documents and refuses what the OS would run', () => {
    expect(['a.pdf', 'b.zip', 'c.PNG', 'd.docx', 'e.txt'].map(openable)).toEqual([true, true, true, true, true]);
    expect(
      ['a.exe', 'b.BAT', 'c.sh', 'd.desktop', 'e.html', 'f.svg', 'g.jar', 'h.lnk', 'i.docm', 'noext', '.bashrc'].map(openable),
    ).toEqual(Array(11).fill(false));
  });
});

describe('FileRef', () => {
  it('takes a MIME part number or "source", nothing else', () => {
    expect(FileRef.safeParse({ id: 1, part: '1.2' }).success).toBe(true);
    expect(FileRef.safeParse({ id: 1, part: 'source' }).success).toBe(true);
    expect(FileRef.safeParse({ id: 1, part: '../x' }).success).toBe(false);
    expect(FileRef.safeParse({ id: 0, part: '1' }).success).toBe(false);
  });
});
