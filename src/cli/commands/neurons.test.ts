/**
 * `clipscope neurons` (METHOD §9) on generated checkpoints of both layouts and several shapes:
 * effects.npy equals the float64 oracle (written per neuron, later layer, head and token) within
 * 1e-4 relative to each neuron's own row, for the pixels `clipscope preprocess` writes; the last
 * layer is refused. `explain --part L.N` then explains one of those rows.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpyFloat32 } from '../../model/io/npy.ts';
import { generateBpeVocab } from '../../model/tokenizer/generateBpeVocab.ts';
import { writeCheckpointDir } from '../../model/checkpoint/checkpointGenerator.node.ts';
import { generateCheckpoint, TINY_P14_QUICKGELU, TINY_P32_64PX } from '../../model/checkpoint/checkpointGenerator.ts';
import { runCli } from '../../testkit/cli.node.ts';
import { readRawCheckpoint } from '../../testkit/reference/rawCheckpoint.ts';
import { referenceSecondOrder } from '../../testkit/reference/secondOrder.ts';
import { REPO_ROOT } from '../../testkit/shared.ts';

const IMAGE = join(REPO_ROOT, 'public/gallery/chelsea.png');
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function npy(path: string) {
  const b = readFileSync(path);
  return readNpyFloat32(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}

function model(spec: typeof TINY_P32_64PX, layout: 'hf' | 'openclip', corpus: string[] = ['a cat']) {
  const root = mkdtempSync(join(tmpdir(), 'clipscope-neurons-'));
  roots.push(root);
  const files = generateCheckpoint(spec, { layout, seed: 19, tokenizer: generateBpeVocab(corpus, 30) });
  writeCheckpointDir(join(root, 'model'), files);
  return { root, dir: join(root, 'model'), raw: readRawCheckpoint(new Map(files)) };
}

describe.each([
  { spec: TINY_P32_64PX, layout: 'hf' as const, layer: 0 },
  { spec: TINY_P32_64PX, layout: 'openclip' as const, layer: 1 },
  { spec: TINY_P14_QUICKGELU, layout: 'openclip' as const, layer: 0 },
])('clipscope neurons: $spec.name ($layout), layer $layer', ({ spec, layout, layer }) => {
  it('effects.npy [M, D] equals the float64 oracle per neuron within 1e-4; meta.json names layer and shape', async () => {
    const { root, dir, raw } = model(spec, layout);
    expect((await runCli(['preprocess', '--model', dir, '--image', IMAGE, '--out', join(root, 'pixels.npy')])).code).toBe(0);
    const run = await runCli(['neurons', '--model', dir, '--image', IMAGE, '--layer', String(layer), '--out', join(root, 'out')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const effects = npy(join(root, 'out/effects.npy'));
    const ref = referenceSecondOrder(raw, npy(join(root, 'pixels.npy')).data, layer);
    const [M, D] = ref.neuronEffects.dims;
    expect(effects.shape).toEqual([M, D]);
    for (let n = 0; n < M; n++) {
      let diff = 0, scale = 0;
      for (let k = n * D; k < (n + 1) * D; k++) {
        diff = Math.max(diff, Math.abs(effects.data[k] - ref.neuronEffects.data[k]));
        scale = Math.max(scale, Math.abs(ref.neuronEffects.data[k]));
      }
      expect(diff / scale, `neuron ${n}`).toBeLessThanOrEqual(1e-4);
    }
    const meta = JSON.parse(readFileSync(join(root, 'out/meta.json'), 'utf8'));
    expect(meta.layer).toBe(layer);
    expect(meta.effects.shape).toEqual([M, D]);
  }, 60_000);
});

describe('clipscope neurons errors and explain --part L.N', () => {
  it('refuses the last layer, naming it and why', async () => {
    const { root, dir } = model(TINY_P32_64PX, 'hf');
    const run = await runCli(['neurons', '--model', dir, '--image', IMAGE, '--layer', '2', '--out', join(root, 'out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--layer 2 is the last layer of this 3-layer tower: no later attention heads carry its neurons' effects/);
    const outside = await runCli(['neurons', '--model', dir, '--image', IMAGE, '--layer', '9', '--out', join(root, 'out')]);
    expect(outside.stderr).toMatch(/--layer 9: the tower has layers 0-2/);
  }, 60_000);

  it('explain --part L0.N5 explains row 5 of effects.npy', async () => {
    const pool = ['a cat', 'a dog', 'a red car', 'blue sky', 'grass', 'a tree', 'water', 'a house'];
    const { root, dir } = model(TINY_P32_64PX, 'hf', pool);
    writeFileSync(join(root, 'pool.txt'), pool.join('\n'));
    expect((await runCli(['neurons', '--model', dir, '--image', IMAGE, '--layer', '0', '--out', join(root, 'out')])).code).toBe(0);
    const run = await runCli(['explain', '--model', dir, '--image', IMAGE, '--pool', join(root, 'pool.txt'), '--part', 'L0.N5', '--texts', '3', '--out', join(root, 'x.json')]);
    expect(run.code).toBe(0);
    const args = ['encode-text', '--model', dir, '--out', join(root, 'texts.npy'), ...pool.flatMap((t) => ['--text', t])];
    expect((await runCli(args)).code).toBe(0);
    const texts = npy(join(root, 'texts.npy'));
    const D = texts.shape[1];
    const y = npy(join(root, 'out/effects.npy')).data.subarray(5 * D, 6 * D);
    const result = JSON.parse(readFileSync(join(root, 'x.json'), 'utf8'));
    expect(result.target.part).toBe('L0.N5');
    // the residual of the least-squares fit is orthogonal to each picked text: the target was row 5
    const res = Array.from(y);
    for (const { index, coefficient } of result.texts) for (let d = 0; d < D; d++) res[d] -= coefficient * texts.data[index * D + d];
    const yNorm = Math.hypot(...y);
    for (const { index } of result.texts) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += res[d] * texts.data[index * D + d];
      expect(Math.abs(dot) / yNorm).toBeLessThan(1e-5);
    }
    const bad = await runCli(['explain', '--model', dir, '--image', IMAGE, '--pool', join(root, 'pool.txt'), '--part', 'L2.N0', '--out', join(root, 'y.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the last layer has no later heads/);
  }, 60_000);
});
