/**
 * ImageExplorer.cancelTextSets (the worker's side of the text sets' Cancel button) on a generated
 * checkpoint and gallery photos: setLabels / setPool stop between chunks with code 'cancelled',
 * the explorer keeps working without the set, and setting it again encodes only the rest and gives
 * the top-5 of an uninterrupted run exactly.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CodedError, errorCode } from '../api/errors.ts';
import type { Progress } from '../api/explorer.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { memoryModelFiles } from '../model/checkpoint/sources.ts';
import { generateCheckpoint, TINY_P14_QUICKGELU } from '../model/checkpoint/checkpointGenerator.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import type { ClipEngine } from '../model/engine.ts';
import { initNodeImageDecoders } from '../model/preprocess/decode.node.ts';
import { MemoryTextCache } from '../model/textCache.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { errorOf } from '../testkit/errorOf.ts';
import { galleryPath } from '../testkit/shared.ts';
import { ImageExplorer } from './imageExplorer.ts';

const CLASSES = Array.from({ length: 45 }, (_, i) => `thing ${i}`);
const TEMPLATES = ['a photo of a {}.', 'a drawing of a {}.', 'a {} in a field.'];
const PROMPTS = CLASSES.length * TEMPLATES.length; // 135: chunks of 64, 64, 7
const LABELS = { classes: CLASSES, templates: TEMPLATES, source: 'test labels' };
const POOL = Array.from({ length: 100 }, (_, i) => `colour\ta colour numbered ${i}`).join('\n');
const PHOTOS = ['astronaut.png', 'coffee.png', 'rocket.jpg'];

describe('ImageExplorer.cancelTextSets', () => {
  let engine: ClipEngine;
  const photos = PHOTOS.map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(galleryPath(p))) }));

  beforeAll(async () => {
    await initNodeImageDecoders();
    const tokenizer = generateBpeVocab(['a photo of a thing', 'a drawing in a field', 'a colour numbered 0123456789', 'a red rocket'], 40);
    engine = await createNodeEngine(await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P14_QUICKGELU, { layout: 'openclip', seed: 4, tokenizer }))));
  });

  async function explorerWithPhotos(store: MemoryTextCache): Promise<ImageExplorer> {
    const explorer = new ImageExplorer(engine, { textStore: store });
    for (const p of photos) await explorer.addImage(p.name, p.name, p.bytes);
    return explorer;
  }

  /** setLabels that calls cancelTextSets once `after` texts are encoded */
  function labelsCancelledAfter(explorer: ImageExplorer, after: number): Promise<unknown> {
    return explorer.setLabels(LABELS, (p: Progress) => {
      if (p.done === after) void explorer.cancelTextSets();
    });
  }

  it('cancel after the first chunk: code cancelled, 64 texts encoded and cached, no label set; images, prompts and heads still work', async () => {
    const store = new MemoryTextCache();
    const explorer = await explorerWithPhotos(store);
    const err = await errorOf(labelsCancelledAfter(explorer, 64), CodedError);
    expect(errorCode(err)).toBe('cancelled');
    expect(explorer.encodedTextCount).toBe(0); // the set's texts count once the set is done
    expect(store.size(engine.checkpoint.fingerprint)).toBe(64);
    // what needs the label set says so; the rest answers
    expect(errorCode(await errorOf(explorer.topClasses(['coffee.png']), CodedError))).toBe('bad-request');
    const heatmap = await explorer.heatmap({ imageId: 'coffee.png', prompts: ['a red rocket'] });
    expect(heatmap.maps[0].length).toBe(heatmap.grid ** 2);
    expect((await explorer.headGrid({ mode: 'norm', imageId: 'rocket.jpg' })).values.some((v) => v > 0)).toBe(true);
    expect((await explorer.setAblation('L0')).canonical).toBe('L0');
    expect(await explorer.cancelTextSets()).toEqual({ cancelled: 0 }); // nothing runs now
  });

  it('setLabels again after a cancel encodes only the rest; its top-5 equals an uninterrupted run exactly', async () => {
    const uninterrupted = await explorerWithPhotos(new MemoryTextCache());
    expect(await uninterrupted.setLabels(LABELS)).toMatchObject({ classes: CLASSES.length, encoded: PROMPTS, cached: 0 });
    const expected = await uninterrupted.topClasses(PHOTOS, 5);

    const store = new MemoryTextCache();
    const explorer = await explorerWithPhotos(store);
    await errorOf(labelsCancelledAfter(explorer, 128), CodedError);
    expect(store.size(engine.checkpoint.fingerprint)).toBe(128);
    expect(await explorer.setLabels(LABELS)).toMatchObject({ encoded: PROMPTS - 128, cached: 128 });
    expect(await explorer.topClasses(PHOTOS, 5)).toEqual(expected);
  });

  it('a cancelled pool leaves the pool it would replace; a prompt among the cancelled texts is still embedded', async () => {
    const explorer = await explorerWithPhotos(new MemoryTextCache());
    await explorer.setPool('colour\ta red rocket\ncolour\ta blue rocket');
    const before = await explorer.headTextspan(0, 0, { m: 2, rank: 2 });
    const pool = explorer.setPool(`${POOL}\ncolour\ta red thing`, (p) => {
      if (p.done === 64) void explorer.cancelTextSets();
    });
    // asked while the pool embeds: the same text is awaited there, and embedded here once that is cancelled
    const prompt = explorer.heatmap({ imageId: 'rocket.jpg', prompts: ['a red thing'] });
    expect(errorCode(await errorOf(pool, CodedError))).toBe('cancelled');
    expect((await prompt).maps).toHaveLength(1);
    expect(await explorer.headTextspan(0, 0, { m: 2, rank: 2 })).toEqual(before);
  });
});
