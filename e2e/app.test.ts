/**
 * The built explorer in headless Chromium, driven as a user would: load the demo model (watching the
 * progress bar), drop three gallery photos, click a head and read its TEXTSPAN list, type a prompt
 * and get a heatmap, switch a head off and see the top-5 logits change, export a PNG and a JSON,
 * drop a corrupt image and a text file and see the errors. Screenshots of each main view go to
 * e2e/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ablateAndAwaitTop5, dropFiles, longTasksSince, openApp, pageNow, type AppPage } from './lib/app.ts';

const GALLERY = fileURLToPath(new URL('../public/gallery/', import.meta.url));
const DEMO = fileURLToPath(new URL('../public/demo/', import.meta.url));
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PHOTOS = ['chelsea.png', 'coffee.png', 'rocket.jpg'];

const fileFor = (name: string, bytes: Uint8Array, type: string) => ({ name, type, base64: Buffer.from(bytes).toString('base64') });
const galleryFile = (name: string) => fileFor(name, readFileSync(`${GALLERY}${name}`), name.endsWith('.png') ? 'image/png' : 'image/jpeg');

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

async function readyImages(page: Page): Promise<number> {
  return page.locator('[data-testid="image-list"] li[data-status="ready"]').count();
}

async function top5Logits(page: Page): Promise<string[]> {
  return page.locator('[data-testid="top5"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-logits') ?? ''));
}

describe('explorer app (built, demo model, WASM)', () => {
  let app: AppPage;
  const fail = (err: Error) => {
    throw new Error(`${err.message}\nconsole:\n${app.consoleLines.slice(-30).join('\n')}`);
  };

  before(async () => {
    app = await openApp();
  });
  after(async () => app?.close());

  it('loads the demo model with a byte progress bar and labels it as random', async () => {
    const { page } = app;
    await page.waitForSelector('[data-testid="runtime"]', { timeout: 60_000 }).catch(fail);
    // record the largest progress the bar shows while the model downloads
    await page.evaluate(() => {
      const w = window as unknown as { maxProgress: { value: number; max: number } };
      w.maxProgress = { value: 0, max: 0 };
      new MutationObserver(() => {
        const p = document.querySelector<HTMLProgressElement>('[data-testid="progress"] progress');
        if (p && p.max > 1 && p.value >= w.maxProgress.value) w.maxProgress = { value: p.value, max: p.max };
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.click('[data-testid="load-demo"]');
    await page.waitForSelector('[data-testid="model"]', { timeout: 60_000 }).catch(fail);
    const manifest = JSON.parse(readFileSync(`${DEMO}manifest.json`, 'utf8')) as { files: { size: number }[] };
    const total = manifest.files.reduce((s, f) => s + f.size, 0);
    const seen = await page.evaluate(() => (window as unknown as { maxProgress: { value: number; max: number } }).maxProgress);
    assert.equal(seen.max, total, 'the bar counts the demo files’ bytes');
    assert.equal(seen.value, total, 'and reaches the end');
    assert.match(await page.locator('[data-testid="demo-badge"]').innerText(), /random weights/);
    assert.equal(await page.locator('[data-testid="runtime"]').getAttribute('data-provider'), 'wasm');
    assert.match(page.url(), /[?&]model=demo/);
  });

  it('the hub list says, before any download, which known models fit this browser', async () => {
    const { page } = app;
    await page.click('details.hub > summary');
    const rows = page.locator('[data-testid="known-models"] li');
    await rows.first().waitFor({ timeout: 30_000 }).catch(fail);
    const fits = await rows.evaluateAll((els) => els.map((e) => ({ repo: e.getAttribute('data-repo'), fits: e.querySelector('[data-fits]')?.getAttribute('data-fits') })));
    assert.equal(fits.length, 6);
    assert.equal(fits.find((f) => f.repo === 'openai/clip-vit-base-patch32')?.fits, 'true', 'ViT-B/32 fits a 4 GiB WASM heap');
    assert.equal(fits.find((f) => f.repo === 'laion/CLIP-ViT-H-14-laion2B-s32B-b79K')?.fits, 'false', 'ViT-H-14 (about 3.9 GB in f32) does not');
    await page.click('details.hub > summary');
  });

  it('adds three dropped gallery photos and colours the head grid', async () => {
    const { page } = app;
    await dropFiles(page, PHOTOS.map(galleryFile));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === 3, null, { timeout: 120_000 }).catch(fail);
    assert.equal(await readyImages(page), 3);
    const grid = page.locator('[data-testid="head-grid"]');
    await grid.waitFor({ timeout: 60_000 }).catch(fail);
    const values = (await grid.getAttribute('data-values'))!.split(',').map(Number);
    assert.equal(values.length, 6 * 8);
    assert.ok(values.every((v) => Number.isFinite(v) && v >= 0), 'norms are finite and non-negative');
    assert.ok(new Set(values).size > 40, 'heads differ');
  });

  it('the head grid is keyboard-navigable and labelled for screen readers', async () => {
    const { page } = app;
    await page.focus('[data-testid="head-grid"] [tabindex="0"]');
    const start = await page.evaluate(() => [Number(document.activeElement?.getAttribute('data-layer')), Number(document.activeElement?.getAttribute('data-head'))]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const want = `L${Math.max(0, start[0] - 1)}.H${Math.min(7, start[1] + 1)}`;
    await page.locator(`[data-testid="head-detail"][data-head="${want}"]`).waitFor({ timeout: 30_000 }).catch(fail);
    const label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.match(label ?? '', /^layer \d+ head \d+: [−\d.e]+/);
    assert.equal(await page.getAttribute('[data-testid="head-grid"]', 'role'), 'grid');
  });

  it('clicking a head shows its TEXTSPAN list, variance curve and token map', async () => {
    const { page } = app;
    const t0 = await pageNow(page);
    await page.click('[data-testid="head-grid"] [data-layer="5"][data-head="3"]');
    const list = page.locator('[data-testid="textspan-list"][data-head="L5.H3"]');
    await list.waitFor({ timeout: 120_000 }).catch(fail);
    const items = await list.locator('li').evaluateAll((els) => els.map((e) => [e.getAttribute('data-text'), Number(e.getAttribute('data-variance'))] as const));
    // over 3 images the head's centred outputs span at most 2 directions, so TEXTSPAN finds at most 2 texts
    assert.ok(items.length >= 1 && items.length <= 2, `TEXTSPAN lists ${items.length} texts`);
    assert.ok(items.at(-1)![1] <= 1 + 1e-6 && items[0][1] > 0);
    for (let i = 1; i < items.length; i++) assert.ok(items[i][1] >= items[i - 1][1] - 1e-6, 'cumulative variance never decreases');
    assert.ok(items.every(([t]) => t && t.length > 0));
    await page.locator('[data-testid="variance-curve"] svg').waitFor();
    await page.locator('[data-testid="token-map"]').waitFor({ timeout: 60_000 }).catch(fail);
    assert.match(page.url(), /head=L5\.H3/);
    assert.deepEqual(await longTasksSince(page, t0, 250), [], 'no main-thread task over 250 ms while a head is clicked');
    await shot(page, 'heads-view');
  });

  it('typing a prompt gives a heatmap over each image’s patches', async () => {
    const { page } = app;
    await page.click('[data-testid="tab-prompt"]');
    const t0 = await pageNow(page);
    await page.locator('[data-testid="prompt-input"]').pressSequentially('a photo of a cat', { delay: 20 });
    // on a loaded machine the maps of a half-typed prompt can be drawn first: wait for the whole prompt
    await page.waitForFunction(() => /prompt=a\+photo\+of\+a\+cat/.test(location.search), null, { timeout: 60_000 }).catch(fail);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="heatmap"][data-values]:not([data-values=""])').length === 3, null, { timeout: 60_000 }).catch(fail);
    const maps = await page.locator('[data-testid="heatmap"]').evaluateAll((els) => els.map((e) => ({ grid: Number(e.getAttribute('data-grid')), values: e.getAttribute('data-values')!.split(',').map(Number) })));
    for (const m of maps) {
      assert.equal(m.grid, 6, 'a 96 px image at patch 16 has a 6x6 grid');
      assert.equal(m.values.length, 36);
      assert.ok(m.values.every(Number.isFinite));
      assert.ok(new Set(m.values).size > 10, 'patches differ');
    }
    await page.locator('[data-testid="legend"]').first().waitFor();
    assert.match(page.url(), /prompt=a\+photo\+of\+a\+cat/);
    assert.deepEqual(await longTasksSince(page, t0, 250), [], 'no main-thread task over 250 ms while the prompt changes');
    await shot(page, 'prompt-view');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'prompt-view-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('the segmentation overlay thresholds at each map’s mean, and the threshold slider re-cuts it', async () => {
    const { page } = app;
    await page.getByLabel('segmentation outline').check();
    const caption = page.locator('[data-testid="segmentation-caption"]').first();
    await caption.waitFor({ timeout: 60_000 }).catch(fail);
    assert.match((await caption.textContent())!, /mean of the normalised map/);
    await page.locator('[data-testid="seg-threshold"]').fill('0.9');
    await page.waitForFunction(() => /threshold 0\.9/.test(document.querySelector('[data-testid="segmentation-caption"]')?.textContent ?? ''), null, { timeout: 10_000 }).catch(fail);
    await shot(page, 'segmentation');
    await page.getByRole('button', { name: 'use each map’s mean' }).click();
    await page.getByLabel('segmentation outline').uncheck();
  });

  it('switching a head off changes the top-5 logits (mean-ablation)', async () => {
    const { page } = app;
    await page.click('[data-testid="tab-layers"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="top5"]').length === 3, null, { timeout: 120_000 }).catch(fail);
    const before = await top5Logits(page);
    await ablateAndAwaitTop5(page, 'L5.H*,L4').catch(fail);
    const afterAblation = await top5Logits(page);
    assert.notDeepEqual(afterAblation, before);
    assert.match(await page.locator('[data-testid="ablation-state"]').innerText(), /L5\.H\*|L5/);
    assert.match(decodeURIComponent(page.url()), /ablate=/);
    await page.locator('[data-testid="layer-effects"] svg').waitFor({ timeout: 60_000 }).catch(fail);
    await shot(page, 'layers-view');
  });

  it('exports a PNG of an overlay and a JSON of contributions', async () => {
    const { page } = app;
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-json"]')]);
    const doc = JSON.parse(readFileSync((await json.path())!, 'utf8'));
    assert.equal(doc.format, 'clipscope.contributions/1');
    assert.equal(doc.heads.length, 6);
    assert.equal(doc.heads[0].length, 8);
    assert.equal(doc.embedding.length, 32);
    await page.click('[data-testid="tab-prompt"]');
    await page.locator('[data-testid="export-png"]').first().waitFor();
    const [png] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-png"]').first().click()]);
    const bytes = readFileSync((await png.path())!);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.match(png.suggestedFilename(), /^clipscope-.*\.png$/);
  });

  it('a corrupt image and a text file become specific errors, and the page keeps working', async () => {
    const { page } = app;
    const png = readFileSync(`${GALLERY}chelsea.png`);
    const corrupt = Uint8Array.from(png.subarray(0, 200));
    corrupt.fill(0x41, 60);
    await dropFiles(page, [fileFor('broken.png', corrupt, 'image/png'), fileFor('notes.txt', new TextEncoder().encode('these are my notes\n'), 'text/plain')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="error"]').length >= 2, null, { timeout: 60_000 }).catch(fail);
    const errors = await page.locator('[data-testid="error"]').evaluateAll((els) => els.map((e) => ({ kind: e.getAttribute('data-kind'), text: e.textContent ?? '' })));
    const text = errors.find((e) => e.text.includes('notes.txt'));
    const broken = errors.find((e) => e.text.includes('broken.png'));
    assert.equal(text?.kind, 'not-an-image', JSON.stringify(errors));
    assert.match(text!.text, /looks like text/);
    assert.equal(broken?.kind, 'corrupt-image', JSON.stringify(errors));
    assert.equal(await readyImages(page), 3, 'the good images stay');
    await shot(page, 'errors');
    await page.locator('[data-testid="error"] button').first().click();
    assert.equal(await page.locator('[data-testid="error"]').count(), errors.length - 1, 'errors can be dismissed');
  });

  it('an unsupported checkpoint folder is refused with the engine’s reason, and the loaded model stays', async () => {
    const { page } = app;
    const before = await page.locator('[data-testid="model"]').getAttribute('data-fingerprint');
    const folder = mkdtempSync(join(tmpdir(), 'clipscope-pickle-'));
    writeFileSync(join(folder, 'config.json'), '{"model_type": "clip"}');
    writeFileSync(join(folder, 'pytorch_model.bin'), Uint8Array.from([0x80, 0x02, 0x7d, 0x71, 0x00]));
    await page.getByLabel('Open folder…').setInputFiles(folder);
    rmSync(folder, { recursive: true, force: true });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="error"]')].some((e) => /pytorch_model\.bin/.test(e.textContent ?? '')), null, { timeout: 60_000 }).catch(fail);
    const message = await page.locator('[data-testid="error"]', { hasText: 'pytorch_model.bin' }).first().textContent();
    assert.match(message!, /safetensors/, 'the loader’s own reason: use the safetensors file');
    assert.equal(await page.locator('[data-testid="model"]').getAttribute('data-fingerprint'), before, 'the demo model is still loaded');
    await shot(page, 'unsupported-checkpoint');
  });

  it('a model folder whose vocab.json is no CLIP vocabulary is refused saying what it lacks, and the loaded model keeps working', async () => {
    const { page } = app;
    const before = await page.locator('[data-testid="model"]').getAttribute('data-fingerprint');
    // the demo model with another seed's weights would do as well: what matters is that its
    // image session starts reading weights (installCheckpoint) before the tokenizer fails
    const folder = mkdtempSync(join(tmpdir(), 'clipscope-badvocab-'));
    for (const name of ['config.json', 'preprocessor_config.json', 'merges.txt', 'model.safetensors']) writeFileSync(join(folder, name), readFileSync(`${DEMO}${name}`));
    // valid JSON (the folder loads), but no vocabulary: the tokenizer refuses it
    writeFileSync(join(folder, 'vocab.json'), '{"a": 1}');
    await page.getByLabel('Open folder…').setInputFiles(folder);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="error"]')].some((e) => /vocabulary has no token "<\|startoftext\|>"/.test(e.textContent ?? '')), null, { timeout: 60_000 }).catch(fail);
    assert.equal(await page.locator('[data-testid="model"]').getAttribute('data-fingerprint'), before, 'the demo model is still shown');
    // and still loaded in the worker: a new prompt redraws every heatmap
    await page.click('[data-testid="tab-prompt"]');
    const maps = () => page.locator('[data-testid="heatmap"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-values') ?? ''));
    const old = await maps();
    await page.fill('[data-testid="prompt-input"]', 'a photo of a broken vocabulary');
    await page.press('[data-testid="prompt-input"]', 'Enter');
    await page.waitForFunction((o) => {
      const now = [...document.querySelectorAll('[data-testid="heatmap"]')].map((e) => e.getAttribute('data-values') ?? '');
      return now.length === o.length && now.length > 0 && now.every((v, i) => v && v !== o[i]);
    }, old, { timeout: 60_000 }).catch(fail);
    // the prompt the shared-URL test below expects
    await page.fill('[data-testid="prompt-input"]', 'a photo of a cat');
    await page.press('[data-testid="prompt-input"]', 'Enter');
    await page.waitForFunction(() => /prompt=a\+photo\+of\+a\+cat/.test(location.search), null, { timeout: 60_000 }).catch(fail);
    // (the folder stays until here: the browser reads a chosen folder's files when it needs them)
    rmSync(folder, { recursive: true, force: true });
  });

  it('a shared URL restores the view: model, head, prompt and ablation set', async () => {
    const url = new URL(app.page.url());
    const page = await app.page.context().newPage();
    await page.goto(url.href);
    await page.waitForSelector('[data-testid="model"]', { timeout: 60_000 }).catch(fail);
    assert.equal(await page.inputValue('[data-testid="prompt-input"]'), 'a photo of a cat');
    await dropFiles(page, PHOTOS.slice(0, 2).map(galleryFile));
    await page.click('[data-testid="tab-layers"]');
    await page.waitForFunction(() => /L5\.H\*/.test(document.querySelector('[data-testid="ablation-state"]')?.textContent ?? ''), null, { timeout: 60_000 }).catch(fail);
    await page.click('[data-testid="tab-heads"]');
    await page.locator('[data-testid="head-detail"][data-head="L5.H3"]').waitFor({ timeout: 30_000 }).catch(fail);
    await page.close();
  });
});
