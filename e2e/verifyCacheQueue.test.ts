/**
 * The built explorer (demo model, WASM): text embeddings survive a reload (IndexedDB, nothing
 * re-encoded), "Verify this model" on the demo model FAILs with the numbers onnxruntime-node gives
 * for the same checkpoint, a dropped folder is a queue that Cancel stops after the current image,
 * and a label set with repeated class names is taken with a notice naming them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tensor } from '../src/math/tensor.ts';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../src/model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../src/model/engine.node.ts';
import { decodeImage } from '../src/model/preprocess/decode.ts';
import { initNodeImageDecoders } from '../src/model/preprocess/decode.node.ts';
import { preprocessPixels } from '../src/model/preprocess/transform.ts';
import { sharedPath, SHARED_DIR } from '../src/testkit/shared.ts';
import { dropFiles, openApp, type AppSession } from './lib/app.ts';

const GALLERY = fileURLToPath(new URL('../public/gallery/', import.meta.url));
const DEMO = fileURLToPath(new URL('../public/demo/', import.meta.url));
const REFERENCE = sharedPath('data/reference', 'reference_values.json');
const hasShared = existsSync(REFERENCE);

async function textCache(app: AppSession) {
  const el = app.page.locator('[data-testid="text-cache"]');
  await el.waitFor({ state: 'attached', timeout: 180_000 });
  // both sets are in once the pool's numbers are there
  await app.page.waitForFunction(() => document.querySelector('[data-testid="text-cache"]')?.getAttribute('data-pool-encoded') != null, null, { timeout: 180_000 });
  const n = async (name: string) => Number(await el.getAttribute(name));
  return { poolEncoded: await n('data-pool-encoded'), poolCached: await n('data-pool-cached'), labelsEncoded: await n('data-labels-encoded'), labelsCached: await n('data-labels-cached') };
}

describe('explorer: text cache, verify this model, image queue (built, demo model, WASM)', { skip: hasShared ? false : `needs ${SHARED_DIR}` }, () => {
  let app: AppSession;
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

  it('"Verify this model" on the demo model: FAIL, with the similarities onnxruntime-node computes for the same checkpoint', async () => {
    const { page } = app;
    await page.click('[data-testid="verify-panel"] summary');
    await page.setInputFiles('[data-testid="verify-files"]', [{ name: 'reference_values.json', mimeType: 'application/json', buffer: readFileSync(REFERENCE) }]);
    await page.click('[data-testid="verify-run"]');
    await page.locator('[data-testid="verify-report"]').waitFor({ timeout: 120_000 }).catch(fail);
    assert.equal(await page.locator('[data-testid="verify-verdict"]').innerText(), 'FAIL');
    const cells = await page.locator('[data-testid="verify-cell"]').evaluateAll((els) =>
      els.map((e) => ({ row: Number(e.getAttribute('data-row')), col: Number(e.getAttribute('data-col')), computed: Number(e.getAttribute('data-computed')), published: Number(e.getAttribute('data-published')), diff: Number(e.getAttribute('data-diff')) })),
    );
    assert.equal(cells.length, 8 * 6, 'the six gallery photos of the reference, all eight texts');
    assert.match(await page.locator('[data-testid="verify-report"]').innerText(), /Not compared \(no photo\): page, motorcycle_right/);

    // the same numbers from the demo checkpoint in Node
    const ref = JSON.parse(readFileSync(REFERENCE, 'utf8')).openai_vitb32_skimage_cosine_similarity;
    await initNodeImageDecoders();
    const engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(DEMO)));
    const texts = await engine.encodeText(ref.rows_texts.map((t: string) => `This is ${t}`));
    const D = texts.dims[1];
    const files = readdirSync(GALLERY);
    for (let col = 0; col < 8; col++) {
      const file = files.find((f) => f.replace(/\.[^.]+$/, '') === ref.cols_images_skimage[col]);
      if (!file) continue;
      const px = preprocessPixels(await decodeImage(new Uint8Array(readFileSync(`${GALLERY}${file}`)), file), engine.checkpoint.preprocess);
      const img = (await engine.embed(tensor('C S S', px.data, px.dims))).data;
      for (let row = 0; row < 8; row++) {
        let dot = 0;
        let nt = 0;
        let ni = 0;
        for (let d = 0; d < D; d++) {
          dot += texts.data[row * D + d] * img[d];
          nt += texts.data[row * D + d] ** 2;
          ni += img[d] ** 2;
        }
        const cell = cells.find((c) => c.row === row && c.col === col);
        assert.ok(cell, `cell ${row},${col} is shown`);
        assert.ok(Math.abs(cell.computed - dot / Math.sqrt(nt * ni)) < 1e-4, `cell ${row},${col}: browser ${cell.computed} vs node ${dot / Math.sqrt(nt * ni)}`);
        assert.equal(cell.published, ref.matrix_rows_text_cols_image[row][col]);
        assert.ok(Math.abs(cell.diff - (cell.computed - cell.published)) < 1e-9);
      }
    }
    await engine.release();
    const failing = cells.filter((c) => Math.abs(c.diff) > 0.02).length;
    assert.ok(failing > 0);
    assert.equal(Number(await page.locator('[data-testid="verify-report"]').getAttribute('data-failing')), failing);
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
    assert.equal(await page.locator('[data-testid="error"]').count(), 0, 'no error reached the user');
  });
});
