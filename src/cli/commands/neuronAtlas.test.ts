/**
 * `clipscope neuron-atlas` on a generated checkpoint over gallery photos (plus one unreadable
 * file): per-neuron top images, mean norms and directions equal what `clipscope neurons` gives
 * image by image; an interrupted run (--limit) resumes to byte-identical outputs; a run in
 * progress refuses another layer.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topRightSingularVectors } from '../../math/svd.ts';
import { tensor } from '../../math/tensor.ts';
import { readNpyFloat32 } from '../../model/io/npy.ts';
import { generateBpeVocab } from '../../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P32_64PX } from '../../model/checkpoint/checkpointGenerator.ts';
import { runCli } from '../../testkit/cli.node.ts';
import { REPO_ROOT } from '../../testkit/shared.ts';

const PHOTOS = ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'horse.png'];
const K = 2;

function npy(path: string) {
  const b = readFileSync(path);
  return readNpyFloat32(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}

interface AtlasFile {
  layer: number;
  images: { count: number; skipped: { image: string }[] };
  vocab: { name: string; size: number };
  neurons: { neuron: number; meanNorm: number; topImages: { image: string; norm: number }[]; directionShare: number; texts: { index: number; text: string; coefficient: number }[] }[];
}

describe('clipscope neuron-atlas', () => {
  let root = '';
  const model = () => join(root, 'model');
  const images = () => join(root, 'images');
  const atlas = (out: string) => JSON.parse(readFileSync(join(root, out, 'neurons.json'), 'utf8')) as AtlasFile;
  const run = (out: string, ...extra: string[]) =>
    runCli(['neuron-atlas', '--model', model(), '--images', images(), '--layer', '1', '--out', join(root, out), '--top-images', String(K), '--texts', '3', ...extra]);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clipscope-neuron-atlas-'));
    mkdirSync(model());
    generateCheckpointDir(model(), TINY_P32_64PX, { layout: 'openclip', seed: 23, tokenizer: generateBpeVocab(['a photo of a cat and a dog', 'the red car on the road', 'green grass under blue sky'], 40) });
    mkdirSync(images());
    for (const p of PHOTOS) symlinkSync(join(REPO_ROOT, 'public/gallery', p), join(images(), p));
    writeFileSync(join(images(), 'broken.png'), 'not a png');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('top images, mean norms and directions equal those of clipscope neurons run per image', async () => {
    const result = await run('whole');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/skipped broken\.png/);
    const out = atlas('whole');
    expect(out.images.count).toBe(PHOTOS.length);
    expect(out.images.skipped.map((s) => s.image)).toEqual(['broken.png']);
    expect(out.vocab.name).toBe('model');
    expect(out.vocab.size).toBeGreaterThan(0);

    const perImage: ReturnType<typeof npy>[] = [];
    for (const p of PHOTOS) {
      expect((await runCli(['neurons', '--model', model(), '--image', join(images(), p), '--layer', '1', '--out', join(root, 'per', p)])).code).toBe(0);
      perImage.push(npy(join(root, 'per', p, 'effects.npy')));
    }
    const [M, D] = perImage[0].shape;
    expect(out.neurons).toHaveLength(M);
    const directions = npy(join(root, 'whole/directions.npy'));
    expect(directions.shape).toEqual([M, D]);
    for (let n = 0; n < M; n++) {
      const rowOf = (i: number) => perImage[i].data.subarray(n * D, (n + 1) * D);
      const norms = PHOTOS.map((p, i) => ({ image: p, norm: Math.hypot(...rowOf(i)) })).sort((a, b) => b.norm - a.norm);
      const entry = out.neurons[n];
      expect(entry.topImages.map((t) => t.image)).toEqual(norms.slice(0, K).map((t) => t.image));
      entry.topImages.forEach((t, j) => expect(t.norm).toBeCloseTo(norms[j].norm, 5));
      expect(entry.meanNorm).toBeCloseTo(norms.reduce((s, t) => s + t.norm, 0) / PHOTOS.length, 5);
      // d_n: the top right singular vector of the top images' effects (through the D×D Gram here)
      const top = entry.topImages.map((t) => rowOf(PHOTOS.indexOf(t.image)));
      const flat = new Float64Array(K * D);
      top.forEach((r, i) => flat.set(r, i * D));
      const svd = topRightSingularVectors(tensor('K D', flat, [K, D]), 1);
      const d = directions.data.subarray(n * D, (n + 1) * D);
      const sign = Math.sign(svd.vectors.data.reduce((s, x, j) => s + x * d[j], 0));
      svd.vectors.data.forEach((x, j) => expect(d[j]).toBeCloseTo(sign * x, 4));
      expect(top.reduce((s, r) => s + r.reduce((t, x, j) => t + x * d[j], 0), 0)).toBeGreaterThan(0);
      expect(entry.directionShare).toBeCloseTo(svd.gramEigenvalues[0] / top.reduce((s, r) => s + r.reduce((t, x) => t + x * x, 0), 0), 4);
      expect(entry.texts.length).toBeGreaterThan(0);
      expect(entry.texts.length).toBeLessThanOrEqual(3);
    }
  }, 180_000);

  it('interrupted with --limit, the same command again finishes with byte-identical outputs', async () => {
    const first = await run('resumed', '--limit', '2');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/stopped after --limit 2: 2\/6 images/);
    const second = await run('resumed');
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resuming .*: 2\/6 images done/);
    expect(readFileSync(join(root, 'resumed/neurons.json'), 'utf8')).toBe(readFileSync(join(root, 'whole/neurons.json'), 'utf8').replaceAll(join(root, 'whole'), join(root, 'resumed')));
    expect(Buffer.compare(readFileSync(join(root, 'resumed/directions.npy')), readFileSync(join(root, 'whole/directions.npy')))).toBe(0);
  }, 180_000);

  it('a run in progress refuses another layer, and the last layer is refused', async () => {
    expect((await run('mixed', '--limit', '1')).code).toBe(0);
    const other = await runCli(['neuron-atlas', '--model', model(), '--images', images(), '--layer', '0', '--out', join(root, 'mixed')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/holds a neuron atlas in progress for layer 1/);
    const last = await runCli(['neuron-atlas', '--model', model(), '--images', images(), '--layer', '2', '--out', join(root, 'last')]);
    expect(last.code).toBe(2);
    expect(last.stderr).toMatch(/--layer 2 is the last layer/);
  }, 120_000);
});
