// Debian's Chromium driven by playwright-core (never a downloaded browser), and a browser-mode
// Tegami (engine + web server) on loopback with a fresh profile, for end-to-end tests.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { MemoryCredentialStore } from '../../electron/engine/credentials.js';
import { openEngine, type Engine } from '../../electron/engine/index.js';
import { appRoot } from '../../electron/engine/paths.js';
import { startWebServer, type WebServer } from '../../electron/web/server.js';
import { trustedAccountInput } from '../dovecot/client.js';
import type { DovecotConnectionInfo } from '../dovecot/server.js';

export const chromiumPath = process.env.TEGAMI_CHROMIUM ?? '/usr/bin/chromium';
export const outputDir = path.join(appRoot(), 'test-output', 'e2e');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`The end-to-end tests need Chromium at ${chromiumPath}: sudo apt-get install -y chromium fonts-noto-cjk`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Real scrollbars that take layout space, as on a desktop (Playwright hides them in headless
    // mode): layout bugs such as a horizontal scrollbar eating a frame's height show up here.
    ignoreDefaultArgs: ['--hide-scrollbars'],
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface TegamiWeb {
  engine: Engine;
  web: WebServer;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTegamiWeb(): Promise<TegamiWeb> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-e2e-'));
  const engine = await openEngine({ dataDir, host: 'web', credentials: new MemoryCredentialStore(), version: 'e2e' });
  const web = await startWebServer({ engine, rendererDir: path.join(appRoot(), 'dist', 'renderer'), filesRoot: dataDir });
  return {
    engine,
    web,
    dataDir,
    async close() {
      await web.close();
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(outputDir, { recursive: true });
  const file = path.join(outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * A browser context and page on browser-mode Tegami in which nothing but the app itself reaches
 * the network: every other request is recorded in `requests` and aborted, and a page error fails
 * the test.
 */
export async function openAppPage(
  browser: Browser,
  tegami: TegamiWeb,
  requests: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: 'en-US', colorScheme: 'light' });
  const origin = new URL(tegami.web.url).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin)) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith(origin)) requests.push(r.url());
  });
  page.on('pageerror', (e) => {
    throw e;
  });
  return { context, page };
}

/** Invokes an engine request directly (no browser), throwing on an error result. */
export async function invoke<T>(tegami: TegamiWeb, request: string, input: unknown): Promise<T> {
  const r = (await tegami.engine.invoke(request, input)) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!r.ok) throw new Error(`${request}: ${r.error.message}`);
  return r.value;
}

/**
 * Adds the test Dovecot's `userName` as an account (TLS, its certificate trusted, named like the
 * user: "frank" → "Frank") and syncs it once. Returns the account id.
 */
export async function addAccount(tegami: TegamiWeb, server: DovecotConnectionInfo, userName: string, name?: string): Promise<number> {
  const added = await invoke<{ id: number }>(tegami, 'accounts.add', trustedAccountInput(server, userName, name));
  await invoke(tegami, 'sync.run', { accountId: added.id });
  return added.id;
}

/**
 * The common start of a browser test: `userName`'s account added and synced (see addAccount),
 * Chromium on the app (see openAppPage), and the account's INBOX shown in the folder tree.
 * `beforeOpen` runs once the account is synced, before the browser starts; `onPage` runs before the
 * page loads, to add listeners.
 */
export async function addAccountAndOpen(
  tegami: TegamiWeb,
  server: DovecotConnectionInfo,
  userName: string,
  requests: string[],
  options: { beforeOpen?: () => unknown; onPage?: (page: Page) => void } = {},
): Promise<{ accountId: number; browser: Browser; page: Page }> {
  const accountId = await addAccount(tegami, server, userName);
  await options.beforeOpen?.();
  const browser = await launchChromium();
  try {
    const { page } = await openAppPage(browser, tegami, requests);
    options.onPage?.(page);
    await page.goto(tegami.web.url);
    await page.locator(`[role="treeitem"][data-account-id="${accountId}"][data-path="INBOX"]`).waitFor({ timeout: 20_000 });
    return { accountId, browser, page };
  } catch (err) {
    // The caller never gets the browser to close in its afterAll.
    await browser.close();
    throw err;
  }
}

/** The common end of a browser test: closes what is open (any of it may be missing after a failed start). */
export async function closeAll({ browser, other, tegami }: { browser?: Browser; other?: ImapFlow; tegami?: TegamiWeb }): Promise<void> {
  await browser?.close();
  await other?.logout().catch(() => undefined);
  await tegami?.close();
}
