// Attachments of any type, and a whole message as .eml, saved from browser mode: the browser's
// download must hold exactly the original bytes, under the attachment's own name. The request the
// page makes carries the run's token in a header, never in a URL. frank's account in the e2e
// project's own Dovecot is this file's.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { connectImap } from '../dovecot/client.js';
import { addAccountAndOpen, closeAll, screenshot, startTegamiWeb, type TegamiWeb } from './browser.js';

const server = inject('dovecot');
const USER = 'frank';
const frank = server.users.find((u) => u.user === USER)!;

let browser: Browser;
let tegami: TegamiWeb;
let page: Page;
let other: ImapFlow;
const requests: string[] = [];
const partUrls: string[] = [];
let accountId = 0;

// Every byte value, then random bytes: a PDF of about 1.5 MB (fetched from the server in ranges).
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(1_500_000)]);
const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(40_000)]);
const html = '<!doctype html><script>alert("x")</script><p>Not rendered, only saved</p>\n';
const PDF_NAME = '見積書 Q3 (final).pdf';
const SUBJECT = 'Files for you (e2e)';

const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '');
const rfc2231 = (name: string) =>
  `UTF-8''${encodeURIComponent(name).replace(/['()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

function attachmentMail(): string {
  return [
    'From: Sender <sender@example.com>',
    `To: ${frank.email}`,
    `Subject: ${SUBJECT}`,
    `Date: ${new Date().toUTCString()}`,
    'Message-ID: <files.e2e@tegami.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'Three files attached.',
    '--b1',
    'Content-Type: application/pdf',
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename*=${rfc2231(PDF_NAME)}`,
    '',
    b64(pdf),
    '--b1',
    'Content-Type: application/zip; name="archive.zip"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="archive.zip"',
    '',
    b64(zip),
    '--b1',
    'Content-Type: text/html; charset=UTF-8; name="page.html"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="page.html"',
    '',
    b64(Buffer.from(html)),
    '--b1--',
    '',
  ].join('\r\n');
}

const GONE = 'Deleted elsewhere (e2e)';
function goneMail(): string {
  return [
    'From: Sender <sender@example.com>',
    `To: ${frank.email}`,
    `Subject: ${GONE}`,
    `Date: ${new Date(Date.now() - 3600_000).toUTCString()}`,
    'Message-ID: <gone.e2e@tegami.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b2"',
    '',
    '--b2',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'One file attached.',
    '--b2',
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="data.bin"',
    '',
    // Larger than the mirror keeps whole (sync/mirror.ts MIRROR_MAX_BYTES): the file comes from the server.
    b64(randomBytes(150_000)),
    '--b2--',
    '',
  ].join('\r\n');
}

const folder = (p: string) => page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="${p}"]`);
const attachment = (name: string) => page.getByTestId('attachment').filter({ hasText: name });

async function save(trigger: () => Promise<void>): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), trigger()]);
  const file = await download.path();
  return { download, bytes: readFileSync(file) };
}

beforeAll(async () => {
  tegami = await startTegamiWeb();
  other = await connectImap(server, USER, 'tls');
  await other.append('INBOX', attachmentMail(), ['\\Seen']);
  await other.append('INBOX', goneMail(), ['\\Seen']);
  ({ accountId, browser, page } = await addAccountAndOpen(tegami, server, USER, requests, {
    onPage: (p) =>
      p.on('request', (r) => {
        if (r.url().includes('/api/part')) partUrls.push(r.url());
      }),
  }));
});

afterAll(async () => {
  await closeAll({ browser, other, tegami });
});

describe('saving files in the browser', () => {
  it('offers Save for every attachment, and no Open (a browser cannot open files)', async () => {
    await folder('INBOX').click();
    await page.getByTestId('message-list').locator('[data-testid="message-row"]').filter({ hasText: SUBJECT }).click();
    await expect.poll(() => page.getByTestId('attachment').count(), { timeout: 20_000 }).toBe(3);
    expect(await page.getByTestId('attachment-save').count()).toBe(3);
    expect(await page.getByTestId('attachment-open').count()).toBe(0);
    await screenshot(page, 'files-attachments');
  });

  it('saves a 1.5 MB PDF with its exact bytes under its Japanese name', async () => {
    const { download, bytes } = await save(() => attachment(PDF_NAME).getByTestId('attachment-save').click());
    expect(download.suggestedFilename()).toBe(PDF_NAME);
    expect(bytes.length).toBe(pdf.length);
    expect(bytes.equals(pdf)).toBe(true);
    await expect.poll(() => attachment(PDF_NAME).getByTestId('attachment-state').innerText()).toBe('Saved to your downloads');
    // The token travelled in a header: no URL the page asked for has it.
    expect(partUrls.length).toBeGreaterThan(0);
    expect(partUrls.some((u) => u.includes(tegami.web.token))).toBe(false);
    await screenshot(page, 'files-saved');
  });

  it('saves a zip with its exact bytes', async () => {
    const { download, bytes } = await save(() => attachment('archive.zip').getByTestId('attachment-save').click());
    expect(download.suggestedFilename()).toBe('archive.zip');
    expect(bytes.equals(zip)).toBe(true);
  });

  it('saves an HTML attachment as a file, without rendering it', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const { download, bytes } = await save(() => attachment('page.html').getByTestId('attachment-save').click());
    expect(download.suggestedFilename()).toBe('page.html');
    expect(bytes.toString('utf8')).toBe(html);
    expect(dialogs).toEqual([]);
    expect(page.context().pages()).toHaveLength(1);
  });

  it('shows the message source, and hides it again', async () => {
    await page.getByTestId('view-source').click();
    await expect.poll(() => page.getByTestId('message-source').innerText(), { timeout: 20_000 }).toContain(`Subject: ${SUBJECT}`);
    const text = await page.getByTestId('message-source').innerText();
    expect(text).toContain('Content-Type: multipart/mixed; boundary="b1"');
    expect(text).toContain(`filename*=${rfc2231(PDF_NAME)}`);
    expect(await page.getByTestId('view-source').getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'files-view-source');
    await page.getByTestId('view-source').click();
    await expect.poll(() => page.getByTestId('message-source').count()).toBe(0);
    expect(await page.getByTestId('message-text').innerText()).toContain('Three files attached.');
  });

  it('saves the whole message as .eml, byte for byte what the server has', async () => {
    const { download, bytes } = await save(() => page.getByTestId('save-eml').click());
    expect(download.suggestedFilename()).toBe(`${SUBJECT}.eml`);
    const lock = await other.getMailboxLock('INBOX');
    let source: Buffer;
    try {
      const [uid] = (await other.search({ header: { 'message-id': '<files.e2e@tegami.test>' } }, { uid: true })) || [];
      const fetched = uid === undefined ? false : await other.fetchOne(String(uid), { source: true }, { uid: true });
      if (!fetched || !fetched.source) throw new Error('The other client could not read the message source');
      source = fetched.source;
    } finally {
      lock.release();
    }
    expect(bytes.equals(source)).toBe(true);
    expect(bytes.toString('latin1')).toContain(`Subject: ${SUBJECT}`);
    expect(requests).toEqual([]);
  });

  it('says why a file cannot be saved when another device deleted the message meanwhile', async () => {
    await page.getByTestId('message-list').locator('[data-testid="message-row"]').filter({ hasText: GONE }).click();
    await expect.poll(() => page.getByTestId('reader-subject').innerText(), { timeout: 10_000 }).toBe(GONE);
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageDelete({ header: { subject: GONE } });
    } finally {
      lock.release();
    }
    let downloads = 0;
    page.on('download', () => downloads++);
    await attachment('data.bin').getByTestId('attachment-save').click();
    await expect
      .poll(() => attachment('data.bin').getByTestId('attachment-error').innerText(), { timeout: 20_000 })
      .toContain('The message is no longer on the server');
    expect(downloads).toBe(0);
    // The button is back, to try again.
    expect(await attachment('data.bin').getByTestId('attachment-save').count()).toBe(1);
    await screenshot(page, 'files-save-failed');
  });

  it('takes screenshots of the attachments in dark mode and in Japanese', async () => {
    await page.getByTestId('message-list').locator('[data-testid="message-row"]').filter({ hasText: SUBJECT }).click();
    await expect.poll(() => page.getByTestId('attachment').count(), { timeout: 10_000 }).toBe(3);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('settings-button').click();
    await page.getByTestId('language-select').selectOption('ja');
    await page.getByTestId('settings-button').click();
    await expect.poll(() => page.getByTestId('attachment-save').first().innerText()).toBe('保存');
    expect(await page.getByTestId('save-eml').getAttribute('title')).toBe('.eml として保存');
    // Another message's failed save stays with that message (rows are keyed by message and part).
    expect(await page.getByTestId('attachment-error').count()).toBe(0);
    await screenshot(page, 'files-attachments-dark-ja');
    // That failure, back on its message, is worded in the language now chosen.
    await page.getByTestId('message-list').locator('[data-testid="message-row"]').filter({ hasText: GONE }).click();
    await attachment('data.bin').getByTestId('attachment-save').click();
    await expect
      .poll(() => attachment('data.bin').getByTestId('attachment-error').innerText(), { timeout: 20_000 })
      .toContain('見つかりませんでした');
    await page.getByTestId('settings-button').click();
    await page.getByTestId('language-select').selectOption('en');
    await page.getByTestId('settings-button').click();
    await expect
      .poll(() => attachment('data.bin').getByTestId('attachment-error').innerText())
      .toContain('The message is no longer on the server');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
