/**
 * The built explorer in headless Chromium with a model from the mock Hugging Face hub (a second
 * origin serving a generated checkpoint with a tokenizer, Range requests + tree API), so the app's
 * real download, resume, progress and OPFS storage code runs. Every number the page shows through
 * its test hooks is checked against the CLI (`node bin/clipscope.js decompose|encode-text`, spawned)
 * or the Node library on the same checkpoint and photos, within 1e-4:
 *
 *   head grid (norm)    ‖heads.npy[l,h]‖
 *   prompt heatmap      Σ_{layers, heads} ⟨tokens.npy[l,i,h], encode-text(prompt)⟩, i = 1..N
 *   TEXTSPAN list       textspan() over the three images' head terms (heads.npy) and the app's pool
 *   top-5 logits        embedding.npy · zero-shot classifier of the app's label set (public/data/labels.json),
 *                       and after switching heads off, the mean-ablated embedding · classifier
 *   JSON export         heads.npy
 *
 * The download is cut mid-file (then two 503s) and resumes: the bar never goes back, every byte
 * crosses the wire once and the model equals the checkpoint loaded directly. With the hub stopped
 * and the page reloaded, the model loads from browser storage and gives the same numbers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ablatedEmbedding, ComponentMeanAccumulator, resolveAblation } from '../src/analysis/ablation.ts';
import type { ImageComponents } from '../src/analysis/inputs.ts';
import { headPool } from '../src/analysis/retrieval.ts';
import { textspan } from '../src/analysis/textspan.ts';
import { classLogits, topClasses, zeroShotClassifier } from '../src/analysis/zeroshot.ts';
import { parsePool } from '../src/labels/pool.ts';
import { tensor, type Tensor } from '../src/math/tensor.ts';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../src/model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../src/model/engine.node.ts';
import { readNpyFloat32 } from '../src/model/io/npy.ts';
import { generateBpeVocab } from '../src/model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../src/model/checkpoint/checkpointGenerator.node.ts';
import { runCliProcess } from '../src/testkit/cliProcess.node.ts';
import { galleryPath } from '../src/testkit/shared.ts';
import { dropFiles, openApp, type AppPage } from './lib/app.ts';
import { relErr } from '../src/testkit/compare.ts';
import { APP_HUB_SPEC } from './lib/hubFixture.ts';
import { startMockHub, type MockHub } from './lib/mockHub.ts';

const OUT = fileURLToPath(new URL('./.out/fixtures/app-hub/', import.meta.url));
const HUB_ROOT = join(OUT, 'hub');
const REPO = 'e2e-org/tiny-clip-app';
const MODEL_DIR = join(HUB_ROOT, REPO);
const WEIGHTS = 'model.safetensors';
const PUBLIC_DATA = fileURLToPath(new URL('../public/data/', import.meta.url));
const PHOTOS = ['chelsea.png', 'coffee.png', 'rocket.jpg'];
const PROMPT = 'a photo of a cat';
const HEAD = { layer: 2, head: 1 };
const ABLATE = 'L3.H*,L1.H2';
const TOL = 1e-4;

const SPEC = APP_HUB_SPEC;
const { layers: L, heads: H } = SPEC.vision;
const D = SPEC.embedDim;

async function clipscope(...args: string[]): Promise<void> {
  const r = await runCliProcess(args);
  assert.equal(r.code, 0, `clipscope ${args[0]} failed: ${r.stderr}`);
}

const npy = (file: string) => readNpyFloat32(new Uint8Array(readFileSync(file)));

/** what the CLI wrote for one photo */
interface CliImage {
  name: string;
  components: ImageComponents;
  /** tokens.npy [L, T, H, D] (every layer) */
  tokens: Tensor<'L T H D', Float32Array>;
}

/** the last `rank` dims (the CLI may keep a leading batch of 1) */
function lastDims(dims: readonly number[], rank: number): number[] {
  assert.ok(dims.slice(0, dims.length - rank).every((d) => d === 1), `unexpected leading dims in [${dims}]`);
  return dims.slice(dims.length - rank);
}

async function decomposeWithCli(photo: string): Promise<CliImage> {
  const out = join(OUT, 'cli', photo);
  rmSync(out, { recursive: true, force: true });
  await clipscope('decompose', '--model', MODEL_DIR, '--image', galleryPath(photo), '--out', out, '--token-layers', 'all', '--threads', '1');
  const t = (name: string, rank: number) => {
    const a = npy(join(out, `${name}.npy`));
    return { data: a.data, dims: lastDims(a.shape, rank) };
  };
  const heads = t('heads', 3);
  const tokens = t('tokens', 4);
  assert.deepEqual(heads.dims, [L, H, D]);
  assert.deepEqual([tokens.dims[0], tokens.dims[2], tokens.dims[3]], [L, H, D]);
  return {
    name: photo,
    components: {
      embedding: tensor('D', t('embedding', 1).data, [D]),
      embedTerm: tensor('D', t('embed_term', 1).data, [D]),
      mlp: tensor('L D', t('mlp', 2).data, [L, D]),
      heads: tensor('L H D', heads.data, [L, H, D]),
      classClass: tensor('L D', t('class_class', 2).data, [L, D]),
    },
    tokens: tensor('L T H D', tokens.data, tokens.dims),
  };
}

async function encodeTextWithCli(text: string): Promise<Float32Array> {
  const file = join(OUT, 'cli', 'prompt.npy');
  await clipscope('encode-text', '--model', MODEL_DIR, '--text', text, '--out', file);
  const a = npy(file);
  assert.deepEqual(lastDims(a.shape, 1), [D]);
  return a.data;
}

/** the head grid's "norm" values for one image: ‖c_head‖ */
function headNorms(img: CliImage): number[] {
  const h = img.components.heads.data;
  return Array.from({ length: L * H }, (_, k) => Math.hypot(...h.subarray(k * D, (k + 1) * D)));
}

/** Σ over layers and heads of ⟨c_{l,h,i}, t⟩ for patch tokens i = 1..N (class token excluded) */
function promptMap(img: CliImage, t: Float32Array): number[] {
  const [, T] = img.tokens.dims;
  const x = img.tokens.data;
  const map = new Array<number>(T - 1).fill(0);
  for (let l = 0; l < L; l++)
    for (let i = 1; i < T; i++)
      for (let h = 0; h < H; h++) {
        const off = ((l * T + i) * H + h) * D;
        let s = 0;
        for (let d = 0; d < D; d++) s += x[off + d] * t[d];
        map[i - 1] += s;
      }
  return map;
}

/** the app's label set and pool, embedded by the Node engine, as the worker does */
async function textSets(): Promise<{ classes: string[]; W: Tensor<'C D', Float64Array>; pool: ReturnType<typeof parsePool>; poolEmb: Tensor<'M D', Float32Array> }> {
  const labels = JSON.parse(readFileSync(join(PUBLIC_DATA, 'labels.json'), 'utf8')) as { classes: string[]; templates: string[] };
  const pool = parsePool(readFileSync(join(PUBLIC_DATA, 'descriptions.tsv'), 'utf8'));
  const engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(MODEL_DIR)));
  try {
    const prompts = labels.classes.flatMap((c) => labels.templates.map((t) => t.replaceAll('{}', c)));
    const emb = await engine.encodeText(prompts);
    const W = zeroShotClassifier(tensor('C P D', emb.data as Float32Array, [labels.classes.length, labels.templates.length, D]));
    const poolEmb = await engine.encodeText(pool.texts);
    return { classes: labels.classes, W, pool, poolEmb: tensor('M D', poolEmb.data as Float32Array, [pool.texts.length, D]) };
  } finally {
    await engine.release();
  }
}

/** polls `read` until `ok` holds (or the timeout passes) and returns the last value read */
async function settle<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

const photoFile = (name: string) => ({
  name,
  type: name.endsWith('.png') ? 'image/png' : 'image/jpeg',
  base64: readFileSync(galleryPath(name)).toString('base64'),
});

const gridValues = (page: Page) => page.locator('[data-testid="head-grid"]').getAttribute('data-values').then((v) => (v ? v.split(',').map(Number) : []));

async function selectImage(page: Page, name: string): Promise<void> {
  await page.click(`[data-testid="image-list"] li[data-name="${name}"] button.thumb`);
}

/** records every value of the byte progress bar while a download runs */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { progressSeen: { value: number; max: number }[] };
    w.progressSeen = [];
    new MutationObserver(() => {
      const p = document.querySelector<HTMLProgressElement>('[data-testid="progress"] progress');
      const label = document.querySelector('[data-testid="progress"] .progress-label')?.textContent ?? '';
      if (!p || !label.startsWith('downloading') || !(p.max > 1)) return;
      const last = w.progressSeen.at(-1);
      if (!last || last.value !== p.value || last.max !== p.max) w.progressSeen.push({ value: p.value, max: p.max });
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

describe('explorer app with a model from the mock hub: numbers equal the CLI’s', () => {
  let app: AppPage;
  let hub: MockHub;
  let cli: CliImage[];
  let promptEmb: Float32Array;
  let sets: Awaited<ReturnType<typeof textSets>>;
  let fingerprint: string;
  const fail = (err: Error) => {
    throw new Error(`${err.message}\nconsole:\n${app.consoleLines.slice(-30).join('\n')}`);
  };

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(MODEL_DIR, { recursive: true });
    const labels = JSON.parse(readFileSync(join(PUBLIC_DATA, 'labels.json'), 'utf8')) as { classes: string[] };
    const tokenizer = generateBpeVocab([PROMPT, 'a photo of a dog', ...labels.classes], 200);
    generateCheckpointDir(MODEL_DIR, SPEC, { layout: 'hf', seed: 77, tokenizer });
    fingerprint = (await loadCheckpoint(nodeModelDir(MODEL_DIR))).fingerprint;
    hub = await startMockHub(HUB_ROOT);
    // the reference numbers (CLI processes, Node engine) are computed while the browser starts
    const reference = Promise.all([Promise.all(PHOTOS.map(decomposeWithCli)), encodeTextWithCli(PROMPT), textSets()]);
    app = await openApp(`?runtime=wasm&hub=${encodeURIComponent(hub.url)}`);
    [cli, promptEmb, sets] = await reference;
  });
  after(async () => {
    await hub?.stop();
    await app?.close();
  });

  it('downloads the model through the hub picker with a byte progress bar, resuming after the server cuts the connection', async () => {
    const { page } = app;
    await page.waitForSelector('[data-testid="runtime"]', { timeout: 60_000 }).catch(fail);
    await recordProgress(page);
    const size = statSync(join(MODEL_DIR, WEIGHTS)).size;
    hub.resetStats();
    // the weights' response is cut after 40% of the file, then the hub answers 503 twice
    hub.dropAfterBytes(Math.floor(size * 0.4), { match: WEIGHTS, thenFail: 2 });
    await page.click('details.hub > summary');
    await page.fill('input[aria-label="hub repository (owner/name)"]', REPO);
    await page.click('details.hub button[type="submit"]');
    await page.waitForSelector(`[data-testid="model"][data-fingerprint="${fingerprint}"]`, { timeout: 120_000 }).catch(fail);

    const seen = await page.evaluate(() => (window as unknown as { progressSeen: { value: number; max: number }[] }).progressSeen);
    const total = seen.at(-1)!.max;
    const repoBytes = readdirSync(MODEL_DIR).reduce((n, f) => n + statSync(join(MODEL_DIR, f)).size, 0);
    assert.equal(total, repoBytes, 'the bar counts every file of the repo (both towers and the tokenizer)');
    assert.equal(seen.at(-1)!.value, total, 'and reaches the end');
    assert.ok(seen.some((p) => p.value > 0 && p.value < total), 'intermediate progress shown');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].value >= seen[i - 1].value, `the bar never goes back: ${JSON.stringify(seen)}`);
    // the hub redirects the weights to its CDN (a second origin), which sends the bytes
    const weightRequests = hub.requests.filter((r) => r.file === WEIGHTS && r.method === 'GET');
    assert.ok(weightRequests.some((r) => r.status === 503), 'the injected failures were met');
    assert.ok(
      weightRequests.some((r) => r.origin === 'cdn' && r.status === 206 && Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1]) >= Math.floor(size * 0.4)),
      'a later request resumed from the cut',
    );
    // the storage-quota check before the download (issue 7 item 3) reads the safetensors header
    // (8 + n bytes) to size the towers; apart from that, every byte once: a restart would add ≥ 40%
    const head = readFileSync(join(MODEL_DIR, WEIGHTS)).subarray(0, 8);
    const headerBytes = 8 + new DataView(head.buffer, head.byteOffset, 8).getUint32(0, true);
    assert.equal(hub.bytesSent(WEIGHTS), size + headerBytes, 'every weight byte crossed the wire once (resumed, not restarted), plus the header the quota check read');
    // the link names the model as owner/name@commit (issue 7 item 3)
    assert.equal(new URL(page.url()).searchParams.get('model'), `${REPO}@${hub.commitOf(REPO)}`);
  });

  it('three dropped photos: the head grid equals ‖heads.npy‖ of clipscope decompose, for each image', async () => {
    const { page } = app;
    await dropFiles(page, PHOTOS.map(photoFile));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === 3, null, { timeout: 120_000 }).catch(fail);
    await page.locator('[data-testid="head-grid"]').waitFor({ timeout: 60_000 }).catch(fail);
    for (const img of cli) {
      await selectImage(page, img.name);
      const want = headNorms(img);
      const got = await settle(() => gridValues(page), (v) => v.length === want.length && relErr(v, want) <= TOL);
      assert.equal(got.length, L * H);
      assert.ok(relErr(got, want) <= TOL, `${img.name}: head grid vs heads.npy, rel. error ${relErr(got, want)}`);
    }
    // the grids differ between images, so the comparison above is image-specific
    assert.ok(relErr(headNorms(cli[0]), headNorms(cli[1])) > 1e-2);
  });

  it('clicking a head lists the texts textspan() picks over the CLI head terms and the same pool', async () => {
    const { page } = app;
    await page.click(`[data-testid="head-grid"] [data-layer="${HEAD.layer}"][data-head="${HEAD.head}"]`);
    const list = page.locator(`[data-testid="textspan-list"][data-head="L${HEAD.layer}.H${HEAD.head}"]`);
    await list.waitFor({ timeout: 120_000 }).catch(fail);
    const items = await list.locator('li').evaluateAll((els) => els.map((e) => ({ text: e.getAttribute('data-text'), variance: Number(e.getAttribute('data-variance')) })));
    const C = headPool(cli.map((c) => c.components.heads as Tensor<'L H D', Float32Array>), HEAD.layer, HEAD.head);
    const want = textspan(tensor('K D', C.data, C.dims), sets.poolEmb, { m: 10, rank: 80 });
    assert.ok(want.picks.length >= 1);
    assert.deepEqual(items.map((i) => i.text), want.picks.map((p) => sets.pool.texts[p.index]));
    assert.ok(relErr(items.map((i) => i.variance), want.picks.map((p) => p.varianceExplained)) <= TOL);
  });

  it('a prompt heatmap equals tokens.npy · encode-text, summed over layers and heads, class token excluded', async () => {
    const { page } = app;
    await page.click('[data-testid="tab-prompt"]');
    await page.locator('[data-testid="prompt-input"]').pressSequentially(PROMPT, { delay: 10 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="heatmap"][data-values]:not([data-values=""])').length === 3, null, { timeout: 60_000 }).catch(fail);
    const maps = await page.locator('[data-testid="heatmap-card"]').evaluateAll((els) =>
      els.map((e) => ({ name: e.getAttribute('data-name')!, grid: Number(e.querySelector('canvas')!.getAttribute('data-grid')), values: e.querySelector('canvas')!.getAttribute('data-values')!.split(',').map(Number) })),
    );
    assert.deepEqual(maps.map((m) => m.name).sort(), [...PHOTOS].sort());
    for (const m of maps) {
      const want = promptMap(cli.find((c) => c.name === m.name)!, promptEmb);
      assert.equal(m.grid * m.grid, want.length);
      assert.ok(relErr(m.values, want) <= TOL, `${m.name}: heatmap vs CLI tokens·text, rel. error ${relErr(m.values, want)}`);
    }
  });

  it('top-5 logits equal the CLI embedding · the zero-shot classifier of the app’s label set, before and after switching heads off', async () => {
    const { page } = app;
    await page.click('[data-testid="tab-layers"]');
    const readTop5 = () =>
      page.locator('[data-testid="top5"]').evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-image')!, logits: JSON.parse(e.getAttribute('data-logits')!) as [string, number][] })));
    const expected = (y: (c: CliImage) => ArrayLike<number>) =>
      new Map(cli.map((c) => [c.name, topClasses(classLogits(sets.W, y(c)), 5).map((r) => [sets.classes[r.index], r.score] as [string, number])]));
    const check = (got: Awaited<ReturnType<typeof readTop5>>, want: Map<string, [string, number][]>, what: string) => {
      assert.equal(got.length, 3);
      for (const g of got) {
        const w = want.get(g.name)!;
        assert.deepEqual(g.logits.map(([label]) => label), w.map(([label]) => label), `${what} ${g.name}: classes`);
        assert.ok(relErr(g.logits.map(([, v]) => v), w.map(([, v]) => v)) <= TOL, `${what} ${g.name}: logits ${JSON.stringify(g.logits)} vs ${JSON.stringify(w)}`);
      }
    };
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="top5"]').length === 3, null, { timeout: 120_000 }).catch(fail);
    check(await readTop5(), expected((c) => c.components.embedding.data), 'original');

    const acc = new ComponentMeanAccumulator({ layers: L, heads: H, dim: D });
    for (const c of cli) acc.add(c.components);
    const sel = resolveAblation(ABLATE, { layers: L, heads: H });
    const ablated = expected((c) => ablatedEmbedding(c.components, acc.means(), sel));
    const before = JSON.stringify(await readTop5());
    await page.fill('[data-testid="ablation-input"]', ABLATE);
    await page.press('[data-testid="ablation-input"]', 'Enter');
    const got = await settle(readTop5, (v) => JSON.stringify(v) !== before);
    assert.notEqual(JSON.stringify(got), before, 'switching heads off changes the top-5');
    check(got, ablated, 'ablated');
  });

  it('exports a JSON whose head terms equal heads.npy, and a PNG', async () => {
    const { page } = app;
    await selectImage(page, PHOTOS[1]);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-json"]')]);
    const doc = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { heads: number[][][] };
    assert.ok(relErr(doc.heads.flat(2), cli[1].components.heads.data) <= TOL);
    await page.click('[data-testid="tab-prompt"]');
    await page.locator('[data-testid="export-png"]').first().waitFor();
    const [png] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-png"]').first().click()]);
    const bytes = readFileSync((await png.path())!);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('with the hub stopped and the page reloaded, the model loads from browser storage and gives the same numbers', async () => {
    const { page } = app;
    await hub.stop();
    // open the app without the link's model (a link reopens it by itself: e2e/sharedLink.test.ts),
    // so the model is picked from the stored list
    await page.goto(page.url().split('?')[0]);
    await page.waitForSelector('[data-testid="runtime"]', { timeout: 60_000 }).catch(fail);
    await page.click('details.hub > summary');
    const stored = page.locator('details.hub ul.stored button.link', { hasText: REPO });
    await stored.waitFor({ timeout: 30_000 }).catch(fail);
    await stored.click();
    await page.waitForSelector(`[data-testid="model"][data-fingerprint="${fingerprint}"]`, { timeout: 60_000 }).catch(fail);
    await dropFiles(page, [photoFile(PHOTOS[2])]);
    await page.click('[data-testid="tab-heads"]');
    const want = headNorms(cli[2]);
    const got = await settle(() => gridValues(page), (v) => v.length === want.length && relErr(v, want) <= TOL);
    assert.ok(relErr(got, want) <= TOL, `stored model: head grid vs heads.npy, rel. error ${got.length ? relErr(got, want) : 'no grid'}`);
  });
});
