// The reading app's actions end to end, through Chromium as a user: an offline session (flag, move,
// delete while the server is unreachable; replayed when it is back), a change the server refuses
// (the failed operations panel), undo, drag and drop, folder management, conversations, inline
// (cid:) images and remote images fetched by the engine only after the click. judy's account in the
// e2e project's own Dovecot is this file's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connectImap } from '../dovecot/client.js';
import { addAccountAndOpen, closeAll, invoke, screenshot, startTegamiWeb, type TegamiWeb } from './browser.js';

const server = inject('dovecot');
const USER = 'judy';
const judy = server.users.find((u) => u.user === USER)!;

let browser: Browser;
let tegami: TegamiWeb;
let page: Page;
let other: ImapFlow; // "the other device"
let images: Server;
let imageUrl = '';
const imageHits: string[] = [];
const requests: string[] = [];
let accountId = 0;

/** A solid-colour PNG, w×h. */
function png(w: number, h: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let seq = 0;
function mail(subject: string, body: string, extra: string[] = [], contentType = 'text/plain; charset=UTF-8'): string {
  seq++;
  return [
    'From: Sender <sender@example.com>',
    `To: ${judy.email}`,
    `Subject: ${subject}`,
    `Date: ${new Date(Date.UTC(2026, 0, 1, 9, seq)).toUTCString()}`,
    `Message-ID: <${subject.replace(/\W/g, '')}.${seq}@e2e.test>`,
    ...extra,
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
    '',
    body,
    '',
  ].join('\r\n');
}

function cidMail(): string {
  const b64 = png(24, 16, [220, 40, 40]).toString('base64');
  return mail(
    'Inline image (cid)',
    [
      '--rel',
      'Content-Type: text/html; charset=UTF-8',
      '',
      '<p>Logo below:</p><img id="logo" src="cid:logo@e2e.test" alt="logo">',
      '--rel',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <logo@e2e.test>',
      'Content-Disposition: inline; filename="logo.png"',
      '',
      b64,
      '--rel--',
    ].join('\r\n'),
    [],
    'multipart/related; boundary="rel"',
  );
}

const call = <T>(request: string, input: unknown): Promise<T> => invoke<T>(tegami, request, input);

/** Makes the account unreachable (a closed port) or reachable again, as a network outage would. */
function setReachable(reachable: boolean) {
  const db = new Database(path.join(tegami.dataDir, 'tegami.db'));
  db.prepare('UPDATE accounts SET port = ? WHERE id = ?').run(reachable ? server.imapsPort : 1, accountId);
  db.close();
}

async function serverSubjects(folder: string): Promise<Map<string, string[]>> {
  const lock = await other.getMailboxLock(folder);
  try {
    await other.noop();
    const out = new Map<string, string[]>();
    if ((other.mailbox as { exists: number }).exists === 0) return out;
    for await (const m of other.fetch('1:*', { uid: true, flags: true, envelope: true }, { uid: true })) {
      out.set(m.envelope?.subject ?? '', [...(m.flags ?? [])].sort());
    }
    return out;
  } finally {
    lock.release();
  }
}

/** Whether an <img> shows a PNG from a data: URL, and its natural width (runs in the page). */
const imageState = (el: unknown) => {
  const img = el as { src: string; naturalWidth: number };
  return { data: img.src.startsWith('data:image/png'), w: img.naturalWidth };
};

const folder = (p: string) => page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="${p}"]`);
const list = () => page.getByTestId('message-list');
const rows = () => list().locator('[data-testid="message-row"]');
const row = (subject: string) => rows().filter({ has: page.locator('.subject', { hasText: new RegExp(`^${subject}$`) }) });
const pendingCount = async () => Number(await page.getByTestId('pending-count').getAttribute('data-count'));
const openFolder = async (p: string) => {
  await folder(p).click();
  await expect.poll(() => page.getByTestId('pane-title').innerText()).toBe(p.split('/').at(-1));
};

beforeAll(async () => {
  tegami = await startTegamiWeb();
  images = createServer((req, res) => {
    imageHits.push(req.url ?? '');
    if (req.url === '/missing.png') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(png(40, 20, [30, 120, 220]));
  });
  await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
  imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/remote.png`;

  other = await connectImap(server, USER, 'tls');
  if (!(await other.list()).some((m) => m.path === 'Projects')) await other.mailboxCreate('Projects');
  await other.mailboxSubscribe('Projects');
  for (const s of [
    'Offline flag',
    'Offline move',
    'Offline delete',
    'Conflict victim',
    'Drag me',
    'Undo me',
    'Read me',
    'Toast A',
    'Toast B',
  ])
    await other.append('INBOX', mail(s, `Body of ${s}.`));
  await other.append('INBOX', mail('Thread root', 'first', ['Message-ID: <root@e2e.test>']));
  await other.append('INBOX', mail('Re: Thread root', 'second', ['In-Reply-To: <root@e2e.test>', 'References: <root@e2e.test>']));
  await other.append('INBOX', mail('Re: Thread root', 'third', ['In-Reply-To: <root@e2e.test>', 'References: <root@e2e.test>']));
  await other.append('INBOX', cidMail());
  await other.append(
    'INBOX',
    mail('Remote image (e2e)', `<p>Remote picture:</p><img id="remote" src="${imageUrl}" alt="remote">`, [], 'text/html; charset=UTF-8'),
  );

  ({ accountId, browser, page } = await addAccountAndOpen(tegami, server, USER, requests));
});

afterAll(async () => {
  await closeAll({ browser, other, tegami });
  await new Promise((r) => images?.close(r));
});

describe('actions in the browser', () => {
  it('shows the quota under the account and marks an opened message read after a second', async () => {
    await expect.poll(() => page.getByTestId('quota').innerText(), { timeout: 10_000 }).toMatch(/\/ 100 MB/);
    await openFolder('INBOX');
    await expect.poll(() => row('Read me').getAttribute('class')).toContain('unread');
    await row('Read me').click();
    await page.waitForTimeout(300);
    expect(await row('Read me').getAttribute('class')).toContain('unread');
    await expect.poll(() => row('Read me').getAttribute('class'), { timeout: 5000 }).toMatch(/\bread\b/);
    // Hidden by a filter it no longer fits (it was just read): not "moved or deleted on another device".
    await page.getByTestId('filter-unread').click();
    await expect.poll(() => row('Read me').count()).toBe(0);
    expect(await page.getByTestId('reader-gone').count()).toBe(0);
    await page.getByTestId('filter-unread').click();
    await row('Read me').click();
    await call('sync.run', { accountId });
    expect((await serverSubjects('INBOX')).get('Read me')).toContain('\\Seen');

    // Marked unread while it is still open, it stays unread (no second "read after a second").
    await page.keyboard.press('u');
    await expect.poll(() => row('Read me').getAttribute('class')).toContain('unread');
    await page.waitForTimeout(2000);
    expect(await row('Read me').getAttribute('class')).toContain('unread');
    await call('sync.run', { accountId });
    expect((await serverSubjects('INBOX')).get('Read me')).not.toContain('\\Seen');
  });

  it('flags, moves and deletes while the server is unreachable, then replays when it is back', async () => {
    setReachable(false);
    tegami.engine.startBackgroundSync?.();
    await expect
      .poll(() => page.getByTestId('sync-status').first().getAttribute('data-state'), { timeout: 20_000 })
      .toMatch(/offline|connecting/);
    await openFolder('INBOX');

    // Flag (s): shown at once.
    await row('Offline flag').click();
    await page.keyboard.press('s');
    await expect.poll(() => row('Offline flag').locator('.mark.flag').count()).toBe(1);
    // Move (v → the folder picker): gone from INBOX at once.
    await row('Offline move').click();
    await page.keyboard.press('v');
    await expect.poll(() => page.getByTestId('folder-picker').isVisible()).toBe(true);
    await page.getByTestId('picker-filter').fill('Proj');
    await screenshot(page, 'actions-folder-picker');
    await page.getByTestId('picker-filter').press('Enter');
    await expect.poll(() => row('Offline move').count()).toBe(0);
    // Delete (from the row's context menu).
    await row('Offline delete').click({ button: 'right' });
    await expect.poll(() => page.getByTestId('context-menu').isVisible()).toBe(true);
    await screenshot(page, 'actions-context-menu');
    await page.getByTestId('context-menu').locator('[data-action="delete"]').click();
    await expect.poll(() => row('Offline delete').count()).toBe(0);
    // A change the other device will make impossible: it deletes the message meanwhile.
    await row('Conflict victim').click();
    await page.keyboard.press('s');
    await expect.poll(() => row('Conflict victim').locator('.mark.flag').count()).toBe(1);

    await expect.poll(pendingCount).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('pending-count').innerText()).toMatch(/changes waiting for the server/);
    await screenshot(page, 'actions-offline-pending');
    // Nothing reached the server.
    const inbox = await serverSubjects('INBOX');
    expect(inbox.has('Offline move') && inbox.has('Offline delete')).toBe(true);
    expect(inbox.get('Offline flag')).not.toContain('\\Flagged');

    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageDelete({ header: { subject: 'Conflict victim' } });
    } finally {
      lock.release();
    }

    setReachable(true);
    await call('sync.run', { accountId });
    await expect.poll(pendingCount, { timeout: 20_000 }).toBe(0);
    // The flag of the message deleted meanwhile was refused: not "All changes saved" beside it.
    await expect.poll(() => page.getByTestId('pending-count').innerText()).toBe('No changes waiting');
    const after = await serverSubjects('INBOX');
    expect(after.get('Offline flag')).toContain('\\Flagged');
    expect(after.has('Offline move')).toBe(false);
    expect(after.has('Offline delete')).toBe(false);
    expect((await serverSubjects('Projects')).has('Offline move')).toBe(true);
    expect((await serverSubjects('Trash')).has('Offline delete')).toBe(true);
  });

  it('shows the refused change with the server’s reason, and Discard removes it', async () => {
    const failed = await call<{ id: number; error: { message: string } | null }[]>('ops.list', { accountId, states: ['failed'] });
    expect(failed).toHaveLength(1);
    await expect.poll(() => page.getByTestId('failed-count').getAttribute('data-count')).toBe('1');
    await page.getByTestId('failed-count').click();
    const panel = page.getByTestId('failed-ops');
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await panel.getByTestId('failed-op').count()).toBe(1);
    expect(await panel.getByTestId('failed-op').innerText()).toMatch(/flag/i);
    expect(await panel.getByTestId('failed-op-reason').innerText()).toBe(failed[0]?.error?.message);
    expect(failed[0]?.error?.message).toBeTruthy();
    await screenshot(page, 'actions-failed-panel');
    // Retry cannot bring back a message deleted on the server: it says so, and the change stays listed.
    await panel.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => panel.getByRole('alert').innerText()).toMatch(/no longer exist/);
    expect(await panel.getByTestId('failed-op').count()).toBe(1);
    expect(await call<unknown[]>('ops.list', { accountId, states: ['failed'] })).toHaveLength(1);
    await panel.getByTestId('discard-op').click();
    await expect.poll(() => panel.getByTestId('failed-op').count()).toBe(0);
    expect(await call<unknown[]>('ops.list', { accountId, states: ['failed'] })).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('failed-count').count()).toBe(0);
    expect(await page.getByTestId('pending-count').innerText()).toBe('All changes saved');
  });

  it('undoes a delete from the toast, and a flag with z', async () => {
    await openFolder('INBOX');
    await row('Undo me').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => row('Undo me').count()).toBe(0);
    const toast = page.getByTestId('toast').filter({ hasText: 'Deleted 1' }).last();
    await expect.poll(() => toast.isVisible()).toBe(true);
    await screenshot(page, 'actions-undo-toast');
    await toast.getByTestId('toast-undo').click();
    await expect.poll(() => row('Undo me').count(), { timeout: 10_000 }).toBe(1);

    await row('Undo me').click();
    await page.keyboard.press('s');
    await expect.poll(() => row('Undo me').locator('.mark.flag').count()).toBe(1);
    await page.keyboard.press('z');
    await expect.poll(() => row('Undo me').locator('.mark.flag').count(), { timeout: 10_000 }).toBe(0);
    await call('sync.run', { accountId });
    const inbox = await serverSubjects('INBOX');
    expect(inbox.has('Undo me')).toBe(true);
    expect(inbox.get('Undo me')).not.toContain('\\Flagged');
  });

  it('takes back its own action from a toast’s Undo, which goes once that action is undone', async () => {
    await openFolder('INBOX');
    await row('Toast A').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => row('Toast A').count()).toBe(0);
    const deleted = page.getByTestId('toast').filter({ hasText: 'Deleted 1' }).last();
    await row('Toast B').click();
    await page.keyboard.press('s');
    await expect.poll(() => row('Toast B').locator('.mark.flag').count()).toBe(1);
    const flagged = page.getByTestId('toast').filter({ hasText: 'Flagged 1' }).last();
    await expect.poll(() => flagged.getByTestId('toast-undo').count()).toBe(1);

    // The delete's Undo brings back Toast A, not the flag done after it.
    await deleted.getByTestId('toast-undo').click();
    await expect.poll(() => row('Toast A').count(), { timeout: 10_000 }).toBe(1);
    expect(await row('Toast B').locator('.mark.flag').count()).toBe(1);

    // z takes back the flag: its toast no longer offers Undo (it would undo something else).
    await row('Toast B').click();
    await page.keyboard.press('z');
    await expect.poll(() => row('Toast B').locator('.mark.flag').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => flagged.getByTestId('toast-undo').count()).toBe(0);
  });

  it('undoes the archive with z, not the read mark the next message got by being shown', async () => {
    // Newest first: "Auto next" is below "Auto archived", and is selected once that one leaves.
    await other.append('INBOX', mail('Auto next', 'Shown after the archive, and marked read by that.'), [], new Date(Date.now() - 1000));
    await other.append('INBOX', mail('Auto archived', 'Archived, then brought back with z.'), ['\\Seen']);
    await call('sync.run', { accountId });
    await openFolder('INBOX');
    await row('Auto archived').click();
    await page.keyboard.press('e');
    await expect.poll(() => row('Auto archived').count()).toBe(0);
    await expect.poll(() => list().locator('[aria-selected="true"] .subject').allInnerTexts()).toEqual(['Auto next']);
    expect(await page.getByTestId('reader-gone').count()).toBe(0); // archived here: no "moved on another device"
    // Marked read after a second on screen (the default setting).
    await expect.poll(() => row('Auto next').getAttribute('class'), { timeout: 10_000 }).not.toContain('unread');
    await page.keyboard.press('z');
    await expect.poll(() => row('Auto archived').count(), { timeout: 10_000 }).toBe(1);
    expect(await row('Auto next').getAttribute('class')).not.toContain('unread');
  });

  it('drops the Undo of a change the server refused (it was taken back already)', async () => {
    await other.append('INBOX', mail('Refused soon', 'The other device deletes this one.'));
    await call('sync.run', { accountId });
    await openFolder('INBOX');
    await row('Refused soon').click();
    await page.keyboard.press('s');
    const flagged = page.getByTestId('toast').filter({ hasText: 'Flagged 1' }).last();
    await expect.poll(() => flagged.getByTestId('toast-undo').count()).toBe(1);
    // The other device expunges it before our flag reaches the server: the flag fails.
    const lock = await other.getMailboxLock('INBOX');
    try {
      const uids = await other.search({ subject: 'Refused soon' }, { uid: true });
      await other.messageDelete(uids || [], { uid: true });
    } finally {
      lock.release();
    }
    await call('sync.run', { accountId });
    await expect.poll(() => flagged.getByTestId('toast-undo').count()).toBe(0);
    for (const op of await call<{ id: number }[]>('ops.list', { accountId, states: ['failed'] }))
      await call('ops.discard', { opId: op.id });
  });

  it('acts on every message of the folder after “select all”, not only the rows loaded so far', async () => {
    const MANY = 1500;
    await other.mailboxCreate('Many');
    await other.mailboxSubscribe('Many');
    for (let i = 1; i <= MANY; i++) await other.append('Many', mail(`Many ${i}`, `Body ${i}.`), []);
    await call('sync.run', { accountId });
    await openFolder('Many');
    await rows().first().click();
    await page.keyboard.press('Control+a');
    await expect.poll(() => page.getByTestId('message-list').getAttribute('aria-rowcount')).toBe(String(MANY + 1));
    // Fewer rows than that are loaded: the list pages them in as it scrolls.
    expect(await page.evaluate('document.querySelectorAll(\'[data-testid="message-row"]\').length')).toBeLessThan(MANY);
    // The reading pane offers the row menu's actions for the selection, as buttons.
    const actions = page.getByTestId('many-actions').locator('button');
    await expect
      .poll(() => actions.evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))))
      .toEqual(['read', 'flag', 'archive', 'move', 'copy', 'delete']);
    await screenshot(page, 'actions-select-all');
    await page.getByTestId('many-actions').locator('[data-action="read"]').click();
    await expect
      .poll(
        () =>
          page
            .getByTestId('toast')
            .filter({ hasText: 'Marked 1,500 as read' }) // the count written the locale’s way
            .count(),
        { timeout: 10_000 },
      )
      .toBe(1);
    await call('sync.run', { accountId });
    const lock = await other.getMailboxLock('Many');
    try {
      expect(await other.search({ seen: false }, { uid: true })).toEqual([]);
    } finally {
      lock.release();
    }
  });

  it('gives the folder list back where it was scrolled when a search is cleared', async () => {
    await openFolder('Many');
    const scrollTop = () => page.getByTestId('message-list').evaluate((el) => (el as unknown as { scrollTop: number }).scrollTop);
    await page.getByTestId('message-list').evaluate((el) => {
      (el as unknown as { scrollTop: number }).scrollTop = 20_000;
    });
    await expect.poll(scrollTop).toBe(20_000);
    await page.keyboard.press('/');
    await page.keyboard.type('Many 77');
    await expect
      .poll(() => page.getByTestId('search-results').locator('[data-testid="message-row"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.getByTestId('search-input').press('Escape');
    await expect.poll(() => page.getByTestId('message-list').isVisible()).toBe(true);
    await expect.poll(scrollTop).toBe(20_000);
  });

  it('gives the focus back to the list when a dialog closes, so its keys keep working', async () => {
    await openFolder('INBOX');
    await rows().first().click();
    const inList = () => page.evaluate('!!document.activeElement?.closest(\'[data-testid="message-list"]\')');
    await expect.poll(inList).toBe(true);
    await page.keyboard.press('v'); // the Move to picker
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
    await expect.poll(inList).toBe(true);
    await page.getByTestId('new-folder').click(); // a prompt, cancelled with its button
    await page.getByTestId('prompt-dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.evaluate('document.activeElement?.getAttribute("data-testid")')).toBe('new-folder');
  });

  it('asks before deleting from Trash, which cannot be undone', async () => {
    if (!(await other.list()).some((m) => m.path === 'Trash')) await other.mailboxCreate('Trash');
    await other.append('Trash', mail('Trash me', 'Already in the trash.'));
    await call('sync.run', { accountId });
    await openFolder('Trash');
    await row('Trash me').click();
    await page.keyboard.press('Delete');
    const dialog = page.getByTestId('confirm-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => dialog.innerText()).toContain('Delete 1 message permanently?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await row('Trash me').count()).toBe(1);
    expect((await serverSubjects('Trash')).has('Trash me')).toBe(true);

    await row('Trash me').click();
    await page.keyboard.press('Delete');
    await dialog.getByRole('button', { name: 'Delete permanently' }).click();
    await expect.poll(() => row('Trash me').count()).toBe(0);
    const toast = page.getByTestId('toast').filter({ hasText: 'Deleted 1' }).last();
    await expect.poll(() => toast.isVisible()).toBe(true);
    expect(await toast.getByTestId('toast-undo').count()).toBe(0);
    await call('sync.run', { accountId });
    expect((await serverSubjects('Trash')).has('Trash me')).toBe(false);
  });

  it('empties Trash from its menu after a question, for good and on the server too', async () => {
    await other.append('Trash', mail('Empty me one', 'In the trash.'));
    await other.append('Trash', mail('Empty me two', 'In the trash too.'));
    await call('sync.run', { accountId });
    await openFolder('Trash');
    await expect.poll(() => row('Empty me two').count()).toBe(1);
    const empty = async () => {
      await folder('Trash').click({ button: 'right' });
      const item = page.getByTestId('folder-menu').locator('[data-action="empty"]');
      expect(await item.innerText()).toBe('Empty Trash…');
      await item.click();
    };
    const dialog = page.getByTestId('confirm-dialog');
    await empty();
    await expect.poll(() => dialog.innerText()).toContain('Empty Trash?');
    await screenshot(page, 'actions-empty-trash');
    expect(await dialog.innerText()).toMatch(
      /The \d+ messages? in it (is|are) deleted for good, on the server too\. This cannot be undone\./,
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await row('Empty me one').count()).toBe(1);

    await empty();
    await dialog.getByRole('button', { name: 'Empty', exact: true }).click();
    await expect.poll(() => rows().count()).toBe(0);
    await expect.poll(() => page.getByTestId('toast').last().innerText()).toContain('Emptied Trash');
    await call('sync.run', { accountId });
    expect((await serverSubjects('Trash')).size).toBe(0);
    // Nothing left: the menu item is there but off. INBOX has none.
    await folder('Trash').click({ button: 'right' });
    await expect.poll(() => page.getByTestId('folder-menu').locator('[data-action="empty"]').getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Escape');
    await folder('INBOX').click({ button: 'right' });
    expect(await page.getByTestId('folder-menu').locator('[data-action="empty"]').count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  it('marks every message of a folder read from its menu, as one action its toast undoes', async () => {
    const unread = async () => {
      const { mailboxes } = await call<{ mailboxes: Array<{ path: string; unread: number | null }> }>('mailboxes.list', { accountId });
      return mailboxes.find((m) => m.path === 'Projects')?.unread ?? 0;
    };
    const before = await unread(); // what earlier tests left unread there
    await other.append('Projects', mail('Unread one', 'One.'));
    await other.append('Projects', mail('Unread two', 'Two.'));
    await call('sync.run', { accountId });
    const n = before + 2;
    await expect.poll(unread, { timeout: 10_000 }).toBe(n);
    await folder('Projects').click({ button: 'right' });
    await page.getByTestId('folder-menu').locator('[data-action="markRead"]').click();
    const toast = page
      .getByTestId('toast')
      .filter({ hasText: `Marked ${n} as read` })
      .last();
    await expect.poll(() => toast.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(unread, { timeout: 10_000 }).toBe(0);
    await call('sync.run', { accountId });
    const server1 = await serverSubjects('Projects');
    expect([server1.get('Unread one'), server1.get('Unread two')]).toEqual([['\\Seen'], ['\\Seen']]);

    await toast.getByTestId('toast-undo').click();
    await expect.poll(unread, { timeout: 10_000 }).toBe(n);
    await call('sync.run', { accountId });
    const server2 = await serverSubjects('Projects');
    expect([server2.get('Unread one'), server2.get('Unread two')]).toEqual([[], []]);
    // With nothing unread the item is off.
    await folder('Projects').click({ button: 'right' });
    await page.getByTestId('folder-menu').locator('[data-action="markRead"]').click();
    await expect.poll(unread, { timeout: 10_000 }).toBe(0);
    await folder('Projects').click({ button: 'right' });
    await expect.poll(() => page.getByTestId('folder-menu').locator('[data-action="markRead"]').getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Escape');
  });

  it('imports message files into a folder from its menu and by dropping them on it, each dated as sent', async () => {
    const eml = (subject: string, date: string) =>
      [
        'From: Archive <archive@example.com>',
        `To: ${judy.email}`,
        `Subject: ${subject}`,
        `Date: ${date}`,
        `Message-ID: <${subject.replace(/\W/g, '')}@import.e2e.test>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        '',
        `The text of ${subject}.`,
        '',
      ].join('\r\n');
    await openFolder('Projects');
    await folder('Projects').click({ button: 'right' });
    const item = page.getByTestId('folder-menu').locator('[data-action="import"]');
    expect(await item.innerText()).toBe('Import messages (.eml)…');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), item.click()]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles([
      {
        name: 'old letter.eml',
        mimeType: 'message/rfc822',
        buffer: Buffer.from(eml('Imported old letter', 'Mon, 10 Jun 2002 10:29:00 +0100')),
      },
      { name: 'photo.png', mimeType: 'image/png', buffer: png(4, 4, [0, 0, 0]) },
    ]);
    await expect.poll(() => row('Imported old letter').count(), { timeout: 10_000 }).toBe(1);
    const toasts = () => page.getByTestId('toast').allInnerTexts();
    await expect.poll(async () => (await toasts()).join('\n'), { timeout: 10_000 }).toContain('Imported 1 message into “Projects”');
    expect((await toasts()).join('\n')).toContain('Could not import “photo.png”: it is not a mail message (an .eml file).');
    // It arrived when it was sent: it sorts among 2002's mail, not as today's.
    expect(await row('Imported old letter').locator('.col-date').getAttribute('data-date')).toBe('2002-06-10T09:29:00.000Z');

    // Dropped on the folder in the tree, from the desktop.
    // A DataTransfer holding a file, made in the page (what the desktop's drag hands the app).
    const files = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([${JSON.stringify(eml('Dropped letter', 'Tue, 1 Oct 2002 08:00:15 +0000'))}], 'dropped.eml', { type: 'message/rfc822' }));
      return dt;
    })()`);
    for (const type of ['dragenter', 'dragover', 'drop']) await folder('Projects').dispatchEvent(type, { dataTransfer: files });
    await expect.poll(() => row('Dropped letter').count(), { timeout: 10_000 }).toBe(1);
    // Dropped anywhere else, nothing happens: the browser is kept from opening the file in place of the app.
    const elsewhere = await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['Subject: x\\r\\n\\r\\nx'], 'elsewhere.eml', { type: 'message/rfc822' }));
      const drop = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
      document.querySelector('[data-testid="message-list"]').dispatchEvent(drop);
      return drop.defaultPrevented;
    })()`);
    expect(elsewhere).toBe(true);
    expect(await row('x').count()).toBe(0);

    await call('sync.run', { accountId });
    const lock = await other.getMailboxLock('Projects');
    try {
      await other.noop();
      const found = new Map<string, { flags: string[]; date: string }>();
      for await (const m of other.fetch('1:*', { envelope: true, flags: true, internalDate: true }))
        found.set(m.envelope?.subject ?? '', { flags: [...(m.flags ?? [])], date: new Date(m.internalDate ?? 0).toISOString() });
      expect(found.get('Imported old letter')).toEqual({ flags: ['\\Seen'], date: '2002-06-10T09:29:00.000Z' });
      expect(found.get('Dropped letter')).toEqual({ flags: ['\\Seen'], date: '2002-10-01T08:00:15.000Z' });
    } finally {
      lock.release();
    }
  });

  it('moves a message by dragging it onto a folder', async () => {
    await openFolder('INBOX');
    await row('Drag me').dragTo(folder('Projects'));
    await expect.poll(() => row('Drag me').count()).toBe(0);
    await expect.poll(() => page.getByTestId('toast').filter({ hasText: 'Moved 1 to Projects' }).count()).toBeGreaterThan(0);
    await openFolder('Projects');
    await expect.poll(() => row('Drag me').count()).toBe(1);
    await call('sync.run', { accountId });
    expect((await serverSubjects('Projects')).has('Drag me')).toBe(true);
    expect((await serverSubjects('INBOX')).has('Drag me')).toBe(false);
  });

  it('creates, renames, unsubscribes and deletes a folder', async () => {
    await openFolder('Projects');
    await page.getByTestId('new-folder').click();
    await expect.poll(() => page.getByTestId('prompt-dialog').innerText()).toContain('New folder in Projects');
    await page.getByTestId('prompt-input').fill('Sub e2e');
    await page.getByTestId('prompt-submit').click();
    await expect.poll(() => folder('Projects/Sub e2e').isVisible()).toBe(true);
    // The dialog offers another place than the selected folder: here the top level.
    await page.getByTestId('new-folder').click();
    await page.getByTestId('new-folder-parent').selectOption({ label: 'Top level' });
    await screenshot(page, 'actions-new-folder-parent');
    await expect.poll(() => page.getByTestId('prompt-dialog').locator('h2').innerText()).toBe('New folder');
    // A name with the server's delimiter is refused in the dialog, before anything is sent.
    await page.getByTestId('prompt-input').fill('Top/e2e');
    await expect.poll(() => page.getByTestId('prompt-error').innerText()).toBe('A folder name cannot contain “/” (it separates folders).');
    expect(await page.getByTestId('prompt-submit').isDisabled()).toBe(true);
    await page.getByTestId('prompt-input').fill('Top e2e');
    expect(await page.getByTestId('prompt-error').count()).toBe(0);
    await page.getByTestId('prompt-submit').click();
    await expect.poll(() => folder('Top e2e').isVisible()).toBe(true);
    expect(await folder('Projects/Top e2e').count()).toBe(0);

    await folder('Projects/Sub e2e').click({ button: 'right' });
    await page.getByTestId('folder-menu').locator('[data-action="rename"]').click();
    await page.getByTestId('prompt-input').fill('Renamed e2e');
    await page.getByTestId('prompt-submit').click();
    await expect.poll(() => folder('Projects/Renamed e2e').isVisible()).toBe(true);
    await call('sync.run', { accountId });
    expect((await other.list()).map((m) => m.path)).toContain('Projects/Renamed e2e');

    // Unsubscribed folders are hidden unless "All folders" is on.
    await folder('Projects/Renamed e2e').click({ button: 'right' });
    await page.getByTestId('folder-menu').locator('[data-action="subscribe"]').click();
    await expect.poll(() => folder('Projects/Renamed e2e').count()).toBe(0);
    await page.getByTestId('show-all-folders').check();
    await expect.poll(() => folder('Projects/Renamed e2e').getAttribute('class')).toContain('unsubscribed');
    await screenshot(page, 'actions-all-folders');

    await folder('Projects/Renamed e2e').click({ button: 'right' });
    await page.getByTestId('folder-menu').locator('[data-action="delete"]').click();
    await expect.poll(() => page.getByTestId('confirm-dialog').innerText()).toContain('Delete “Renamed e2e”?');
    await page.getByTestId('confirm-dialog').locator('.button.danger').click();
    await expect.poll(() => folder('Projects/Renamed e2e').count()).toBe(0);
    await page.getByTestId('show-all-folders').uncheck();
    await call('sync.run', { accountId });
    expect((await other.list()).map((m) => m.path)).not.toContain('Projects/Renamed e2e');
  });

  it('groups a conversation and expands it', async () => {
    await openFolder('INBOX');
    const messages = await page.getByTestId('list-count').innerText();
    await page.getByTestId('toggle-conversations').click();
    const thread = rows().filter({ has: page.getByTestId('thread-count') });
    await expect.poll(() => thread.count(), { timeout: 10_000 }).toBe(1);
    // Still the folder's messages, though a row now stands for a thread of three.
    expect(await page.getByTestId('list-count').innerText()).toBe(messages);
    expect(await thread.getByTestId('thread-count').innerText()).toBe('3');
    const before = await rows().count();
    await thread.getByTestId('thread-toggle').click();
    await expect.poll(() => rows().count()).toBe(before + 2);
    await expect.poll(() => list().locator('.thread-member').count()).toBe(2);
    await screenshot(page, 'actions-conversations');
    await page.getByTestId('toggle-conversations').click();
  });

  it('shows an inline cid: image from the message’s own part', async () => {
    await openFolder('INBOX');
    await row('Inline image \\(cid\\)').click();
    const frame = page.frameLocator('[data-testid="html-frame"]');
    await expect
      .poll(() => frame.locator('img[alt="logo"]').evaluate(imageState), {
        timeout: 20_000,
      })
      .toEqual({ data: true, w: 24 });
    // Shown in the message, and listed apart from attachments (it can be saved); no paperclip in the list.
    const reader = page.getByTestId('reader');
    await expect.poll(() => reader.getByTestId('inline-files').locator('h3').innerText()).toBe('In the message (1)');
    expect(await reader.getByTestId('inline-files').innerText()).toContain('logo.png');
    expect(await reader.locator('section.attachments:not([data-testid="inline-files"])').count()).toBe(0);
    expect(await row('Inline image \\(cid\\)').locator('.col-status .mark').count()).toBe(0);
  });

  it('loads a remote image only after the click, through the engine, never from the page', async () => {
    await row('Remote image \\(e2e\\)').click();
    const frame = page.frameLocator('[data-testid="html-frame"]');
    await expect.poll(() => frame.locator('img[alt="remote"]').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('remote-bar').innerText()).toMatch(/Remote content blocked \(1\)/);
    await page.waitForTimeout(500);
    expect(imageHits).toEqual([]);
    expect(await frame.locator('img[alt="remote"]').getAttribute('src')).toBeNull();
    await page.getByTestId('remote-load').click();
    await expect
      .poll(() => frame.locator('img[alt="remote"]').evaluate(imageState), {
        timeout: 10_000,
      })
      .toEqual({ data: true, w: 40 });
    expect(imageHits).toEqual(['/remote.png']);
    expect(requests.filter((r) => r.includes('127.0.0.1:' + new URL(imageUrl).port))).toEqual([]);
    await screenshot(page, 'actions-remote-image');
    // "Always for this sender" is remembered in the local settings.
    await row('Inline image \\(cid\\)').click();
    await row('Remote image \\(e2e\\)').click();
    await expect.poll(() => page.getByTestId('remote-always').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByTestId('remote-always').click();
    await expect.poll(() => page.getByTestId('remote-bar').innerText()).toContain('always loaded for sender@example.com');
    expect(await page.evaluate(() => localStorage.getItem('tegami.settings'))).toContain('sender@example.com');
  });

  it('shows where a remote image could not be loaded', async () => {
    const missing = imageUrl.replace('/remote.png', '/missing.png');
    await other.append(
      'INBOX',
      mail('Broken image (e2e)', `<p>Chart:</p><img src="${missing}" alt="sales chart">`, [], 'text/html; charset=UTF-8'),
    );
    await call('sync.run', { accountId });
    await openFolder('INBOX');
    await row('Broken image \\(e2e\\)').click();
    const frame = page.frameLocator('[data-testid="html-frame"]');
    const note = frame.locator('[data-tegami-loaded="failed"]');
    // Loaded on request, or at once (the test before allows this sender always).
    const load = page.getByTestId('remote-load');
    await expect
      .poll(
        async () => {
          if (await load.isVisible()) await load.click().catch(() => undefined);
          return note.count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    expect(await note.innerText()).toBe('Remote image could not be loaded: sales chart');
    expect(await note.getAttribute('title')).toBe(missing);
    expect(await frame.locator('img').count()).toBe(0);
  });

  it('takes screenshots of the main screens in dark mode and in Japanese', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await openFolder('INBOX');
    await row('Offline flag').click({ button: 'right' });
    await screenshot(page, 'actions-menu-dark-en');
    await page.keyboard.press('Escape');
    await page.getByTestId('settings-button').click();
    await page.getByTestId('language-select').selectOption('ja');
    await page.getByTestId('settings-button').click();
    await row('Offline flag').click({ button: 'right' });
    await expect.poll(() => page.getByTestId('context-menu').innerText()).toContain('移動先を選ぶ');
    await screenshot(page, 'actions-menu-dark-ja');
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('toggle-conversations').click();
    await screenshot(page, 'actions-conversations-light-ja');
    await page.getByTestId('toggle-conversations').click();
    await page.getByTestId('settings-button').click();
    await page.getByTestId('language-select').selectOption('en');
    await page.getByTestId('settings-button').click();
  });
});
