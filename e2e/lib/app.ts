/**
 * The built explorer app for browser tests: generates the demo checkpoint, runs `vite build` with the
 * app's own config into e2e/.out/app, serves it (cross-origin isolated, Range requests) and opens
 * it in headless Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { openBrowserPage, type BrowserPage } from './browser.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const APP_OUT = fileURLToPath(new URL('../.out/app', import.meta.url));

let built: Promise<void> | undefined;

export function buildApp(): Promise<void> {
  built ??= (async () => {
    const demo = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/buildDemo.ts'], { cwd: ROOT, encoding: 'utf8' });
    if (demo.status !== 0) throw new Error(`scripts/buildDemo.ts failed:\n${demo.stdout}\n${demo.stderr}`);
    await build({ root: ROOT, configFile: `${ROOT}vite.config.ts`, logLevel: 'warn', build: { outDir: APP_OUT, emptyOutDir: true, sourcemap: false } });
    if (!existsSync(`${APP_OUT}/index.html`)) throw new Error('the app build produced no index.html');
  })();
  return built;
}

export type AppPage = BrowserPage;

export interface OpenAppOptions {
  /** extra URL prefixes -> directories, served beside the app (a longer prefix wins over '/') */
  mounts?: Record<string, string>;
  /** a script run in every document before the app's own (test hooks, pinned navigator values) */
  initScript?: string;
}

export async function openApp(query = '', options: OpenAppOptions = {}): Promise<AppPage> {
  await buildApp();
  const opened = await openBrowserPage({ '/': APP_OUT, ...options.mounts }, { acceptDownloads: true, viewport: { width: 1440, height: 1000 } });
  const { page } = opened;
  // main-thread tasks over 50 ms, for the "never block the main thread" checks
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  if (options.initScript) await page.addInitScript({ content: options.initScript });
  await page.goto(`${opened.server.url}/index.html${query}`);
  return opened;
}

/**
 * main-thread tasks longer than `overMs` (the observer sees those over 50 ms) that started after
 * `since` (performance.now() of the page). Tests pass 250 ms: a loaded 2-core machine does not reach
 * it by chance, while work left on the main thread does; the 50 ms goal is the bench's
 * (scripts/bench/mainThread.browser.bench.ts).
 */
export async function longTasksSince(page: Page, since: number, overMs = 50): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(([t0, over]) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= t0 && t.duration > over), [since, overMs] as const);
}

export const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/**
 * Makes the files in the page now and keeps them for `dispatchDrop`: a bench that times a drop
 * keeps the decoding of the base64 it sends (the test's work, not the app's) out of the timed span.
 */
export async function stageDrop(page: Page, files: { name: string; type: string; base64: string }[]): Promise<void> {
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    (window as unknown as { stagedDrop?: DataTransfer }).stagedDrop = dt;
  }, files);
}

/** drops the files `stageDrop` made onto the page */
export async function dispatchDrop(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { stagedDrop?: DataTransfer };
    const dt = w.stagedDrop;
    if (!dt) throw new Error('dispatchDrop: no files were staged (call stageDrop first)');
    delete w.stagedDrop;
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
}

/** drops files on the page as a user would (a synthetic drop event with a DataTransfer) */
export async function dropFiles(page: Page, files: { name: string; type: string; base64: string }[]): Promise<void> {
  await stageDrop(page, files);
  await dispatchDrop(page);
}

/** types an ablation set into the layers view and waits until some image's top-5 logits change */
export async function ablateAndAwaitTop5(page: Page, spec: string, timeout = 60_000): Promise<void> {
  const before = await page.locator('[data-testid="top5"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-logits')));
  await page.fill('[data-testid="ablation-input"]', spec);
  await page.press('[data-testid="ablation-input"]', 'Enter');
  await page.waitForFunction((b) => {
    const now = Array.from(document.querySelectorAll('[data-testid="top5"]'), (e) => e.getAttribute('data-logits'));
    return now.length === b.length && now.some((x, i) => x !== b[i]);
  }, before, { timeout });
}
