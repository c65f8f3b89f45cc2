/**
 * Tiny random CLIP checkpoints for the oracle's own tests: one random weight set (OpenCLIP
 * names, float64 values already rounded to the storage dtype, so what is written is exactly
 * what is read back), written as the safetensors files + config of either layout.
 * The production generator lives in src/model/checkpoint/checkpointGenerator.ts; this one is independent.
 */
import type { Activation } from '../../model/arch.ts';
import { roundToStorage, type FloatStorage } from './dtypes.ts';
import type { RawLayout } from './rawCheckpoint.ts';
import { encodeSafetensors, type RawTensor, type SafetensorsEntry } from './safetensors.ts';

export interface ToyClipSpec {
  readonly seed: number;
  readonly vision: {
    readonly width: number;
    readonly layers: number;
    readonly heads: number;
    readonly patchSize: number;
    readonly grid: number;
    readonly mlpWidth: number;
  };
  readonly text?: {
    readonly width: number;
    readonly layers: number;
    readonly heads: number;
    readonly contextLength: number;
    readonly vocabSize: number;
    readonly mlpWidth: number;
  };
  readonly embedDim: number;
  readonly act: Activation;
  /** written to the HF config only (OpenCLIP always uses 1e-5); default 1e-5 */
  readonly layerNormEps?: number;
  /** storage dtype of the float tensors; default F32 */
  readonly dtype?: FloatStorage;
  /** HF text_config.eos_token_id; default vocabSize − 1 */
  readonly hfEosTokenId?: number;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1) */
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

/** The random weight set, by OpenCLIP names (visual.*, transformer.*, token_embedding, …). */
export function makeToyClipWeights(spec: ToyClipSpec): Map<string, RawTensor> {
  const random = seededRandom(spec.seed);
  const dtype = spec.dtype ?? 'F32';
  const weights = new Map<string, RawTensor>();
  const add = (name: string, shape: number[], value: () => number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float64Array(n);
    for (let k = 0; k < n; k++) data[k] = roundToStorage(value(), dtype);
    weights.set(name, { shape, data });
  };
  const uniform = (scale: number, centre = 0) => () => centre + scale * (2 * random() - 1);

  const addBlocks = (prefix: string, layers: number, w: number, m: number) => {
    for (let l = 0; l < layers; l++) {
      const b = `${prefix}.${l}`;
      add(`${b}.ln_1.weight`, [w], uniform(0.2, 1));
      add(`${b}.ln_1.bias`, [w], uniform(0.1));
      add(`${b}.attn.in_proj_weight`, [3 * w, w], uniform(2 / Math.sqrt(w))); // sharp enough attention
      add(`${b}.attn.in_proj_bias`, [3 * w], uniform(0.1));
      add(`${b}.attn.out_proj.weight`, [w, w], uniform(1 / Math.sqrt(w)));
      add(`${b}.attn.out_proj.bias`, [w], uniform(0.1));
      add(`${b}.ln_2.weight`, [w], uniform(0.2, 1));
      add(`${b}.ln_2.bias`, [w], uniform(0.1));
      add(`${b}.mlp.c_fc.weight`, [m, w], uniform(1.5 / Math.sqrt(w)));
      add(`${b}.mlp.c_fc.bias`, [m], uniform(0.1));
      add(`${b}.mlp.c_proj.weight`, [w, m], uniform(1 / Math.sqrt(m)));
      add(`${b}.mlp.c_proj.bias`, [w], uniform(0.1));
    }
  };

  const v = spec.vision;
  const tokens = v.grid * v.grid + 1;
  add('visual.conv1.weight', [v.width, 3, v.patchSize, v.patchSize], uniform(1 / v.patchSize));
  add('visual.class_embedding', [v.width], uniform(0.5));
  add('visual.positional_embedding', [tokens, v.width], uniform(0.2));
  add('visual.ln_pre.weight', [v.width], uniform(0.2, 1));
  add('visual.ln_pre.bias', [v.width], uniform(0.1));
  addBlocks('visual.transformer.resblocks', v.layers, v.width, v.mlpWidth);
  add('visual.ln_post.weight', [v.width], uniform(0.2, 1));
  add('visual.ln_post.bias', [v.width], uniform(0.1));
  add('visual.proj', [v.width, spec.embedDim], uniform(1 / Math.sqrt(v.width)));

  const t = spec.text;
  if (t) {
    add('token_embedding.weight', [t.vocabSize, t.width], uniform(0.5));
    add('positional_embedding', [t.contextLength, t.width], uniform(0.2));
    addBlocks('transformer.resblocks', t.layers, t.width, t.mlpWidth);
    add('ln_final.weight', [t.width], uniform(0.2, 1));
    add('ln_final.bias', [t.width], uniform(0.1));
    add('text_projection', [t.width, spec.embedDim], uniform(1 / Math.sqrt(t.width)));
  }
  add('logit_scale', [], () => Math.log(100));
  return weights;
}

// ---------------------------------------------------------------------------------------------
// Hugging Face names

const HF_BLOCK_RENAMES: ReadonlyArray<[RegExp, string]> = [
  [/\.ln_1\./, '.layer_norm1.'],
  [/\.ln_2\./, '.layer_norm2.'],
  [/\.attn\.out_proj\./, '.self_attn.out_proj.'],
  [/\.mlp\.c_fc\./, '.mlp.fc1.'],
  [/\.mlp\.c_proj\./, '.mlp.fc2.'],
];

const HF_GLOBAL_RENAMES: Readonly<Record<string, string>> = {
  'visual.conv1.weight': 'vision_model.embeddings.patch_embedding.weight',
  'visual.class_embedding': 'vision_model.embeddings.class_embedding',
  'visual.positional_embedding': 'vision_model.embeddings.position_embedding.weight',
  'visual.ln_pre.weight': 'vision_model.pre_layrnorm.weight',
  'visual.ln_pre.bias': 'vision_model.pre_layrnorm.bias',
  'visual.ln_post.weight': 'vision_model.post_layernorm.weight',
  'visual.ln_post.bias': 'vision_model.post_layernorm.bias',
  'token_embedding.weight': 'text_model.embeddings.token_embedding.weight',
  'positional_embedding': 'text_model.embeddings.position_embedding.weight',
  'ln_final.weight': 'text_model.final_layer_norm.weight',
  'ln_final.bias': 'text_model.final_layer_norm.bias',
  logit_scale: 'logit_scale',
};

function transposed(t: RawTensor): RawTensor {
  const [rows, cols] = t.shape;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[j * rows + i] = t.data[i * cols + j];
  return { shape: [cols, rows], data };
}

/** The same weights under Hugging Face CLIPModel names (Q/K/V split, projections as Linear [out, in]). */
function toHfTensors(weights: Map<string, RawTensor>): Map<string, RawTensor> {
  const out = new Map<string, RawTensor>();
  for (const [name, t] of weights) {
    if (name in HF_GLOBAL_RENAMES) {
      out.set(HF_GLOBAL_RENAMES[name], t);
      continue;
    }
    if (name === 'visual.proj') {
      out.set('visual_projection.weight', transposed(t));
      continue;
    }
    if (name === 'text_projection') {
      out.set('text_projection.weight', transposed(t));
      continue;
    }
    const block = /^(visual\.transformer|transformer)\.resblocks\.(\d+)(\..*)$/.exec(name);
    if (!block) throw new Error(`toy checkpoint: no HF name for '${name}'`);
    const prefix = block[1] === 'visual.transformer' ? 'vision_model.encoder.layers' : 'text_model.encoder.layers';
    const rest = block[3];
    if (rest === '.attn.in_proj_weight' || rest === '.attn.in_proj_bias') {
      const third = t.data.length / 3;
      const kind = rest.endsWith('weight') ? 'weight' : 'bias';
      ['q', 'k', 'v'].forEach((part, k) => {
        const shape = kind === 'weight' ? [t.shape[0] / 3, t.shape[1]] : [t.shape[0] / 3];
        out.set(`${prefix}.${block[2]}.self_attn.${part}_proj.${kind}`, { shape, data: t.data.slice(k * third, (k + 1) * third) });
      });
      continue;
    }
    let renamed = rest;
    for (const [from, to] of HF_BLOCK_RENAMES) renamed = renamed.replace(from, to);
    out.set(`${prefix}.${block[2]}${renamed}`, t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Configs

function hfConfig(spec: ToyClipSpec): unknown {
  const v = spec.vision;
  const t = spec.text;
  const eps = spec.layerNormEps ?? 1e-5;
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: spec.embedDim,
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: v.width,
      intermediate_size: v.mlpWidth,
      num_attention_heads: v.heads,
      num_hidden_layers: v.layers,
      image_size: v.grid * v.patchSize,
      patch_size: v.patchSize,
      num_channels: 3,
      hidden_act: spec.act,
      layer_norm_eps: eps,
      projection_dim: spec.embedDim,
    },
    ...(t
      ? {
          text_config: {
            model_type: 'clip_text_model',
            hidden_size: t.width,
            intermediate_size: t.mlpWidth,
            num_attention_heads: t.heads,
            num_hidden_layers: t.layers,
            max_position_embeddings: t.contextLength,
            vocab_size: t.vocabSize,
            hidden_act: spec.act,
            layer_norm_eps: eps,
            bos_token_id: t.vocabSize - 2,
            eos_token_id: spec.hfEosTokenId ?? t.vocabSize - 1,
            pad_token_id: 0,
            projection_dim: spec.embedDim,
          },
        }
      : {}),
  };
}

function openClipConfig(spec: ToyClipSpec): unknown {
  const v = spec.vision;
  const t = spec.text;
  return {
    model_cfg: {
      embed_dim: spec.embedDim,
      quick_gelu: spec.act === 'quick_gelu',
      vision_cfg: {
        image_size: v.grid * v.patchSize,
        layers: v.layers,
        width: v.width,
        head_width: v.width / v.heads,
        patch_size: v.patchSize,
        mlp_ratio: v.mlpWidth / v.width,
      },
      ...(t
        ? {
            text_cfg: {
              context_length: t.contextLength,
              vocab_size: t.vocabSize,
              width: t.width,
              heads: t.heads,
              layers: t.layers,
              mlp_ratio: t.mlpWidth / t.width,
            },
          }
        : {}),
    },
    preprocess_cfg: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
  };
}

// ---------------------------------------------------------------------------------------------
// Files

export interface ToyCheckpointFileOptions {
  /** weights to write instead of makeToyClipWeights(spec) (OpenCLIP names), e.g. edited ones */
  weights?: Map<string, RawTensor>;
  /** split the tensors over this many shards plus a .safetensors.index.json (default 1: one file) */
  shards?: number;
}

const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));

/** The files of a toy checkpoint in the given layout, by file name. */
export function toyCheckpointFiles(
  spec: ToyClipSpec,
  layout: RawLayout,
  options: ToyCheckpointFileOptions = {},
): Map<string, Uint8Array> {
  const openClipWeights = options.weights ?? makeToyClipWeights(spec);
  const dtype = spec.dtype ?? 'F32';
  const tensors = layout === 'hf' ? toHfTensors(openClipWeights) : openClipWeights;
  const entries: SafetensorsEntry[] = [...tensors].map(([name, t]) => ({ name, dtype, shape: t.shape, values: t.data }));
  if (layout === 'hf') {
    // transformers checkpoints often carry these integer buffers; readers must skip them
    const tokens = spec.vision.grid ** 2 + 1;
    entries.push({ name: 'vision_model.embeddings.position_ids', dtype: 'I64', shape: [1, tokens], values: Array.from({ length: tokens }, (_, k) => k) });
    if (spec.text) {
      const ctx = spec.text.contextLength;
      entries.push({ name: 'text_model.embeddings.position_ids', dtype: 'I64', shape: [1, ctx], values: Array.from({ length: ctx }, (_, k) => k) });
    }
  }

  const files = new Map<string, Uint8Array>();
  const base = layout === 'hf' ? 'model' : 'open_clip_model';
  files.set(layout === 'hf' ? 'config.json' : 'open_clip_config.json', jsonBytes(layout === 'hf' ? hfConfig(spec) : openClipConfig(spec)));
  const shards = options.shards ?? 1;
  if (shards <= 1) {
    files.set(`${base}.safetensors`, encodeSafetensors(entries, { format: 'pt' }));
    return files;
  }
  const pad = (n: number) => String(n).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  const perShard = Math.ceil(entries.length / shards);
  for (let s = 0; s < shards; s++) {
    const shardName = `${base}-${pad(s + 1)}-of-${pad(shards)}.safetensors`;
    const part = entries.slice(s * perShard, (s + 1) * perShard);
    for (const e of part) weightMap[e.name] = shardName;
    files.set(shardName, encodeSafetensors(part, { format: 'pt' }));
  }
  files.set(`${base}.safetensors.index.json`, jsonBytes({ metadata: {}, weight_map: weightMap }));
  return files;
}

/** A small spec whose every invariant test runs in milliseconds (T = 10, L = 3, H = 4, D = 8). */
export const TOY_SPEC: ToyClipSpec = {
  seed: 20240417,
  vision: { width: 16, layers: 3, heads: 4, patchSize: 2, grid: 3, mlpWidth: 64 },
  text: { width: 12, layers: 2, heads: 3, contextLength: 7, vocabSize: 20, mlpWidth: 48 },
  embedDim: 8,
  act: 'gelu',
};

/** Seeded random preprocessed pixels [3, S, S] in [−2, 2]. */
export function toyPixels(spec: ToyClipSpec, seed: number): Float64Array {
  const side = spec.vision.grid * spec.vision.patchSize;
  const random = seededRandom(seed);
  return Float64Array.from({ length: 3 * side * side }, () => 4 * random() - 2);
}
