/**
 * ImageExplorer's "Verify this model" (published values, photos found by their pixels), its use of a persistent text store, and its memory report,
 * on a generated (random-weight) checkpoint and the real reference photos.
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
import { MemoryTextCache } from '../model/textCache.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpoint, TINY_P14_QUICKGELU } from '../model/checkpoint/checkpointGenerator.ts';
import { hasShared, sharedPath } from '../testkit/shared.ts';
import { PUBLISHED_OPENAI_VIT_B32 } from '../verify/referenceSet.ts';
import { ImageExplorer } from './imageExplorer.ts';
import { TextEmbeddings } from './textEmbeddings.ts';

/** the reference photos shipped in the gallery, and camera.png (a newer photo than the one the published figure used) */
const GALLERY = ['astronaut.png', 'rocket.jpg', 'chelsea.png', 'horse.png', 'coffee.png', 'camera.png'];
const POOL = ['colour\ta red thing', 'colour\ta blue thing', 'object\ta cup', 'object\ta rocket', 'animal\ta horse'].join('\n');

describe.runIf(hasShared())('ImageExplorer services', () => {
  let engine: ClipEngine;
  const photo = (name: string) => new Uint8Array(readFileSync(sharedPath('data/images/photos', name)));

  beforeAll(async () => {
    await initNodeImageDecoders();
    const tokenizer = generateBpeVocab(['this is a photo of a cat on a page', 'a red rocket', 'a portrait of an astronaut with the American flag'], 30);
    const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P14_QUICKGELU, { layout: 'openclip', seed: 5, tokenizer })));
    engine = await createNodeEngine(ckpt);
  });

  it('verifyModel() with no reference file: the published OpenAI values, each computed value equal to the explicit embeddings; a random model FAILs', async () => {
    const explorer = new ImageExplorer(engine);
    // photos as the app passes them: the gallery (here read from ../shared), hubble is no reference photo
    const images = [...GALLERY, 'hubble_deep_field.jpg'].map((name) => ({ name, bytes: photo(name), origin: 'gallery' as const }));
    const phases: string[] = [];
    const report = await explorer.verifyModel({ images }, (p) => phases.push(p.phase));
    const ref = PUBLISHED_OPENAI_VIT_B32;
    const sim = ref.similarities!;
    expect(report.reference.name).toBe(ref.name);
    const status = Object.fromEntries(report.photoStatus.map((p) => [p.name, p.status]));
    expect(status).toEqual({ page: 'missing', astronaut: 'gallery', rocket: 'gallery', chelsea: 'gallery', horse: 'gallery', coffee: 'gallery', camera: 'unavailable', motorcycle_right: 'missing' });
    const sims = report.values.filter((v) => v.kind === 'similarity');
    expect(sims).toHaveLength(8 * 5);
    const texts = await engine.encodeText(sim.texts.map((t) => `This is ${t}`));
    const D = texts.dims[1];
    for (const name of ['astronaut', 'rocket', 'chelsea', 'horse', 'coffee']) {
      const file = GALLERY.find((f) => f.startsWith(name))!;
      const px = preprocessPixels(await decodeImage(photo(file), file), engine.checkpoint.preprocess);
      const parts = await engine.decompose(tensor('C S S', px.data, px.dims));
      const emb = parts.embedding.data;
      const col = sim.photos.indexOf(name);
      for (let r = 0; r < 8; r++) {
        let dot = 0;
        let nt = 0;
        let ni = 0;
        for (let d = 0; d < D; d++) {
          dot += texts.data[r * D + d] * emb[d];
          nt += texts.data[r * D + d] ** 2;
          ni += emb[d] ** 2;
        }
        const v = sims.find((c) => c.row === r && c.col === col)!;
        expect(v.computed).toBeCloseTo(dot / Math.sqrt(nt * ni), 5);
        expect(v.published).toBe(sim.values[r][col]);
        expect(v.diff).toBeCloseTo(v.computed - v.published, 12);
        expect(v.pass).toBe(Math.abs(v.diff) <= sim.tolerance);
      }
    }
    // this model's embedding has 12 entries, the published ones 15: those groups are not compared, and say why
    expect(D).toBe(12);
    for (const g of report.groups.slice(1)) expect(g.notCompared).toMatch(/has 12 entries, the reference gives entries up to 14/);
    expect(report.pass).toBe(false);
    expect(report.failing).toBe(report.values.filter((v) => !v.pass).length);
    expect(report.failing).toBeGreaterThan(0);
    expect(report.groups.map((g) => g.compared)).toEqual([40, 0, 0]);
    expect(phases).toContain('embedding the reference texts');
  });

  it('verifyModel finds a dropped photo by its pixels under any name, ahead of the gallery; other photos are listed as unmatched', async () => {
    const explorer = new ImageExplorer(engine);
    const images = [
      { name: 'scan (1).png', bytes: photo('page.png'), origin: 'given' as const },
      { name: 'chelsea.png', bytes: photo('coffee.png'), origin: 'given' as const },
      { name: 'retina.jpg', bytes: photo('retina.jpg'), origin: 'given' as const },
      ...GALLERY.map((name) => ({ name, bytes: photo(name), origin: 'gallery' as const })),
    ];
    const report = await explorer.verifyModel({ images });
    const byName = Object.fromEntries(report.photoStatus.map((p) => [p.name, p]));
    expect(byName.page).toMatchObject({ status: 'given', matchedFile: 'scan (1).png' });
    // named chelsea.png but holding coffee's pixels: it is coffee
    expect(byName.coffee).toMatchObject({ status: 'given', matchedFile: 'chelsea.png' });
    expect(byName.chelsea).toMatchObject({ status: 'gallery', matchedFile: 'chelsea.png' });
    expect(report.unmatchedFiles).toEqual(['retina.jpg']);
    expect(report.values.filter((v) => v.kind === 'similarity')).toHaveLength(8 * 6);
  });

  it('verifyModel also finds reference photos among the loaded images (motorcycle_right.png dropped on the page), not listing the others', async () => {
    const explorer = new ImageExplorer(engine);
    await explorer.addImage('m', 'IMG_0042.png', photo('motorcycle_right.png'));
    await explorer.addImage('r', 'retina.jpg', photo('retina.jpg'));
    const report = await explorer.verifyModel({ images: GALLERY.map((name) => ({ name, bytes: photo(name), origin: 'gallery' as const })) });
    expect(report.photoStatus.find((p) => p.name === 'motorcycle_right')).toMatchObject({ status: 'given', matchedFile: 'IMG_0042.png' });
    expect(report.unmatchedFiles).toEqual([]);
    expect(report.values.filter((v) => v.kind === 'similarity')).toHaveLength(8 * 6);
    expect(await explorer.memoryUse()).toMatchObject({ images: 2 });
  });

  it('verifyModel refuses a reference file that is not one, saying why', async () => {
    const explorer = new ImageExplorer(engine);
    await expect(explorer.verifyModel({ referenceJson: '{"a":1}', images: [] })).rejects.toThrow(/not a clipscope reference file: the file lacks "format"/);
    await expect(explorer.verifyModel({ referenceJson: readFileSync(sharedPath('data/reference', 'reference_values.json'), 'utf8'), images: [] })).rejects.toThrow(/not a clipscope reference file/);
  });

  it('a label set with a repeated name keeps each copy as a class of its own and warns naming them', async () => {
    const explorer = new ImageExplorer(engine, { textStore: new MemoryTextCache() });
    const r = await explorer.setLabels({ classes: ['cat', 'rocket', 'cat', 'cup'], templates: ['a {}'], source: 'mine.json' });
    expect(r).toEqual({
      classes: 4,
      encoded: 3,
      cached: 0,
      warning: 'mine.json: repeated class names "cat" (classes 0 and 2); a class is its index, so each stays a class of its own',
    });
    await explorer.addImage('h', 'horse.png', photo('horse.png'));
    const top = (await explorer.topClasses(['h'], 4))[0].classes;
    // both 'cat' classes are ranked, with the same logit (same prompts, same classifier row)
    const cats = top.filter((c) => c.label === 'cat');
    expect(cats.map((c) => c.index).sort()).toEqual([0, 2]);
    expect(cats[0].logit).toBe(cats[1].logit);
    expect((await explorer.setLabels({ classes: ['cat', 'cup'], templates: ['a {}'] })).warning).toBeUndefined();
  });

  it('a second explorer over the same store encodes no pool or label text again, with identical embeddings', async () => {
    const store = new MemoryTextCache();
    const first = new ImageExplorer(engine, { textStore: store });
    const p1 = await first.setPool(POOL);
    expect(p1).toEqual({ texts: 5, encoded: 5, cached: 0 });
    const l1 = await first.setLabels({ classes: ['cat', 'horse'], templates: ['a {}', 'a photo of a {}'] });
    // 'a horse' is also a pool text: already in the explorer's memo, neither encoded nor read
    expect(l1).toEqual({ classes: 2, encoded: 3, cached: 0 });
    expect(first.encodedTextCount).toBe(8);

    const second = new ImageExplorer(engine, { textStore: store });
    const progress: number[] = [];
    expect(await second.setPool(POOL, (p) => progress.push(p.total))).toEqual({ texts: 5, encoded: 0, cached: 5 });
    // new: only 'a photo of a cup'; from the store: 'a cat', 'a photo of a cat', 'a photo of a horse'
    expect(await second.setLabels({ classes: ['cat', 'horse', 'cup'], templates: ['a {}', 'a photo of a {}'] })).toEqual({ classes: 3, encoded: 1, cached: 3 });
    expect(second.encodedTextCount).toBe(1);
    expect(progress).toEqual([]); // nothing to encode, no progress events
    // the stored vectors are the ones the tower gives
    const direct = await engine.encodeText(['a photo of a cup']);
    const third = new ImageExplorer(engine, { textStore: store });
    await third.addImage('h', 'horse.png', photo('horse.png'));
    const viaStore = await third.headGrid({ mode: 'prompt', imageId: 'h', prompt: 'a photo of a cup' });
    const fresh = new ImageExplorer(engine);
    await fresh.addImage('h', 'horse.png', photo('horse.png'));
    const viaTower = await fresh.headGrid({ mode: 'prompt', imageId: 'h', prompt: 'a photo of a cup' });
    expect(third.encodedTextCount).toBe(0);
    expect(Array.from(viaStore.values)).toEqual(Array.from(viaTower.values));
    expect(direct.dims).toEqual([1, engine.checkpoint.text!.embedDim]);
  });

  it('memoryUse: head terms for every image, cells only for the recent ones within the budget', async () => {
    const probe = new ImageExplorer(engine);
    await probe.addImage('x', 'coffee.png', photo('coffee.png'));
    const one = await probe.memoryUse();
    expect(one).toMatchObject({ images: 1, imagesWithCells: 1 });
    const { layers: L, heads: H, embedDim: D } = engine.checkpoint.vision;
    expect(one.componentBytes).toBe(4 * (D + D + L * D + L * H * D + L * D));
    // room for two images' cells
    const explorer = new ImageExplorer(engine, { cellsBudgetBytes: 2 * one.cellsBytes });
    for (const name of ['coffee.png', 'horse.png', 'rocket.jpg']) await explorer.addImage(name, name, photo(name));
    const use = await explorer.memoryUse();
    expect(use).toEqual({ images: 3, componentBytes: 3 * one.componentBytes, imagesWithCells: 2, cellsBytes: 2 * one.cellsBytes, cellsBudgetBytes: 2 * one.cellsBytes });
  });
});

describe('TextEmbeddings with concurrent callers', () => {
  it('a text requested by several calls at once reaches the text tower once', async () => {
    let encodedTexts = 0;
    const engine = {
      checkpoint: { fingerprint: 'fp', text: { embedDim: 2 } },
      async encodeText(texts: readonly string[]) {
        encodedTexts += texts.length;
        await new Promise((r) => setTimeout(r, 5));
        return tensor('C D', Float32Array.from(texts.flatMap((t) => [t.length, 1])), [texts.length, 2]);
      },
    };
    const te = new TextEmbeddings(engine);
    const [a, b, c] = await Promise.all([te.one('a cat'), te.one('a cat'), te.embed(['a cat', 'dog'])]);
    expect(encodedTexts).toBe(2);
    expect(Array.from(a)).toEqual([5, 1]);
    expect(Array.from(b)).toEqual([5, 1]);
    expect(c.map((v) => Array.from(v))).toEqual([[5, 1], [3, 1]]);
    expect(te.encodedCount).toBe(2);
  });
});
