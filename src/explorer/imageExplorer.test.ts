/**
 * ImageExplorer (the worker's analysis service) on a generated checkpoint and real photos,
 * checked against the engine's explicit outputs.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { memoryModelFiles } from '../model/checkpoint/sources.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import type { ClipEngine } from '../model/engine.ts';
import { decodeImage } from '../model/preprocess/decode.ts';
import { initNodeImageDecoders } from '../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../model/preprocess/transform.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpoint, TINY_P14_QUICKGELU } from '../model/checkpoint/checkpointGenerator.ts';
import { galleryPath } from '../testkit/shared.ts';
import { ImageExplorer } from './imageExplorer.ts';

const PHOTOS = ['astronaut.png', 'coffee.png', 'horse.png', 'rocket.jpg'];
const PROMPTS = ['a photo of a cat', 'a red rocket'];

describe('ImageExplorer', () => {
  let engine: ClipEngine;
  let explorer: ImageExplorer;
  const bytes = new Map<string, Uint8Array>();

  beforeAll(async () => {
    await initNodeImageDecoders();
    const tokenizer = generateBpeVocab(['a photo of a cat', 'a red rocket', 'a cup of coffee', 'a horse in a field'], 40);
    const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P14_QUICKGELU, { layout: 'openclip', seed: 9, tokenizer })));
    engine = await createNodeEngine(ckpt);
    explorer = new ImageExplorer(engine);
    for (const p of PHOTOS) {
      bytes.set(p, new Uint8Array(readFileSync(galleryPath(p))));
      const added = await explorer.addImage(p, p, bytes.get(p)!);
      expect(added.display.width).toBe(56);
      expect(added.display.rgba.length).toBe(56 * 56 * 4);
      // the parts of a real (generated) decomposition close on û well inside the flag threshold
      expect(added.closure.flagged).toBe(false);
      expect(added.closure.maxAbs).toBeLessThan(1e-5);
    }
  });

  async function explicitTokens(name: string) {
    const ck = engine.checkpoint;
    const px = preprocessPixels(await decodeImage(bytes.get(name)!, name), ck.preprocess);
    return engine.decompose(tensor('C S S', px.data, px.dims), { tokenLayers: [0, 1] });
  }

  it("headGrid({mode: 'norm'}) is ‖c_head‖ and {mode: 'prompt'} is ⟨c_head, t̂⟩", async () => {
    const parts = await explicitTokens('coffee.png');
    const { heads: H, embedDim: D, layers: L } = engine.checkpoint.vision;
    const n = await explorer.headGrid({ mode: 'norm', imageId: 'coffee.png' });
    const p = await explorer.headGrid({ mode: 'prompt', imageId: 'coffee.png', prompt: PROMPTS[0] });
    const t = (await engine.encodeText([PROMPTS[0]])).data;
    for (let k = 0; k < L * H; k++) {
      let nn = 0;
      let dd = 0;
      for (let d = 0; d < D; d++) {
        nn += parts.heads.data[k * D + d] ** 2;
        dd += parts.heads.data[k * D + d] * t[d];
      }
      expect(n.values[k]).toBeCloseTo(Math.sqrt(nn), 5);
      expect(p.values[k]).toBeCloseTo(dd, 5);
    }
    const v = await explorer.headGrid({ mode: 'variance' });
    expect(v.values.every((x) => x >= 0)).toBe(true);
  });

  it('heatmap() equals the explicit per-cell terms dotted with the prompt, summed over layers and heads', async () => {
    const parts = await explicitTokens('horse.png');
    const { heads: H, embedDim: D, layers: L } = engine.checkpoint.vision;
    const T = 17;
    const t = (await engine.encodeText([PROMPTS[1]])).data;
    const hm = await explorer.heatmap({ imageId: 'horse.png', prompts: [PROMPTS[1]] });
    expect(hm.grid).toBe(4);
    for (let p = 0; p < 16; p++) {
      let s = 0;
      for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) s += parts.tokens.data[((l * T + p + 1) * H + h) * D + d] * t[d];
      expect(hm.maps[0][p]).toBeCloseTo(s, 5);
    }
    // head selections partition the sum
    const a = await explorer.heatmap({ imageId: 'horse.png', prompts: [PROMPTS[1]], heads: 'L0' });
    const b = await explorer.heatmap({ imageId: 'horse.png', prompts: [PROMPTS[1]], heads: 'L1' });
    for (let p = 0; p < 16; p++) expect(a.maps[0][p] + b.maps[0][p]).toBeCloseTo(hm.maps[0][p], 5);
  });

  it('heatmaps(req, ids) answers in the order of ids with what heatmap() gives each image (one batch, the same maps)', async () => {
    const ids = ['coffee.png', 'horse.png', 'astronaut.png'];
    const req = { prompts: [PROMPTS[0], PROMPTS[1]], contrastive: true, heads: 'L0,L1.H1' };
    const batch = await explorer.heatmaps(req, ids);
    expect(batch).toHaveLength(3);
    for (const [k, imageId] of ids.entries()) {
      const one = await explorer.heatmap({ ...req, imageId });
      expect(batch[k].maps.map((m) => Array.from(m))).toEqual(one.maps.map((m) => Array.from(m)));
      expect([batch[k].min, batch[k].max]).toEqual([one.min, one.max]);
    }
    expect(batch[0].maps[0]).not.toEqual(batch[1].maps[0]);
    await expect(explorer.heatmaps({ prompts: [] }, ids)).rejects.toThrow(/at least one prompt/);
    await expect(explorer.heatmaps({ prompts: ['x'] }, ['coffee.png', 'nope'])).rejects.toThrow("no image 'nope'");
  });

  it('contrastive heatmaps sum to zero over the prompts at every patch', async () => {
    const hm = await explorer.heatmap({ imageId: 'astronaut.png', prompts: PROMPTS, contrastive: true });
    for (let p = 0; p < 16; p++) expect(hm.maps[0][p] + hm.maps[1][p]).toBeCloseTo(0, 6);
  });

  it('a tiny cells budget drops old cells and recomputes them with identical maps', async () => {
    const small = new ImageExplorer(engine, { cellsBudgetBytes: 1 });
    await small.addImage('a', 'a', bytes.get('astronaut.png')!);
    await small.addImage('b', 'b', bytes.get('rocket.jpg')!);
    const full = await explorer.heatmap({ imageId: 'astronaut.png', prompts: [PROMPTS[0]] });
    const again = await small.heatmap({ imageId: 'a', prompts: [PROMPTS[0]] });
    expect(Array.from(again.maps[0])).toEqual(Array.from(full.maps[0]));
  });

  it('topClasses: no ablation keeps the original; ablating everything gives every image the same prediction', async () => {
    await explorer.setLabels({ classes: ['cat', 'rocket', 'coffee', 'horse', 'astronaut'], templates: ['a photo of a {}.', 'a {}'] });
    const [none] = await explorer.topClasses(['coffee.png'], 3);
    expect(none.classes).toEqual(none.original);
    expect(none.classes).toHaveLength(3);
    expect((await explorer.setAblation('L*, mlp ,embed')).canonical).toBe('L*,mlp,embed');
    const tops = await explorer.topClasses(PHOTOS, 1);
    expect(tops.map((t) => t.imageId)).toEqual(PHOTOS);
    expect(new Set(tops.map((t) => t.classes[0].label)).size).toBe(1);
    const grid = await explorer.headGrid({ mode: 'norm', imageId: 'coffee.png' });
    expect(Array.from(grid.ablated).every((x) => x === 1)).toBe(true);
    // ablated heads leave the maps
    const hm = await explorer.heatmap({ imageId: 'coffee.png', prompts: [PROMPTS[0]] });
    expect(Array.from(hm.maps[0]).every((x) => x === 0)).toBe(true);
    await explorer.setAblation('');
    await expect(explorer.setAblation('L9.H0')).rejects.toThrow(/layer/);
  });

  it('headTextspan over the loaded images returns at most K-1 texts, in order, with roles from tags', async () => {
    await explorer.setPool(['colour\ta red thing', 'colour\ta blue thing', 'object\ta cup', 'object\ta rocket', 'animal\ta horse', 'place\ta field'].join('\n'));
    const panel = await explorer.headTextspan(1, 0, { m: 5 });
    expect(panel.source).toBe('images');
    expect(panel.imagesUsed).toBe(4);
    expect(panel.texts.length).toBeGreaterThan(0);
    expect(panel.texts.length).toBeLessThanOrEqual(3);
    const curve = panel.texts.map((t) => t.varianceExplained);
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThanOrEqual(curve[i - 1] - 1e-12);
    expect(panel.role?.property).toBeDefined();
  });

  it('an atlas overrides the loaded images for the heads it lists', async () => {
    const atlas = { images: 50000, heads: [{ layer: 0, head: 1, role: { property: 'colour', confidence: 0.8 }, texts: [{ text: 'a red thing', property: 'colour', varianceExplained: 0.3 }] }] };
    expect(await explorer.loadAtlas(JSON.stringify(atlas))).toEqual({ heads: 1, images: 50000 });
    const panel = await explorer.headTextspan(0, 1);
    expect(panel).toMatchObject({ source: 'atlas', imagesUsed: 50000, role: { property: 'colour' } });
    await expect(explorer.loadAtlas('{"nope": 1}')).rejects.toThrow('no "heads" list');
  });

  it('segmentation with a prompt is an S×S 0/1 mask thresholded at the map mean', async () => {
    const seg = await explorer.segmentation('horse.png', 'a horse');
    expect(seg.size).toBe(56);
    expect(seg.mask.length).toBe(56 * 56);
    expect(Array.from(seg.mask).every((v) => v === 0 || v === 1)).toBe(true);
    const predicted = await explorer.segmentation('horse.png');
    expect(['cat', 'rocket', 'coffee', 'horse', 'astronaut']).toContain(predicted.target);
  });

  it('headTopImages ranks by ‖c_head‖; layerEffects sum of attention + mlp + embed projections equals ⟨û, t̂⟩', async () => {
    const top = await explorer.headTopImages(1, 1, 2);
    expect(top).toHaveLength(2);
    expect(top[0].score).toBeGreaterThanOrEqual(top[1].score);
    const eff = await explorer.layerEffects('rocket.jpg', PROMPTS[1]);
    const t = (await engine.encodeText([PROMPTS[1]])).data;
    const ex = await explorer.exportContributions('rocket.jpg');
    let cos = 0;
    for (let d = 0; d < ex.embedDim; d++) cos += ex.embedding_D[d] * t[d];
    const total = eff.embed + eff.attention.reduce((a, b) => a + b, 0) + eff.mlp.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(cos, 5);
  });

  it('headTopImages with a prompt ranks by ⟨c_head, t̂⟩; headSimilarImages ranks by ⟨c_head, c_head(query)⟩ (raw dot, no normalisation)', async () => {
    const { heads: H, embedDim: D } = engine.checkpoint.vision;
    const t = (await engine.encodeText([PROMPTS[1]])).data;
    const heads = new Map<string, Float32Array>();
    for (const p of PHOTOS) heads.set(p, (await explorer.exportContributions(p)).heads_LHD);
    const term = (p: string) => heads.get(p)!.subarray((1 * H + 0) * D, (1 * H + 1) * D);
    const dotp = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((acc, x, i) => acc + x * b[i], 0);
    const byText = await explorer.headTopImages(1, 0, 4, PROMPTS[1]);
    const expected = PHOTOS.map((p) => ({ id: p, score: dotp(term(p), t) })).sort((a, b) => b.score - a.score);
    expect(byText.map((r) => r.id)).toEqual(expected.map((e) => e.id));
    byText.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i].score, 6));
    const similar = await explorer.headSimilarImages(1, 0, 'rocket.jpg', 4);
    const expectedSim = PHOTOS.map((p) => ({ id: p, score: dotp(term(p), term('rocket.jpg')) })).sort((a, b) => b.score - a.score);
    expect(similar.map((r) => r.id)).toEqual(expectedSim.map((e) => e.id));
    await expect(explorer.headSimilarImages(1, 0, 'nope')).rejects.toThrow("no image 'nope'");
  });

  it('errors are specific', async () => {
    await expect(explorer.heatmap({ imageId: 'nope', prompts: ['x'] })).rejects.toThrow("no image 'nope'");
    await expect(explorer.headTextspan(5, 0)).rejects.toThrow('not a head');
    await expect(explorer.addImage('t', 'notes.txt', new TextEncoder().encode('hello'))).rejects.toThrow('not an image');
  });
});
