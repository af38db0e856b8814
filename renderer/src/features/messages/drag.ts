/** Messages dragged from the list onto a folder: the data type, and reading it back. */
export const MESSAGE_DRAG_TYPE = 'application/x-tegami-messages';

export interface DraggedMessages {
  accountId: number;
  mailboxId: number;
  ids: number[];
}

export function parseDragged(text: string): DraggedMessages | null {
  try {
    const v = JSON.parse(text) as Partial<DraggedMessages>;
    if (typeof v.accountId !== 'number' || typeof v.mailboxId !== 'number' || !Array.isArray(v.ids)) return null;
    const ids = v.ids.filter((id): id is number => Number.isInteger(id) && id > 0);
    return ids.length > 0 ? { accountId: v.accountId, mailboxId: v.mailboxId, ids } : null;
  } catch {
    return null;
  }
}

/** Ctrl (or Alt, or ⌥ on a Mac) while dropping copies; otherwise the messages move. */
export function dropCopies(e: { ctrlKey: boolean; altKey: boolean; metaKey?: boolean }): boolean {
  return e.ctrlKey || e.altKey;
}
