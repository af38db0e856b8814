import { describe, expect, it } from 'vitest';
import type { Mailbox, Namespace } from '../../../../shared/domain/mailbox.js';
import { buildFolderTree, treeKeyAction, visibleRows, type FolderNode, type TreeShape } from './tree.js';

let nextId = 1;
function mb(path: string, extra: Partial<Mailbox> = {}): Mailbox {
  const delimiter = extra.delimiter === undefined ? '/' : extra.delimiter;
  const i = delimiter ? path.lastIndexOf(delimiter) : -1;
  return {
    id: nextId++,
    accountId: 1,
    path,
    name: i >= 0 ? path.slice(i + 1) : path,
    parentPath: i > 0 ? path.slice(0, i) : null,
    delimiter,
    role: null,
    namespace: 'personal',
    subscribed: true,
    selectable: true,
    attributes: [],
    total: 0,
    unread: 0,
    uidvalidity: null,
    readOnly: false,
    permanentFlags: null,
    offline: true,
    ...extra,
  };
}

const names = (nodes: readonly FolderNode[]): string[] => nodes.map((n) => n.name);
const personal = (mailboxes: Mailbox[], namespaces: Namespace[] = [], locale = 'en'): FolderNode[] =>
  buildFolderTree(mailboxes, namespaces, locale).find((s) => s.kind === 'personal')?.nodes ?? [];

describe('buildFolderTree', () => {
  it('nests folders under their parent using parentPath and the delimiter', () => {
    const nodes = personal([mb('INBOX'), mb('Projects'), mb('Projects/Tegami'), mb('Projects/Tegami/Design')]);
    expect(names(nodes)).toEqual(['INBOX', 'Projects']);
    const projects = nodes[1]!;
    expect(names(projects.children)).toEqual(['Tegami']);
    expect(names(projects.children[0]!.children)).toEqual(['Design']);
  });

  it('works with a dot delimiter', () => {
    const nodes = personal([mb('INBOX', { delimiter: '.' }), mb('Work', { delimiter: '.' }), mb('Work.2025', { delimiter: '.' })]);
    expect(names(nodes)).toEqual(['INBOX', 'Work']);
    expect(nodes[1]!.children.map((c) => c.path)).toEqual(['Work.2025']);
  });

  it('creates non-selectable placeholders for parents the server did not list', () => {
    const nodes = personal([mb('INBOX'), mb('Lists/2024/rust')]);
    const lists = nodes.find((n) => n.path === 'Lists')!;
    expect(lists).toMatchObject({ name: 'Lists', mailbox: null, selectable: false });
    const year = lists.children[0]!;
    expect(year).toMatchObject({ path: 'Lists/2024', name: '2024', mailbox: null, selectable: false });
    expect(year.children[0]).toMatchObject({ path: 'Lists/2024/rust', selectable: true });
  });

  it('keeps \\Noselect folders in the tree, not selectable', () => {
    const nodes = personal([mb('Archive-root', { selectable: false }), mb('Archive-root/2020')]);
    expect(nodes[0]).toMatchObject({ name: 'Archive-root', selectable: false });
    expect(nodes[0]!.mailbox).not.toBeNull();
    expect(names(nodes[0]!.children)).toEqual(['2020']);
  });

  it('puts INBOX first, whatever its case, before folders that sort earlier', () => {
    const nodes = personal([mb('Aardvark'), mb('inbox'), mb('0-first')]);
    expect(nodes[0]!.path).toBe('inbox');
    expect(nodes[0]!.role).toBe('inbox');
  });

  it('orders special-use folders by role, then other folders by name', () => {
    const nodes = personal([
      mb('Zeta'),
      mb('Trash', { role: 'trash' }),
      mb('Alpha'),
      mb('Sent Items', { role: 'sent' }),
      mb('Junk', { role: 'junk' }),
      mb('INBOX', { role: 'inbox' }),
      mb('Archive', { role: 'archive' }),
      mb('Drafts', { role: 'drafts' }),
    ]);
    expect(names(nodes)).toEqual(['INBOX', 'Drafts', 'Sent Items', 'Archive', 'Junk', 'Trash', 'Alpha', 'Zeta']);
  });

  it('shows Japanese names as they are and sorts them with the locale collation', () => {
    const nodes = personal([mb('旅行'), mb('仕事/請求書'), mb('仕事'), mb('Projects'), mb('INBOX')], [], 'ja');
    expect(names(nodes)).toEqual(['INBOX', 'Projects', '仕事', '旅行']);
    expect(names(nodes[2]!.children)).toEqual(['請求書']);
  });

  it('sorts kana by reading (ja collation), not by code point', () => {
    // Code point order would put か (U+304B) before ア (U+30A2).
    const nodes = personal([mb('かばん'), mb('アルバム')], [], 'ja');
    expect(names(nodes)).toEqual(['アルバム', 'かばん']);
  });

  it('sorts numbers inside names numerically', () => {
    expect(names(personal([mb('Report 10'), mb('Report 9')]))).toEqual(['Report 9', 'Report 10']);
  });

  it("separates other users' and shared folders into their own sections, in that order", () => {
    const namespaces: Namespace[] = [
      { kind: 'personal', prefix: '', delimiter: '/' },
      { kind: 'other', prefix: 'Other/', delimiter: '/' },
      { kind: 'shared', prefix: 'Public/', delimiter: '/' },
    ];
    const sections = buildFolderTree(
      [
        mb('Public/Announcements', { namespace: 'shared' }),
        mb('INBOX'),
        mb('Other/bob/Shared-with-alice', { namespace: 'other' }),
        mb('Other', { namespace: 'other', selectable: false }),
      ],
      namespaces,
      'en',
    );
    expect(sections.map((s) => s.kind)).toEqual(['personal', 'other', 'shared']);
    const other = sections[1]!.nodes;
    // The namespace prefix is the section itself; bob is a placeholder under it.
    expect(names(other)).toEqual(['bob']);
    expect(other[0]).toMatchObject({ path: 'Other/bob', selectable: false });
    expect(names(other[0]!.children)).toEqual(['Shared-with-alice']);
    expect(names(sections[2]!.nodes)).toEqual(['Announcements']);
  });

  it('omits empty sections and carries unread counts', () => {
    const sections = buildFolderTree([mb('INBOX', { unread: 3 }), mb('Lists', { unread: null })], [], 'en');
    expect(sections.map((s) => s.kind)).toEqual(['personal']);
    expect(sections[0]!.nodes.map((n) => n.unread)).toEqual([3, 0]);
  });
});

describe('tree keyboard model', () => {
  const shape: TreeShape[] = [
    {
      key: 'a',
      children: [
        { key: 'a1', children: [] },
        { key: 'a2', children: [{ key: 'a2x', children: [] }] },
      ],
    },
    { key: 'b', children: [] },
  ];

  it('lists only visible rows with levels', () => {
    const rows = visibleRows(shape, (k) => k === 'a');
    expect(rows.map((r) => `${r.key}@${r.level}`)).toEqual(['a@1', 'a1@2', 'a2@2', 'b@1']);
  });

  it('follows the APG tree keys', () => {
    const rows = visibleRows(shape, (k) => k === 'a');
    expect(treeKeyAction(rows, 'a', 'ArrowDown')).toEqual({ focus: 'a1' });
    expect(treeKeyAction(rows, 'a1', 'ArrowUp')).toEqual({ focus: 'a' });
    expect(treeKeyAction(rows, 'a2', 'ArrowRight')).toEqual({ expand: 'a2' });
    expect(treeKeyAction(rows, 'a', 'ArrowRight')).toEqual({ focus: 'a1' });
    expect(treeKeyAction(rows, 'a', 'ArrowLeft')).toEqual({ collapse: 'a' });
    expect(treeKeyAction(rows, 'a2', 'ArrowLeft')).toEqual({ focus: 'a' });
    expect(treeKeyAction(rows, 'a1', 'End')).toEqual({ focus: 'b' });
    expect(treeKeyAction(rows, 'b', 'Home')).toEqual({ focus: 'a' });
    expect(treeKeyAction(rows, 'b', 'ArrowDown')).toBeNull();
  });
});
