/** Builds the browser harness once per test process and serves it with test fixtures. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium } from './browser.ts';
import { startStaticServer, type StaticServer } from './server.ts';

const HARNESS_CONFIG = fileURLToPath(new URL('../harness/vite.config.ts', import.meta.url));
export const HARNESS_OUT = fileURLToPath(new URL('../.out/harness', import.meta.url));

let built: Promise<void> | undefined;

export function buildHarness(): Promise<void> {
  built ??= (async () => {
    if (process.env.CLIPSCOPE_HARNESS_BUILT === '1' && existsSync(`${HARNESS_OUT}/index.html`)) return;
    await build({ configFile: HARNESS_CONFIG });
    if (!existsSync(`${HARNESS_OUT}/index.html`)) throw new Error('harness build produced no index.html');
  })();
  return built;
}

export interface HarnessSession {
  server: StaticServer;
  browser: Browser;
  page: Page;
  /** console lines of the page and its workers, for failure messages */
  consoleLines: string[];
  close(): Promise<void>;
}

/** mounts: extra URL prefixes -> directories (fixtures, ../shared data) */
export async function openHarness(mounts: Record<string, string>): Promise<HarnessSession> {
  await buildHarness();
  const server = await startStaticServer({ '/': HARNESS_OUT, ...mounts });
  const browser = await launchChromium();
  const page = await browser.newPage();
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'harness ready', null, { timeout: 60_000 });
  return {
    server,
    browser,
    page,
    consoleLines,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
