/**
 * Message actions (flag, read, archive, delete, undo) as the UI asks for them, over the engine's
 * offline operations (`messages.setFlags`, `messages.move`, `messages.delete`, `ops.undo`): each
 * applies locally at once and is replayed on the server by the next sync. An action whose request
 * an older engine does not have reports "not available".
 */
import type { MessageKey } from '../../i18n/strings.js';
import { asTegamiError } from '../../ipc/client.js';
import { callOptional, hasRequest } from '../../ipc/optional.js';

export type ActionName = 'markRead' | 'flag' | 'archive' | 'delete' | 'undo';

export const actionLabel: Record<ActionName, MessageKey> = {
  markRead: 'actions.markRead',
  flag: 'actions.flag',
  archive: 'actions.archive',
  delete: 'actions.delete',
  undo: 'actions.undo',
};

/** The request each action needs. */
export const actionRequest: Record<ActionName, string> = {
  markRead: 'messages.setFlags',
  flag: 'messages.setFlags',
  archive: 'messages.move',
  delete: 'messages.delete',
  undo: 'ops.undo',
};

export interface ActionTarget {
  /** The account the messages belong to (undo works per account). */
  accountId: number;
  /** The selected message ids (the loaded ones when "select all" is on). */
  ids: number[];
  /** For toggles: whether every target currently has the flag. */
  allSeen: boolean;
  allFlagged: boolean;
}

export type ActionResult = { status: 'done' } | { status: 'unavailable' } | { status: 'empty' } | { status: 'failed'; message: string };

export function actionAvailable(action: ActionName): boolean {
  return hasRequest(actionRequest[action]);
}

export async function runAction(action: ActionName, target: ActionTarget): Promise<ActionResult> {
  if (!actionAvailable(action)) return { status: 'unavailable' };
  if (action !== 'undo' && target.ids.length === 0) return { status: 'empty' };
  try {
    switch (action) {
      case 'markRead':
        await callOptional('messages.setFlags', {
          ids: target.ids,
          add: target.allSeen ? [] : ['\\Seen'],
          remove: target.allSeen ? ['\\Seen'] : [],
        });
        break;
      case 'flag':
        await callOptional('messages.setFlags', {
          ids: target.ids,
          add: target.allFlagged ? [] : ['\\Flagged'],
          remove: target.allFlagged ? ['\\Flagged'] : [],
        });
        break;
      case 'archive': {
        const { mailboxes } = (await callOptional('mailboxes.list', { accountId: target.accountId })) as {
          mailboxes: { id: number; role: string | null }[];
        };
        const archive = mailboxes.find((m) => m.role === 'archive');
        if (!archive) return { status: 'failed', message: 'This account has no Archive folder.' };
        await callOptional('messages.move', { ids: target.ids, target: archive.id });
        break;
      }
      case 'delete':
        await callOptional('messages.delete', { ids: target.ids });
        break;
      case 'undo':
        await callOptional('ops.undo', { accountId: target.accountId });
        break;
    }
    return { status: 'done' };
  } catch (error) {
    return { status: 'failed', message: asTegamiError(error).message };
  }
}
