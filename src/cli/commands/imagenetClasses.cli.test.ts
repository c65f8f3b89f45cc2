/**
 * `clipscope segment` and `clipscope ablate` with the standard 1000-class ImageNet list that the
 * paper used (../shared/data/classes/imagenet.json, OpenAI's names: "missile" and "sunglasses"
 * appear twice each). A class is its index: both commands take the list, warn once naming the
 * repeats, and build all 1000 classifier rows; a labels CSV may use the repeated classes by index
 * but not by name. Generated checkpoint; photos and masks from ../shared.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImages } from '../../cache/analyze.node.ts';
import { loadCheckpoint } from '../../model/checkpoint/load.ts';
import { nodeModelDir } from '../../model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { generateBpeVocab } from '../../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../../model/checkpoint/checkpointGenerator.node.ts';
import { runCli as cli } from '../../testkit/cli.node.ts';
import { TINY_P14_QUICKGELU } from '../../model/checkpoint/checkpointGenerator.ts';
import { hasShared, sharedPath } from '../../testkit/shared.ts';

const SAMPLES = ['n01440764_tench.JPEG', 'n01494475_hammerhead.JPEG', 'n01514859_hen.JPEG'];
const HORSES = ['horse001', 'horse002'];

describe.runIf(hasShared())('the standard ImageNet class list (repeated names) in segment and ablate', () => {
  let root: string;
  const at = (...p: string[]) => join(root, ...p);
  const imagenet = () => sharedPath('data/classes/imagenet.json');
  const warning = () =>
    `warning: ${imagenet()}: repeated class names "missile" (classes 657 and 744), "sunglasses" (classes 836 and 837); a class is its index, so each stays a class of its own`;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clipscope-imagenet-classes-'));
    for (const d of ['model', 'images', 'masks', 'samples']) mkdirSync(at(d));
    generateCheckpointDir(at('model'), TINY_P14_QUICKGELU, { layout: 'hf', seed: 5, tokenizer: generateBpeVocab(['a photo of a missile', 'sunglasses'], 40) });
    for (const n of HORSES) {
      symlinkSync(sharedPath('data/segmentation/weizmann-horse/rgb', `${n}.jpg`), at('images', `${n}.jpg`));
      symlinkSync(sharedPath('data/segmentation/weizmann-horse/figure_ground', `${n}.jpg`), at('masks', `${n}.jpg`));
    }
    for (const f of SAMPLES) symlinkSync(sharedPath('data/images/imagenet-samples', f), at('samples', f));
    const engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(at('model'))));
    try {
      await analyzeImages({ engine, imagesDir: at('samples'), cacheDir: at('cache'), durable: false });
    } finally {
      await engine.release();
    }
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('clipscope segment --classes imagenet.json runs over all 1000 classes and warns once about the repeated names', async () => {
    const out = at('seg.json');
    const run = await cli(['segment', '--model', at('model'), '--images', at('images'), '--masks', at('masks'), '--classes', imagenet(), '--text-cache', at('texts'), '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.includes('repeated class names'))).toEqual([`segment: ${warning()}`]);
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.classes).toBe(1000);
    expect(got.templates).toBe(80);
    expect(got.images).toBe(HORSES.length);
    const names = (JSON.parse(readFileSync(imagenet(), 'utf8')) as { classes: string[] }).classes;
    for (const p of got.perImage) expect(names).toContain(p.predictedClass);
  }, 120_000);

  it('clipscope ablate --classes imagenet.json takes labels by index (also of the repeated classes) and by a unique name', async () => {
    // tench by name, the two "missile" classes by index
    writeFileSync(at('labels.csv'), `file,label\n${SAMPLES[0]},tench\n${SAMPLES[1]},657\n${SAMPLES[2]},744\n`);
    const out = at('ablate.json');
    const run = await cli(['ablate', '--model', at('model'), '--cache', at('cache'), '--classes', imagenet(), '--labels', at('labels.csv'), '--ablate', 'mlp', '--text-cache', at('texts'), '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.includes('repeated class names'))).toEqual([`ablate: ${warning()}`]);
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.classes).toBe(1000);
    expect(got.images).toBe(SAMPLES.length);
    expect(got.before.count).toBe(SAMPLES.length);
    expect(got.ablation.set).toBe('mlp');
  }, 120_000);

  it('clipscope ablate with a labels CSV naming "missile" by name fails with one line naming both indices', async () => {
    writeFileSync(at('by-name.csv'), `${SAMPLES[0]},0\n${SAMPLES[1]},missile\n`);
    const run = await cli(['ablate', '--model', at('model'), '--cache', at('cache'), '--classes', imagenet(), '--labels', at('by-name.csv'), '--text-cache', at('texts'), '--out', at('x.json')]);
    expect(run.code).toBe(1);
    const errors = run.stderr.trimEnd().split('\n').filter((l) => l.startsWith('clipscope:'));
    expect(errors).toEqual([`clipscope: ${at('by-name.csv')}:2: label 'missile' names classes 657 and 744; give the class index instead`]);
  });
});
