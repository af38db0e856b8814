import type { Selection } from '../features/folders/FolderTree.js';

// The account and folder selected last, selected again when the app starts (a reload, the desktop
// app opened again). Kept apart from the settings: a selection is not a preference, and writing
// it there would re-render everything that reads the settings on every folder click.
const KEY = 'tegami.lastFolder';

export function loadLastFolder(): Selection | null {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Selection> | null;
    return typeof v?.accountId === 'number' && (typeof v.path === 'string' || v.path === null)
      ? { accountId: v.accountId, path: v.path }
      : null;
  } catch {
    return null;
  }
}

export function saveLastFolder(selection: Selection | null): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(selection));
  } catch {
    // Storage may be disabled: the selection then lasts for this page only.
  }
}
