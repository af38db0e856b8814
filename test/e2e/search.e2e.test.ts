// Server search end to end: the search box finds what the local mirror can (recent mail, whose text
// the engine cached), and "Also search the server" adds what only the server can: a message older
// than the offline window (its headers are stored, its text never fetched), and one that arrived
// after the last sync (not stored at all; opening it downloads it). Each result row says where it
// came from. grace's account
// in the e2e project's own Dovecot is this file's.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connectImap } from '../dovecot/client.js';
import { addAccountAndOpen, closeAll, invoke, screenshot, startTegamiWeb, type TegamiWeb } from './browser.js';

const server = inject('dovecot');
const USER = 'grace';
const grace = server.users.find((u) => u.user === USER)!;

let browser: Browser;
let tegami: TegamiWeb;
let page: Page;
let other: ImapFlow;
const requests: string[] = [];
let accountId = 0;

/** A word no header carries: only a body can match it. */
const WORD = 'quokkaberry';
const DAY = 24 * 3600_000;

function mail(subject: string, body: string, date: Date): string {
  return [
    'From: Archive Sender <archive@example.com>',
    `To: ${grace.email}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${subject.replace(/\W/g, '')}@search.e2e.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    body,
    '',
  ].join('\r\n');
}

const call = <T>(request: string, input: unknown): Promise<T> => invoke<T>(tegami, request, input);

const folder = (p: string) => page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="${p}"]`);
const results = () => page.getByTestId('search-results');
const resultRow = (subject: string) =>
  results()
    .locator('[data-testid="message-row"]')
    .filter({ has: page.locator('.subject', { hasText: new RegExp(`^${subject}$`) }) });
const badgeOf = (subject: string) => resultRow(subject).locator('.source-badge');
/** Rows of server hits not stored yet. */
const onlyOnServer = () =>
  results()
    .locator('[data-testid="message-row"]')
    .filter({ has: page.locator('.source-badge', { hasText: /^Only on the server$/ }) });

const recent = new Date(Date.now() - 2 * DAY);
const old = new Date(Date.now() - 400 * DAY);

beforeAll(async () => {
  tegami = await startTegamiWeb();
  other = await connectImap(server, USER, 'tls');
  await other.append('INBOX', mail('Recent note', `The ${WORD} jam is in the fridge.`, recent), ['\\Seen'], recent);
  await other.append('INBOX', mail('Old archive letter', `Grandma's ${WORD} pie recipe, from the archive.`, old), ['\\Seen'], old);
  await other.append('INBOX', mail('Unrelated', 'Nothing to see here.', recent), ['\\Seen'], recent);
  // Synced: headers of all three, and (after the header pass) the text of the mail in the 90-day window.
  ({ accountId, browser, page } = await addAccountAndOpen(tegami, server, USER, requests, {
    // Arrives after the last sync, and this engine runs no background sync: not stored at all.
    beforeOpen: () => other.append('INBOX', mail('Just arrived', `A fresh ${WORD} smoothie.`, recent), [], recent),
  }));
});

afterAll(async () => {
  await closeAll({ browser, other, tegami });
});

describe('server search in the browser', () => {
  it('has the recent message’s text cached and not the old one’s (the premise)', async () => {
    const inbox = (await call<{ mailboxes: { id: number; path: string }[] }>('mailboxes.list', { accountId })).mailboxes.find(
      (m) => m.path === 'INBOX',
    )!;
    const page1 = await call<{ messages: { subject: string; bodyState?: string }[] }>('messages.page', { mailboxId: inbox.id, limit: 10 });
    expect(page1.messages.map((m) => m.subject).sort()).toEqual(['Old archive letter', 'Recent note', 'Unrelated']);
    const local = await call<{ hits: { source: string; message: { subject: string } }[] }>('search.local', { query: WORD, accountId });
    expect(local.hits.map((h) => h.message.subject)).toEqual(['Recent note']);
  });

  it('finds only the cached message locally, then the others on the server, each marked by source', async () => {
    await folder('INBOX').click();
    await page.keyboard.press('/');
    await page.keyboard.type(WORD);
    await expect.poll(() => resultRow('Recent note').count(), { timeout: 10_000 }).toBe(1);
    expect(await results().locator('[data-testid="message-row"]').count()).toBe(1);
    // Before the server search no row is marked: they all come from this computer.
    expect(await badgeOf('Recent note').count()).toBe(0);

    await page.getByTestId('search-server').click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Server search finished' }).innerText(), { timeout: 20_000 })
      .toBe('Server search finished: 3 found.');
    await expect.poll(() => results().locator('[data-testid="message-row"]').count()).toBe(3);
    expect(await badgeOf('Recent note').innerText()).toBe('On this computer');
    expect(await badgeOf('Recent note').getAttribute('class')).toContain('local');
    // Its headers were stored: a full row, found by the server.
    expect(await badgeOf('Old archive letter').innerText()).toBe('Found on the server');
    expect(await badgeOf('Old archive letter').getAttribute('class')).toContain('server');
    // Not stored at all: a row from the ENVELOPE the server search fetched (sender, subject, date, size).
    const fresh = onlyOnServer();
    expect(await fresh.count()).toBe(1);
    expect(await fresh.locator('.subject').innerText()).toBe('Just arrived');
    expect(await fresh.locator('.col-from').innerText()).toBe('Archive Sender');
    expect(await fresh.locator('.col-date').innerText()).not.toBe('');
    expect(await fresh.locator('.col-size').innerText()).not.toBe('0 B');
    await screenshot(page, 'search-server-results');
  });

  it('updates a result row after an action on it, so a second “s” unflags', async () => {
    await resultRow('Recent note').click();
    await page.keyboard.press('s');
    await expect.poll(() => resultRow('Recent note').locator('.mark.flag').count()).toBe(1);
    await page.keyboard.press('s');
    await expect.poll(() => page.getByTestId('toast').filter({ hasText: 'Removed the flag from 1' }).count()).toBeGreaterThan(0);
    await expect.poll(() => resultRow('Recent note').locator('.mark.flag').count()).toBe(0);
  });

  it('downloads a message found only on the server when it is opened, and shows it in place', async () => {
    const placeholder = onlyOnServer();
    await placeholder.click();
    await expect.poll(() => page.getByTestId('reader-subject').innerText(), { timeout: 20_000 }).toBe('Just arrived');
    await expect.poll(() => page.getByTestId('message-text').innerText(), { timeout: 20_000 }).toContain(`A fresh ${WORD} smoothie.`);
    expect(await placeholder.count()).toBe(0);
    expect(await badgeOf('Just arrived').innerText()).toBe('Found on the server');
    expect(await results().locator('[data-testid="message-row"][aria-selected="true"] .subject').allInnerTexts()).toEqual(['Just arrived']);
    expect(await results().locator('[data-testid="message-row"]').count()).toBe(3);
    await screenshot(page, 'search-server-downloaded');
  });

  it('says so when a message found on the server is gone by the time it is opened', async () => {
    await other.append('INBOX', mail('Vanishing', `A ${WORD} that will not last.`, recent), [], recent);
    await page.getByTestId('search-server').click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Server search finished' }).innerText(), { timeout: 20_000 })
      .toBe('Server search finished: 4 found.');
    const placeholder = onlyOnServer();
    expect(await placeholder.locator('.subject').allInnerTexts()).toEqual(['Vanishing']);
    // Searching again adds only what is new.
    await expect.poll(() => results().locator('[data-testid="message-row"]').count()).toBe(4);
    expect(await placeholder.count()).toBe(1);
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageDelete({ header: { subject: 'Vanishing' } });
    } finally {
      lock.release();
    }
    await placeholder.click();
    await expect
      .poll(() => page.getByTestId('reader').getByRole('alert').innerText(), { timeout: 20_000 })
      .toBe('The server no longer has this message (it was moved or deleted elsewhere).');
    expect(await placeholder.count()).toBe(1);
  });

  it('opens the old message found on the server and fetches its text on demand', async () => {
    await resultRow('Old archive letter').click();
    await expect.poll(() => page.getByTestId('reader-subject').innerText(), { timeout: 10_000 }).toBe('Old archive letter');
    await expect.poll(() => page.getByTestId('message-text').innerText(), { timeout: 20_000 }).toContain(`Grandma's ${WORD} pie recipe`);
    expect(requests).toEqual([]);
  });

  it('applies from:, to: and subject: in the engine: the same words with a sender, a recipient or a subject that does not fit find nothing', async () => {
    const rows = () => results().locator('[data-testid="message-row"]');
    const search = async (text: string) => {
      await page.getByTestId('search-input').fill(text);
      await expect.poll(() => page.getByTestId('search-input').inputValue()).toBe(text);
    };
    await search(`from:archive to:${grace.email} subject:recent ${WORD}`);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    expect(await resultRow('Recent note').count()).toBe(1);
    // Each value is in the message, in another field: "archive" in From, grace in To, "fridge" in the text.
    for (const text of [`to:archive ${WORD}`, `from:grace ${WORD}`, `subject:fridge ${WORD}`]) {
      await search(text);
      await expect.poll(() => page.getByText('Nothing found on this computer.').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await rows().count()).toBe(0);
      expect(await page.getByText('No messages in this folder.').count()).toBe(0); // one message, not two
    }
    await search(WORD);
    await expect.poll(() => resultRow('Recent note').count(), { timeout: 10_000 }).toBe(1);
  });

  it('searches "quoted phrases" as phrases, here and on the server, with the query’s conditions', async () => {
    const rows = () => results().locator('[data-testid="message-row"]');
    const search = async (text: string) => {
      await page.getByTestId('search-input').fill(text);
      await expect.poll(() => page.getByTestId('search-input').inputValue()).toBe(text);
    };
    const serverSearch = async (found: number) => {
      await page.getByTestId('search-server').click();
      await expect
        .poll(() => page.getByRole('status').filter({ hasText: 'Server search finished' }).innerText(), { timeout: 20_000 })
        .toBe(`Server search finished: ${found} found.`);
    };
    await search(`"The ${WORD} jam"`);
    await expect.poll(() => resultRow('Recent note').count(), { timeout: 10_000 }).toBe(1);
    expect(await rows().count()).toBe(1);
    await serverSearch(1); // the server matches the phrase too (TEXT "…"), and nothing else
    expect(await rows().count()).toBe(1);
    // The same words in another order: not the phrase, here or there.
    await search(`"jam ${WORD}"`);
    await expect.poll(() => page.getByText('Nothing found on this computer.').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await serverSearch(0);
    // Words, not a phrase: every message with both, in any order.
    await search(`pie ${WORD}`);
    await expect.poll(() => resultRow('Old archive letter').count(), { timeout: 10_000 }).toBe(1); // its text was cached when opened
    await serverSearch(1);
    // Conditions go to the server too. This engine runs no background sync, so the server still has
    // "Just arrived" unread (opened here, its \\Seen is queued), and "Vanishing" is deleted. The button
    // is pressed at once, before the local search answers.
    await search(`${WORD} is:unread`);
    await serverSearch(1);
    await expect.poll(() => resultRow('Just arrived').count()).toBe(1);
    await search(`${WORD} is:read`);
    await serverSearch(2);
    expect((await rows().locator('.subject').allInnerTexts()).sort()).toEqual(['Old archive letter', 'Recent note']);
    await search(`${WORD} from:nobody`);
    await serverSearch(0);
    // -word and -"a phrase" leave out, here and on the server (NOT TEXT …); the box's tooltip says so.
    expect(await page.getByTestId('search-input').getAttribute('title')).toContain('-word');
    await search(`${WORD} -jam -"fresh ${WORD}"`);
    await expect.poll(() => resultRow('Old archive letter').count(), { timeout: 10_000 }).toBe(1);
    expect(await resultRow('Recent note').count()).toBe(0);
    await serverSearch(1);
    expect(await rows().locator('.subject').allInnerTexts()).toEqual(['Old archive letter']);
    // a OR b: either, here (newest first) and on the server (OR TEXT … TEXT …), beside the other words.
    expect(await page.getByTestId('search-input').getAttribute('title')).toContain('a OR b');
    await search(`${WORD} jam OR pie`);
    await expect.poll(() => rows().locator('.subject').allInnerTexts(), { timeout: 10_000 }).toEqual(['Recent note', 'Old archive letter']);
    await serverSearch(2);
    await search(`${WORD} smoothie OR "pie recipe"`);
    await expect.poll(() => resultRow('Old archive letter').count(), { timeout: 10_000 }).toBe(1);
    await serverSearch(2); // the server has "Just arrived" (smoothie) too, not stored here
    expect((await rows().locator('.subject').allInnerTexts()).sort()).toEqual(['Just arrived', 'Old archive letter']);
    await screenshot(page, 'search-or');
  });

  it('ends a search with Esc, from its results or from the box, leaving the keyboard in the folder’s list', async () => {
    const focused = () => page.locator(':focus').getAttribute('data-testid');
    await page.getByTestId('search-input').fill(WORD);
    await expect.poll(() => resultRow('Recent note').count(), { timeout: 10_000 }).toBe(1);
    await resultRow('Recent note').click();
    expect(await focused()).toBe('search-results');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('search-input').inputValue()).toBe('');
    await expect.poll(focused).toBe('message-list');
    await page.keyboard.press('/');
    await page.keyboard.type(WORD);
    await expect.poll(() => resultRow('Recent note').count(), { timeout: 10_000 }).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('search-input').inputValue()).toBe('');
    await expect.poll(focused).toBe('message-list');
    // And j moves in the list at once.
    await page.keyboard.press('j');
    await expect.poll(() => page.getByTestId('message-list').locator('[aria-selected="true"]').count()).toBe(1);
  });

  it('searches every folder on the server, passing over one deleted there meanwhile', async () => {
    await other.mailboxCreate('Elsewhere');
    await other.mailboxCreate('Doomed');
    await call('sync.run', { accountId }); // both listed, empty
    // Arrived after the sync: only the server has them, in two folders.
    await other.append('Elsewhere', mail('Filed elsewhere', `A ${WORD} filed in another folder.`, recent), ['\\Seen'], recent);
    await other.append('Doomed', mail('Doomed note', `A ${WORD} in a folder about to go.`, recent), ['\\Seen'], recent);
    await other.mailboxDelete('Doomed');
    await folder('INBOX').click();
    await page.getByTestId('search-input').fill(`${WORD} filed`);
    await expect.poll(() => page.getByText('Nothing found on this computer.').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByTestId('search-server').click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Server search finished' }).innerText(), { timeout: 20_000 })
      .toBe('Server search finished: 1 found.');
    expect(await onlyOnServer().locator('.subject').allInnerTexts()).toEqual(['Filed elsewhere']);
    expect(await onlyOnServer().getByTestId('row-folder').innerText()).toBe('Elsewhere');
    await page.keyboard.press('Escape');
  });

  it('says in the search’s own words when the server search fails, and keeps the local results', async () => {
    await folder('INBOX').click();
    await page.getByTestId('search-input').fill(WORD);
    await expect.poll(() => resultRow('Recent note').count(), { timeout: 10_000 }).toBe(1);
    // The server refuses the password from now on (changed elsewhere), and the open connection is cut.
    const passwd = path.join(path.dirname(server.configPath), 'passwd');
    const before = await readFile(passwd, 'utf8');
    await writeFile(passwd, before.replace(`${USER}:{PLAIN}${grace.password}:`, `${USER}:{PLAIN}changed-${grace.password}:`));
    try {
      await promisify(execFile)('doveadm', ['-c', server.configPath, 'kick', USER]);
      await page.getByTestId('search-server').click();
      await expect
        .poll(() => page.getByTestId('search-server-error').innerText(), { timeout: 20_000 })
        .toMatch(/^The server search failed: The server refused the user name or password/);
      expect(await resultRow('Recent note').count()).toBe(1);
    } finally {
      await writeFile(passwd, before);
    }
    await page.keyboard.press('Escape');
  });

  it('shows results when the search is typed on the account’s page (no folder open): INBOX opens with them', async () => {
    await page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-kind="account"]`).click();
    await expect.poll(() => page.getByTestId('message-list').count()).toBe(0);
    await page.getByTestId('search-input').fill(WORD);
    await expect.poll(() => resultRow('Recent note').count(), { timeout: 10_000 }).toBe(1);
    expect(await folder('INBOX').getAttribute('aria-selected')).toBe('true');
  });
});
