// Debian's Chromium driven by playwright-core (never a downloaded browser), and a browser-mode
// Tegami (engine + web server) on loopback with a fresh profile, for end-to-end tests.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { MemoryCredentialStore } from '../../electron/engine/credentials.js';
import { openEngine, type Engine } from '../../electron/engine/index.js';
import { appRoot } from '../../electron/engine/paths.js';
import { startWebServer, type WebServer } from '../../electron/web/server.js';

export const chromiumPath = process.env.TEGAMI_CHROMIUM ?? '/usr/bin/chromium';
export const outputDir = path.join(appRoot(), 'test-output', 'e2e');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`The end-to-end tests need Chromium at ${chromiumPath}: sudo apt-get install -y chromium fonts-noto-cjk`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
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
