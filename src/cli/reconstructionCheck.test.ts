/**
 * `clipscope textspan --classes --labels` (METHOD 4.5): with as many texts as the head outputs have
 * centred dimensions (m = K - 1, rank >= K) the reconstruction is exact, so its accuracy equals the
 * "other layers mean-ablated" accuracy; both and the model's own accuracy are recomputed here from
 * the cache by plain sums.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImages } from '../cache/analyze.node.ts';
import { openAnalysisCacheDir } from '../cache/reader.node.ts';
import { runCli } from '../testkit/cli.node.ts';
import { tempDir, writeImageFolder, writeTinyModel } from '../testkit/cacheFixture.node.ts';
import { classLogits, predictClass, zeroShotClassifier } from '../analysis/zeroshot.ts';
import { tensor } from '../math/tensor.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import type { ClipEngine } from '../model/engine.ts';

const CLASSES = ['cat', 'dog', 'red car'];
const TEMPLATES = ['a photo of a {}', 'a {}'];
let work: string;
let modelDir: string;
let cacheDir: string;
let engine: ClipEngine;
let files: string[];

beforeAll(async () => {
  work = tempDir('recon');
  modelDir = writeTinyModel(join(work, 'model'));
  const images = writeImageFolder(join(work, 'images'), 6);
  engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(modelDir)));
  cacheDir = join(work, 'cache');
  await analyzeImages({ engine, imagesDir: images.dir, cacheDir, durable: false });
  const cache = await openAnalysisCacheDir(cacheDir);
  files = cache.images.map((e) => e.path);
  writeFileSync(join(work, 'classes.json'), JSON.stringify({ classes: CLASSES, templates: TEMPLATES }));
  writeFileSync(join(work, 'pool.txt'), ['a cat', 'a dog', 'a red car', 'a blue sky', 'stripes', 'a green field', 'two birds', 'night'].join('\n'));
});

afterAll(async () => {
  await engine?.release();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('clipscope textspan reconstruction check', () => {
  it('reports model / mean-ablated / reconstructed accuracy; an exact reconstruction loses nothing', async () => {
    const cache = await openAnalysisCacheDir(cacheDir);
    const { layers: L, heads: H, embedDim: D } = cache.meta.architecture;
    const K = cache.count;
    // labels: the model's own top-1 on half the images, a wrong class on the rest (known accuracies)
    const prompts = CLASSES.flatMap((c) => TEMPLATES.map((t) => t.replace('{}', c)));
    const W = zeroShotClassifier(tensor('C P D', (await engine.encodeText(prompts)).data, [CLASSES.length, TEMPLATES.length, D]));
    const emb = await cache.embeddingMatrix();
    const predicted = files.map((_, k) => predictClass(classLogits(W, emb.data.subarray(k * D, (k + 1) * D))));
    const labels = predicted.map((p, k) => (k % 2 === 0 ? p : (p + 1) % CLASSES.length));
    writeFileSync(join(work, 'labels.csv'), files.map((f, k) => `${f},${CLASSES[labels[k]]}`).join('\n'));

    const out = join(work, 'atlas.json');
    const run = await runCli([
      'textspan', '--model', modelDir, '--cache', cacheDir, '--pool', join(work, 'pool.txt'), '--layers', `${L - 1}`,
      '--m', `${K - 1}`, '--rank', '80', '--classes', join(work, 'classes.json'), '--labels', join(work, 'labels.csv'), '--out', out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')).reconstructionCheck;
    expect(report.images).toBe(K);
    expect(report.layers).toEqual([L - 1]);
    expect(report.accuracy.model.top1).toBeCloseTo(Math.ceil(K / 2) / K, 10);

    // recompute "other layers mean-ablated" from the cache by plain sums
    const y = new Float64Array(K * D);
    const add = (m: { data: ArrayLike<number> }) => { for (let i = 0; i < K * D; i++) y[i] += m.data[i]; };
    add(await cache.embedTermMatrix());
    for (let l = 0; l < L; l++) add(await cache.mlpMatrix(l));
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const m = await cache.headMatrix(l, h);
        if (l === L - 1) add(m);
        else for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) {
          let mean = 0;
          for (let j = 0; j < K; j++) mean += m.data[j * D + d] / K;
          y[k * D + d] += mean;
        }
      }
    }
    let hits = 0;
    for (let k = 0; k < K; k++) if (predictClass(classLogits(W, y.subarray(k * D, (k + 1) * D))) === labels[k]) hits++;
    expect(report.accuracy.otherLayersMeanAblated.top1).toBeCloseTo(hits / K, 10);
    expect(report.accuracy.textspanReconstruction.top1).toBeCloseTo(report.accuracy.otherLayersMeanAblated.top1, 10);
    expect(report.distinctTexts).toBeGreaterThan(0);
  });

  it('needs both --classes and --labels', async () => {
    const run = await runCli(['textspan', '--model', modelDir, '--cache', cacheDir, '--pool', join(work, 'pool.txt'), '--classes', join(work, 'classes.json'), '--out', join(work, 'x.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('needs both --classes and --labels');
  });
});
