import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, startTegamiWeb, type TegamiWeb } from './browser.js';

const server = inject('dovecot');
const alice = server.users.find((u) => u.user === 'alice')!;
const bob = server.users.find((u) => u.user === 'bob')!;

let browser: Browser;
let tegami: TegamiWeb;
let page: Page;

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function fill(
  fields: Partial<Record<'Account name' | 'Email address' | 'User name' | 'Server (IMAP)' | 'Port' | 'Password', string>>,
  security?: 'tls' | 'starttls' | 'none',
) {
  const form = page.getByTestId('account-form');
  if (security) await form.getByLabel('Security').selectOption(security);
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label, { exact: true }).fill(value);
}

async function submitAndExpectError(code: string) {
  await page.getByRole('button', { name: 'Add account' }).click();
  const error = page.getByTestId('account-error');
  await expect.poll(() => error.getAttribute('data-error-code'), { timeout: 20_000 }).toBe(code);
  return error;
}

const storedAccounts = async () => {
  const r = await tegami.engine.invoke('accounts.list', {});
  return r.ok ? (r.value as unknown[]).length : -1;
};

beforeAll(async () => {
  tegami = await startTegamiWeb();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(tegami.web.url);
});

afterAll(async () => {
  await browser?.close();
  await tegami?.close();
});

describe('adding an account in the browser', () => {
  it('opens on the account form when there is no account', async () => {
    await expect.poll(() => page.getByTestId('account-form').isVisible()).toBe(true);
    // The token left the address bar once the page had it.
    expect(page.url()).not.toContain('token=');
  });

  it('says nothing answers on a closed port, and stores nothing', async () => {
    await fill(
      {
        'Account name': 'Alice',
        'Email address': alice.email,
        'User name': alice.user,
        'Server (IMAP)': server.host,
        Port: String(await closedPort()),
        Password: alice.password,
      },
      'tls',
    );
    const error = await submitAndExpectError('CONNECTION_REFUSED');
    await expect.poll(() => error.innerText()).toMatch(/127\.0\.0\.1:\d+/);
    await screenshot(page, 'account-closed-port');
    expect(await storedAccounts()).toBe(0);
  });

  it('shows the SHA-256 fingerprint of the self-signed certificate, and stores nothing', async () => {
    await fill({ Port: String(server.imapsPort), Password: 'not-the-password' });
    await submitAndExpectError('TLS_UNTRUSTED');
    const panel = page.getByTestId('certificate-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const shown = (await page.getByTestId('certificate-fingerprint').innerText()).replace(/\s+/g, '');
    expect(shown.replace(/:/g, '')).toBe(server.certFingerprint256.replace(/:/g, ''));
    await page.getByRole('button', { name: /Trust this certificate/ }).scrollIntoViewIfNeeded();
    await screenshot(page, 'account-certificate');
    expect(await storedAccounts()).toBe(0);
  });

  it('says the password is wrong once the certificate is trusted, and stores nothing', async () => {
    await page.getByRole('button', { name: /Trust this certificate/ }).click();
    const error = page.getByTestId('account-error');
    await expect.poll(() => error.getAttribute('data-error-code'), { timeout: 20_000 }).toBe('AUTH_FAILED');
    await expect.poll(() => error.innerText()).toMatch(/password/i);
    await screenshot(page, 'account-wrong-password');
    expect(await storedAccounts()).toBe(0);
  });

  it('refuses STARTTLS when the server does not offer it', async () => {
    await fill({ Port: String(server.noStarttlsPort), Password: alice.password }, 'starttls');
    await fill({ Port: String(server.noStarttlsPort) });
    await submitAndExpectError('STARTTLS_UNAVAILABLE');
    expect(await storedAccounts()).toBe(0);
  });

  it('says the TLS port sent no greeting when STARTTLS is chosen for it, and offers TLS on that port', async () => {
    await fill({ Port: String(server.imapsPort), Password: alice.password }, 'starttls');
    await fill({ Port: String(server.imapsPort) });
    const error = await submitAndExpectError('NO_GREETING');
    expect(await error.innerText()).toContain('This port may expect implicit TLS');
    await error.getByRole('button', { name: `Use TLS on port ${server.imapsPort}` }).click();
    const form = page.getByTestId('account-form');
    expect(await form.getByLabel('Security').inputValue()).toBe('tls');
    expect(await form.getByLabel('Port', { exact: true }).inputValue()).toBe(String(server.imapsPort));
    expect(await page.getByTestId('account-error').count()).toBe(0);
    expect(await storedAccounts()).toBe(0);
  });

  it('says the handshake failed when TLS is chosen for the STARTTLS port, and offers STARTTLS on that port', async () => {
    await fill({ Port: String(server.imapPort), Password: alice.password }, 'tls');
    await fill({ Port: String(server.imapPort) });
    const error = await submitAndExpectError('TLS_FAILED');
    expect(await error.innerText()).toContain('choose STARTTLS');
    await error.getByRole('button', { name: `Use STARTTLS on port ${server.imapPort}` }).click();
    const form = page.getByTestId('account-form');
    expect(await form.getByLabel('Security').inputValue()).toBe('starttls');
    expect(await form.getByLabel('Port', { exact: true }).inputValue()).toBe(String(server.imapPort));
    expect(await page.getByTestId('account-error').count()).toBe(0);
    expect(await storedAccounts()).toBe(0);
  });

  it('adds the account with the right password and shows the folder tree', async () => {
    await fill({ Port: String(server.imapsPort), Password: alice.password }, 'tls');
    await fill({ Port: String(server.imapsPort) });
    await page.getByRole('button', { name: 'Add account' }).click();
    // The certificate the user trusted for this server is not asked about again.
    const tree = page.getByTestId('folder-tree');
    await expect.poll(() => tree.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await storedAccounts()).toBe(1);

    const item = (p: string) => tree.locator(`[role="treeitem"][data-path="${p}"]`);
    await expect.poll(() => item('INBOX').isVisible()).toBe(true);
    for (const p of ['Drafts', 'Sent', 'Archive', 'Junk', 'Trash', '仕事', '旅行']) {
      await expect.poll(() => item(p).count(), { message: p }).toBe(1);
    }
    // INBOX first, then the special-use folders, then the others.
    const order = await tree.locator('[role="treeitem"][data-path]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
    expect(order.indexOf('INBOX')).toBeLessThan(order.indexOf('Sent'));
    expect(order.indexOf('Sent')).toBeLessThan(order.indexOf('仕事'));
    // A Japanese-named folder shows its decoded name, and its child once expanded.
    expect(await item('仕事').innerText()).toContain('仕事');
    if ((await item('仕事/請求書').count()) === 0 || !(await item('仕事/請求書').isVisible())) {
      await item('仕事').click();
      await page.keyboard.press('ArrowRight');
    }
    await expect.poll(() => item('仕事/請求書').isVisible()).toBe(true);
    expect(await item('仕事/請求書').innerText()).toContain('請求書');
    // Shared and other users' folders, in their own sections (not subscribed: shown with "All folders").
    if ((await item('Public/Announcements').count()) === 0) await page.getByTestId('show-all-folders').check();
    await expect.poll(() => tree.innerText()).toMatch(/Shared folders/i);
    await expect.poll(() => tree.innerText()).toMatch(/Other users/i);
    await expect.poll(() => item('Public/Announcements').count()).toBe(1);
    await expect.poll(() => item('Other/bob/Shared').count()).toBe(1);
    await screenshot(page, 'folder-tree');
  });

  it('shows the account form in Japanese, in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('settings-button').click();
    await page.getByTestId('language-select').selectOption('ja');
    await page.getByTestId('settings-button').click();
    await expect.poll(() => page.getByTestId('add-account-button').innerText()).toContain('アカウントを追加');
    await page.getByTestId('add-account-button').click();
    const form = page.getByTestId('account-form');
    await expect.poll(() => form.isVisible()).toBe(true);
    // Nothing filled in: every required field says what it wants, in Japanese.
    await form.getByRole('button', { name: 'アカウントを追加' }).click();
    await expect.poll(() => form.locator('.field-error').first().innerText()).toBe('アカウント名を入力してください');
    expect(await form.getByLabel('メールアドレス', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'account-form-dark-ja');
    // A wrong port and an untrusted certificate: the engine's errors and the certificate panel too.
    await form.getByLabel('アカウント名', { exact: true }).fill('Bob');
    await form.getByLabel('メールアドレス', { exact: true }).fill(bob.email);
    await form.getByLabel('ユーザー名', { exact: true }).fill(bob.user);
    await form.getByLabel('サーバー（IMAP）', { exact: true }).fill(server.host);
    await form.getByLabel('ポート', { exact: true }).fill(String(await closedPort()));
    await form.getByLabel('パスワード', { exact: true }).fill('not-the-password');
    await form.getByRole('button', { name: 'アカウントを追加' }).click();
    const error = page.getByTestId('account-error');
    await expect.poll(() => error.getAttribute('data-error-code'), { timeout: 20_000 }).toBe('CONNECTION_REFUSED');
    expect(await error.innerText()).toContain('から応答がありません');
    await form.getByLabel('ポート', { exact: true }).fill(String(server.imapsPort));
    await form.getByRole('button', { name: 'アカウントを追加' }).click();
    await expect.poll(() => error.getAttribute('data-error-code'), { timeout: 20_000 }).toBe('TLS_UNTRUSTED');
    await expect.poll(() => page.getByTestId('certificate-panel').innerText()).toContain('SHA-256 フィンガープリント');
    await page.getByRole('button', { name: 'このアカウントでこの証明書を信頼する' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'account-certificate-dark-ja');
    expect(await storedAccounts()).toBe(1);
    await page.getByTestId('certificate-panel').getByRole('button', { name: 'キャンセル' }).click();
    await form.getByRole('button', { name: 'キャンセル' }).click();
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('settings-button').click();
    await page.getByTestId('language-select').selectOption('en');
    await page.getByTestId('settings-button').click();
  });
});
