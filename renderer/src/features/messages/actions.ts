/**
 * Message actions as the UI asks for them, over the engine's offline operations
 * (`messages.setFlags`, `messages.move`, `messages.copy`, `messages.delete`, `ops.undo`): each
 * applies locally at once, with or without a network, and is replayed on the server by the next sync.
 */
import type { Failure } from '../../i18n/errors.js';
import type { MessageKey } from '../../i18n/strings.js';
import { asTegamiError, call } from '../../ipc/client.js';

export type ActionName = 'markRead' | 'markUnread' | 'toggleRead' | 'flag' | 'archive' | 'delete' | 'move' | 'copy' | 'undo';

export const actionLabel: Record<ActionName, MessageKey> = {
  markRead: 'actions.markRead',
  markUnread: 'actions.markUnread',
  toggleRead: 'actions.toggleRead',
  flag: 'actions.flag',
  archive: 'actions.archive',
  delete: 'actions.delete',
  move: 'actions.move',
  copy: 'actions.copy',
  undo: 'actions.undo',
};

export interface ActionTarget {
  /** The account the messages belong to (undo works per account). */
  accountId: number;
  /** The selected message ids (the loaded ones when "select all" is on). */
  ids: number[];
  /** For toggles: whether every target currently has the flag. */
  allSeen: boolean;
  allFlagged: boolean;
  /** The folder to move or copy to (move, copy); archive finds the account's Archive folder. */
  targetId?: number | undefined;
  /** For undo: the action to take back (a toast's); by default the account's last one not undone. */
  actionId?: number | undefined;
}

export type ActionResult =
  | { status: 'done'; actionId: number | null; count: number }
  | { status: 'empty' }
  | { status: 'nothing' }
  | { status: 'failed'; failure: Failure };

const seen = '\\Seen';
const flagged = '\\Flagged';

/** The request behind an action, and its input: pure, so the mapping is tested without an engine. */
export function actionRequest(
  action: Exclude<ActionName, 'undo' | 'archive'>,
  target: ActionTarget,
):
  | { name: 'messages.setFlags'; input: { ids: number[]; add: string[]; remove: string[] } }
  | { name: 'messages.move' | 'messages.copy'; input: { ids: number[]; target: number } }
  | { name: 'messages.delete'; input: { ids: number[] } }
  | null {
  const { ids } = target;
  switch (action) {
    case 'markRead':
      return { name: 'messages.setFlags', input: { ids, add: [seen], remove: [] } };
    case 'markUnread':
      return { name: 'messages.setFlags', input: { ids, add: [], remove: [seen] } };
    case 'toggleRead':
      return { name: 'messages.setFlags', input: { ids, add: target.allSeen ? [] : [seen], remove: target.allSeen ? [seen] : [] } };
    case 'flag':
      return {
        name: 'messages.setFlags',
        input: { ids, add: target.allFlagged ? [] : [flagged], remove: target.allFlagged ? [flagged] : [] },
      };
    case 'move':
    case 'copy':
      return target.targetId === undefined ? null : { name: `messages.${action}`, input: { ids, target: target.targetId } };
    case 'delete':
      return { name: 'messages.delete', input: { ids } };
  }
}

export async function runAction(action: ActionName, target: ActionTarget): Promise<ActionResult> {
  try {
    if (action === 'undo') {
      const { undone } = await call('ops.undo', {
        accountId: target.accountId,
        ...(target.actionId !== undefined ? { actionId: target.actionId } : {}),
      });
      return undone === null ? { status: 'nothing' } : { status: 'done', actionId: undone, count: 0 };
    }
    if (target.ids.length === 0) return { status: 'empty' };
    let request;
    if (action === 'archive') {
      const { mailboxes } = await call('mailboxes.list', { accountId: target.accountId });
      const archive = mailboxes.find((m) => m.role === 'archive') ?? mailboxes.find((m) => m.path.toLowerCase() === 'archive');
      if (!archive) return { status: 'failed', failure: { key: 'actions.noArchive' } };
      request = actionRequest('move', { ...target, targetId: archive.id });
    } else request = actionRequest(action, target);
    if (!request) return { status: 'failed', failure: { key: 'actions.chooseFolder' } };
    const { actionId } = await (call as (n: string, i: unknown) => Promise<{ actionId: number }>)(request.name, request.input);
    return { status: 'done', actionId, count: target.ids.length };
  } catch (error) {
    return { status: 'failed', failure: asTegamiError(error).info };
  }
}
