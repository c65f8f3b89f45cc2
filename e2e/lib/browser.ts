/** Launches Debian's headless Chromium through playwright-core (no browser downloads). */
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startStaticServer, type StaticServer } from './server.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      // exposes the SwiftShader WebGPU adapter (software; slow: tiny models only)
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A served directory open in headless Chromium, with the page's and workers' console captured. */
export interface BrowserPage {
  server: StaticServer;
  browser: Browser;
  page: Page;
  /** console lines of the page and its workers, for failure messages */
  consoleLines: string[];
  close(): Promise<void>;
}

/** serves `mounts` (URL prefix -> directory) and opens a page (not yet navigated) */
export async function openBrowserPage(mounts: Record<string, string>, context: BrowserContextOptions = {}): Promise<BrowserPage> {
  const server = await startStaticServer(mounts);
  const browser = await launchChromium();
  const page = await (await browser.newContext(context)).newPage();
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
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
