// Working offline in the browser: the status bar's switch logs the account out and says so, a
// message whose text is not on this computer says why it cannot be shown, the attachment of recent
// small mail saves offline (it is on this computer whole), a change queues and going online replays
// it on the server, and the account's page sets how much mail is kept for offline reading, and how
// large a message kept whole (its attachment then saves offline) may be. mike's
// account in the e2e project's own Dovecot is this file's.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connectImap } from '../dovecot/client.js';
import { addAccountAndOpen, closeAll, screenshot, startTegamiWeb, type TegamiWeb } from './browser.js';

const server = inject('dovecot');
const USER = 'mike';
const mike = server.users.find((u) => u.user === USER)!;
const DAY = 24 * 3600_000;

let browser: Browser;
let tegami: TegamiWeb;
let page: Page;
const requests: string[] = [];
let accountId = 0;

/** A message to mike: its header fields, then `body` (the Content-Type and what follows it). */
function mail(subject: string, date: Date, body = ['Content-Type: text/plain; charset=UTF-8', '', `The text of ${subject}.`]): string {
  const head = [`From: Someone <someone@example.com>`, `To: ${mike.email}`, `Subject: ${subject}`, `Date: ${date.toUTCString()}`];
  return [...head, `Message-ID: <${subject.replace(/\W/g, '')}@offline.e2e.test>`, 'MIME-Version: 1.0', ...body, ''].join('\r\n');
}

/** 2 KB that only this file has: the attachment saved while offline must be exactly it. */
const REPORT = randomBytes(2048);

/** A small message with an attachment: kept whole on this computer, so the file saves offline too. */
const withAttachment = (subject: string, date: Date): string =>
  mail(subject, date, [
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    '',
    'The report is attached.',
    '--b1',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    "Content-Disposition: attachment; filename*=UTF-8''%E5%A0%B1%E5%91%8A.bin", // 報告.bin (RFC 2231)
    '',
    REPORT.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b1--',
  ]);

/** 300 KB: too large to be kept whole unless the account's page says so. */
const LARGE = randomBytes(300 * 1024);

/** A larger message with an attachment: its text only is kept, until the account keeps mail of its size whole. */
const largeAttachment = (subject: string, date: Date): string =>
  mail(subject, date, [
    'Content-Type: multipart/mixed; boundary="b2"',
    '',
    '--b2',
    '',
    'The large report is attached.',
    '--b2',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="large.bin"',
    '',
    LARGE.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b2--',
  ]);

/** What the server has flagged in INBOX, by subject ("the other device" looks). */
async function flaggedOnServer(): Promise<string[]> {
  const other = await connectImap(server, USER, 'tls');
  try {
    await other.mailboxOpen('INBOX');
    const out: string[] = [];
    for await (const m of other.fetch({ flagged: true }, { envelope: true })) out.push(m.envelope?.subject ?? '');
    return out;
  } finally {
    await other.logout();
  }
}

const status = () => page.getByTestId('sync-status').first();
const toggle = () => page.getByTestId('work-offline');
const row = (subject: string) =>
  page
    .getByTestId('message-list')
    .locator('[data-testid="message-row"]')
    .filter({ has: page.locator('.subject', { hasText: subject }) });

beforeAll(async () => {
  tegami = await startTegamiWeb();
  const other = await connectImap(server, USER, 'tls');
  try {
    await other.append('INBOX', mail('Recent note', new Date(Date.now() - DAY)), ['\\Seen'], new Date(Date.now() - DAY));
    await other.append('INBOX', withAttachment('Recent report', new Date(Date.now() - DAY)), ['\\Seen'], new Date(Date.now() - DAY));
    await other.append('INBOX', largeAttachment('Large report', new Date(Date.now() - DAY)), ['\\Seen'], new Date(Date.now() - DAY));
    // Older than the offline window: its text stays on the server.
    await other.append('INBOX', mail('Old letter', new Date(Date.now() - 400 * DAY)), ['\\Seen'], new Date(Date.now() - 400 * DAY));
  } finally {
    await other.logout();
  }
  ({ accountId, browser, page } = await addAccountAndOpen(tegami, server, USER, requests, {
    beforeOpen: () => tegami.engine.startBackgroundSync?.(),
  }));
});

afterAll(async () => {
  await closeAll({ browser, tegami });
});

describe('working offline in the browser', () => {
  it('goes offline from the status bar, says so, and says why a message not on this computer cannot be shown', async () => {
    await expect.poll(() => status().getAttribute('data-state'), { timeout: 20_000 }).toBe('idle');
    expect(await toggle().innerText()).toBe('Work offline');
    await toggle().click();
    await expect.poll(() => status().getAttribute('data-state')).toBe('paused');
    expect(await status().innerText()).toContain('Working offline');
    expect(await toggle().innerText()).toBe('Go online');
    expect(await toggle().getAttribute('aria-pressed')).toBe('true');

    await page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="INBOX"]`).click();
    await row('Old letter').click();
    await expect
      .poll(() => page.getByTestId('reader').getByRole('alert').first().innerText(), { timeout: 10_000 })
      .toContain('This is not on this computer yet, and you are working offline. Go online to download it.');
    await screenshot(page, 'offline-not-on-this-computer');
    // What is on this computer reads as ever.
    await row('Recent note').click();
    await expect.poll(() => page.getByTestId('message-text').innerText(), { timeout: 10_000 }).toContain('The text of Recent note.');
    await screenshot(page, 'offline-working');
  });

  it('saves the attachment of recent small mail offline, never opened before: the message is on this computer whole', async () => {
    await row('Recent report').click();
    const file = page.getByTestId('attachment').filter({ hasText: '報告.bin' });
    await expect.poll(() => file.count(), { timeout: 10_000 }).toBe(1);
    expect(await file.getByTestId('attachment-local').getAttribute('title')).toBe('Opens and saves without the server, offline too.');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), file.getByTestId('attachment-save').click()]);
    expect(download.suggestedFilename()).toBe('報告.bin');
    expect(readFileSync(await download.path())).toEqual(REPORT);
    expect(await file.getByTestId('attachment-error').count()).toBe(0);
    expect(await status().getAttribute('data-state')).toBe('paused'); // still offline
  });

  it('queues a change while offline and replays it once online', async () => {
    await row('Recent note').click();
    await page.keyboard.press('s'); // flag
    await expect.poll(() => page.getByTestId('pending-count').getAttribute('data-count')).toBe('1');
    expect(await flaggedOnServer()).toEqual([]);
    // The server search is refused in so many words, and the refusal goes once online.
    await page.getByTestId('search-input').fill('note');
    await page.getByTestId('search-server').click();
    await expect
      .poll(() => page.getByTestId('search-server-error').innerText(), { timeout: 10_000 })
      .toContain('You are working offline. Go online to reach the server.');
    await toggle().click();
    await expect.poll(() => page.getByTestId('search-server-error').count()).toBe(0);
    await page.getByTestId('search-input').press('Escape');
    await expect.poll(() => status().getAttribute('data-state'), { timeout: 20_000 }).toBe('idle');
    expect(await toggle().innerText()).toBe('Work offline');
    await expect.poll(() => page.getByTestId('pending-count').getAttribute('data-count'), { timeout: 10_000 }).toBe('0');
    expect(await flaggedOnServer()).toEqual(['Recent note']);
  });

  it('sets on the account’s page how much mail is kept for offline reading; a longer period is downloaded at once', async () => {
    await page.locator(`[role="treeitem"][data-kind="account"][data-account-id="${accountId}"]`).click();
    const select = page.getByTestId('offline-window-select');
    await expect.poll(() => select.inputValue(), { timeout: 10_000 }).toBe('90');
    expect(await select.locator('option:checked').innerText()).toBe('The last 90 days (default)');
    await select.selectOption('all');
    await expect.poll(() => page.getByTestId('offline-window-saved').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => select.inputValue(), { timeout: 10_000 }).toBe('all');
    // What the mail store takes here.
    await expect
      .poll(() => page.getByTestId('offline-window-usage').innerText(), { timeout: 10_000 })
      .toMatch(/^The mail store takes [\d.,]+ (KB|MB) on this computer \(every account’s mail\)\.$/);
    const listed = await tegami.engine.invoke('accounts.list', {});
    expect(
      listed.ok && (listed.value as Array<{ id: number; offlineWindow: unknown }>).find((a) => a.id === accountId)?.offlineWindow,
    ).toBe('all');
    await screenshot(page, 'offline-window');
    // The sync it asked for downloads the 400-day-old letter, which now shows its text in the list.
    await page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="INBOX"]`).click();
    await expect.poll(() => row('Old letter').innerText(), { timeout: 20_000 }).toContain('The text of Old letter.');
    await page.locator(`[role="treeitem"][data-kind="account"][data-account-id="${accountId}"]`).click();
    await page.getByTestId('offline-window-select').selectOption('30');
    await expect.poll(() => page.getByTestId('offline-window-saved').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('offline-window-select').inputValue(), { timeout: 10_000 }).toBe('30');
    expect(await page.getByTestId('offline-window-error').count()).toBe(0);
  });

  it('keeps larger mail whole when chosen on the account’s page: the sync it asks for downloads it, and its attachment saves offline', async () => {
    const found = await tegami.engine.invoke('search.local', { query: 'Large report', limit: 5 });
    const hit = found.ok ? (found.value as { hits: Array<{ source: string; message?: { id: number } }> }).hits[0] : undefined;
    const id = hit?.message?.id ?? 0;
    const bodyState = async () => {
      const detail = await tegami.engine.invoke('messages.get', { id });
      return detail.ok ? (detail.value as { bodyState: string }).bodyState : null;
    };
    expect(await bodyState()).toBe('text'); // 300 KB: its text only, as the default keeps it
    await page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="INBOX"]`).click();
    await row('Large report').click();
    const attached = page.getByTestId('attachment').filter({ hasText: 'large.bin' });
    await expect.poll(() => attached.count(), { timeout: 10_000 }).toBe(1);
    expect(await attached.getByTestId('attachment-local').count()).toBe(0); // needs the server

    await page.locator(`[role="treeitem"][data-kind="account"][data-account-id="${accountId}"]`).click();
    const whole = page.getByTestId('offline-whole-select');
    await expect.poll(() => whole.inputValue(), { timeout: 10_000 }).toBe(String(128 * 1024));
    expect(await whole.locator('option:checked').innerText()).toBe('Smaller than 128 KB (default)');
    await whole.selectOption(String(1024 * 1024));
    await expect.poll(() => page.getByTestId('offline-window-saved').innerText(), { timeout: 10_000 }).toContain('kept whole');
    await expect.poll(() => whole.inputValue(), { timeout: 10_000 }).toBe(String(1024 * 1024));
    expect(await whole.locator('option:checked').innerText()).toBe('Smaller than 1 MB');
    await screenshot(page, 'offline-whole');
    await expect.poll(bodyState, { timeout: 20_000 }).toBe('full');

    await toggle().click();
    await expect.poll(() => status().getAttribute('data-state'), { timeout: 10_000 }).toBe('paused');
    await page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="INBOX"]`).click();
    await row('Large report').click();
    const file = page.getByTestId('attachment').filter({ hasText: 'large.bin' });
    await expect.poll(() => file.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => file.getByTestId('attachment-local').innerText(), { timeout: 10_000 }).toContain('on this computer');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), file.getByTestId('attachment-save').click()]);
    expect(readFileSync(await download.path()).equals(LARGE)).toBe(true);
    await screenshot(page, 'offline-whole-attachment');
    expect(await file.getByTestId('attachment-error').count()).toBe(0);
    await toggle().click();
    await expect.poll(() => status().getAttribute('data-state'), { timeout: 20_000 }).toBe('idle');
  });

  it('takes a folder out of offline reading from its menu, and puts it back', async () => {
    const inbox = page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="INBOX"]`);
    const kept = async () => {
      const listed = await tegami.engine.invoke('mailboxes.list', { accountId });
      return listed.ok
        ? (listed.value as { mailboxes: Array<{ path: string; offline: boolean }> }).mailboxes.find((m) => m.path === 'INBOX')?.offline
        : null;
    };
    expect(await kept()).toBe(true);
    const steps = [
      {
        label: 'Don’t keep for offline reading',
        said: '“INBOX” is no longer kept for offline reading: what was downloaded of it is freed (its mail stays on the server).',
        offline: false,
      },
      { label: 'Keep for offline reading', said: '“INBOX” is kept for offline reading: the next sync downloads its mail.', offline: true },
    ];
    for (const step of steps) {
      await inbox.click({ button: 'right' });
      const item = page.getByTestId('folder-menu').locator('[data-action="offline"]');
      expect(await item.innerText()).toBe(step.label);
      await item.click();
      await expect.poll(() => page.getByTestId('toast').last().innerText(), { timeout: 10_000 }).toContain(step.said);
      expect(await kept()).toBe(step.offline);
      // The tree says so of the folder (its tooltip and accessible description).
      await expect
        .poll(async () => (await inbox.getAttribute('aria-description'))?.includes('not kept for offline reading') ?? false, {
          timeout: 10_000,
        })
        .toBe(!step.offline);
      // And shows it: a small cloud beside the name.
      expect(await inbox.getByTestId('folder-not-offline').count()).toBe(step.offline ? 0 : 1);
      if (!step.offline) await screenshot(page, 'folder-not-offline');
    }
  });
});
