/**
 * A first visit to the built explorer on WebGPU (SwiftShader), against the same visit on WASM: fresh
 * browser storage, the demo model, three photos dropped while the built-in text sets are still being
 * embedded (the case that corrupted onnxruntime-web's module before its calls were serialised),
 * then a head click, a prompt and an ablation. Every number the page exposes for tests (head grid,
 * TEXTSPAN list, token map, prompt heatmaps, top-5 logits before and after the ablation) must agree
 * between the two runtimes within 1e-4.
 *
 * SwiftShader embeds about a dozen texts a second, so the text sets are the built-in ones cut down
 * (the first classes and templates of data/labels.json, every 16th line of data/descriptions.tsv),
 * served at the app's own data/ URLs; both runs get the same cut.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ablateAndAwaitTop5, dropFiles, openApp, type AppPage } from './lib/app.ts';

const GALLERY = fileURLToPath(new URL('../public/gallery/', import.meta.url));
const DATA = fileURLToPath(new URL('../public/data/', import.meta.url));
const SMALL_DATA = fileURLToPath(new URL('./.out/text-sets-small/', import.meta.url));
const PHOTOS = ['chelsea.png', 'coffee.png', 'rocket.jpg'];
const TOLERANCE = 1e-4;
const CLASSES = 30;
const TEMPLATES = 2;
const POOL_STRIDE = 16;

/** the built-in text sets, cut down; returns how many texts each holds */
function writeSmallTextSets(): { prompts: number; pool: number } {
  const labels = JSON.parse(readFileSync(`${DATA}labels.json`, 'utf8')) as { classes: string[]; templates: string[] };
  const small = { ...labels, classes: labels.classes.slice(0, CLASSES), templates: labels.templates.slice(0, TEMPLATES) };
  const lines = readFileSync(`${DATA}descriptions.tsv`, 'utf8').split('\n').filter((l) => l.trim());
  const pool = lines.filter((_, i) => i % POOL_STRIDE === 0);
  mkdirSync(SMALL_DATA, { recursive: true });
  writeFileSync(`${SMALL_DATA}labels.json`, JSON.stringify(small));
  writeFileSync(`${SMALL_DATA}descriptions.tsv`, `${pool.join('\n')}\n`);
  return { prompts: small.classes.length * small.templates.length, pool: pool.length };
}

/** records, from the first document on, when the first image is ready and when the text sets are in */
const TIMELINE_SCRIPT = `
  window.firstVisit = {};
  new MutationObserver(() => {
    const t = window.firstVisit;
    if (t.firstImageReady === undefined && document.querySelector('[data-testid="image-list"] li[data-status="ready"]')) t.firstImageReady = performance.now();
    if (t.textSetsDone === undefined && document.querySelector('[data-testid="text-cache"][data-pool-encoded]')) t.textSetsDone = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true });
`;

interface VisitNumbers {
  grid: number[];
  textspan: { text: string; variance: number }[];
  tokenMap: number[];
  heatmaps: number[][];
  top5: [string, number][][];
  top5Ablated: [string, number][][];
}

const numbersOf = (attr: string | null) => (attr ?? '').split(',').filter(Boolean).map(Number);
const top5Of = (app: AppPage) =>
  app.page.locator('[data-testid="top5"]').evaluateAll((els) => els.map((e) => JSON.parse(e.getAttribute('data-logits') ?? '[]') as [string, number][]));

async function firstVisit(provider: 'wasm' | 'webgpu', sizes: { prompts: number; pool: number }): Promise<VisitNumbers> {
  const app = await openApp(`?model=demo&runtime=${provider}&testHooks=1`, { mounts: { '/data/': SMALL_DATA }, initScript: TIMELINE_SCRIPT });
  const { page } = app;
  const fail = (err: Error) => {
    throw new Error(`${provider}: ${err.message}\nconsole:\n${app.consoleLines.slice(-30).join('\n')}`);
  };
  try {
    await page.waitForSelector('[data-testid="model"]', { timeout: 120_000 }).catch(fail);
    assert.equal(await page.locator('[data-testid="runtime"]').getAttribute('data-provider'), provider);
    // the photos go in at once, while the label set and the pool are being embedded
    await dropFiles(page, PHOTOS.map((n) => ({ name: n, type: n.endsWith('.png') ? 'image/png' : 'image/jpeg', base64: readFileSync(`${GALLERY}${n}`).toString('base64') })));
    // done, or stopped by an error (then it fails now, naming the error, not at the timeout)
    await page.waitForFunction(
      () => document.querySelector('[data-testid="error"]') || (document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === 3 && document.querySelector('[data-testid="text-cache"][data-pool-encoded]')),
      null,
      { timeout: 300_000 },
    ).catch(fail);
    const errors = await page.locator('[data-testid="error"]').allTextContents();
    assert.deepEqual(errors, [], `${provider}: no error while photos are added during the text-set embedding\n${app.consoleLines.slice(-20).join('\n')}`);
    const timeline = await page.evaluate(() => (window as unknown as { firstVisit: { firstImageReady: number; textSetsDone: number } }).firstVisit);
    // the case under test; on WASM the cut-down sets may be in before the first photo (the order changes no number)
    if (provider === 'webgpu') assert.ok(timeline.firstImageReady < timeline.textSetsDone, `an image was decomposed while the text sets were being embedded (${JSON.stringify(timeline)})`);
    const cache = page.locator('[data-testid="text-cache"]');
    const counts = await cache.evaluate((e) => ['labels-encoded', 'labels-cached', 'pool-encoded', 'pool-cached'].map((k) => Number(e.getAttribute(`data-${k}`))));
    assert.deepEqual(counts, [sizes.prompts, 0, sizes.pool, 0], 'fresh storage: every text is embedded, none read from a cache');

    await page.click('[data-testid="head-grid"] [data-layer="5"][data-head="3"]');
    const list = page.locator('[data-testid="textspan-list"][data-head="L5.H3"]');
    await list.waitFor({ timeout: 120_000 }).catch(fail);
    const textspan = await list.locator('li').evaluateAll((els) => els.map((e) => ({ text: e.getAttribute('data-text') ?? '', variance: Number(e.getAttribute('data-variance')) })));
    await page.waitForSelector('[data-testid="token-map"][data-values]:not([data-values=""])', { timeout: 120_000 }).catch(fail);
    const tokenMap = numbersOf(await page.locator('[data-testid="token-map"]').getAttribute('data-values'));
    // read once the head's panel is in: the grid was redrawn for all three images long before
    const grid = numbersOf(await page.locator('[data-testid="head-grid"]').getAttribute('data-values'));

    await page.click('[data-testid="tab-prompt"]');
    // one edit (not typed key by key), so every heatmap drawn is the final prompt's
    await page.fill('[data-testid="prompt-input"]', 'a photo of a cat');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="heatmap"][data-values]:not([data-values=""])').length === 3, null, { timeout: 120_000 }).catch(fail);
    const heatmaps = await page.locator('[data-testid="heatmap"]').evaluateAll((els) => els.map((e) => (e.getAttribute('data-values') ?? '').split(',').map(Number)));

    await page.click('[data-testid="tab-layers"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="top5"]').length === 3, null, { timeout: 120_000 }).catch(fail);
    const top5 = await top5Of(app);
    await ablateAndAwaitTop5(page, 'L5.H*,L4', 120_000).catch(fail);
    const top5Ablated = await top5Of(app);
    assert.equal(await page.locator('[data-testid="error"]').count(), 0, 'no error reached the user');
    return { grid, textspan, tokenMap, heatmaps, top5, top5Ablated };
  } finally {
    await app.close();
  }
}

/** the largest scaled difference seen, for the test's diagnostic line */
let worst = { err: 0, what: '' };

/** |a - b| <= 1e-4, relative above 1 (the heatmaps and logits are not unit-scaled) */
function assertClose(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(expected.length > 0, `${what}: the page showed numbers`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (err > worst.err) worst = { err, what: `${what}[${i}]` };
    assert.ok(err <= TOLERANCE, `${what}[${i}]: WebGPU ${actual[i]} vs WASM ${expected[i]}`);
  }
}

function assertSameTop5(actual: [string, number][][], expected: [string, number][][], what: string): void {
  assert.equal(actual.length, 3, `${what}: three images`);
  actual.forEach((rows, i) => {
    assert.deepEqual(rows.map(([c]) => c), expected[i].map(([c]) => c), `${what} of image ${i}: same classes in the same order`);
    assertClose(rows.map(([, v]) => v), expected[i].map(([, v]) => v), `${what} of image ${i}`);
  });
}

describe('first visit on WebGPU (built app, demo model, fresh storage) equals the same visit on WASM', () => {
  const sizes = writeSmallTextSets();
  const runs: Partial<Record<'wasm' | 'webgpu', VisitNumbers>> = {};

  it('WASM: the same steps give the reference numbers', async () => {
    runs.wasm = await firstVisit('wasm', sizes);
  });

  it('WebGPU (SwiftShader): photos added while the text sets are embedded, head, prompt, ablation, with no error', async () => {
    runs.webgpu = await firstVisit('webgpu', sizes);
  });

  it('every number the page shows agrees within 1e-4', (t) => {
    const { wasm, webgpu } = runs;
    assert.ok(wasm && webgpu, 'both visits completed');
    assertClose(webgpu.grid, wasm.grid, 'head grid');
    assert.equal(webgpu.grid.length, 6 * 8);
    assert.deepEqual(webgpu.textspan.map((t) => t.text), wasm.textspan.map((t) => t.text), 'TEXTSPAN picks the same texts');
    assertClose(webgpu.textspan.map((t) => t.variance), wasm.textspan.map((t) => t.variance), 'TEXTSPAN variance');
    assertClose(webgpu.tokenMap, wasm.tokenMap, 'token map');
    assert.equal(webgpu.heatmaps.length, 3);
    webgpu.heatmaps.forEach((m, i) => assertClose(m, wasm.heatmaps[i], `heatmap ${i}`));
    assertSameTop5(webgpu.top5, wasm.top5, 'top-5');
    assertSameTop5(webgpu.top5Ablated, wasm.top5Ablated, 'top-5 after ablating L5.H*,L4');
    t.diagnostic(`largest scaled difference: ${worst.err.toExponential(2)} (${worst.what})`);
  });
});

describe('f16 compute asked of an adapter without shader-f16 (SwiftShader)', () => {
  it('?precision=f16 shows an error naming the missing feature; no model runs in f32 behind the user’s back', async (t) => {
    const app = await openApp('?model=demo&runtime=webgpu&precision=f16');
    try {
      const hasF16 = await app.page.evaluate(async () => {
        const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ features: { has(f: string): boolean } } | null> } }).gpu;
        return Boolean((await gpu?.requestAdapter())?.features.has('shader-f16'));
      });
      if (hasF16) {
        t.skip('this adapter has shader-f16: nothing to refuse (the f16 run itself is in e2e/engine.test.ts)');
        return;
      }
      const error = app.page.locator('[data-testid="error"]', { hasText: 'shader-f16' });
      await error.waitFor({ timeout: 60_000 });
      assert.match((await error.textContent()) ?? '', /f16 compute needs a WebGPU adapter with the 'shader-f16' feature/);
      assert.equal(await app.page.locator('[data-testid="model"]').count(), 0, 'no model was loaded');
    } finally {
      await app.close();
    }
  });
});
