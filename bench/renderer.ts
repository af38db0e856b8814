// The reading app in Chromium (browser mode, Debian's Chromium through playwright-core) on one
// folder of 100,000 messages whose headers the engine synced: folder open (click → first rows
// painted), scrolling the whole list (dropped frames from requestAnimationFrame deltas), opening a
// cached message (click → its text on screen), and the renderer's memory after the scroll (CDP).
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../electron/engine/credentials.js';
import { openEngine } from '../electron/engine/index.js';
import { appRoot } from '../electron/engine/paths.js';
import { startWebServer } from '../electron/web/server.js';
import buildRenderer from '../test/e2e/global-setup.js';
import { launchChromium } from '../test/e2e/browser.js';
import { connectionInfo } from '../test/dovecot/server.js';
import type { Bench, BenchContext } from './lib/bench.js';
import { log, timed, USER } from './lib/fixture.js';
import { outputDir, withProfile } from './lib/profile.js';
import { formatCount, formatMb, formatMs, formatSeconds, percentile, sizeFromEnv, type ResultRow } from './lib/stats.js';

const FOLDER = 'Bulk';
const OPEN_TARGET_MS = 100;
const MESSAGE_TARGET_MS = 50;
const OPEN_RUNS = 7;
const MESSAGE_RUNS = 15;

async function invoke<T>(engine: { invoke(n: string, i: unknown): Promise<unknown> }, name: string, input: unknown): Promise<T> {
  const r = (await engine.invoke(name, input)) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

const median = (v: number[]) => percentile(v, 50);

/** Click the folder; resolve at the frame after its first real row is in the DOM. */
const openFolderScript = `(path) => {
  const item = document.querySelector('[role="treeitem"][data-path="' + path + '"]');
  if (!item) throw new Error('no folder item');
  return new Promise((resolve) => {
    const start = performance.now();
    item.click();
    const check = () => {
      const grid = document.querySelector('[data-testid="message-list"]');
      if (grid && grid.querySelector('[data-testid="message-row"]')) requestAnimationFrame(() => resolve(performance.now() - start));
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}`;

/** Scroll top to bottom, four viewports per frame; frame deltas and frames that showed placeholder rows. */
const scrollScript = `async () => {
  const el = document.querySelector('[data-testid="message-list"]');
  if (!el) throw new Error('no list');
  el.scrollTop = 0;
  const step = el.clientHeight * 4;
  const deltas = [];
  let blankFrames = 0;
  let frames = 0;
  await new Promise((resolve) => {
    let last = performance.now();
    const tick = (now) => {
      deltas.push(now - last);
      last = now;
      frames++;
      if (el.querySelector('.msg-row.placeholder')) blankFrames++;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return resolve();
      el.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const t = performance.now();
  while (el.querySelector('.msg-row.placeholder') && performance.now() - t < 10000) await new Promise((r) => setTimeout(r, 20));
  return { deltas: deltas.slice(1), frames, blankFrames, settle: performance.now() - t, height: el.scrollHeight };
}`;

/** Click row \`index\`; resolve at the frame after its text (or HTML) is on screen. */
const openMessageScript = `(index) => {
  const rows = [...document.querySelectorAll('[data-testid="message-row"]')];
  const row = rows.find((r) => r.getAttribute('aria-rowindex') === String(index + 2));
  if (!row) throw new Error('no row ' + index);
  const id = row.dataset.id;
  return new Promise((resolve) => {
    const start = performance.now();
    row.click();
    const check = () => {
      const reader = document.querySelector('[data-testid="reader"][data-message-id="' + id + '"]');
      const text = reader && reader.querySelector('[data-testid="message-text"]');
      const frame = reader && reader.querySelector('[data-testid="html-frame"]');
      const body = frame && frame.contentDocument && frame.contentDocument.body;
      const shown = (text && text.textContent.length > 0) || (body && body.childElementCount > 0);
      if (shown) requestAnimationFrame(() => resolve(performance.now() - start));
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}`;

/** Wraps WebSocket send/receive: every request's name, when it was sent and when its answer came. */
const ipcTraceScript = `(() => {
  const calls = [];
  window.__ipcTrace = calls;
  const byId = new Map();
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const m = JSON.parse(data);
      if (m && m.id !== undefined) { const c = { name: m.name || m.request || m.type, at: performance.now() }; byId.set(m.id, c); calls.push(c); }
    } catch {}
    if (!this.__traced) {
      this.__traced = true;
      this.addEventListener('message', (e) => {
        try {
          const m = JSON.parse(e.data);
          if (m && m.type === 'event') calls.push({ event: m.event, at: performance.now() });
          const c = m && byId.get(m.id);
          if (c) { c.ms = performance.now() - c.at; byId.delete(m.id); }
        } catch {}
      });
    }
    return send.call(this, data);
  };
})();`;

export const renderer: Bench = {
  name: 'renderer',
  title: 'the reading app in Chromium: folder open, full scroll, cached message open, memory (100k messages)',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = sizeFromEnv(ctx.env, 'RENDERER_N', 100_000, 1000);
    ctx.sizes['renderer messages'] = n;
    const server = await ctx.singleFolderServer(n, FOLDER);
    const info = connectionInfo(server);
    const user = info.users.find((u) => u.user === USER);
    if (!user) throw new Error(`no ${USER}`);
    log('building the renderer …');
    buildRenderer();

    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-bench-renderer-'));
    const engine = await openEngine({ dataDir, host: 'web', credentials: new MemoryCredentialStore(), version: 'bench' });
    const web = await startWebServer({ engine, rendererDir: path.join(appRoot(), 'dist', 'renderer') });
    const browser = await launchChromium();
    try {
      const account = await invoke<{ id: number }>(engine, 'accounts.add', {
        name: 'Bench',
        email: user.email,
        user: user.user,
        host: info.host,
        port: info.imapsPort,
        security: 'tls',
        password: user.password,
        trustCertificate: info.certFingerprint256.toUpperCase(),
      });
      const synced = await timed(() => invoke(engine, 'sync.run', { accountId: account.id }));
      log(`engine header sync of ${formatCount(n)} messages: ${formatSeconds(synced.seconds)} (untimed setup)`);
      const { mailboxes } = await invoke<{ mailboxes: { id: number; path: string }[] }>(engine, 'mailboxes.list', {
        accountId: account.id,
      });
      const bulk = mailboxes.find((m) => m.path === FOLDER);
      if (!bulk) throw new Error(`no ${FOLDER} folder`);
      const { count } = await invoke<{ count: number }>(engine, 'messages.count', { mailboxId: bulk.id });
      if (count !== n) throw new Error(`stored ${count} messages, expected ${n}`);

      // Cache the bodies of the messages the "open" measurement clicks (the first rows of the list).
      const first = await invoke<{ messages: { id: number }[] }>(engine, 'messages.page', { mailboxId: bulk.id, limit: MESSAGE_RUNS + 1 });
      for (const m of first.messages) {
        const d = await invoke<{ textPart: string | null; htmlPart: string | null }>(engine, 'messages.get', { id: m.id });
        const part = d.htmlPart ?? d.textPart;
        if (part) await invoke(engine, 'messages.part', { id: m.id, part });
      }

      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
      // Show every folder (the bulk folder is not subscribed); never mark read (no writes while measuring).
      await context.addInitScript(() => {
        localStorage.setItem('tegami.settings', JSON.stringify({ allFolders: true, markReadDelay: null }));
      });
      // RENDERER_TRACE=1: time every IPC request in the page (sent → answered), to tell engine waits
      // from renderer work (bench-output/renderer-*.ipc.json).
      const trace = ctx.env['RENDERER_TRACE'] === '1';
      if (trace) await context.addInitScript({ content: ipcTraceScript });
      const page = await context.newPage();
      // The measurements run inside the page (this world has no DOM types: they are plain JS source).
      const inPage = <T>(fn: string, arg: unknown) => page.evaluate(`(${fn})(${JSON.stringify(arg)})`) as Promise<T>;
      await page.goto(web.url);
      const bulkItem = page.locator(`[role="treeitem"][data-path="${FOLDER}"]`);
      const inboxItem = page.locator('[role="treeitem"][data-path="INBOX"]');
      await bulkItem.waitFor({ timeout: 30_000 });

      // RENDERER_PROFILE=1: CDP CPU profiles of the folder opens and of the message opens.
      const profiler = ctx.env['RENDERER_PROFILE'] === '1' ? await context.newCDPSession(page) : null;
      const profile = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
        if (profiler) {
          await profiler.send('Profiler.enable');
          await profiler.send('Profiler.setSamplingInterval', { interval: 200 });
          await profiler.send('Profiler.start');
        }
        const result = await fn();
        await mkdir(outputDir, { recursive: true });
        if (profiler) {
          const { profile: p } = await profiler.send('Profiler.stop');
          await writeFile(path.join(outputDir, `renderer-${label}.cpuprofile`), JSON.stringify(p));
        }
        if (trace) {
          const calls = await page.evaluate('window.__ipcTrace.splice(0)');
          await writeFile(path.join(outputDir, `renderer-${label}.ipc.json`), JSON.stringify(calls, null, 1));
        }
        return result;
      };

      // 1. Folder open: click → first real rows painted (the frame after they are in the DOM).
      const opens: number[] = [];
      // BENCH_PROFILE=1: the engine's side of the folder opens too (it runs in this process).
      await withProfile('renderer-engine-folder-open', () =>
        profile('folder-open', async () => {
          for (let i = 0; i < OPEN_RUNS; i++) {
            await inboxItem.click();
            await page.getByTestId('pane-title').filter({ hasText: 'INBOX' }).waitFor();
            await page.waitForTimeout(200);
            if (trace) await page.evaluate(`window.__ipcTrace.push({ mark: 'open ${i}', at: performance.now() })`);
            const ms = await inPage<number>(openFolderScript, FOLDER);
            opens.push(ms);
          }
        }),
      );
      const rowCount = await page.getByTestId('message-list').getAttribute('aria-rowcount');
      log(`folder open (ms): ${opens.map((x) => x.toFixed(1)).join(', ')}; aria-rowcount ${rowCount}`);

      // 2. Scroll the whole list, a constant distance per frame; count frames over 1.5 × 16.7 ms, and
      //    frames that show placeholder rows (the list could not keep up).
      // RENDERER_CHROME_TRACE=1: a Chrome trace of the scroll (style, layout, paint and script per frame),
      // bench-output/renderer-scroll.trace.json (open in chrome://tracing or Perfetto).
      const chromeTrace = ctx.env['RENDERER_CHROME_TRACE'] === '1';
      if (chromeTrace) {
        await mkdir(outputDir, { recursive: true });
        await browser.startTracing(page, {
          path: path.join(outputDir, 'renderer-scroll.trace.json'),
          categories: ['devtools.timeline', 'blink.user_timing', 'v8.execute'],
        });
      }
      const scroll = await profile('scroll', () =>
        inPage<{ deltas: number[]; frames: number; blankFrames: number; settle: number; height: number }>(scrollScript, null),
      );
      if (chromeTrace) await browser.stopTracing();
      const dropped = scroll.deltas.filter((d) => d > 25).length;
      const seconds = scroll.deltas.reduce((a, b) => a + b, 0) / 1000;
      log(
        `scroll: ${scroll.frames} frames in ${formatSeconds(seconds)}, ${dropped} over 25 ms, p95 ${formatMs(percentile(scroll.deltas, 95))}, max ${formatMs(Math.max(...scroll.deltas))}; ${scroll.blankFrames} frames showed placeholders; last page filled ${formatMs(scroll.settle)} after`,
      );

      // 4. Memory after the scroll (before opening messages): JS heap after a GC, DOM nodes.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      await cdp.send('HeapProfiler.collectGarbage');
      const metrics = new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const heap = metrics.get('JSHeapUsedSize') ?? 0;
      const nodes = metrics.get('Nodes') ?? 0;
      log(`renderer memory after the scroll: JS heap ${formatMb(heap)}, ${nodes} DOM nodes`);

      // 3. Open a cached message: click a row → its text (or HTML frame) on screen, next frame.
      await page.evaluate('document.querySelector(\'[data-testid="message-list"]\').scrollTop = 0');
      await page.locator('[data-testid="message-row"]').first().waitFor();
      const opensMsg: number[] = [];
      await profile('message-open', async () => {
        for (let i = 0; i < MESSAGE_RUNS; i++) {
          await page.waitForTimeout(150);
          if (trace) await page.evaluate(`window.__ipcTrace.push({ mark: 'message ${i}', at: performance.now() })`);
          const ms = await inPage<number>(openMessageScript, i + 1);
          opensMsg.push(ms);
        }
      });
      log(`cached message open (ms): ${opensMsg.map((x) => x.toFixed(1)).join(', ')}`);
      await context.close();

      const openMedian = median(opens.slice(1));
      const msgMedian = median(opensMsg);
      return [
        {
          bench: 'renderer',
          name: `folder open ${formatCount(n)} msgs`,
          measured: `${formatMs(openMedian)} median (first ${formatMs(opens[0] ?? 0)})`,
          value: openMedian,
          unit: 'ms',
          baseline: '',
          target: `< ${OPEN_TARGET_MS} ms`,
          pass: openMedian < OPEN_TARGET_MS && (opens[0] ?? Infinity) < OPEN_TARGET_MS,
          note: `click → first rows painted, ${OPEN_RUNS} runs: ${opens.map((x) => x.toFixed(0)).join('/')} ms`,
        },
        {
          bench: 'renderer',
          name: `scroll ${formatCount(n)} rows`,
          measured: `${dropped} of ${scroll.frames} frames > 25 ms`,
          value: dropped,
          unit: '',
          baseline: '',
          target: '< 5% of frames',
          pass: dropped < scroll.frames * 0.05,
          note: `${formatSeconds(seconds)}, p95 frame ${formatMs(percentile(scroll.deltas, 95))}, max ${formatMs(Math.max(...scroll.deltas))}; ${scroll.blankFrames} frames showed placeholder rows (scrolling ${(scroll.height / seconds / 1000).toFixed(0)} k px/s)`,
        },
        {
          bench: 'renderer',
          name: 'open a cached message',
          measured: `${formatMs(msgMedian)} median (p95 ${formatMs(percentile(opensMsg, 95))})`,
          value: msgMedian,
          unit: 'ms',
          baseline: '',
          target: `< ${MESSAGE_TARGET_MS} ms`,
          pass: percentile(opensMsg, 95) < MESSAGE_TARGET_MS,
          note: `click → text on screen, ${MESSAGE_RUNS} messages`,
        },
        {
          bench: 'renderer',
          name: 'renderer memory after scroll',
          measured: `${formatMb(heap)} JS heap`,
          value: heap / 1024 ** 2,
          unit: 'MB',
          baseline: '',
          target: '',
          pass: null,
          note: `${nodes} DOM nodes; after a GC (CDP Performance.getMetrics)`,
        },
      ];
    } finally {
      await browser.close();
      await web.close();
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
