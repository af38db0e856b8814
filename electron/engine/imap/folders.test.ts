import { describe, expect, it } from 'vitest';
import type { ListResponse } from 'imapflow';
import type { Namespace } from '../../../shared/domain/mailbox.js';
import { namespaceOf, roleOf, toListing } from './folders.js';

const namespaces: Namespace[] = [
  { kind: 'personal', prefix: '', delimiter: '/' },
  { kind: 'other', prefix: 'Other/', delimiter: '/' },
  { kind: 'shared', prefix: 'Public/', delimiter: '/' },
];

describe('namespaceOf', () => {
  it('puts INBOX and plain folders in the personal namespace', () => {
    expect(namespaceOf('INBOX', '/', namespaces)).toBe('personal');
    expect(namespaceOf('仕事/請求書', '/', namespaces)).toBe('personal');
  });
  it("recognises other users' and shared folders by prefix, including the namespace root", () => {
    expect(namespaceOf('Other/bob/Projects', '/', namespaces)).toBe('other');
    expect(namespaceOf('Other', '/', namespaces)).toBe('other');
    expect(namespaceOf('Public/Announcements', '/', namespaces)).toBe('shared');
    expect(namespaceOf('Publications', '/', namespaces)).toBe('personal');
  });
  it('prefers the longest prefix', () => {
    const nested: Namespace[] = [...namespaces, { kind: 'shared', prefix: 'Other/shared/', delimiter: '/' }];
    expect(namespaceOf('Other/shared/x', '/', nested)).toBe('shared');
  });
});

describe('roleOf', () => {
  it('maps RFC 6154 attributes case-insensitively and INBOX by name', () => {
    expect(roleOf('\\Sent', 'Sent Items')).toBe('sent');
    expect(roleOf('\\JUNK', 'Spam')).toBe('junk');
    expect(roleOf(undefined, 'inbox')).toBe('inbox');
    expect(roleOf(undefined, 'Notes')).toBeNull();
  });
});

describe('toListing', () => {
  it('marks \\Noselect folders as not selectable and keeps counts', () => {
    const entry = {
      path: 'Other/bob',
      pathAsListed: 'Other/bob',
      name: 'bob',
      delimiter: '/',
      parent: ['Other'],
      parentPath: 'Other',
      flags: new Set(['\\Noselect', '\\HasChildren']),
      listed: true,
      subscribed: false,
    } satisfies ListResponse;
    expect(toListing(entry, namespaces)).toMatchObject({ selectable: false, namespace: 'other', parentPath: 'Other', total: null });
  });
});
