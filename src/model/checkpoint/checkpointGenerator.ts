/**
 * Small, deterministic random CLIP checkpoints in both file layouts (Hugging Face CLIPModel and
 * OpenCLIP), as a `Map<fileName, bytes>`. Pure (no Node APIs): usable in browser tests too;
 * checkpointGenerator.node.ts writes the files to a directory.
 *
 * Every weight is drawn from its own seeded stream keyed by (seed, canonical weight name), so the
 * two layouts of one seed hold identical values, and any weight can be recomputed on its own
 * (`canonicalWeightValues`) to check what a loader or a forward pass read. Values are
 * Gaussian-ish (Irwin-Hall sum of four bytes: mean 0, std 1, |x| < 3.5, never 0), scaled so that
 * activations stay O(1); biases and LayerNorm shifts are nonzero everywhere so each term of the
 * decomposition is exercised.
 */
import type { Activation } from '../arch.ts';
import { visionGrid } from '../arch.ts';
import { encodeBF16, encodeF16 } from '../../math/half.ts';
import { planSafetensors, type TensorSlot } from './safetensorsWriter.ts';
import type { BlockWeight, Tower } from './types.ts';
import { weightName } from './types.ts';

export type WeightDType = 'F32' | 'F16' | 'BF16';

export interface GenVisionSpec {
  width: number;
  layers: number;
  heads: number;
  patchSize: number;
  imageSize: number;
  /** default 4 * width */
  mlpWidth?: number;
}

export interface GenTextSpec {
  width: number;
  layers: number;
  heads: number;
  contextLength: number;
  /** ignored when tokenizer files are given: their vocabulary decides */
  vocabSize: number;
  mlpWidth?: number;
}

export interface CheckpointSpec {
  readonly name: string;
  readonly vision: GenVisionSpec;
  readonly text?: GenTextSpec;
  readonly embedDim: number;
  readonly act: Activation;
  /** storage dtype when the options do not say (default F32) */
  readonly dtype?: WeightDType;
}

export interface GenerateOptions {
  layout: 'hf' | 'openclip';
  seed?: number;
  dtype?: WeightDType;
  /** split the weights into this many files plus a `*.safetensors.index.json` (>= 2) */
  shards?: number;
  /** leave the text tower out (weights only; the configs still describe one, as in real repos) */
  visionOnly?: boolean;
  /** HF: int64 `*.embeddings.position_ids` buffers, as older transformers saved them */
  positionIds?: boolean;
  /** a `logit_scale` scalar, as real checkpoints have */
  logitScale?: boolean;
  /** HF preprocessor_config.json with integer `size` / `crop_size` (older files) */
  integerPreprocessSizes?: boolean;
  /** HF text_config with the legacy `bos_token_id: 0, eos_token_id: 2` */
  legacyEosTokenId?: boolean;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
  /** tokenizer files to include; vocab_size and the special ids are taken from vocab.json */
  tokenizer?: { vocabJson: string; mergesTxt: string };
}

export const DEFAULT_SEED = 1234;
export const OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const OPENAI_STD = [0.26862954, 0.26130258, 0.27577711] as const;
const LOGIT_SCALE = Math.log(1 / 0.07);

// ------------------------------------------------------------------------------------ presets

/** patch 16, 32 px (2x2 grid), head width 8, exact GELU */
export const TINY_P16_GELU: CheckpointSpec = {
  name: 'tiny-p16-gelu',
  vision: { width: 32, layers: 2, heads: 4, patchSize: 16, imageSize: 32 },
  text: { width: 32, layers: 2, heads: 4, contextLength: 16, vocabSize: 100 },
  embedDim: 16,
  act: 'gelu',
};

/** ViT-L-14's 24 layers x 16 heads at toy width (head width 2), patch 14, 28 px (2x2 grid) */
export const TINY_L14_SHAPED: CheckpointSpec = {
  name: 'tiny-l14-shaped',
  vision: { width: 32, layers: 24, heads: 16, patchSize: 14, imageSize: 28 },
  text: { width: 16, layers: 1, heads: 2, contextLength: 16, vocabSize: 80 },
  embedDim: 16,
  act: 'gelu',
};

/** patch 14, 56 px (4x4 grid), head width 24, QuickGELU */
export const TINY_P14_QUICKGELU: CheckpointSpec = {
  name: 'tiny-p14-quickgelu-hw24',
  vision: { width: 48, layers: 2, heads: 2, patchSize: 14, imageSize: 56 },
  text: { width: 24, layers: 1, heads: 3, contextLength: 12, vocabSize: 80 },
  embedDim: 12,
  act: 'quick_gelu',
};

/** patch 32, 64 px (2x2 grid), 3 layers, MLP ratio 1.5 (not 4) */
export const TINY_P32_64PX: CheckpointSpec = {
  name: 'tiny-p32-64px-mlp1.5',
  vision: { width: 64, layers: 3, heads: 8, patchSize: 32, imageSize: 64, mlpWidth: 96 },
  text: { width: 32, layers: 2, heads: 2, contextLength: 10, vocabSize: 64, mlpWidth: 48 },
  embedDim: 32,
  act: 'quick_gelu',
};

/** patch 16, 48 px (3x3 grid), head width 16, stored in f16 */
export const TINY_P16_48PX_F16: CheckpointSpec = {
  name: 'tiny-p16-48px-f16',
  vision: { width: 32, layers: 2, heads: 2, patchSize: 16, imageSize: 48 },
  text: { width: 16, layers: 1, heads: 2, contextLength: 8, vocabSize: 50 },
  embedDim: 8,
  act: 'gelu',
  dtype: 'F16',
};

/** an image tower only (no text tower in the weights), patch 8 at 32 px (4x4 grid) */
export const TINY_VISION_ONLY: CheckpointSpec = {
  name: 'tiny-vision-only',
  vision: { width: 16, layers: 1, heads: 2, patchSize: 8, imageSize: 32 },
  embedDim: 8,
  act: 'gelu',
};

/** all tiny presets: each generates in milliseconds */
export const TINY_PRESETS: readonly CheckpointSpec[] = [TINY_P16_GELU, TINY_P14_QUICKGELU, TINY_P32_64PX, TINY_P16_48PX_F16, TINY_VISION_ONLY];

/** ViT-B/16-sized (OpenCLIP ViT-B-16): for benchmarks. About 150 M parameters. */
export const VIT_B16_SHAPED: CheckpointSpec = {
  name: 'vit-b16-shaped',
  vision: { width: 768, layers: 12, heads: 12, patchSize: 16, imageSize: 224 },
  text: { width: 512, layers: 12, heads: 8, contextLength: 77, vocabSize: 49408 },
  embedDim: 512,
  act: 'gelu',
};

// ------------------------------------------------------------------------- resolved geometry

interface ResolvedText extends Required<GenTextSpec> {
  bosTokenId: number;
  eosTokenId: number;
}

interface Resolved {
  vision: Required<GenVisionSpec>;
  text?: ResolvedText;
  embedDim: number;
}

/** id of a token in a vocab.json, or undefined */
function vocabId(vocab: Record<string, unknown>, token: string): number | undefined {
  const id = vocab[token];
  return typeof id === 'number' ? id : undefined;
}

function resolve(spec: CheckpointSpec, options: Partial<GenerateOptions>): Resolved {
  const vision = { ...spec.vision, mlpWidth: spec.vision.mlpWidth ?? 4 * spec.vision.width };
  if (vision.width % vision.heads !== 0) throw new Error(`${spec.name}: vision width ${vision.width} not divisible by ${vision.heads} heads`);
  let text: ResolvedText | undefined;
  if (spec.text && !options.visionOnly) {
    let vocabSize = spec.text.vocabSize;
    let bos: number | undefined;
    let eos: number | undefined;
    if (options.tokenizer) {
      const vocab = JSON.parse(options.tokenizer.vocabJson) as Record<string, unknown>;
      vocabSize = Math.max(...Object.values(vocab).filter((v): v is number => typeof v === 'number')) + 1;
      bos = vocabId(vocab, '<|startoftext|>');
      eos = vocabId(vocab, '<|endoftext|>');
    }
    text = {
      ...spec.text,
      vocabSize,
      mlpWidth: spec.text.mlpWidth ?? 4 * spec.text.width,
      bosTokenId: bos ?? vocabSize - 2,
      eosTokenId: eos ?? vocabSize - 1,
    };
  }
  return { vision, text, embedDim: spec.embedDim };
}

// ---------------------------------------------------------------------- canonical weights

type InitKind = 'matrix' | 'bias' | 'gamma' | 'beta' | 'embedding';

interface CanonicalWeight {
  name: string;
  /** canonical shape: matrices [out, in]; proj [D, w] */
  shape: number[];
  kind: InitKind;
  fanIn: number;
}

const BLOCK_WEIGHTS: readonly BlockWeight[] = [
  'ln1.g', 'ln1.b', 'q.w', 'q.b', 'k.w', 'k.b', 'v.w', 'v.b', 'o.w', 'o.b', 'ln2.g', 'ln2.b', 'fc1.w', 'fc1.b', 'fc2.w', 'fc2.b',
];

function blockWeight(tower: Tower, w: BlockWeight, layer: number, width: number, mlp: number): CanonicalWeight {
  const name = weightName(tower, w, layer);
  const [part, kindKey] = w.split('.') as [string, string];
  if (part === 'ln1' || part === 'ln2') return { name, shape: [width], kind: kindKey === 'g' ? 'gamma' : 'beta', fanIn: width };
  const outDim = part === 'fc1' ? mlp : width;
  const inDim = part === 'fc2' ? mlp : width;
  return kindKey === 'w' ? { name, shape: [outDim, inDim], kind: 'matrix', fanIn: inDim } : { name, shape: [outDim], kind: 'bias', fanIn: inDim };
}

function canonicalWeights(r: Resolved): Map<string, CanonicalWeight> {
  const out = new Map<string, CanonicalWeight>();
  const add = (c: CanonicalWeight) => out.set(c.name, c);
  const v = r.vision;
  const { tokens } = visionGrid({ ...v, headWidth: 0, embedDim: 0, act: 'gelu', layerNormEps: 0 });
  add({ name: weightName('vision', 'patch'), shape: [v.width, 3, v.patchSize, v.patchSize], kind: 'matrix', fanIn: 3 * v.patchSize ** 2 });
  add({ name: weightName('vision', 'cls'), shape: [v.width], kind: 'embedding', fanIn: 1 });
  add({ name: weightName('vision', 'pos'), shape: [tokens, v.width], kind: 'embedding', fanIn: 1 });
  add({ name: weightName('vision', 'ln_pre.g'), shape: [v.width], kind: 'gamma', fanIn: 1 });
  add({ name: weightName('vision', 'ln_pre.b'), shape: [v.width], kind: 'beta', fanIn: 1 });
  for (let l = 0; l < v.layers; l++) for (const w of BLOCK_WEIGHTS) add(blockWeight('vision', w, l, v.width, v.mlpWidth));
  add({ name: weightName('vision', 'ln_post.g'), shape: [v.width], kind: 'gamma', fanIn: 1 });
  add({ name: weightName('vision', 'ln_post.b'), shape: [v.width], kind: 'beta', fanIn: 1 });
  add({ name: weightName('vision', 'proj'), shape: [r.embedDim, v.width], kind: 'matrix', fanIn: v.width });
  const t = r.text;
  if (t) {
    add({ name: weightName('text', 'tok'), shape: [t.vocabSize, t.width], kind: 'embedding', fanIn: 1 });
    add({ name: weightName('text', 'pos'), shape: [t.contextLength, t.width], kind: 'embedding', fanIn: 1 });
    for (let l = 0; l < t.layers; l++) for (const w of BLOCK_WEIGHTS) add(blockWeight('text', w, l, t.width, t.mlpWidth));
    add({ name: weightName('text', 'ln_final.g'), shape: [t.width], kind: 'gamma', fanIn: 1 });
    add({ name: weightName('text', 'ln_final.b'), shape: [t.width], kind: 'beta', fanIn: 1 });
    add({ name: weightName('text', 'proj'), shape: [r.embedDim, t.width], kind: 'matrix', fanIn: t.width });
  }
  return out;
}

/** mean and std of each kind of weight */
function initOf(c: CanonicalWeight): { mean: number; std: number } {
  switch (c.kind) {
    case 'matrix':
      return { mean: 0, std: Math.min(0.1, Math.max(0.02, 1 / Math.sqrt(c.fanIn))) };
    case 'bias':
      return { mean: 0, std: 0.05 };
    case 'gamma':
      return { mean: 1, std: 0.03 }; // 1 +- 0.1
    case 'beta':
      return { mean: 0, std: 0.05 };
    case 'embedding':
      return { mean: 0, std: 0.1 };
  }
}

/** 32-bit FNV-1a of a string */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** a sequential stream of Gaussian-ish values (mulberry32 + Irwin-Hall of the four bytes) */
class ValueStream {
  private state: number;
  constructor(
    key: string,
    private readonly mean: number,
    private readonly std: number,
  ) {
    this.state = hash32(key);
  }

  fill(out: Float32Array, n: number): void {
    let s = this.state;
    const scale = this.std / 147.80393; // sqrt(4 * (256^2 - 1) / 12)
    const mean = this.mean;
    for (let i = 0; i < n; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      t = (t ^ (t >>> 14)) >>> 0;
      const centered = (t & 255) + ((t >>> 8) & 255) + ((t >>> 16) & 255) + (t >>> 24) - 510;
      // an exact 0 becomes +-0.5 (by the low bit): no weight is exactly zero, symmetry is kept
      out[i] = mean + (centered === 0 ? (t & 1) - 0.5 : centered) * scale;
    }
    this.state = s;
  }
}

function streamOf(seed: number, c: CanonicalWeight): ValueStream {
  const { mean, std } = initOf(c);
  return new ValueStream(`${seed}:${c.name}`, mean, std);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The float32 values the generator draws for a canonical weight, in canonical orientation
 * (matrices [out, in], proj [D, w]), before rounding to the storage dtype.
 */
export function canonicalWeightValues(spec: CheckpointSpec, name: string, options: Partial<GenerateOptions> = {}): Float32Array {
  const c = canonicalWeights(resolve(spec, options)).get(name);
  if (!c) throw new Error(`${spec.name} has no weight ${name}`);
  const out = new Float32Array(sizeOf(c.shape));
  streamOf(options.seed ?? DEFAULT_SEED, c).fill(out, out.length);
  return out;
}

// ------------------------------------------------------------------------- stored tensors

/** a stored tensor: its slot in a file and how to produce its float values in storage order */
interface StoredTensor extends TensorSlot {
  /** writes `product(shape)` values in storage order, chunk by chunk */
  produce?: (emit: (values: Float32Array, n: number) => void) => void;
  /** raw bytes for non-float tensors */
  raw?: () => Uint8Array;
}

const CHUNK = 1 << 16;

function direct(seed: number, cs: readonly CanonicalWeight[]): StoredTensor['produce'] {
  return (emit) => {
    const chunk = new Float32Array(CHUNK);
    for (const c of cs) {
      const stream = streamOf(seed, c);
      for (let left = sizeOf(c.shape); left > 0; left -= CHUNK) {
        const n = Math.min(CHUNK, left);
        stream.fill(chunk, n);
        emit(chunk, n);
      }
    }
  };
}

/** a canonical [rows, cols] matrix stored transposed as [cols, rows] (OpenCLIP projections) */
function transposed(seed: number, c: CanonicalWeight): StoredTensor['produce'] {
  return (emit) => {
    const [rows, cols] = c.shape;
    const m = new Float32Array(rows * cols);
    streamOf(seed, c).fill(m, m.length);
    const t = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
    emit(t, t.length);
  };
}

function int64Range(n: number): () => Uint8Array {
  return () => {
    const bytes = new Uint8Array(8 * n);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) view.setUint32(8 * i, i, true); // high words stay 0
    return bytes;
  };
}

function constant(value: number): StoredTensor['produce'] {
  return (emit) => emit(new Float32Array([value]), 1);
}

function hfTensors(r: Resolved, seed: number, dtype: WeightDType, options: Partial<GenerateOptions>): StoredTensor[] {
  const cw = canonicalWeights(r);
  const out: StoredTensor[] = [];
  const put = (name: string, canonical: string) => {
    const c = cw.get(canonical)!;
    out.push({ name, dtype, shape: c.shape, produce: direct(seed, [c]) });
  };
  const blocks = (tower: Tower, prefix: string, layers: number) => {
    const suffix: Record<BlockWeight, string> = {
      'ln1.g': 'layer_norm1.weight', 'ln1.b': 'layer_norm1.bias',
      'q.w': 'self_attn.q_proj.weight', 'q.b': 'self_attn.q_proj.bias',
      'k.w': 'self_attn.k_proj.weight', 'k.b': 'self_attn.k_proj.bias',
      'v.w': 'self_attn.v_proj.weight', 'v.b': 'self_attn.v_proj.bias',
      'o.w': 'self_attn.out_proj.weight', 'o.b': 'self_attn.out_proj.bias',
      'ln2.g': 'layer_norm2.weight', 'ln2.b': 'layer_norm2.bias',
      'fc1.w': 'mlp.fc1.weight', 'fc1.b': 'mlp.fc1.bias', 'fc2.w': 'mlp.fc2.weight', 'fc2.b': 'mlp.fc2.bias',
    };
    for (let l = 0; l < layers; l++) for (const w of BLOCK_WEIGHTS) put(`${prefix}.encoder.layers.${l}.${suffix[w]}`, weightName(tower, w, l));
  };
  const { tokens } = visionGrid({ ...r.vision, headWidth: 0, embedDim: 0, act: 'gelu', layerNormEps: 0 });
  put('vision_model.embeddings.patch_embedding.weight', 'v.patch');
  put('vision_model.embeddings.class_embedding', 'v.cls');
  put('vision_model.embeddings.position_embedding.weight', 'v.pos');
  if (options.positionIds) out.push({ name: 'vision_model.embeddings.position_ids', dtype: 'I64', shape: [1, tokens], raw: int64Range(tokens) });
  put('vision_model.pre_layrnorm.weight', 'v.ln_pre.g');
  put('vision_model.pre_layrnorm.bias', 'v.ln_pre.b');
  blocks('vision', 'vision_model', r.vision.layers);
  put('vision_model.post_layernorm.weight', 'v.ln_post.g');
  put('vision_model.post_layernorm.bias', 'v.ln_post.b');
  put('visual_projection.weight', 'v.proj');
  if (r.text) {
    put('text_model.embeddings.token_embedding.weight', 't.tok');
    put('text_model.embeddings.position_embedding.weight', 't.pos');
    if (options.positionIds) {
      out.push({ name: 'text_model.embeddings.position_ids', dtype: 'I64', shape: [1, r.text.contextLength], raw: int64Range(r.text.contextLength) });
    }
    blocks('text', 'text_model', r.text.layers);
    put('text_model.final_layer_norm.weight', 't.ln_final.g');
    put('text_model.final_layer_norm.bias', 't.ln_final.b');
    put('text_projection.weight', 't.proj');
  }
  if (options.logitScale) out.push({ name: 'logit_scale', dtype, shape: [], produce: constant(LOGIT_SCALE) });
  return out;
}

function openClipTensors(r: Resolved, seed: number, dtype: WeightDType, options: Partial<GenerateOptions>): StoredTensor[] {
  const cw = canonicalWeights(r);
  const out: StoredTensor[] = [];
  const get = (canonical: string) => cw.get(canonical)!;
  const put = (name: string, canonical: string) => {
    const c = get(canonical);
    out.push({ name, dtype, shape: c.shape, produce: direct(seed, [c]) });
  };
  const blocks = (tower: Tower, prefix: string, layers: number, width: number) => {
    for (let l = 0; l < layers; l++) {
      const p = `${prefix}transformer.resblocks.${l}`;
      const n = (w: BlockWeight) => weightName(tower, w, l);
      put(`${p}.ln_1.weight`, n('ln1.g'));
      put(`${p}.ln_1.bias`, n('ln1.b'));
      out.push({ name: `${p}.attn.in_proj_weight`, dtype, shape: [3 * width, width], produce: direct(seed, [get(n('q.w')), get(n('k.w')), get(n('v.w'))]) });
      out.push({ name: `${p}.attn.in_proj_bias`, dtype, shape: [3 * width], produce: direct(seed, [get(n('q.b')), get(n('k.b')), get(n('v.b'))]) });
      put(`${p}.attn.out_proj.weight`, n('o.w'));
      put(`${p}.attn.out_proj.bias`, n('o.b'));
      put(`${p}.ln_2.weight`, n('ln2.g'));
      put(`${p}.ln_2.bias`, n('ln2.b'));
      put(`${p}.mlp.c_fc.weight`, n('fc1.w'));
      put(`${p}.mlp.c_fc.bias`, n('fc1.b'));
      put(`${p}.mlp.c_proj.weight`, n('fc2.w'));
      put(`${p}.mlp.c_proj.bias`, n('fc2.b'));
    }
  };
  const projection = (name: string, canonical: string) => {
    const c = get(canonical);
    out.push({ name, dtype, shape: [c.shape[1], c.shape[0]], produce: transposed(seed, c) });
  };
  put('visual.conv1.weight', 'v.patch');
  put('visual.class_embedding', 'v.cls');
  put('visual.positional_embedding', 'v.pos');
  put('visual.ln_pre.weight', 'v.ln_pre.g');
  put('visual.ln_pre.bias', 'v.ln_pre.b');
  blocks('vision', 'visual.', r.vision.layers, r.vision.width);
  put('visual.ln_post.weight', 'v.ln_post.g');
  put('visual.ln_post.bias', 'v.ln_post.b');
  projection('visual.proj', 'v.proj');
  if (r.text) {
    put('token_embedding.weight', 't.tok');
    put('positional_embedding', 't.pos');
    blocks('text', '', r.text.layers, r.text.width);
    put('ln_final.weight', 't.ln_final.g');
    put('ln_final.bias', 't.ln_final.b');
    projection('text_projection', 't.proj');
  }
  if (options.logitScale) out.push({ name: 'logit_scale', dtype, shape: [], produce: constant(LOGIT_SCALE) });
  return out;
}

/** write one safetensors file straight into its final buffer, chunk by chunk */
function writeSafetensorsFile(tensors: readonly StoredTensor[]): Uint8Array {
  const plan = planSafetensors(tensors, { format: 'pt' });
  const file = new Uint8Array(plan.fileSize);
  file.set(plan.header, 0);
  const halves = new Uint16Array(CHUNK);
  for (const t of tensors) {
    let at = plan.ranges.get(t.name)!.byteOffset;
    if (t.raw) {
      file.set(t.raw(), at);
      continue;
    }
    t.produce!((values, n) => {
      const v = values.subarray(0, n);
      let bytes: Uint8Array;
      if (t.dtype === 'F32') bytes = new Uint8Array(v.buffer, v.byteOffset, n * 4);
      else {
        const h = n <= CHUNK ? halves.subarray(0, n) : new Uint16Array(n);
        if (t.dtype === 'F16') encodeF16(v, h);
        else encodeBF16(v, h);
        bytes = new Uint8Array(h.buffer, h.byteOffset, n * 2);
      }
      file.set(bytes, at);
      at += bytes.byteLength;
    });
  }
  return file;
}

/** split tensors into `k` contiguous groups of about equal bytes (empty groups dropped) */
function shardGroups(tensors: readonly StoredTensor[], k: number): StoredTensor[][] {
  const bytes = tensors.map((t) => sizeOf(t.shape) * (t.dtype === 'F32' ? 4 : t.dtype === 'I64' ? 8 : 2));
  const total = bytes.reduce((a, b) => a + b, 0);
  const groups: StoredTensor[][] = Array.from({ length: k }, () => []);
  let before = 0;
  tensors.forEach((t, i) => {
    groups[Math.min(k - 1, Math.floor((before / total) * k))].push(t);
    before += bytes[i];
  });
  return groups.filter((g) => g.length > 0);
}

function writeWeights(files: Map<string, Uint8Array>, base: string, tensors: StoredTensor[], shards: number): void {
  if (shards < 2) {
    files.set(`${base}.safetensors`, writeSafetensorsFile(tensors));
    return;
  }
  const groups = shardGroups(tensors, shards);
  const pad = (i: number) => String(i).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  groups.forEach((group, i) => {
    const name = `${base}-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`;
    const bytes = writeSafetensorsFile(group);
    files.set(name, bytes);
    for (const t of group) weightMap[t.name] = name;
    totalSize += bytes.byteLength;
  });
  files.set(`${base}.safetensors.index.json`, json({ metadata: { total_size: totalSize }, weight_map: weightMap }));
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2));
}

// ------------------------------------------------------------------------------------ configs

function hfConfig(spec: CheckpointSpec, r: Resolved, options: Partial<GenerateOptions>): unknown {
  const v = r.vision;
  const visionConfig = {
    hidden_size: v.width,
    intermediate_size: v.mlpWidth,
    num_hidden_layers: v.layers,
    num_attention_heads: v.heads,
    image_size: v.imageSize,
    patch_size: v.patchSize,
    hidden_act: spec.act,
    layer_norm_eps: 1e-5,
    projection_dim: r.embedDim,
    model_type: 'clip_vision_model',
  };
  if (!spec.text) {
    return { architectures: ['CLIPVisionModelWithProjection'], ...visionConfig };
  }
  // the text config describes the tower even when the weights leave it out (visionOnly)
  const t = r.text ?? resolve(spec, { ...options, visionOnly: false }).text!;
  const legacy = options.legacyEosTokenId;
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: r.embedDim,
    logit_scale_init_value: 2.6592,
    text_config: {
      hidden_size: t.width,
      intermediate_size: t.mlpWidth,
      num_hidden_layers: t.layers,
      num_attention_heads: t.heads,
      max_position_embeddings: t.contextLength,
      vocab_size: t.vocabSize,
      hidden_act: spec.act,
      layer_norm_eps: 1e-5,
      bos_token_id: legacy ? 0 : t.bosTokenId,
      eos_token_id: legacy ? 2 : t.eosTokenId,
      pad_token_id: 1,
      projection_dim: r.embedDim,
      model_type: 'clip_text_model',
    },
    vision_config: visionConfig,
  };
}

function hfPreprocessorConfig(r: Resolved, options: Partial<GenerateOptions>): unknown {
  const s = r.vision.imageSize;
  const common = {
    do_center_crop: true,
    do_normalize: true,
    do_resize: true,
    image_mean: [...(options.mean ?? OPENAI_MEAN)],
    image_std: [...(options.std ?? OPENAI_STD)],
    resample: 3,
  };
  return options.integerPreprocessSizes
    ? { ...common, crop_size: s, size: s, feature_extractor_type: 'CLIPFeatureExtractor' }
    : { ...common, crop_size: { height: s, width: s }, size: { shortest_edge: s }, do_rescale: true, rescale_factor: 1 / 255, image_processor_type: 'CLIPImageProcessor' };
}

function openClipConfig(spec: CheckpointSpec, r: Resolved, options: Partial<GenerateOptions>): unknown {
  const v = r.vision;
  const headWidth = v.width / v.heads;
  const visionCfg: Record<string, unknown> = { image_size: v.imageSize, layers: v.layers, width: v.width, patch_size: v.patchSize };
  if (headWidth !== 64) visionCfg.head_width = headWidth; // 64 is OpenCLIP's default: leave it implicit
  if (v.mlpWidth !== 4 * v.width) visionCfg.mlp_ratio = v.mlpWidth / v.width;
  const modelCfg: Record<string, unknown> = { embed_dim: r.embedDim, vision_cfg: visionCfg };
  if (spec.act === 'quick_gelu') modelCfg.quick_gelu = true;
  const t = r.text ?? (spec.text ? resolve(spec, { ...options, visionOnly: false }).text : undefined);
  if (t) {
    const textCfg: Record<string, unknown> = { context_length: t.contextLength, vocab_size: t.vocabSize, width: t.width, heads: t.heads, layers: t.layers };
    if (t.mlpWidth !== 4 * t.width) textCfg.mlp_ratio = t.mlpWidth / t.width;
    modelCfg.text_cfg = textCfg;
  }
  return {
    model_cfg: modelCfg,
    preprocess_cfg: { mean: [...(options.mean ?? OPENAI_MEAN)], std: [...(options.std ?? OPENAI_STD)], interpolation: 'bicubic', resize_mode: 'shortest' },
  };
}

// ------------------------------------------------------------------------------------- entry

/** Generate a checkpoint folder's files. Deterministic in (spec, options). */
export function generateCheckpoint(spec: CheckpointSpec, options: GenerateOptions): Map<string, Uint8Array> {
  const r = resolve(spec, options);
  const seed = options.seed ?? DEFAULT_SEED;
  const dtype = options.dtype ?? spec.dtype ?? 'F32';
  const files = new Map<string, Uint8Array>();
  if (options.layout === 'hf') {
    files.set('config.json', json(hfConfig(spec, r, options)));
    files.set('preprocessor_config.json', json(hfPreprocessorConfig(r, options)));
    writeWeights(files, 'model', hfTensors(r, seed, dtype, options), options.shards ?? 1);
  } else {
    files.set('open_clip_config.json', json(openClipConfig(spec, r, options)));
    writeWeights(files, 'open_clip_model', openClipTensors(r, seed, dtype, options), options.shards ?? 1);
  }
  if (options.tokenizer) {
    const enc = new TextEncoder();
    files.set('vocab.json', enc.encode(options.tokenizer.vocabJson));
    files.set('merges.txt', enc.encode(options.tokenizer.mergesTxt));
  }
  return files;
}

