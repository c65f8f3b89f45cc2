/**
 * Shared links to hub models (built app, mock hub, WASM). A link names the model as
 * owner/name@commit and the gallery photos in the view: opened where the model is not stored it
 * offers the download with its size and fit (not an empty page), and the download brings the
 * link's photos and view; opened where it is stored, it reproduces the view from browser storage
 * without asking the hub. A download the storage quota cannot hold is refused before any byte,
 * with the numbers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../src/model/checkpoint/nodeSources.node.ts';
import { generateBpeVocab } from '../src/model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../src/model/checkpoint/checkpointGenerator.node.ts';
import type { CheckpointSpec } from '../src/model/checkpoint/checkpointGenerator.ts';
import { openApp, type AppPage } from './lib/app.ts';
import { startMockHub, type MockHub } from './lib/mockHub.ts';

const OUT = fileURLToPath(new URL('./.out/fixtures/shared-link/', import.meta.url));
const HUB_ROOT = join(OUT, 'hub');
const REPO = 'e2e-org/tiny-clip-link';
const OTHER = 'e2e-org/tiny-clip-other';
const PUBLIC_DATA = fileURLToPath(new URL('../public/data/', import.meta.url));
const PHOTOS = ['coffee.png', 'chelsea.png'];

const SPEC: CheckpointSpec = {
  name: 'tiny-shared-link',
  vision: { width: 32, layers: 2, heads: 4, patchSize: 16, imageSize: 32 },
  text: { width: 32, layers: 1, heads: 2, contextLength: 16, vocabSize: 0 },
  embedDim: 16,
  act: 'gelu',
};

describe('shared links to hub models', () => {
  let app: AppPage;
  let hub: MockHub;
  let commit: string;
  let fingerprint: string;
  let shared: string;
  const fail = (err: Error) => {
    throw new Error(`${err.message}\nconsole:\n${app.consoleLines.slice(-30).join('\n')}`);
  };
  /** the page's error cards, for a failure message */
  const pageErrors = (page: Page) => page.locator('[data-testid="error"]').allInnerTexts().then((t) => t.join('\n---\n'));
  const hubQuery = () => `hub=${encodeURIComponent(hub.url)}&runtime=wasm`;

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    const labels = JSON.parse(readFileSync(join(PUBLIC_DATA, 'labels.json'), 'utf8')) as { classes: string[] };
    const tokenizer = generateBpeVocab(['a photo of a cat', ...labels.classes], 100);
    for (const [repo, seed] of [[REPO, 5], [OTHER, 6]] as const) {
      mkdirSync(join(HUB_ROOT, repo), { recursive: true });
      generateCheckpointDir(join(HUB_ROOT, repo), SPEC, { layout: 'hf', seed, tokenizer });
    }
    fingerprint = (await loadCheckpoint(nodeModelDir(join(HUB_ROOT, REPO)))).fingerprint;
    hub = await startMockHub(HUB_ROOT);
    commit = hub.commitOf(REPO);
    app = await openApp(`?${hubQuery()}`);
  });
  after(async () => {
    await hub?.stop();
    await app?.close();
  });

  async function imagesShown(page: Page): Promise<string[]> {
    return page.locator('[data-testid="image-list"] li[data-status="ready"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')!));
  }

  it('a link to a model not stored here offers the download with its size and fit; the download opens the linked view', async () => {
    const { page } = app;
    const link = `?model=${REPO}@${commit}&images=${PHOTOS.join('|')}&head=L1.H2&prompt=a+photo+of+a+cat&${hubQuery()}`;
    await page.goto(`${app.server.url}/index.html${link}`);
    const offer = page.locator('[data-testid="link-offer"]');
    await offer.waitFor({ timeout: 60_000 }).catch(fail);
    assert.equal(await offer.getAttribute('data-repo'), REPO);
    assert.equal(await offer.getAttribute('data-commit'), commit);
    await page.locator('[data-testid="link-offer-fit"]').waitFor({ timeout: 60_000 }).catch(fail);
    const downloadBytes = Number(await offer.getAttribute('data-download-bytes'));
    assert.ok(downloadBytes > 0, 'the download size is shown');
    assert.match(await page.locator('[data-testid="link-offer-fit"]').innerText(), /to download; on WASM: fits/);
    assert.equal(await page.locator('[data-testid="model"]').count(), 0, 'nothing is loaded before the user asks');
    // the fit reads the listing and the safetensors header, not the weights
    assert.ok(hub.bytesSent('.safetensors') < downloadBytes / 4, `${hub.bytesSent('.safetensors')} bytes of weights fetched for the offer`);

    await page.click('[data-testid="link-offer-download"]');
    await page.waitForFunction((fp) => document.querySelector('[data-testid="model"]')?.getAttribute('data-fingerprint') === fp, fingerprint, { timeout: 180_000 }).catch(fail);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === n, PHOTOS.length, { timeout: 120_000 }).catch(fail);
    assert.deepEqual((await imagesShown(page)).sort(), [...PHOTOS].sort());
    assert.equal(await page.inputValue('[data-testid="prompt-input"]'), 'a photo of a cat');
    // the URL names the model by commit and the gallery photos in the view
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('model'), `${REPO}@${commit}`);
    assert.deepEqual(url.searchParams.get('images')!.split('|').sort(), [...PHOTOS].sort());
    assert.equal(url.searchParams.get('head'), 'L1.H2');
    // persistent storage was asked for once the model was stored (headless Chromium answers either way)
    assert.match((await page.locator('[data-testid="storage-persisted"]').getAttribute('data-persisted')) ?? '', /^(true|false)$/);
    shared = page.url();
  });

  it('the same link opened again (stored model): the same view from browser storage, the hub not asked', async () => {
    await hub.stop();
    const page = await app.page.context().newPage();
    try {
      await page.goto(shared);
      await page.waitForFunction((fp) => document.querySelector('[data-testid="model"]')?.getAttribute('data-fingerprint') === fp, fingerprint, { timeout: 120_000 }).catch(fail);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === n, PHOTOS.length, { timeout: 120_000 }).catch(fail);
      assert.deepEqual((await imagesShown(page)).sort(), [...PHOTOS].sort());
      assert.equal(await page.inputValue('[data-testid="prompt-input"]'), 'a photo of a cat');
      await page.locator('[data-testid="head-detail"][data-head="L1.H2"]').waitFor({ timeout: 60_000 }).catch(fail);
      assert.equal(await page.locator('[data-testid="link-offer"]').count(), 0);
      assert.equal(new URL(page.url()).searchParams.get('model'), `${REPO}@${commit}`);
    } finally {
      await page.close();
    }
  });

  it('a download the storage quota cannot hold is refused up front, with the numbers', async () => {
    hub = await startMockHub(HUB_ROOT);
    const page = await app.page.context().newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    try {
      // this origin may store 64 KiB more: less than the other model
      await page.addInitScript(() => {
        StorageManager.prototype.estimate = async () => ({ quota: 200 * 1024, usage: 136 * 1024 });
      });
      await page.goto(`${app.server.url}/index.html?model=${OTHER}@${hub.commitOf(OTHER)}&${hubQuery()}`);
      await page.locator('[data-testid="link-offer-fit"]').waitFor({ timeout: 60_000 }).catch(fail);
      hub.resetStats();
      await page.click('[data-testid="link-offer-download"]');
      const error = page.locator('[data-testid="error"]', { hasText: 'Not enough browser storage' });
      await error.waitFor({ timeout: 60_000 }).catch(async (err: Error) => {
        throw new Error(`${err.message}\npage errors:\n${await pageErrors(page)}\npage:\n${(await page.locator('body').innerText()).slice(0, 1500)}\nconsole:\n${consoleLines.slice(-20).join('\n')}`);
      });
      assert.match(await error.innerText(), new RegExp(`${OTHER} needs [\\d.]+ [KM]iB more in this browser's storage, but only 64 KiB is free \\(quota 200 KiB, 136 KiB in use\\)`));
      // only the safetensors header is read again (for the size), never the weights
      const downloadBytes = Number(await page.locator('[data-testid="link-offer"]').getAttribute('data-download-bytes'));
      assert.ok(hub.bytesSent('.safetensors') < downloadBytes / 4, `${hub.bytesSent('.safetensors')} bytes of weights fetched`);
      assert.equal(await page.locator('[data-testid="model"]').count(), 0);
    } finally {
      await page.close();
    }
  });
});
