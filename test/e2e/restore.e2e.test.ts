// The folder selected last is selected again after a reload (as when the app starts again), with
// its messages listed; when that folder is gone by then, INBOX is. erin's account in the e2e
// project's own Dovecot is this file's.
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connectImap } from '../dovecot/client.js';
import { addAccountAndOpen, closeAll, invoke, startTegamiWeb, type TegamiWeb } from './browser.js';

const server = inject('dovecot');
const USER = 'erin';
const erin = server.users.find((u) => u.user === USER)!;
/** Not INBOX, and not ASCII: the path goes through the saved settings as it is. */
const FOLDER = '領収書';

let browser: Browser;
let tegami: TegamiWeb;
let page: Page;
let other: ImapFlow; // "the other device"
const requests: string[] = [];
let accountId = 0;

function mail(subject: string): string {
  return [
    'From: Shop <shop@example.com>',
    `To: ${erin.email}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    `${subject}.`,
    '',
  ].join('\r\n');
}

const folder = (p: string) => page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="${p}"]`);
const subjects = async () =>
  (await page.getByTestId('message-list').locator('[data-testid="message-row"] .subject').allInnerTexts()).sort();

beforeAll(async () => {
  tegami = await startTegamiWeb();
  other = await connectImap(server, USER, 'tls');
  await other.mailboxCreate(FOLDER);
  await other.mailboxSubscribe(FOLDER);
  await other.append(FOLDER, mail('Receipt one'), ['\\Seen']);
  await other.append(FOLDER, mail('Receipt two'), ['\\Seen']);
  await other.append('INBOX', mail('Welcome'), ['\\Seen']);
  ({ accountId, browser, page } = await addAccountAndOpen(tegami, server, USER, requests));
});

afterAll(async () => {
  await closeAll({ browser, other, tegami });
});

describe('the folder selected last', () => {
  it('is selected again after a reload, with its messages listed', async () => {
    await folder(FOLDER).click();
    await expect.poll(subjects).toEqual(['Receipt one', 'Receipt two']);
    await page.reload();
    await expect.poll(() => folder(FOLDER).getAttribute('aria-selected'), { timeout: 20_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('pane-title').innerText()).toBe(FOLDER);
    await expect.poll(subjects).toEqual(['Receipt one', 'Receipt two']);
    expect(requests).toEqual([]);
  });

  it('gives way to INBOX when it is gone by the next start', async () => {
    await other.mailboxDelete(FOLDER);
    await invoke(tegami, 'sync.run', { accountId });
    await expect.poll(() => folder(FOLDER).count()).toBe(0);
    await page.reload();
    await expect.poll(() => folder('INBOX').getAttribute('aria-selected'), { timeout: 20_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('pane-title').innerText()).toBe('INBOX');
    await expect.poll(subjects).toEqual(['Welcome']);
  });
});
