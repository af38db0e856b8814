/**
 * The application menu, as data: a pure function of the platform and the actions, so its items,
 * accelerators and wiring are unit-tested (main.ts hands the template to Menu.buildFromTemplate).
 *
 * The renderer owns its single-key shortcuts (z undo, / search, ? help): the menu shows them but
 * does not register them (`registerAccelerator: false`), so typing in a text field is unaffected;
 * on macOS, where a menu key equivalent always wins, those items carry no accelerator at all.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** Commands main sends the renderer (proposed contract event `app.command`). */
export type AppCommand = 'undo' | 'find' | 'newFolder' | 'shortcuts';

export interface MenuActions {
  checkMail(): void;
  /** Tells the renderer to run one of its commands. */
  command(command: AppCommand): void;
  /** "New Message": compose does not exist yet, so this explains that. */
  compose(): void;
  /** "Work Offline", checked (true) or unchecked: sync.setOffline. */
  setOffline(offline: boolean): void;
}

/** The "Work Offline" item's id: main keeps its check mark in step with the engine (sync.offline events). */
export const workOfflineItemId = 'work-offline';

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Developer tools only in development builds. */
  isPackaged: boolean;
}

export const checkMailAccelerator = 'CmdOrCtrl+Shift+N';

/** A shortcut the page handles itself: shown in the menu, never registered (see above). */
function pageShortcut(platform: NodeJS.Platform, key: string): Pick<MenuItemConstructorOptions, 'accelerator' | 'registerAccelerator'> {
  return platform === 'darwin' ? {} : { accelerator: key, registerAccelerator: false };
}

export function buildMenuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      role: 'appMenu',
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push({
    label: '&File',
    submenu: [
      { id: 'check-mail', label: 'Check Mail', accelerator: checkMailAccelerator, click: () => actions.checkMail() },
      { id: 'new-message', label: 'New Message', accelerator: 'CmdOrCtrl+N', click: () => actions.compose() },
      { id: 'new-folder', label: 'New Folder…', click: () => actions.command('newFolder') },
      { type: 'separator' },
      // Electron flips the check mark before the click handler runs: it says what the user asked for.
      { id: workOfflineItemId, label: 'Work Offline', type: 'checkbox', checked: false, click: (item) => actions.setOffline(item.checked) },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({
    label: '&Edit',
    submenu: [
      // Text editing in fields (the search box, the account form).
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
      { type: 'separator' },
      { id: 'find', label: 'Find…', accelerator: 'CmdOrCtrl+F', click: () => actions.command('find') },
    ],
  });
  template.push({
    label: '&Message',
    submenu: [
      { id: 'undo-action', label: 'Undo Last Action', ...pageShortcut(options.platform, 'Z'), click: () => actions.command('undo') },
    ],
  });
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (!options.isPackaged) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  template.push({ label: '&View', submenu: view });
  template.push(mac ? { role: 'windowMenu' } : { label: '&Window', submenu: [{ role: 'minimize' }, { role: 'close' }] });
  template.push({
    role: 'help',
    label: '&Help',
    submenu: [
      {
        id: 'shortcuts',
        label: 'Keyboard Shortcuts',
        ...pageShortcut(options.platform, 'Shift+/'),
        click: () => actions.command('shortcuts'),
      },
    ],
  });
  return template;
}

/**
 * The tray icon's menu. Its "Work Offline" check box shows `offline`: main builds the menu again
 * whenever that changes (a tray menu item cannot be found by id the way the application menu's can).
 */
export function buildTrayTemplate(
  actions: Pick<MenuActions, 'checkMail' | 'setOffline'> & { open(): void },
  offline: boolean,
): MenuItemConstructorOptions[] {
  return [
    { id: 'open', label: 'Open Tegami', click: () => actions.open() },
    { id: 'check-mail', label: 'Check Mail', click: () => actions.checkMail() },
    { id: workOfflineItemId, label: 'Work Offline', type: 'checkbox', checked: offline, click: (item) => actions.setOffline(item.checked) },
    { type: 'separator' },
    { role: 'quit' },
  ];
}
