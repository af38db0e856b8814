import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, buildTrayTemplate, checkMailAccelerator, workOfflineItemId, type MenuActions } from './menu.js';

function actions() {
  return { checkMail: vi.fn(), command: vi.fn(), compose: vi.fn(), setOffline: vi.fn() } satisfies MenuActions;
}

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

function byId(template: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  const item = items(template).find((i) => i.id === id);
  if (item === undefined) throw new Error(`no item ${id}`);
  return item;
}

const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();

describe('buildMenuTemplate', () => {
  it.each(['linux', 'win32', 'darwin'] as const)('wires Check Mail, New Folder, Find, Undo and Shortcuts on %s', (platform) => {
    const a = actions();
    const template = buildMenuTemplate(a, { platform, isPackaged: true });
    expect(byId(template, 'check-mail').accelerator).toBe(checkMailAccelerator);
    click(byId(template, 'check-mail'));
    expect(a.checkMail).toHaveBeenCalledOnce();
    for (const [id, command] of [
      ['new-folder', 'newFolder'],
      ['find', 'find'],
      ['undo-action', 'undo'],
      ['shortcuts', 'shortcuts'],
    ] as const) {
      click(byId(template, id));
      expect(a.command).toHaveBeenLastCalledWith(command);
    }
    click(byId(template, 'new-message'));
    expect(a.compose).toHaveBeenCalledOnce();
  });

  it('has Work Offline as a check box in the File menu, passing on the check mark Electron just set', () => {
    const a = actions();
    const item = byId(buildMenuTemplate(a, { platform: 'linux', isPackaged: true }), workOfflineItemId);
    expect(item).toMatchObject({ type: 'checkbox', checked: false, label: 'Work Offline' });
    const clickWith = item.click as (menuItem: { checked: boolean }) => void;
    clickWith({ checked: true });
    expect(a.setOffline).toHaveBeenLastCalledWith(true);
    clickWith({ checked: false });
    expect(a.setOffline).toHaveBeenLastCalledWith(false);
  });

  it("shows the page's single-key shortcuts without registering them (typing stays typing)", () => {
    const template = buildMenuTemplate(actions(), { platform: 'linux', isPackaged: true });
    expect(byId(template, 'undo-action')).toMatchObject({ accelerator: 'Z', registerAccelerator: false });
    const mac = buildMenuTemplate(actions(), { platform: 'darwin', isPackaged: true });
    expect(byId(mac, 'undo-action').accelerator).toBeUndefined();
  });

  it('keeps text-editing undo on CmdOrCtrl+Z through the edit role', () => {
    const roles = items(buildMenuTemplate(actions(), { platform: 'linux', isPackaged: true })).map((i) => i.role);
    expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit']));
  });

  it('has the macOS app menu on macOS only', () => {
    expect(buildMenuTemplate(actions(), { platform: 'darwin', isPackaged: true })[0]?.role).toBe('appMenu');
    expect(items(buildMenuTemplate(actions(), { platform: 'win32', isPackaged: true })).some((i) => i.role === 'appMenu')).toBe(false);
  });

  it('offers reload and developer tools in development builds only', () => {
    const roles = (packaged: boolean) =>
      items(buildMenuTemplate(actions(), { platform: 'linux', isPackaged: packaged })).map((i) => i.role);
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(true)).not.toContain('reload');
    expect(roles(false)).toEqual(expect.arrayContaining(['toggleDevTools', 'reload']));
  });

  it('uses each accelerator once', () => {
    const accelerators = items(buildMenuTemplate(actions(), { platform: 'linux', isPackaged: false }))
      .map((i) => i.accelerator)
      .filter((a) => a !== undefined);
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });
});

describe('buildTrayTemplate', () => {
  it('opens the window, checks mail, and shows and switches working offline', () => {
    const a = { open: vi.fn(), checkMail: vi.fn(), setOffline: vi.fn() };
    for (const offline of [false, true]) {
      const template = buildTrayTemplate(a, offline);
      expect(byId(template, workOfflineItemId)).toMatchObject({ type: 'checkbox', checked: offline });
      (byId(template, workOfflineItemId).click as (item: { checked: boolean }) => void)({ checked: !offline });
      expect(a.setOffline).toHaveBeenLastCalledWith(!offline);
    }
    click(byId(buildTrayTemplate(a, false), 'open'));
    click(byId(buildTrayTemplate(a, false), 'check-mail'));
    expect(a.open).toHaveBeenCalledOnce();
    expect(a.checkMail).toHaveBeenCalledOnce();
    expect(buildTrayTemplate(a, false).at(-1)).toEqual({ role: 'quit' });
  });
});
