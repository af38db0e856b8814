// Working offline in the browser: the status bar's switch logs the account out and says so, a
// message whose text is not on this computer says why it cannot be shown, a change queues, and
// going online replays it on the server. mike's account in the e2e project's own Dovecot is this file's.
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

function mail(subject: string, date: Date): string {
  return [
    'From: Someone <someone@example.com>',
    `To: ${mike.email}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${subject.replace(/\W/g, '')}@offline.e2e.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    `The text of ${subject}.`,
    '',
  ].join('\r\n');
}

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
});
