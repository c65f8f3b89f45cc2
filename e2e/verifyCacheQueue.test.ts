/**
 * The built explorer (demo model, WASM): text embeddings survive a reload (IndexedDB, nothing
 * re-encoded), one-click "Verify" on the demo model FAILs against the published values with the
 * numbers onnxruntime-node gives for the same checkpoint, a dropped folder is a queue that Cancel
 * stops after the current image, and a label set with repeated class names is taken with a notice
 * naming them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../src/model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../src/model/engine.node.ts';
import { initNodeImageDecoders } from '../src/model/preprocess/decode.node.ts';
import { sharedPath, SHARED_DIR } from '../src/testkit/shared.ts';
import { PUBLISHED_OPENAI_VIT_B32 } from '../src/verify/referenceSet.ts';
import { verifyEngine } from '../src/verify/verifyModel.ts';
import { dropFiles, openApp, type AppPage } from './lib/app.ts';

const GALLERY = fileURLToPath(new URL('../public/gallery/', import.meta.url));
const DEMO = fileURLToPath(new URL('../public/demo/', import.meta.url));
const hasShared = existsSync(SHARED_DIR);

async function textCache(app: AppPage) {
  const el = app.page.locator('[data-testid="text-cache"]');
  await el.waitFor({ state: 'attached', timeout: 180_000 });
  // both sets are in once the pool's numbers are there
  await app.page.waitForFunction(() => document.querySelector('[data-testid="text-cache"]')?.getAttribute('data-pool-encoded') != null, null, { timeout: 180_000 });
  const n = async (name: string) => Number(await el.getAttribute(name));
  return { poolEncoded: await n('data-pool-encoded'), poolCached: await n('data-pool-cached'), labelsEncoded: await n('data-labels-encoded'), labelsCached: await n('data-labels-cached') };
}

describe('explorer: text cache, verify this model, image queue (built, demo model, WASM)', { skip: hasShared ? false : `needs ${SHARED_DIR}` }, () => {
  let app: AppPage;
  const fail = (err: Error) => {
    throw new Error(`${err.message}\nconsole:\n${app.consoleLines.slice(-30).join('\n')}`);
  };

  before(async () => {
    app = await openApp('?model=demo');
  });
  after(async () => app?.close());

  it('a reload does not re-embed the label set or the pool: they come from IndexedDB', async () => {
    const { page } = app;
    await page.waitForSelector('[data-testid="model"]', { timeout: 60_000 }).catch(fail);
    const first = await textCache(app).catch(fail);
    assert.ok(first.poolEncoded > 1000, `the pool is encoded on the first load (${first.poolEncoded})`);
    assert.equal(first.poolCached, 0);
    assert.ok(first.labelsEncoded > 1000);
    await page.reload();
    await page.waitForSelector('[data-testid="model"]', { timeout: 60_000 }).catch(fail);
    const second = await textCache(app).catch(fail);
    assert.deepEqual(second, { poolEncoded: 0, poolCached: first.poolEncoded, labelsEncoded: 0, labelsCached: first.labelsEncoded });
  });

  it('"Verify" on the demo model, one click, no file: FAIL against the published values, every value the one onnxruntime-node computes', async () => {
    const { page } = app;
    await page.click('[data-testid="verify-panel"] summary');
    await page.click('[data-testid="verify-run"]');
    await page.locator('[data-testid="verify-report"]').waitFor({ timeout: 120_000 }).catch(fail);
    assert.equal(await page.locator('[data-testid="verify-verdict"]').innerText(), 'FAIL');
    const shown = await page.locator('[data-testid="verify-value"]').evaluateAll((els) =>
      els.map((e) => ({ label: e.getAttribute('data-label')!, computed: Number(e.getAttribute('data-computed')), published: Number(e.getAttribute('data-published')), pass: e.getAttribute('data-pass') === 'true' })),
    );
    // the same check in Node on the same checkpoint and gallery photos
    await initNodeImageDecoders();
    const engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(DEMO)));
    const gallery = readdirSync(GALLERY).filter((f) => /\.(png|jpg)$/.test(f));
    const expected = await verifyEngine(engine, PUBLISHED_OPENAI_VIT_B32, gallery.map((name) => ({ name, bytes: new Uint8Array(readFileSync(`${GALLERY}${name}`)), origin: 'gallery' as const })));
    await engine.release();
    assert.equal(shown.length, expected.values.length, 'every compared value is shown');
    assert.equal(expected.values.filter((v) => v.kind === 'similarity').length, 8 * 5, 'eight texts on the five gallery reference photos');
    for (const v of expected.values) {
      const cell = shown.find((c) => c.label === v.label);
      assert.ok(cell, `${v.label} is shown`);
      assert.ok(Math.abs(cell.computed - v.computed) < 1e-4, `${v.label}: browser ${cell.computed} vs node ${v.computed}`);
      assert.equal(cell.published, v.published);
      assert.equal(cell.pass, v.pass);
    }
    assert.ok(expected.failing > 0);
    assert.equal(Number(await page.locator('[data-testid="verify-report"]').getAttribute('data-failing')), expected.failing);
    const status = await page.locator('[data-testid="verify-photo"]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-name'), e.getAttribute('data-status')])));
    assert.deepEqual(status, { page: 'missing', astronaut: 'gallery', rocket: 'gallery', chelsea: 'gallery', horse: 'gallery', coffee: 'gallery', camera: 'unavailable', motorcycle_right: 'missing' });
    assert.match(await page.locator('[data-testid="verify-report"]').innerText(), /not found \(add page\.png to compare it\)/);
  });

  it('a dropped folder is queued; Cancel stops after the current image; memory use is shown', async () => {
    const { page } = app;
    const folder = sharedPath('data/images/imagenet-samples');
    const names = readdirSync(folder).sort().slice(0, 120);
    await dropFiles(page, names.map((n) => ({ name: n, type: 'image/jpeg', base64: readFileSync(`${folder}/${n}`).toString('base64') })));
    const cancel = page.locator('[data-testid="queue-cancel"]');
    await cancel.waitFor({ timeout: 30_000 }).catch(fail);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="image-queue"]')?.getAttribute('data-done') ?? 0) >= 1, null, { timeout: 60_000 }).catch(fail);
    await cancel.click();
    await page.locator('[data-testid="image-queue"]').waitFor({ state: 'detached', timeout: 60_000 }).catch(fail);
    const ready = await page.locator('[data-testid="image-list"] li[data-status="ready"]').count();
    const adding = await page.locator('[data-testid="image-list"] li[data-status="adding"]').count();
    assert.equal(adding, 0, 'nothing is left waiting');
    assert.ok(ready >= 1 && ready < names.length, `${ready} of ${names.length} images were added before the cancel took effect`);
    const notice = await page.locator('[data-testid="notice"]', { hasText: 'Cancelled' }).innerText();
    assert.match(notice, new RegExp(`Cancelled: ${names.length - ready} images were not added`));
    const memory = page.locator('[data-testid="memory-use"]');
    await page.waitForFunction((n) => document.querySelector('[data-testid="memory-use"]')?.getAttribute('data-images') === String(n), ready, { timeout: 30_000 }).catch(fail);
    const withCells = Number(await memory.getAttribute('data-with-cells'));
    assert.ok(withCells >= 1 && withCells <= ready);
    assert.ok(Number(await memory.getAttribute('data-cells-bytes')) <= Number(await memory.getAttribute('data-budget-bytes')));
    assert.match(await memory.innerText(), /head terms of \d+ images .* budget/);
  });

  it('WebGPU device lost: the worker moves to WASM, says so, and keeps working', async () => {
    const { page } = app;
    // same origin, so the text sets come from IndexedDB (no slow encoding on the software adapter)
    await page.goto(`${app.server.url}/index.html?model=demo&runtime=webgpu&testHooks=1`);
    await page.waitForSelector('[data-testid="model"]', { timeout: 60_000 }).catch(fail);
    assert.equal(await page.locator('[data-testid="runtime"]').getAttribute('data-provider'), 'webgpu');
    await textCache(app).catch(fail);
    const photo = (n: string) => ({ name: n, type: 'image/png', base64: readFileSync(`${GALLERY}${n}`).toString('base64') });
    await dropFiles(page, [photo('chelsea.png')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === 1, null, { timeout: 120_000 }).catch(fail);
    const lost = await page.evaluate(() => (window as unknown as { clipscopeTest: { loseWebGpuDevice(): Promise<boolean> } }).clipscopeTest.loseWebGpuDevice());
    assert.equal(lost, true, 'a WebGPU session existed and its device was destroyed');
    await page.locator('[data-testid="notice"]', { hasText: 'WebGPU device was lost' }).waitFor({ timeout: 30_000 }).catch(fail);
    await page.waitForFunction(() => document.querySelector('[data-testid="runtime"]')?.getAttribute('data-provider') === 'wasm', null, { timeout: 10_000 }).catch(fail);
    await dropFiles(page, [photo('coffee.png')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === 2, null, { timeout: 120_000 }).catch(fail);
    assert.equal(await page.locator('[data-testid="error"]').count(), 0, 'no error reached the user');
  });

  it('a label set with repeated class names is taken (a class is its index), with a notice naming each repeat and its classes', async () => {
    const { page } = app;
    await textCache(app).catch(fail);
    const set = { classes: ['cat', 'missile', 'dog', 'missile', 'sunglasses', 'sunglasses'], templates: ['a photo of a {}.'] };
    await page.setInputFiles('[data-testid="labels-file"]', [{ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(set)) }]);
    const notice = page.locator('[data-testid="notice"]', { hasText: 'repeated class names' });
    await notice.waitFor({ timeout: 60_000 }).catch(fail);
    assert.equal(
      (await notice.innerText()).match(/mine\.json: repeated class names .*own/)?.[0],
      'mine.json: repeated class names "missile" (classes 1 and 3), "sunglasses" (classes 4 and 5); a class is its index, so each stays a class of its own',
    );
    await page.waitForFunction(() => /mine\.json/.test(document.body.innerText), null, { timeout: 60_000 }).catch(fail);
    // top-5 of 6 classes in which two names repeat: some name is listed twice, as two rows
    await page.click('[data-testid="tab-layers"]');
    await page
      .waitForFunction(() => [...document.querySelectorAll('[data-testid="top5"]')].some((t) => /missile|sunglasses/.test(t.getAttribute('data-logits') ?? '')), null, { timeout: 60_000 })
      .catch(fail);
    const tables = await page.locator('[data-testid="top5"]').evaluateAll((els) =>
      els.map((e) => ({ labels: (JSON.parse(e.getAttribute('data-logits') ?? '[]') as [string, number][]).map(([l]) => l), rows: e.querySelectorAll('tbody tr').length })),
    );
    assert.ok(tables.length > 0);
    for (const t of tables) {
      assert.equal(t.rows, 5);
      assert.ok(t.labels.some((l, i) => t.labels.indexOf(l) !== i), `a repeated name is listed twice: ${t.labels.join(', ')}`);
    }
    assert.equal(await page.locator('[data-testid="error"]').count(), 0, 'no error reached the user');
  });
});
