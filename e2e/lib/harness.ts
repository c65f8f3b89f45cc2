/** Builds the browser harness once per test process and serves it with test fixtures. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { openBrowserPage, type BrowserPage } from './browser.ts';

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

export type HarnessSession = BrowserPage;

/** mounts: extra URL prefixes -> directories (fixtures, ../shared data) */
export async function openHarness(mounts: Record<string, string>): Promise<HarnessSession> {
  await buildHarness();
  const opened = await openBrowserPage({ '/': HARNESS_OUT, ...mounts });
  await opened.page.goto(`${opened.server.url}/index.html`);
  await opened.page.waitForFunction(() => document.getElementById('status')?.textContent === 'harness ready', null, { timeout: 60_000 });
  return opened;
}
