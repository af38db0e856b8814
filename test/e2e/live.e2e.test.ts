// Live updates end to end: with INBOX open, a message selected and the list scrolled, "the other
// device" (a second IMAP client) appends, flags, unflags, marks seen and expunges (and files mail in
// another open folder, which gets push too). The list follows
// through background sync (IDLE) and engine events, without a reload, and keeps the selection and
// the rows in view (mail arriving above them does not push them down), except at the very top. ivan's account in the e2e project's own Dovecot is this file's.
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { connectImap, trustedAccountInput } from '../dovecot/client.js';
import { addAccountAndOpen, closeAll, invoke, screenshot, startTegamiWeb, type TegamiWeb } from './browser.js';

const server = inject('dovecot');
const USER = 'ivan';
const ivan = server.users.find((u) => u.user === USER)!;

let browser: Browser;
let tegami: TegamiWeb;
let page: Page;
let other: ImapFlow; // "the other device"
const requests: string[] = [];
let accountId = 0;
let loads = 0;

const COUNT = 60;
const name = (n: number) => `Live ${String(n).padStart(2, '0')}`;

/** Message n is dated n minutes after a fixed start: newest first, "Live 60" is the top row. */
function mail(subject: string, minute: number): string {
  return [
    'From: Other Device <other@example.com>',
    `To: ${ivan.email}`,
    `Subject: ${subject}`,
    `Date: ${new Date(Date.UTC(2026, 1, 1, 8, minute)).toUTCString()}`,
    `Message-ID: <${subject.replace(/\W/g, '')}.${minute}@live.e2e.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    `Body of ${subject}.`,
    '',
  ].join('\r\n');
}

/** Runs `fn` on the other device's INBOX. */
async function onServer(fn: () => Promise<unknown>): Promise<void> {
  const lock = await other.getMailboxLock('INBOX');
  try {
    await fn();
  } finally {
    lock.release();
  }
}

const folder = (p: string) => page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="${p}"]`);
const list = () => page.getByTestId('message-list');
const rows = () => list().locator('[data-testid="message-row"]');
const row = (subject: string) => rows().filter({ has: page.locator('.subject', { hasText: new RegExp(`^${subject}$`) }) });
const scrollTop = () => list().evaluate((el) => el.scrollTop);
/** The subject of the row at the top of the list's viewport. */
const topRowInView = () =>
  list().evaluate((el) => {
    const top = el.getBoundingClientRect().top + (el.querySelector('.msg-header')?.getBoundingClientRect().height ?? 0);
    const inView = [...el.querySelectorAll('[data-testid="message-row"]')]
      .map((r) => ({ r, y: r.getBoundingClientRect().top }))
      .filter(({ y }) => y >= top - 1)
      .sort((a, b) => a.y - b.y)[0];
    return inView?.r.querySelector('.subject')?.textContent ?? null;
  });
const selectedSubjects = () => list().locator('[data-testid="message-row"][aria-selected="true"] .subject').allInnerTexts();

beforeAll(async () => {
  tegami = await startTegamiWeb();
  other = await connectImap(server, USER, 'tls');
  for (let n = 1; n <= COUNT; n++) {
    // 41 is flagged (to be unflagged), 45 is unread (to be marked seen); the rest are read.
    const flags = n === 41 ? ['\\Seen', '\\Flagged'] : n === 45 ? [] : ['\\Seen'];
    await other.append('INBOX', mail(name(n), n), flags);
  }
  await other.mailboxCreate('Projects');
  await other.append('Projects', mail('Project kickoff', 1), ['\\Seen']);
  ({ accountId, browser, page } = await addAccountAndOpen(tegami, server, USER, requests, {
    // As browser mode runs it: one long-lived connection per account that IDLEs on INBOX.
    beforeOpen: () => tegami.engine.startBackgroundSync?.(),
    onPage: (p) => p.on('load', () => loads++),
  }));
});

afterAll(async () => {
  await closeAll({ browser, other, tegami });
});

describe('live updates in the browser', () => {
  it('follows another client’s changes without a reload, keeping the selection and the scroll position', async () => {
    await folder('INBOX').click();
    await expect.poll(() => list().getAttribute('aria-rowcount'), { timeout: 20_000 }).toBe(String(COUNT + 1));
    await expect.poll(() => page.getByTestId('sync-status').first().getAttribute('data-state'), { timeout: 20_000 }).toBe('idle');

    // Scroll so that "Live 60" … "Live 51" are above the viewport, and select "Live 43".
    await list().evaluate((el) => {
      el.scrollTop = 10 * 34;
    });
    await expect.poll(() => row('Live 60').count()).toBe(0);
    await row('Live 43').click();
    await expect.poll(() => page.getByTestId('reader-subject').innerText(), { timeout: 10_000 }).toBe('Live 43');
    await expect.poll(() => page.getByTestId('message-text').innerText(), { timeout: 10_000 }).toContain('Body of Live 43.');
    const top = await scrollTop();
    expect(top).toBe(340);
    expect(await row('Live 42').locator('.mark.flag').count()).toBe(0);
    expect(await row('Live 41').locator('.mark.flag').count()).toBe(1);
    expect(await row('Live 45').getAttribute('class')).toContain('unread');
    expect(await row('Live 44').count()).toBe(1);
    expect(await topRowInView()).toBe('Live 50');
    const loadsBefore = loads;

    // The other device: new mail, a flag, an unflag, a message read, and one expunged.
    await other.append('INBOX', mail('Live new from the other device', 61), []);
    await onServer(async () => {
      await other.messageFlagsAdd({ header: { subject: name(42) } }, ['\\Flagged']);
      await other.messageFlagsRemove({ header: { subject: name(41) } }, ['\\Flagged']);
      await other.messageFlagsAdd({ header: { subject: name(45) } }, ['\\Seen']);
      await other.messageDelete({ header: { subject: name(44) } });
    });

    // Within a few seconds, with no reload: one more and one less row.
    await expect.poll(() => row('Live 44').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => row('Live 42').locator('.mark.flag').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => row('Live 41').locator('.mark.flag').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => row('Live 45').getAttribute('class'), { timeout: 10_000 }).toMatch(/\bread\b/);
    await expect.poll(() => list().getAttribute('aria-rowcount'), { timeout: 10_000 }).toBe(String(COUNT + 1));
    expect(loads).toBe(loadsBefore);

    // The selection and the reading pane stay on "Live 43", and the view did not move: "Live 50" is
    // still the top row in view (the list scrolled by the one row that arrived above it).
    expect(await selectedSubjects()).toEqual(['Live 43']);
    expect(await page.getByTestId('reader-subject').innerText()).toBe('Live 43');
    await expect.poll(topRowInView).toBe('Live 50');
    expect(await scrollTop()).toBe(top + 34);
    await expect.poll(() => row('Live 43').isVisible()).toBe(true);
    await screenshot(page, 'live-updated');

    // The new message is the top row.
    await list().evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect.poll(() => rows().first().locator('.subject').innerText()).toBe('Live new from the other device');
    expect(await rows().first().getAttribute('class')).toContain('unread');
    expect(requests).toEqual([]);
  });

  it('shows new mail at the top when the list is scrolled to the top', async () => {
    expect(await scrollTop()).toBe(0);
    await other.append('INBOX', mail('Live newest', 62), []);
    await expect.poll(() => rows().first().locator('.subject').innerText(), { timeout: 10_000 }).toBe('Live newest');
    expect(await scrollTop()).toBe(0);
    expect(await selectedSubjects()).toEqual(['Live 43']);
  });

  it('drops the selection when the other device expunges the selected message', async () => {
    await row('Live 58').click();
    await expect.poll(() => page.getByTestId('reader-subject').innerText(), { timeout: 10_000 }).toBe('Live 58');
    await onServer(() => other.messageDelete({ header: { subject: name(58) } }));
    await expect.poll(() => row('Live 58').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(selectedSubjects).toEqual([]);
    await expect.poll(() => page.getByTestId('reader-subject').count()).toBe(0);
    // The pane says why it went blank; the next message clicked takes the note away.
    expect(await page.getByTestId('reader-gone').innerText()).toBe('The message you were reading was moved or deleted on another device.');
    await row('Live 57').click();
    await expect.poll(() => page.getByTestId('reader-subject').innerText(), { timeout: 10_000 }).toBe('Live 57');
    expect(await page.getByTestId('reader-gone').count()).toBe(0);
  });

  it('shows mail another device files in the open folder at once, though it is not INBOX (a connection idles there)', async () => {
    await folder('Projects').click();
    await expect.poll(() => row('Project kickoff').count(), { timeout: 10_000 }).toBe(1);
    // The folders are polled every 2 minutes: only the push brings these within seconds.
    await other.append('Projects', mail('Filed by the other device', 70), []);
    await expect.poll(() => row('Filed by the other device').count(), { timeout: 5000 }).toBe(1);
    expect(await row('Filed by the other device').getAttribute('class')).toContain('unread');
    const lock = await other.getMailboxLock('Projects');
    try {
      await other.messageFlagsAdd({ header: { subject: 'Project kickoff' } }, ['\\Flagged']);
    } finally {
      lock.release();
    }
    await expect.poll(() => row('Project kickoff').locator('.mark.flag').count(), { timeout: 5000 }).toBe(1);
    // INBOX keeps its push meanwhile: its unread badge follows new mail.
    const badge = () => folder('INBOX').locator('.badge').innerText();
    const before = Number(await badge());
    await other.append('INBOX', mail('Live while in Projects', 63), []);
    await expect.poll(async () => Number(await badge()), { timeout: 5000 }).toBe(before + 1);
    await folder('INBOX').click();
    await expect.poll(() => row('Live while in Projects').count(), { timeout: 10_000 }).toBe(1);
  });

  it('reconnects at once on “Retry now”, before the retry time, when the network is back', async () => {
    // A TCP relay to Dovecot stands for the network: closed, nothing answers (the account goes
    // offline and backs off); open again on the same port, the user need not wait out the backoff.
    const sockets = new Set<Socket>();
    const relay = createServer((client) => {
      const upstream = connect(server.imapsPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => (client.destroy(), upstream.destroy()));
      }
      client.pipe(upstream).pipe(client);
    });
    const listen = (port: number) => new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    await listen(0);
    const port = (relay.address() as AddressInfo).port;
    const bob = await invoke<{ id: number }>(
      tegami,
      'accounts.add',
      trustedAccountInput({ ...server, imapsPort: port }, 'bob', 'Bob via relay'),
    );
    const status = page.locator(`[data-testid="sync-status"]`).filter({ hasText: 'Bob via relay' });
    const retryIn = async () => {
      const s = (await invoke<{ accountId: number; retryAt: string | null }[]>(tegami, 'sync.status', {})).find(
        (x) => x.accountId === bob.id,
      );
      return s?.retryAt ? Date.parse(s.retryAt) - Date.now() : 0;
    };
    try {
      await expect.poll(() => status.getAttribute('data-state'), { timeout: 20_000 }).toBe('idle');
      expect(await status.getByTestId('retry-now').count()).toBe(0);

      relay.close(); // no new connections; those open are cut at once
      for (const s of sockets) s.destroy();
      await expect.poll(() => status.getAttribute('data-state'), { timeout: 20_000 }).toBe('offline');
      // Backoff doubles (1 s, 2 s, 4 s …): wait for a retry at least 5 s away.
      await expect.poll(retryIn, { timeout: 30_000, interval: 250 }).toBeGreaterThan(5000);
      await screenshot(page, 'live-offline-retry-now');
      await listen(port);
      const clicked = Date.now();
      const due = clicked + (await retryIn());
      await status.getByTestId('retry-now').click();
      await expect.poll(() => status.getAttribute('data-state'), { timeout: 4000 }).toBe('idle');
      expect(Date.now()).toBeLessThan(due);
    } finally {
      await invoke(tegami, 'accounts.remove', { accountId: bob.id }).catch(() => undefined);
      for (const s of sockets) s.destroy();
      relay.close();
    }
  });
});
