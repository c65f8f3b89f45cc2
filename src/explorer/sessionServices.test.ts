/**
 * ExplorerSession's "Verify this model", its use of a persistent text store, and its memory report,
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
import { generateCheckpoint, TINY_P14_QUICKGELU } from '../testkit/checkpointGenerator.ts';
import { hasShared, sharedPath } from '../testkit/shared.ts';
import { ExplorerSession } from './session.ts';
import { TextEmbeddings } from './textEmbeddings.ts';

const GALLERY_COLUMNS = ['astronaut.png', 'rocket.jpg', 'chelsea.png', 'horse.png', 'coffee.png', 'camera.png'];
const POOL = ['colour\ta red thing', 'colour\ta blue thing', 'object\ta cup', 'object\ta rocket', 'animal\ta horse'].join('\n');

describe.runIf(hasShared())('ExplorerSession services', () => {
  let engine: ClipEngine;
  const photo = (name: string) => new Uint8Array(readFileSync(sharedPath('data/images/photos', name)));
  const referenceJson = () => readFileSync(sharedPath('data/reference', 'reference_values.json'), 'utf8');

  beforeAll(async () => {
    await initNodeImageDecoders();
    const tokenizer = generateBpeVocab(['this is a photo of a cat on a page', 'a red rocket'], 30);
    const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P14_QUICKGELU, { layout: 'openclip', seed: 5, tokenizer })));
    engine = await createNodeEngine(ckpt);
  });

  it('verifyModel: each cell is the cosine of the explicit image and text embeddings; a random model FAILs with those numbers', async () => {
    const session = new ExplorerSession(engine);
    const images = [...GALLERY_COLUMNS, 'hubble_deep_field.jpg'].map((name) => ({ name, bytes: photo(name) }));
    const phases: string[] = [];
    const report = await session.verifyModel({ referenceJson: referenceJson(), images }, (p) => phases.push(p.phase));
    const ref = JSON.parse(referenceJson()).openai_vitb32_skimage_cosine_similarity;
    expect(report.comparedImages).toEqual(['astronaut', 'rocket', 'chelsea', 'horse', 'coffee', 'camera']);
    expect(report.missingImages).toEqual(['page', 'motorcycle_right']);
    expect(report.cells).toHaveLength(8 * 6);
    const texts = await engine.encodeText(ref.rows_texts.map((t: string) => `This is ${t}`));
    const D = texts.dims[1];
    for (const name of GALLERY_COLUMNS) {
      const px = preprocessPixels(await decodeImage(photo(name), name), engine.checkpoint.preprocess);
      const emb = (await engine.embed(tensor('C S S', px.data, px.dims))).data;
      const col = ref.cols_images_skimage.indexOf(name.split('.')[0]);
      for (let r = 0; r < 8; r++) {
        let dot = 0;
        let nt = 0;
        let ni = 0;
        for (let d = 0; d < D; d++) {
          dot += texts.data[r * D + d] * emb[d];
          nt += texts.data[r * D + d] ** 2;
          ni += emb[d] ** 2;
        }
        const cell = report.cells.find((c) => c.row === r && c.col === col)!;
        expect(cell.computed).toBeCloseTo(dot / Math.sqrt(nt * ni), 5);
        expect(cell.published).toBe(ref.matrix_rows_text_cols_image[r][col]);
        expect(cell.diff).toBeCloseTo(cell.computed - cell.published, 12);
      }
    }
    expect(report.pass).toBe(false);
    expect(report.failing).toBeGreaterThan(0);
    expect(report.failing).toBe(report.cells.filter((c) => Math.abs(c.diff) > 0.02).length);
    expect(phases).toContain('comparing');
  });

  it('verifyModel refuses a set without any reference photo, and a file that is not the reference', async () => {
    const session = new ExplorerSession(engine);
    await expect(session.verifyModel({ referenceJson: referenceJson(), images: [{ name: 'retina.jpg', bytes: photo('retina.jpg') }] })).rejects.toThrow(/none of the images/);
    await expect(session.verifyModel({ referenceJson: '{"a":1}', images: [] })).rejects.toThrow(/not a reference file/);
  });

  it('a label set with a repeated name keeps each copy as a class of its own and warns naming them', async () => {
    const session = new ExplorerSession(engine, { textStore: new MemoryTextCache() });
    const r = await session.setLabels({ classes: ['cat', 'rocket', 'cat', 'cup'], templates: ['a {}'], source: 'mine.json' });
    expect(r).toEqual({
      classes: 4,
      encoded: 3,
      cached: 0,
      warning: 'mine.json: repeated class names "cat" (classes 0 and 2); a class is its index, so each stays a class of its own',
    });
    await session.addImage('h', 'horse.png', photo('horse.png'));
    const top = (await session.topClasses(['h'], 4))[0].classes;
    // both 'cat' classes are ranked, with the same logit (same prompts, same classifier row)
    const cats = top.filter((c) => c.label === 'cat');
    expect(cats).toHaveLength(2);
    expect(cats[0].logit).toBe(cats[1].logit);
    expect((await session.setLabels({ classes: ['cat', 'cup'], templates: ['a {}'] })).warning).toBeUndefined();
  });

  it('a second session over the same store encodes no pool or label text again, with identical embeddings', async () => {
    const store = new MemoryTextCache();
    const first = new ExplorerSession(engine, { textStore: store });
    const p1 = await first.setPool(POOL);
    expect(p1).toEqual({ texts: 5, encoded: 5, cached: 0 });
    const l1 = await first.setLabels({ classes: ['cat', 'horse'], templates: ['a {}', 'a photo of a {}'] });
    // 'a horse' is also a pool text: already in the session's memo, neither encoded nor read
    expect(l1).toEqual({ classes: 2, encoded: 3, cached: 0 });
    expect(first.encodedTextCount).toBe(8);

    const second = new ExplorerSession(engine, { textStore: store });
    const progress: number[] = [];
    expect(await second.setPool(POOL, (p) => progress.push(p.total))).toEqual({ texts: 5, encoded: 0, cached: 5 });
    // new: only 'a photo of a cup'; from the store: 'a cat', 'a photo of a cat', 'a photo of a horse'
    expect(await second.setLabels({ classes: ['cat', 'horse', 'cup'], templates: ['a {}', 'a photo of a {}'] })).toEqual({ classes: 3, encoded: 1, cached: 3 });
    expect(second.encodedTextCount).toBe(1);
    expect(progress).toEqual([]); // nothing to encode, no progress events
    // the stored vectors are the ones the tower gives
    const direct = await engine.encodeText(['a photo of a cup']);
    const third = new ExplorerSession(engine, { textStore: store });
    await third.addImage('h', 'horse.png', photo('horse.png'));
    const viaStore = await third.headGrid({ mode: 'prompt', imageId: 'h', prompt: 'a photo of a cup' });
    const fresh = new ExplorerSession(engine);
    await fresh.addImage('h', 'horse.png', photo('horse.png'));
    const viaTower = await fresh.headGrid({ mode: 'prompt', imageId: 'h', prompt: 'a photo of a cup' });
    expect(third.encodedTextCount).toBe(0);
    expect(Array.from(viaStore.values)).toEqual(Array.from(viaTower.values));
    expect(direct.dims).toEqual([1, engine.checkpoint.text!.embedDim]);
  });

  it('memoryUse: head terms for every image, cells only for the recent ones within the budget', async () => {
    const probe = new ExplorerSession(engine);
    await probe.addImage('x', 'coffee.png', photo('coffee.png'));
    const one = await probe.memoryUse();
    expect(one).toMatchObject({ images: 1, imagesWithCells: 1 });
    const { layers: L, heads: H, embedDim: D } = engine.checkpoint.vision;
    expect(one.componentBytes).toBe(4 * (D + D + L * D + L * H * D + L * D));
    // room for two images' cells
    const session = new ExplorerSession(engine, { cellsBudgetBytes: 2 * one.cellsBytes });
    for (const name of ['coffee.png', 'horse.png', 'rocket.jpg']) await session.addImage(name, name, photo(name));
    const use = await session.memoryUse();
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
