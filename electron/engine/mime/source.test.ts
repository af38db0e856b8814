import { describe, expect, it } from 'vitest';
import { parseSource } from './source.js';

const msg = (head: string[], body: string[]): Buffer => Buffer.from([...head, '', ...body].join('\r\n'), 'latin1');
const base = ['From: Ann <ann@example.com>', 'To: bob@example.com', 'Subject: Hello', 'MIME-Version: 1.0'];

describe('parseSource', () => {
  it('reads a plain message: record, structure and text', () => {
    const p = parseSource(msg([...base, 'Content-Type: text/plain; charset=utf-8'], ['Hi Bob,', 'see you.', '']));
    expect(p?.record).toMatchObject({
      subject: 'Hello',
      from: { name: 'Ann', address: 'ann@example.com' },
      to: [{ name: '', address: 'bob@example.com' }],
    });
    expect(JSON.parse(p?.record.bodystructure ?? '')).toEqual({
      type: 'text/plain',
      parameters: { charset: 'utf-8' },
      encoding: '7bit',
      size: 19,
      lineCount: 2,
    });
    expect(p?.texts.parts.map((t) => t.text)).toEqual(['Hi Bob,\nsee you.\n']);
    expect(p?.texts.snippet).toBe('Hi Bob, see you.');
  });

  it('finds the parts of a multipart by their byte ranges, the CRLF before a delimiter not theirs', () => {
    const p = parseSource(
      msg(
        [...base, 'Content-Type: multipart/alternative; boundary="b"'],
        ['--b', 'Content-Type: text/plain', '', 'plain', '--b', 'Content-Type: text/html', '', '<p>html</p>', '--b--', ''],
      ),
    );
    const structure = JSON.parse(p?.record.bodystructure ?? '') as { childNodes: Array<{ part: string; size: number }> };
    expect(structure.childNodes.map((c) => [c.part, c.size])).toEqual([
      ['1', 5],
      ['2', 11],
    ]);
    expect(p?.texts.parts.map((t) => [t.part, t.text])).toEqual([
      ['1', 'plain'],
      ['2', '<p>html</p>'],
    ]);
  });

  // Each of these a server may read its own way: the message takes the server's path.
  it.each([
    ['a bare LF', msg(base, ['line\nline'])],
    ['raw 8-bit in a header', Buffer.concat([msg(['Subject: caf\xe9', ...base.slice(0, 2)], ['x'])])],
    ['a second Subject', msg([...base, 'Subject: again'], ['x'])],
    ['Content-Disposition without MIME-Version or Content-Type', msg([...base.slice(0, 3), 'Content-Disposition: inline'], ['x'])],
    ['a group', msg([...base, 'Cc: friends: a@example.com;'], ['x'])],
    ['a comment inside an address', msg([...base, 'Cc: a(Ann)@example.com'], ['x'])],
    ['RFC 2231 parameters', msg([...base, "Content-Type: text/plain; charset*=utf-8''x"], ['x'])],
    [
      'a line that starts like the delimiter',
      msg([...base, 'Content-Type: multipart/mixed; boundary=b'], ['--b', '', 'x', '--bx', '--b--']),
    ],
    ['no close delimiter', msg([...base, 'Content-Type: multipart/mixed; boundary=b'], ['--b', '', 'x'])],
    ['no boundary at all', msg([...base, 'Content-Type: multipart/mixed'], ['x'])],
    ['an attached message', msg([...base, 'Content-Type: message/rfc822'], ['Subject: inner', '', 'x'])],
    ['a header without its blank line', Buffer.from(base.join('\r\n'))],
  ])('refuses %s', (_what, raw) => {
    expect(parseSource(raw)).toBeNull();
  });

  it('takes the comment of an old-style `addr (Full Name)` as the name; other comments are refused', () => {
    expect(parseSource(msg([...base, 'Cc: ann@example.com (Ann Example), bob@example.com'], ['x']))?.record.cc).toEqual([
      { name: 'Ann Example', address: 'ann@example.com' },
      { name: '', address: 'bob@example.com' },
    ]);
    expect(parseSource(msg([...base, 'Cc: Ann <ann@example.com> (work)'], ['x']))).toBeNull();
    expect(parseSource(msg([...base, 'Cc: ann@example.com (Ann (nested))'], ['x']))).toBeNull();
  });

  it('reads a Content-Type without MIME-Version, and ignores a transfer encoding without either, as Dovecot does', () => {
    const structure = (raw: Buffer) => JSON.parse(parseSource(raw)?.record.bodystructure ?? 'null') as { type: string; encoding: string };
    expect(structure(msg([...base.slice(0, 3), 'Content-Type: text/html', 'Content-Transfer-Encoding: 8bit'], ['<p>x</p>']))).toMatchObject(
      {
        type: 'text/html',
        encoding: '8bit',
      },
    );
    expect(structure(msg([...base.slice(0, 3), 'Content-Transfer-Encoding: 8BIT'], ['x']))).toMatchObject({
      type: 'text/plain',
      encoding: '7bit',
    });
  });

  it('leaves out text parts larger than asked for, keeping the record', () => {
    const p = parseSource(msg([...base, 'Content-Type: text/plain'], ['x'.repeat(100)]), 50);
    expect(p?.record.subject).toBe('Hello');
    expect(p?.texts.parts).toEqual([]);
  });
});
