import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from './load.ts';
import { parseShardIndex } from './safetensors.ts';
import { memoryModelFiles } from './sources.ts';
import { weightName } from './types.ts';
import {
  canonicalWeightValues,
  generateCheckpoint,
  TINY_P14_QUICKGELU,
  TINY_P32_64PX,
  TINY_PRESETS,
  VIT_B16_SHAPED,
} from './checkpointGenerator.ts';

function stats(v: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    s += x;
    s2 += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max };
}

describe('generateCheckpoint', () => {
  it('is deterministic: same spec and options give byte-identical files', () => {
    const a = generateCheckpoint(TINY_P14_QUICKGELU, { layout: 'openclip', dtype: 'BF16', seed: 3 });
    const b = generateCheckpoint(TINY_P14_QUICKGELU, { layout: 'openclip', dtype: 'BF16', seed: 3 });
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [name, bytes] of a) expect(Buffer.compare(bytes, b.get(name)!), name).toBe(0);
  });

  it('names the files of each layout', () => {
    expect([...generateCheckpoint(TINY_P32_64PX, { layout: 'hf' }).keys()].sort()).toEqual(['config.json', 'model.safetensors', 'preprocessor_config.json']);
    expect([...generateCheckpoint(TINY_P32_64PX, { layout: 'openclip' }).keys()].sort()).toEqual(['open_clip_config.json', 'open_clip_model.safetensors']);
  });

  it('shards: the index maps every tensor to a shard, and total_size is the sum of the shards', () => {
    const files = generateCheckpoint(TINY_P32_64PX, { layout: 'hf', shards: 2, positionIds: true });
    const index = parseShardIndex(new TextDecoder().decode(files.get('model.safetensors.index.json')), 'index');
    expect(index.shards).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    const total = index.shards.reduce((n, s) => n + files.get(s)!.byteLength, 0);
    expect(index.metadata.total_size).toBe(total);
    expect(index.weightMap.has('vision_model.embeddings.position_ids')).toBe(true);
    expect(index.weightMap.get('visual_projection.weight')).toMatch(/^model-0000[12]-of-00002\.safetensors$/);
    expect(new Set(index.weightMap.values()).size).toBe(2); // both shards hold tensors
  });
});

describe('generated weight values', () => {
  const spec = TINY_P32_64PX;
  const all = (kind: RegExp) => {
    const names: string[] = [];
    for (const tower of ['vision', 'text'] as const) {
      const layers = tower === 'vision' ? spec.vision.layers : spec.text!.layers;
      for (let l = 0; l < layers; l++) for (const w of ['ln1.g', 'ln1.b', 'q.b', 'k.b', 'v.b', 'o.b', 'ln2.g', 'ln2.b', 'fc1.b', 'fc2.b'] as const) names.push(weightName(tower, w, l));
    }
    names.push('v.ln_pre.g', 'v.ln_pre.b', 'v.ln_post.g', 'v.ln_post.b', 't.ln_final.g', 't.ln_final.b');
    return names.filter((n) => kind.test(n));
  };

  it('LayerNorm gammas are 1 +- 0.1 (not all equal)', () => {
    for (const name of all(/\.g$/)) {
      const s = stats(canonicalWeightValues(spec, name));
      expect(s.min, name).toBeGreaterThan(0.89);
      expect(s.max, name).toBeLessThan(1.11);
      expect(s.std, name).toBeGreaterThan(0.01);
    }
  });

  it('every bias and LayerNorm shift is nonzero', () => {
    for (const name of all(/\.b$/)) {
      const v = canonicalWeightValues(spec, name);
      expect(v.every((x) => x !== 0), name).toBe(true);
      expect(stats(v).std, name).toBeGreaterThan(0.02);
    }
  });

  it('matrices have std in 0.02..0.1 and near-zero mean; different weights differ', () => {
    for (const name of ['v.0.q.w', 'v.2.fc2.w', 'v.patch', 'v.proj', 't.1.o.w']) {
      const s = stats(canonicalWeightValues(spec, name));
      expect(s.std, name).toBeGreaterThan(0.015);
      expect(s.std, name).toBeLessThan(0.11);
      expect(Math.abs(s.mean), name).toBeLessThan(s.std / 3);
    }
    expect(canonicalWeightValues(spec, 'v.0.q.w')).not.toEqual(canonicalWeightValues(spec, 'v.0.k.w'));
  });

  it('a weight does not depend on the layout, dtype or other options', () => {
    expect(canonicalWeightValues(spec, 'v.1.v.w', { layout: 'hf' })).toEqual(canonicalWeightValues(spec, 'v.1.v.w', { layout: 'openclip', dtype: 'F16', shards: 3 }));
  });

  it('every tiny preset is tiny (fast tests): width <= 64, layers <= 3, image <= 64 px', () => {
    for (const p of TINY_PRESETS) {
      expect(p.vision.width).toBeLessThanOrEqual(64);
      expect(p.vision.layers).toBeLessThanOrEqual(3);
      expect(p.vision.imageSize).toBeLessThanOrEqual(64);
    }
    const patches = new Set(TINY_PRESETS.map((p) => p.vision.patchSize));
    for (const p of [14, 16, 32]) expect(patches.has(p)).toBe(true);
    expect(TINY_PRESETS.some((p) => p.vision.width / p.vision.heads !== 64)).toBe(true);
    expect(new Set(TINY_PRESETS.map((p) => p.act))).toEqual(new Set(['gelu', 'quick_gelu']));
    expect(TINY_PRESETS.some((p) => p.dtype === 'F16')).toBe(true);
  });
});

describe('VIT_B16_SHAPED', () => {
  it('generates in f16 (a few seconds idle; bounded at 120 s so a loaded machine never fails it) and loads as ViT-B/16 + its text tower', async () => {
    const t0 = performance.now();
    const files = generateCheckpoint(VIT_B16_SHAPED, { layout: 'openclip', dtype: 'F16' });
    const seconds = (performance.now() - t0) / 1000;
    // a guard against a pathological slowdown, not a speed goal: a loaded 2-core machine took 16 s
    expect(seconds).toBeLessThan(120);
    const ck = await loadCheckpoint(memoryModelFiles(files));
    expect(ck.vision).toMatchObject({ width: 768, layers: 12, heads: 12, headWidth: 64, mlpWidth: 3072, patchSize: 16, imageSize: 224, embedDim: 512, act: 'gelu' });
    expect(ck.text).toMatchObject({ width: 512, layers: 12, heads: 8, contextLength: 77, vocabSize: 49408, eosTokenId: 49407 });
    let params = 0;
    for (const ref of ck.weights.values()) params += ref.byteLength / 2;
    // image tower ~86 M + text tower ~63 M parameters
    expect(params).toBeGreaterThan(145e6);
    expect(params).toBeLessThan(155e6);
    expect(ck.weights.get('v.pos')!.shape).toEqual([197, 768]);
  });
});
