/**
 * Test helper: a small random CLIP checkpoint written as one safetensors file whose tensors carry
 * our canonical weight names, returned as a `ClipCheckpoint` (the real loader is not needed).
 * Weights are seeded, scaled so activations stay O(1), and stored as F32, F16 or BF16.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TextArch, VisionArch } from '../../arch.ts';
import { decodeBF16, decodeF16, encodeBF16, encodeF16 } from '../../../math/half.ts';
import { nodeFileSource } from '../../checkpoint/nodeSources.node.ts';
import { encodeSafetensors, type TensorData } from '../../checkpoint/safetensorsWriter.ts';
import { weightName, type BlockWeight, type ClipCheckpoint, type Tower, type WeightRef } from '../../checkpoint/types.ts';

export type TinyDType = 'F32' | 'F16' | 'BF16';

export interface TinyCheckpointOptions {
  dtype?: TinyDType;
  /** layout of the projection matrices (OpenCLIP stores them [in, out]) */
  projLayout?: 'out_in' | 'in_out';
  seed?: number;
  vision?: Partial<VisionArch>;
  text?: Partial<TextArch>;
}

export interface TinyCheckpoint {
  readonly ckpt: ClipCheckpoint;
  /** the values as stored (after rounding to the storage dtype), by canonical name */
  readonly values: ReadonlyMap<string, Float32Array>;
  readonly dir: string;
}

export const TINY_VISION: VisionArch = {
  width: 16, layers: 2, heads: 4, headWidth: 4, mlpWidth: 64, patchSize: 4, imageSize: 12,
  embedDim: 8, act: 'gelu', layerNormEps: 1e-5,
};
export const TINY_TEXT: TextArch = {
  width: 16, layers: 2, heads: 2, headWidth: 8, mlpWidth: 64, contextLength: 10, vocabSize: 50,
  embedDim: 8, act: 'gelu', layerNormEps: 1e-5, bosTokenId: 48, eosTokenId: 49, padTokenId: 0,
};

/** mulberry32: tiny deterministic PRNG */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function storedBytes(values: Float32Array, dtype: TinyDType): { bytes: Uint8Array; rounded: Float32Array } {
  if (dtype === 'F32') return { bytes: new Uint8Array(values.buffer.slice(0)), rounded: values };
  const bits = dtype === 'F16' ? encodeF16(values) : encodeBF16(values);
  const rounded = dtype === 'F16' ? decodeF16(bits) : decodeBF16(bits);
  return { bytes: new Uint8Array(bits.buffer.slice(0)), rounded };
}

export function writeTinyCheckpoint(options: TinyCheckpointOptions = {}): TinyCheckpoint {
  const dtype = options.dtype ?? 'F32';
  const projLayout = options.projLayout ?? 'in_out';
  const vision: VisionArch = { ...TINY_VISION, ...options.vision };
  const text: TextArch = { ...TINY_TEXT, ...options.text };
  const rand = seededRandom(options.seed ?? 1);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const specs: { name: string; shape: number[]; scale: number; offset?: number; layout?: 'out_in' | 'in_out' }[] = [];
  const add = (name: string, shape: number[], scale: number, offset = 0, layout?: 'out_in' | 'in_out') =>
    specs.push({ name, shape, scale, offset, layout });
  const blocks = (tower: Tower, n: number, w: number, mlp: number) => {
    const s = 1 / Math.sqrt(w);
    for (let l = 0; l < n; l++) {
      const b = (x: BlockWeight) => weightName(tower, x, l);
      add(b('ln1.g'), [w], 0.1, 1); add(b('ln1.b'), [w], 0.1);
      for (const m of ['q', 'k', 'v', 'o'] as const) { add(b(`${m}.w`), [w, w], s); add(b(`${m}.b`), [w], 0.1); }
      add(b('ln2.g'), [w], 0.1, 1); add(b('ln2.b'), [w], 0.1);
      add(b('fc1.w'), [mlp, w], s); add(b('fc1.b'), [mlp], 0.1);
      add(b('fc2.w'), [w, mlp], 1 / Math.sqrt(mlp)); add(b('fc2.b'), [w], 0.1);
    }
  };
  const v = vision;
  const T = (v.imageSize / v.patchSize) ** 2 + 1;
  add(weightName('vision', 'patch'), [v.width, 3, v.patchSize, v.patchSize], 1 / Math.sqrt(3 * v.patchSize ** 2));
  add(weightName('vision', 'cls'), [v.width], 0.5);
  add(weightName('vision', 'pos'), [T, v.width], 0.5);
  add(weightName('vision', 'ln_pre.g'), [v.width], 0.1, 1); add(weightName('vision', 'ln_pre.b'), [v.width], 0.1);
  blocks('vision', v.layers, v.width, v.mlpWidth);
  add(weightName('vision', 'ln_post.g'), [v.width], 0.1, 1); add(weightName('vision', 'ln_post.b'), [v.width], 0.1);
  const vProj = projLayout === 'in_out' ? [v.width, v.embedDim] : [v.embedDim, v.width];
  add(weightName('vision', 'proj'), vProj, 1 / Math.sqrt(v.width), 0, projLayout);
  const t = text;
  add(weightName('text', 'tok'), [t.vocabSize, t.width], 0.5);
  add(weightName('text', 'pos'), [t.contextLength, t.width], 0.5);
  blocks('text', t.layers, t.width, t.mlpWidth);
  add(weightName('text', 'ln_final.g'), [t.width], 0.1, 1); add(weightName('text', 'ln_final.b'), [t.width], 0.1);
  const tProj = projLayout === 'in_out' ? [t.width, t.embedDim] : [t.embedDim, t.width];
  add(weightName('text', 'proj'), tProj, 1 / Math.sqrt(t.width), 0, projLayout);

  const values = new Map<string, Float32Array>();
  const tensors: TensorData[] = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const raw = Float32Array.from({ length: n }, () => (s.offset ?? 0) + s.scale * normal());
    const { bytes, rounded } = storedBytes(raw, dtype);
    values.set(s.name, rounded);
    return { name: s.name, dtype, shape: s.shape, bytes };
  });
  const file = encodeSafetensors(tensors);
  const dir = mkdtempSync(join(tmpdir(), 'clipscope-tiny-'));
  const fileName = 'tiny.safetensors';
  writeFileSync(join(dir, fileName), file);
  // recover each tensor's absolute byte range from the header we just wrote
  const headerLength = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + headerLength))) as Record<string, { data_offsets: [number, number] }>;
  const weights = new Map<string, WeightRef>();
  for (const s of specs) {
    const [begin, end] = header[s.name].data_offsets;
    weights.set(s.name, {
      source: s.name, fileName, byteOffset: 8 + headerLength + begin, byteLength: end - begin,
      dtype, shape: s.shape, ...(s.layout ? { layout: s.layout } : {}),
    });
  }
  const source = Object.assign(nodeFileSource(join(dir, fileName), fileName), { path: join(dir, fileName) });
  const ckpt: ClipCheckpoint = {
    layout: projLayout === 'in_out' ? 'openclip' : 'hf',
    vision, text,
    preprocess: { size: v.imageSize, resizeShortSide: v.imageSize, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], interpolation: 'bicubic' },
    weights,
    files: new Map([[fileName, source]]),
    fingerprint: `tiny-${dtype}-${projLayout}-${options.seed ?? 1}`,
  };
  return { ckpt, values, dir };
}

/** Random pixels [B, 3, S, S] in roughly the normalised range. */
export function randomPixels(batch: number, side: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: batch * 3 * side * side }, () => 4 * rand() - 2);
}
