// The mirror's parse of a message's source (mime/source.ts) against the server's own reading of the
// same message (ENVELOPE, BODYSTRUCTURE and the text parts fetched by number), over real and odd
// mail in Dovecot: every message the parse accepts must give exactly the record and the texts the
// server's path gives; the rest must be refused, never guessed.
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectImap, findUser } from '../../../test/dovecot/client.js';
import { fixtureMessages } from '../../../test/seed/fixtures.js';
import { loadCorpus } from '../../../test/seed/seed.js';
import { fetchTextParts } from '../imap/parts.js';
import { lostBytes, toHeaderRecord } from '../imap/session.js';
import { parseSource, sourcePart, type ParsedSource } from './source.js';
import { flattenParts, parseBodyStructure, prefetchParts, type BodyNode } from './structure.js';
import { textRecords } from './text.js';

const server = inject('dovecot');
const USER = 'ken';
findUser(server, USER);

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');
const head = (key: string, extra: string[] = []) => [
  'From: "Smith, John" <john@example.com>',
  'To: a@example.com, "B. Person" <b@example.com>, =?UTF-8?B?55Sw5Lit?= <tanaka@example.jp>',
  `Subject: ${key} =?UTF-8?Q?caf=C3=A9?=`,
  'Date: Tue, 10 Nov 2026 10:00:00 +0900',
  `Message-ID: <${key}@tegami.test>`,
  'MIME-Version: 1.0',
  ...extra,
];

/** Shapes the corpus has few of: every kind the parse accepts, and some it must refuse. */
const handmade: Array<{ key: string; raw: Buffer; refused?: boolean }> = [
  { key: 'no-content-type', raw: crlf([...head('no-content-type'), '', 'Plain body', 'two lines', '']) },
  { key: 'no-final-crlf', raw: crlf([...head('no-final-crlf', ['Content-Type: text/plain; charset="utf-8"']), '', 'No line end']) },
  { key: 'empty-body', raw: crlf([...head('empty-body', ['Content-Type: text/plain']), '', '']) },
  {
    key: 'nested',
    raw: crlf([
      ...head('nested', [
        'Content-Type: multipart/mixed; boundary=outer',
        'Reply-To: Replies <r@example.com>',
        'In-Reply-To: <x@y> (comment)',
      ]),
      '',
      'preamble',
      '--outer',
      'Content-Type: multipart/alternative; boundary="inner"',
      '',
      '--inner',
      'Content-Type: text/plain; charset=iso-8859-1; format=flowed',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=E9 au lait ',
      'soon.',
      '--inner',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      'Content-Language: en, ja',
      'Content-Location: http://example.com/x.html',
      '',
      Buffer.from('<p>Café <b>au lait</b></p>').toString('base64'),
      '--inner--',
      '',
      '--outer',
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"; size=12',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <pdf@tegami.test>',
      'Content-Description: The report',
      'Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==',
      '',
      'JVBERi0xLjQK',
      '--outer',
      '',
      'A part with no header at all',
      '--outer--  ',
      'epilogue',
      '',
    ]),
  },
  {
    key: 'related',
    raw: crlf([
      ...head('related', ['Content-Type: multipart/related; boundary="rel"; type="text/html"', 'Sender: Secretary <sec@example.com>']),
      '',
      '--rel',
      'Content-Type: text/html; charset=us-ascii',
      '',
      '<img src="cid:logo">',
      '--rel',
      'Content-Type: image/png',
      'Content-ID: <logo>',
      'Content-Disposition: inline',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--rel--',
      '',
    ]),
  },
  {
    key: 'group',
    refused: true,
    raw: crlf([...head('group').filter((l) => !l.startsWith('To:')), 'To: undisclosed-recipients:;', '', 'x', '']),
  },
  {
    key: 'unclosed',
    refused: true,
    raw: crlf([
      ...head('unclosed', ['Content-Type: multipart/mixed; boundary=b']),
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'no close',
      '',
    ]),
  },
  {
    key: 'rfc2231',
    refused: true,
    raw: crlf([
      ...head('rfc2231', ['Content-Type: multipart/mixed; boundary=b']),
      '',
      '--b',
      '',
      'text',
      '--b',
      "Content-Disposition: attachment; filename*=UTF-8''%E8%A6%8B.pdf",
      'Content-Type: application/pdf',
      '',
      'x',
      '--b--',
      '',
    ]),
  },
];

/** JSON with every object's keys sorted, so that two records compare by content alone. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? 'undefined';

let client: ImapFlow;
const FOLDER = 'Corpus';
let origin = new Map<number, string>();

beforeAll(async () => {
  client = await connectImap(server, USER);
  await client.mailboxCreate(FOLDER);
  // 1,200 of the corpus's 6,046 here; SOURCE_CORPUS=6046 compares all of them (70 s; 5,736 taken, none differing).
  const corpus = await loadCorpus(Number(process.env.SOURCE_CORPUS ?? 1200));
  const all = [
    ...corpus.map((c) => ({ key: c.name, raw: c.raw })),
    ...fixtureMessages().map((f) => ({ key: `fixture ${f.key}`, raw: f.raw })),
    ...handmade,
  ];
  origin = new Map();
  for (const m of all) {
    const appended = await client.append(FOLDER, m.raw);
    if (appended && appended.uid) origin.set(appended.uid, m.key);
  }
}, 120_000);

afterAll(async () => {
  await client?.logout();
});

describe('a message read from its source', () => {
  it('gives exactly the record and texts the server path gives, or nothing', async () => {
    const lock = await client.getMailboxLock(FOLDER);
    try {
      const server = new Map<number, ReturnType<typeof toHeaderRecord>>();
      for await (const m of client.fetch(
        '1:*',
        { uid: true, flags: true, envelope: true, internalDate: true, size: true, bodyStructure: true, headers: ['references'] },
        { uid: true },
      ))
        server.set(m.uid, toHeaderRecord(m));
      const local = new Map<number, ParsedSource | null>();
      for await (const m of client.fetch('1:*', { uid: true, source: true }, { uid: true }))
        local.set(m.uid, parseSource(m.source as Buffer));
      expect(local.size).toBe(origin.size);

      const accepted = [...local].filter(([, p]) => p !== null).map(([uid]) => uid);
      const wanted = accepted.map((uid) => {
        const refs = prefetchParts(parseBodyStructure(server.get(uid)?.bodystructure ?? null) ?? { type: 'text/plain' });
        return { uid, refs };
      });
      const raw = await fetchTextParts(
        client,
        wanted.map((w) => ({ uid: w.uid, parts: w.refs.map((r) => r.part) })),
        1 << 30,
      );
      const mismatches: string[] = [];
      for (const { uid, refs } of wanted) {
        const mine = local.get(uid) as ParsedSource;
        const theirs = server.get(uid);
        if (!theirs) throw new Error(`no server record for ${uid}`);
        const { uid: _u, modseq: _m, flags: _f, internalDate: _i, size: _s, bodystructure, ...fields } = theirs;
        const expected = { ...fields, bodystructure: JSON.parse(bodystructure ?? 'null') as unknown };
        const got = { ...mine.record, bodystructure: JSON.parse(mine.record.bodystructure) as unknown };
        const texts = textRecords(refs, raw.get(uid) ?? new Map());
        const differences = Object.keys(expected)
          .filter((k) => canonical(got[k as keyof typeof got]) !== canonical(expected[k as keyof typeof expected]))
          .map((k) => `${k}: ${canonical(got[k as keyof typeof got])} ≠ server ${canonical(expected[k as keyof typeof expected])}`);
        if (lostBytes(theirs)) differences.push('the server path lost bytes');
        if (JSON.stringify(mine.texts) !== JSON.stringify(texts))
          differences.push(`texts: ${JSON.stringify(mine.texts)} ≠ server ${JSON.stringify(texts)}`);
        if (differences.length) mismatches.push(`${origin.get(uid)}: ${differences.join('; ').slice(0, 1500)}`);
      }
      expect(mismatches.slice(0, 8)).toEqual([]);
      // The parse must take most mail, or the mirror gains nothing; and the handmade shapes as marked.
      const share = accepted.length / local.size;
      expect(share).toBeGreaterThan(0.85);
      const byKey = new Map([...origin].map(([uid, key]) => [key, local.get(uid)]));
      for (const h of handmade) expect([h.key, byKey.get(h.key) === null]).toEqual([h.key, !!h.refused]);
    } finally {
      lock.release();
    }
  }, 120_000);

  it('cuts each part from the source exactly as the server sends BODY[part], or nothing (offline attachments)', async () => {
    const lock = await client.getMailboxLock(FOLDER);
    try {
      const sources = new Map<number, Buffer>();
      const structures = new Map<number, BodyNode | null>();
      for await (const m of client.fetch('1:*', { uid: true, source: true, bodyStructure: true }, { uid: true })) {
        sources.set(m.uid, m.source as Buffer);
        structures.set(m.uid, parseBodyStructure(toHeaderRecord(m).bodystructure));
      }
      const mismatches: string[] = [];
      let compared = 0;
      // Every leaf part (by the server's BODYSTRUCTURE) of 400 messages the whole parse takes, and of
      // every message it refuses that the cut does not (RFC 2231 file names, raw 8-bit headers, …):
      // one FETCH each.
      const cuttable = (src: Buffer) => sourcePart(src, '1') !== null;
      const taken = [...sources].filter(([, src]) => parseSource(src) !== null).slice(0, 400);
      const refusedButCut = [...sources].filter(([, src]) => parseSource(src) === null && cuttable(src));
      for (const [uid, src] of [...taken, ...refusedButCut]) {
        const structure = structures.get(uid);
        if (!structure) continue;
        const leaves = flattenParts(structure)
          .filter((p) => !p.contentType.startsWith('multipart/'))
          .map((p) => p.part || '1'); // a single part is part 1
        const m = await client.fetchOne(String(uid), { uid: true, bodyParts: leaves }, { uid: true });
        for (const part of leaves) {
          const mine = sourcePart(src, part);
          const theirs = m ? m.bodyParts?.get(part) : undefined;
          compared++;
          if (!mine || !theirs || !mine.bytes.equals(theirs)) mismatches.push(`${origin.get(uid)} part ${part}`);
        }
      }
      expect(mismatches.slice(0, 8)).toEqual([]);
      expect(compared).toBeGreaterThan(400);
      expect(refusedButCut.map(([uid]) => origin.get(uid))).toContain('rfc2231');
      expect(refusedButCut.length).toBeGreaterThan(20);
      expect(sourcePart(taken[0]![1], '9.9')).toBeNull();
      // What decides the parts stays refused: an unclosed multipart, a group address is no matter.
      const byKey = new Map([...origin].map(([uid, key]) => [key, sources.get(uid) as Buffer]));
      expect(cuttable(byKey.get('unclosed') as Buffer)).toBe(false);
      expect(cuttable(byKey.get('group') as Buffer)).toBe(true);
    } finally {
      lock.release();
    }
  }, 120_000);
});
