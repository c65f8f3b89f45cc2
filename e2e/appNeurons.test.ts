/**
 * The built explorer's Neurons view and "Explain this image" in headless Chromium (demo model,
 * WASM, three dropped gallery photos). Every number the page shows through its test hooks is checked
 * against the CLI on the same checkpoint files (public/demo) and photos, or the Node library, within
 * 1e-4 (max|a − b| / max|b|):
 *
 *   ranking            mean over the photos of ‖effects.npy[n]‖ (clipscope neurons), largest first
 *   top images         ‖effects.npy[n]‖ of each photo
 *   words              neurons.json texts + coefficients (clipscope neuron-atlas --vocab <the app's pool>)
 *   token map          neuronTokenScores of the Node engine's factors against encode(prompt), class token left out
 *   explain embedding  clipscope explain --part embedding --pool <the app's pool>
 *   explain head       clipscope explain --part L.H --pool <the app's pool>
 *
 * Also: the last layer cannot be picked and says why, the ranking is keyboard-navigable, a progress
 * indicator shows while the effects are computed, the panel switches the neuron off and on in the
 * what-if set, the URL keeps the view, layer and neuron, the
 * exports hold the shown numbers, and no main-thread task passes 250 ms.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { neuronProbe, neuronTokenScores, type NeuronConstants, type NeuronFactors } from '../src/analysis/neuronTokens.ts';
import type { Tensor } from '../src/math/tensor.ts';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../src/model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../src/model/engine.node.ts';
import { readNpyFloat32 } from '../src/model/io/npy.ts';
import { decodeImageFile, initNodeImageDecoders } from '../src/model/preprocess/decode.node.ts';
import { preprocessPixels } from '../src/model/preprocess/transform.ts';
import { dropFiles, longTasksSince, openApp, pageNow, type AppPage } from './lib/app.ts';
import { runCliProcess } from '../src/testkit/cliProcess.node.ts';
import { relErr } from '../src/testkit/compare.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO = join(ROOT, 'public/demo');
const GALLERY = join(ROOT, 'public/gallery');
const POOL = join(ROOT, 'public/data/descriptions.tsv');
const OUT = fileURLToPath(new URL('./.out/fixtures/app-neurons/', import.meta.url));
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PHOTOS = ['chelsea.png', 'coffee.png', 'rocket.jpg'];
/** the demo model has 6 layers: 0-4 have neuron effects */
const LAYER = 2;
const LAST = 5;
const EXPLAINED = 'coffee.png';
const HEAD = { layer: 3, head: 5 };
const PROMPT = 'a photo of a cat';
const TOL = 1e-4;

async function clipscope(...args: string[]): Promise<void> {
  const r = await runCliProcess([...args, '--threads', '1']);
  assert.equal(r.code, 0, `clipscope ${args.join(' ')} failed:\n${r.stderr}`);
}

interface Explained {
  texts: { index: number; text: string; coefficient: number }[];
  cosine: number[];
}
interface AtlasNeuron {
  neuron: number;
  meanNorm: number;
  texts: { index: number; text: string; coefficient: number }[];
}

/** what the CLI says for the same checkpoint and photos */
interface Reference {
  /** per photo: ‖φ_n‖ for every neuron of LAYER */
  norms: Map<string, Float64Array>;
  atlas: AtlasNeuron[];
  embedding: Explained;
  head: Explained;
}

async function neuronNorms(photo: string): Promise<Float64Array> {
  const out = join(OUT, 'neurons', photo);
  await clipscope('neurons', '--model', DEMO, '--image', join(GALLERY, photo), '--layer', String(LAYER), '--out', out);
  const { data, shape } = readNpyFloat32(new Uint8Array(readFileSync(join(out, 'effects.npy'))));
  const [M, D] = shape.slice(-2);
  return Float64Array.from({ length: M }, (_, n) => Math.hypot(...data.subarray(n * D, (n + 1) * D)));
}

async function explain(part: string): Promise<Explained> {
  const out = join(OUT, `explain-${part}.json`);
  await clipscope('explain', '--model', DEMO, '--image', join(GALLERY, EXPLAINED), '--part', part, '--pool', POOL, '--texts', '10', '--out', out);
  return JSON.parse(readFileSync(out, 'utf8')) as Explained;
}

async function reference(): Promise<Reference> {
  rmSync(OUT, { recursive: true, force: true });
  const photos = join(OUT, 'photos');
  mkdirSync(photos, { recursive: true });
  for (const p of PHOTOS) copyFileSync(join(GALLERY, p), join(photos, p));
  const atlasDir = join(OUT, 'atlas');
  const [norms, , embedding, head] = await Promise.all([
    Promise.all(PHOTOS.map(async (p) => [p, await neuronNorms(p)] as const)),
    clipscope('neuron-atlas', '--model', DEMO, '--images', photos, '--layer', String(LAYER), '--out', atlasDir, '--top-images', '8', '--vocab', POOL, '--texts', '10'),
    explain('embedding'),
    explain(`L${HEAD.layer}.H${HEAD.head}`),
  ]);
  const atlas = (JSON.parse(readFileSync(join(atlasDir, 'neurons.json'), 'utf8')) as { neurons: AtlasNeuron[] }).neurons;
  return { norms: new Map(norms), atlas, embedding, head };
}

/** the neuron's token map on one photo from the Node engine: per-patch summands of φ_n against the prompt */
async function tokenMapInNode(photo: string, neuron: number): Promise<number[]> {
  await initNodeImageDecoders();
  const ckpt = await loadCheckpoint(nodeModelDir(DEMO));
  const engine = await createNodeEngine(ckpt);
  try {
    const parts = await engine.decompose(preprocessPixels(await decodeImageFile(join(GALLERY, photo)), ckpt.preprocess), { neuronLayer: LAYER });
    const constants = await engine.neuronProjections(LAYER);
    const factors: NeuronFactors = { post: parts.neuron_post as Tensor<'T U'>, tokenWeights: parts.neuron_token_weights as Tensor<'K H T'> };
    const c: NeuronConstants = { q: constants.neuron_q as Tensor<'K H U E'>, out: constants.neuron_out as Tensor<'K H E D'> };
    const t = (await engine.encodeText([PROMPT])).data;
    return Array.from(neuronTokenScores(factors, neuron, neuronProbe(c, neuron, t)).data.slice(1));
  } finally {
    await engine.release();
  }
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

const photoFile = (name: string) => ({ name, type: name.endsWith('.png') ? 'image/png' : 'image/jpeg', base64: readFileSync(join(GALLERY, name)).toString('base64') });

/** rows of a TextPicks list */
const readPicks = (page: Page, selector: string) =>
  page
    .locator(`${selector} li`)
    .evaluateAll((els) => els.map((e) => ({ index: Number(e.getAttribute('data-index')), text: e.getAttribute('data-text')!, coefficient: Number(e.getAttribute('data-coefficient')), cosine: Number(e.getAttribute('data-cosine')) })));

function assertPicks(got: Awaited<ReturnType<typeof readPicks>>, want: Explained | AtlasNeuron, what: string, cosine = true): void {
  assert.ok(want.texts.length > 0, `${what}: the CLI picked texts`);
  assert.deepEqual(
    got.map((g) => [g.index, g.text]),
    want.texts.map((w) => [w.index, w.text]),
    `${what}: the same texts in the same order`,
  );
  assert.ok(relErr(got.map((g) => g.coefficient), want.texts.map((w) => w.coefficient)) <= TOL, `${what}: coefficients ${JSON.stringify(got.map((g) => g.coefficient))} vs ${JSON.stringify(want.texts.map((w) => w.coefficient))}`);
  if (cosine && 'cosine' in want) assert.ok(relErr(got.map((g) => g.cosine), want.cosine) <= TOL, `${what}: cosines`);
}

describe('Neurons view and "Explain this image" (built app, demo model, WASM): numbers equal the CLI’s', () => {
  let app: AppPage;
  let ref: Reference;
  /** mean ‖φ_n‖ over the photos, per neuron */
  let meanNorm: Float64Array;
  let picked: number;
  const fail = (err: Error) => {
    throw new Error(`${err.message}\nconsole:\n${app.consoleLines.slice(-30).join('\n')}`);
  };

  before(async () => {
    // openApp writes public/demo first (synchronously), so the CLI runs on the same files while the app builds
    const opened = openApp('?runtime=wasm&model=demo');
    [app, ref] = await Promise.all([opened, reference()]);
    const M = ref.norms.get(PHOTOS[0])!.length;
    meanNorm = Float64Array.from({ length: M }, (_, n) => PHOTOS.reduce((s, p) => s + ref.norms.get(p)![n], 0) / PHOTOS.length);
  });
  after(async () => app?.close());

  it('ranks the neurons of a picked layer by mean ‖φ_n‖ equal to clipscope neurons’ effects.npy, with a progress indicator', async () => {
    const { page } = app;
    await page.waitForSelector('[data-testid="model"]', { timeout: 120_000 }).catch(fail);
    await dropFiles(page, PHOTOS.map(photoFile));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === 3, null, { timeout: 120_000 }).catch(fail);
    // did the view ever show its progress indicator while effects were computed?
    await page.evaluate(() => {
      const w = window as unknown as { neuronProgressSeen: boolean };
      w.neuronProgressSeen = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="neuron-progress"]')) w.neuronProgressSeen = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await page.click('[data-testid="tab-neurons"]');
    const last = page.locator(`[data-testid="neuron-layer-${LAST}"]`);
    await last.waitFor();
    // as app.test does for its tabs: the window opens after the tab switch, and holds the layer's effects computed, ranked and drawn
    const t0 = await pageNow(page);
    assert.equal(await last.isDisabled(), true, 'the last layer cannot be picked');
    assert.match((await last.getAttribute('title'))!, /last layer: no later attention heads carry its neurons’ effects/);
    await page.click(`[data-testid="neuron-layer-${LAYER}"]`);
    const chart = page.locator(`[data-testid="neuron-ranking"][data-layer="${LAYER}"][data-images="3"]`);
    await chart.waitFor({ timeout: 120_000 }).catch(fail);
    assert.equal(await page.evaluate(() => (window as unknown as { neuronProgressSeen: boolean }).neuronProgressSeen), true, 'a progress indicator showed while effects were computed');
    const neurons = (await chart.getAttribute('data-neurons'))!.split(',').map(Number);
    const values = (await chart.getAttribute('data-values'))!.split(',').map(Number);
    assert.equal(neurons.length, meanNorm.length, 'every neuron of the layer is ranked');
    assert.deepEqual([...neurons].sort((a, b) => a - b), Array.from(meanNorm, (_, n) => n));
    // the app's value for each neuron is the CLI's, and the app's order is the CLI's (up to neurons closer than the tolerance)
    assert.ok(relErr(values, neurons.map((n) => meanNorm[n])) <= TOL, `mean norms vs effects.npy: rel. error ${relErr(values, neurons.map((n) => meanNorm[n]))}`);
    const cliSorted = Float64Array.from(meanNorm).sort().reverse();
    assert.ok(relErr(values, cliSorted) <= TOL, 'ranked largest first as the CLI’s norms are');
    assert.ok(new Set(values).size > meanNorm.length / 2, 'neurons differ');
    assert.match(page.url(), new RegExp(`view=neurons.*nlayer=${LAYER}|nlayer=${LAYER}.*view=neurons`));
    await page.locator('[data-testid="neuron-curve"] svg').waitFor();
    await page.locator('[data-testid="legend"]').first().waitFor();
    assert.deepEqual(await longTasksSince(page, t0, 250), [], 'no main-thread task over 250 ms while the effects are computed and the ranking drawn');
  });

  it('the ranking is keyboard-navigable and labelled; picking a neuron shows its words, top images and token map as the CLI and the engine give them', async () => {
    const { page } = app;
    await page.click(`[data-testid="image-list"] li[data-name="${EXPLAINED}"] button.thumb`);
    const bars = page.locator('[data-testid="neuron-ranking"]');
    const order = (await bars.getAttribute('data-neurons'))!.split(',').map(Number);
    await page.focus('[data-testid="neuron-ranking"] [tabindex="0"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    picked = order[1];
    const label = `L${LAYER}.N${picked}`;
    const aria = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.match(aria ?? '', new RegExp(`^rank 2: neuron ${label.replace('.', '\\.')}, mean effect norm [−\\d.e]+`));
    assert.equal(await bars.getAttribute('role'), 'listbox');
    const detail = page.locator(`[data-testid="neuron-detail"][data-neuron="${label}"]`);
    await detail.waitFor({ timeout: 60_000 }).catch(fail);
    assert.match(page.url(), new RegExp(`neuron=L${LAYER}\\.N${picked}`));

    // words: METHOD §10 of the neuron's direction over the app's pool = neuron-atlas over the same pool
    const words = page.locator(`[data-testid="neuron-words"][data-part="${label}"]`);
    await words.waitFor({ timeout: 60_000 }).catch(fail);
    const atlasNeuron = ref.atlas.find((a) => a.neuron === picked)!;
    assertPicks(await readPicks(page, `[data-testid="neuron-words"][data-part="${label}"]`), atlasNeuron, `words of ${label}`, false);
    const summary = page.locator('[data-testid="neuron-summary"]');
    assert.ok(relErr([Number(await summary.getAttribute('data-mean-norm'))], [atlasNeuron.meanNorm]) <= TOL, 'the panel’s mean norm is the atlas’s');

    // images where it acts most: ‖effects.npy[n]‖ of each photo, largest first
    const top = await page
      .locator('[data-testid="neuron-top-images"] li')
      .evaluateAll((els) => els.map((e) => ({ name: e.querySelector('span.small')?.textContent ?? '', norm: Number(e.getAttribute('data-score')) })));
    const wantTop = PHOTOS.map((p) => ({ name: p, norm: ref.norms.get(p)![picked] })).sort((a, b) => b.norm - a.norm);
    assert.deepEqual(top.map((t) => t.name), wantTop.map((w) => w.name), 'the photos in the CLI’s order of ‖φ_n‖');
    assert.ok(relErr(top.map((t) => t.norm), wantTop.map((w) => w.norm)) <= TOL, `top image norms ${JSON.stringify(top)} vs ${JSON.stringify(wantTop)}`);

    // token map: against the neuron's direction without a prompt (said so), against the prompt once typed
    const probe = page.locator('[data-testid="neuron-probe"]');
    await probe.waitFor({ timeout: 60_000 }).catch(fail);
    assert.equal(await probe.getAttribute('data-probe'), 'direction');
    assert.match((await probe.textContent())!, /own direction/);
    await page.locator('[data-testid="prompt-input"]').fill(PROMPT);
    await page.waitForSelector('[data-testid="neuron-probe"][data-probe="prompt"]', { timeout: 60_000 }).catch(fail);
    assert.match((await probe.textContent())!, new RegExp(PROMPT));
    const map = page.locator('[data-testid="neuron-token-map"]');
    const got = (await map.getAttribute('data-values'))!.split(',').map(Number);
    const want = await tokenMapInNode(EXPLAINED, picked);
    assert.equal(Number(await map.getAttribute('data-grid')) ** 2, want.length, 'one value per patch');
    assert.ok(relErr(got, want) <= TOL, `token map vs the Node engine: rel. error ${relErr(got, want)}`);

    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-neuron-json"]')]);
    const doc = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { format: string; label: string; texts: { index: number }[] };
    assert.equal(doc.format, 'clipscope.neuron/1');
    assert.equal(doc.label, label);
    assert.deepEqual(doc.texts.map((t) => t.index), atlasNeuron.texts.map((t) => t.index));
    // the panel switches the neuron off in the what-if set (the ablation syntax names neurons), and on again
    await page.click('[data-testid="toggle-neuron"]');
    await page.waitForSelector('[data-testid="toggle-neuron"][aria-pressed="true"]', { timeout: 60_000 }).catch(fail);
    assert.match(decodeURIComponent(page.url()), new RegExp(`ablate=${label.replace('.', '\\.')}`));
    await page.click('[data-testid="toggle-neuron"]');
    await page.waitForSelector('[data-testid="toggle-neuron"][aria-pressed="false"]', { timeout: 60_000 }).catch(fail);
    await shot(page, 'neurons-view');
  });

  it('a shared URL reopens the Neurons view on the same layer and neuron', async () => {
    const page = await app.page.context().newPage();
    await page.goto(app.page.url());
    await page.waitForSelector('[data-testid="model"]', { timeout: 60_000 }).catch(fail);
    await dropFiles(page, [photoFile(PHOTOS[0])]);
    await page.locator(`[data-testid="neuron-detail"][data-neuron="L${LAYER}.N${picked}"]`).waitFor({ timeout: 60_000 }).catch(fail);
    await page.locator(`[data-testid="neuron-ranking"][data-layer="${LAYER}"]`).waitFor({ timeout: 60_000 }).catch(fail);
    await page.close();
  });

  it('the go-to field picks a neuron ranked on a later page, and the bars turn to that page', async () => {
    const { page } = app;
    const order = (await page.locator('[data-testid="neuron-ranking"]').getAttribute('data-neurons'))!.split(',').map(Number);
    const rank = 40;
    const neuron = order[rank];
    await page.fill('[data-testid="neuron-input"]', `L${LAYER}.N${neuron}`);
    await page.press('[data-testid="neuron-input"]', 'Enter');
    await page.locator(`[data-testid="neuron-detail"][data-neuron="L${LAYER}.N${neuron}"]`).waitFor({ timeout: 60_000 }).catch(fail);
    const bar = page.locator(`[data-testid="neuron-ranking"] [data-neuron="${neuron}"]`);
    await bar.waitFor({ timeout: 10_000 }).catch(fail);
    assert.equal(await bar.getAttribute('aria-selected'), 'true');
    assert.equal(Number(await bar.getAttribute('data-rank')), rank);
    assert.match(page.url(), new RegExp(`neuron=L${LAYER}\\.N${neuron}(&|$)`));
    await page.fill('[data-testid="neuron-input"]', `L${LAYER}.N99999`);
    await page.press('[data-testid="neuron-input"]', 'Enter');
    assert.match((await page.locator('[data-testid="neuron-input"] ~ .message.error').textContent())!, /give a neuron 0–\d+/);
  });

  it('"Explain this image" lists the texts clipscope explain picks for the embedding and the selected head, with their coefficients and cosines', async () => {
    const { page } = app;
    await page.locator('[data-testid="prompt-input"]').fill('');
    await page.click('[data-testid="tab-heads"]');
    await page.click(`[data-testid="image-list"] li[data-name="${EXPLAINED}"] button.thumb`);
    await page.click(`[data-testid="head-grid"] [data-layer="${HEAD.layer}"][data-head="${HEAD.head}"]`);
    const head = `L${HEAD.layer}.H${HEAD.head}`;
    await page.locator(`[data-testid="explain-panel"][data-image="${EXPLAINED}"] [data-testid="explain-head"][data-part="${head}"]`).waitFor({ timeout: 60_000 }).catch(fail);
    assertPicks(await readPicks(page, `[data-testid="explain-panel"][data-image="${EXPLAINED}"] [data-testid="explain-embedding"]`), ref.embedding, 'embedding');
    assertPicks(await readPicks(page, `[data-testid="explain-panel"] [data-testid="explain-head"][data-part="${head}"]`), ref.head, head);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-explain-embedding"]')]);
    const doc = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { format: string; image: string; cosine: number[] };
    assert.equal(doc.format, 'clipscope.explanation/1');
    assert.equal(doc.image, EXPLAINED);
    assert.ok(relErr(doc.cosine, ref.embedding.cosine) <= TOL);
    await page.locator('[data-testid="explain-panel"]').scrollIntoViewIfNeeded();
    await shot(page, 'explain-image');
  });
});
