import { describe, expect, it } from 'vitest';
import { actionRequest, type ActionTarget } from './actions.js';
import { dropCopies, parseDragged } from './drag.js';

const target = (over: Partial<ActionTarget> = {}): ActionTarget => ({
  accountId: 1,
  ids: [5, 6],
  allSeen: false,
  allFlagged: false,
  ...over,
});

describe('actionRequest', () => {
  it('maps read, unread and the toggles to setFlags', () => {
    expect(actionRequest('markRead', target())).toEqual({ name: 'messages.setFlags', input: { ids: [5, 6], add: ['\\Seen'], remove: [] } });
    expect(actionRequest('markUnread', target())).toEqual({
      name: 'messages.setFlags',
      input: { ids: [5, 6], add: [], remove: ['\\Seen'] },
    });
    expect(actionRequest('toggleRead', target({ allSeen: true }))?.input).toEqual({ ids: [5, 6], add: [], remove: ['\\Seen'] });
    expect(actionRequest('flag', target())?.input).toEqual({ ids: [5, 6], add: ['\\Flagged'], remove: [] });
    expect(actionRequest('flag', target({ allFlagged: true }))?.input).toEqual({ ids: [5, 6], add: [], remove: ['\\Flagged'] });
  });

  it('moves and copies only with a target folder; delete goes to the engine’s delete', () => {
    expect(actionRequest('move', target())).toBeNull();
    expect(actionRequest('move', target({ targetId: 9 }))).toEqual({ name: 'messages.move', input: { ids: [5, 6], target: 9 } });
    expect(actionRequest('copy', target({ targetId: 9 }))).toEqual({ name: 'messages.copy', input: { ids: [5, 6], target: 9 } });
    expect(actionRequest('delete', target())).toEqual({ name: 'messages.delete', input: { ids: [5, 6] } });
  });
});

describe('dragged messages', () => {
  it('reads back what the list put on the drag, and refuses anything else', () => {
    expect(parseDragged(JSON.stringify({ accountId: 1, mailboxId: 2, ids: [3, 4] }))).toEqual({ accountId: 1, mailboxId: 2, ids: [3, 4] });
    expect(parseDragged(JSON.stringify({ accountId: 1, mailboxId: 2, ids: [-1, 'x'] }))).toBeNull();
    expect(parseDragged('not json')).toBeNull();
  });
  it('copies with Ctrl or Alt, moves otherwise', () => {
    expect(dropCopies({ ctrlKey: true, altKey: false })).toBe(true);
    expect(dropCopies({ ctrlKey: false, altKey: true })).toBe(true);
    expect(dropCopies({ ctrlKey: false, altKey: false })).toBe(false);
  });
});
