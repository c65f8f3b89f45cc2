/**
 * `clipscope explain` (METHOD §10) on generated checkpoints of both layouts, checked against what
 * `clipscope decompose` and `clipscope encode-text` write for the same image and pool: the target
 * is the right vector, the coefficients are the least-squares fit over the picked texts (the
 * residual is orthogonal to each of them), and each reported cosine is the fit's cosine.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFloat32 } from '../../model/io/npy.ts';
import { generateBpeVocab } from '../../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P14_QUICKGELU, TINY_P16_GELU } from '../../model/checkpoint/checkpointGenerator.ts';
import { runCli } from '../../testkit/cli.node.ts';
import { REPO_ROOT } from '../../testkit/shared.ts';

const POOL = ['a photo of a cat', 'a red car', 'green grass', 'a dog', 'blue sky', 'an astronaut', 'a rocket', 'a cup of coffee', 'a horse', 'stars at night', 'a camera', 'a portrait'];
const IMAGE = join(REPO_ROOT, 'public/gallery/astronaut.png');

function npy(path: string) {
  const b = readFileSync(path);
  return readNpyFloat32(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}

interface ExplainFile {
  target: { part: string };
  pool: { size: number };
  settings: { texts: number; nonnegative: boolean; center: boolean };
  texts: { index: number; text: string; coefficient: number }[];
  cosine: number[];
}

describe.each([
  ['hf', TINY_P16_GELU],
  ['openclip', TINY_P14_QUICKGELU],
] as const)('clipscope explain (%s layout)', (layout, spec) => {
  let root = '';
  const model = () => join(root, 'model');
  let pool: Float32Array;
  let D = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clipscope-explain-'));
    mkdirSync(model());
    generateCheckpointDir(model(), spec, { layout, seed: 5, tokenizer: generateBpeVocab(POOL, 30) });
    writeFileSync(join(root, 'pool.txt'), `${POOL.join('\n')}\n\n${POOL[0]}\n`); // blank + repeated lines are dropped
    expect((await runCli(['decompose', '--model', model(), '--image', IMAGE, '--out', join(root, 'parts'), '--token-layers', 'none'])).code).toBe(0);
    const args = ['encode-text', '--model', model(), '--out', join(root, 'texts.npy'), ...POOL.flatMap((t) => ['--text', t])];
    expect((await runCli(args)).code).toBe(0);
    const texts = npy(join(root, 'texts.npy'));
    pool = texts.data;
    D = texts.shape[1];
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** checks an explain.json against its target vector y */
  function checkFit(result: ExplainFile, y: Float32Array, maxTexts: number) {
    expect(result.pool.size).toBe(POOL.length);
    expect(result.texts.length).toBeGreaterThan(0);
    expect(result.texts.length).toBeLessThanOrEqual(maxTexts);
    expect(result.cosine).toHaveLength(result.texts.length);
    for (const t of result.texts) expect(t.text).toBe(POOL[t.index]);
    const fit = new Float64Array(D);
    for (const { index, coefficient } of result.texts) for (let d = 0; d < D; d++) fit[d] += coefficient * pool[index * D + d];
    const res = Array.from(y, (v, d) => v - fit[d]);
    const yNorm = Math.hypot(...y);
    // least squares over the picked texts: the residual is orthogonal to each picked text (for NNLS:
    // to each text with a positive coefficient — the optimality conditions on the free set)
    for (const { index } of result.texts.filter((t) => !result.settings.nonnegative || t.coefficient > 1e-9)) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += res[d] * pool[index * D + d];
      expect(Math.abs(dot) / yNorm).toBeLessThan(1e-5);
    }
    let yf = 0;
    for (let d = 0; d < D; d++) yf += y[d] * fit[d];
    expect(result.cosine.at(-1)!).toBeCloseTo(yf / (yNorm * Math.hypot(...fit)), 5);
  }

  it('explains the unit image embedding û with pool texts and their least-squares coefficients', async () => {
    const out = join(root, 'embedding.json');
    const run = await runCli(['explain', '--model', model(), '--image', IMAGE, '--pool', join(root, 'pool.txt'), '--texts', '4', '--out', out]);
    expect(run.stderr).toMatch(/embed pool.txt .*12\/12/); // progress on stderr
    expect(run.code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as ExplainFile;
    expect(result.target.part).toBe('embedding');
    expect(result.settings).toEqual({ texts: 4, nonnegative: false, center: false });
    checkFit(result, npy(join(root, 'parts/embedding.npy')).data, 4);
  }, 60_000);

  it('explains one head term c_{l,h} with non-negative coefficients', async () => {
    const out = join(root, 'head.json');
    const run = await runCli(['explain', '--model', model(), '--image', IMAGE, '--pool', join(root, 'pool.txt'), '--part', 'L1.H1', '--nonnegative', '--out', out]);
    expect(run.code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as ExplainFile;
    expect(result.target.part).toBe('L1.H1');
    for (const t of result.texts) expect(t.coefficient).toBeGreaterThanOrEqual(0);
    const heads = npy(join(root, 'parts/heads.npy'));
    const H = heads.shape[1];
    const y = heads.data.slice((1 * H + 1) * D, (1 * H + 2) * D);
    checkFit(result, y, 10);
  }, 60_000);

  it('bad parts are usage errors naming the valid range', async () => {
    const base = ['explain', '--model', model(), '--image', IMAGE, '--pool', join(root, 'pool.txt'), '--out', join(root, 'x.json')];
    const outOfRange = await runCli([...base, '--part', 'L99.H0']);
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.stderr).toMatch(/--part L99\.H0: the model has layers 0-\d+ and heads 0-\d+/);
    const garbage = await runCli([...base, '--part', 'head3']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/--part must be embedding, L<layer>\.H<head> or L<layer>\.N<neuron>/);
  }, 60_000);
});
