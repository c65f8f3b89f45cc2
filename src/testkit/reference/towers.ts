/**
 * The oracle's own mapping from ORIGINAL checkpoint names (OpenCLIP or Hugging Face) to plain
 * float64 weights, and its own reading of the hyperparameters that the tensors cannot tell
 * (head count, activation, LayerNorm eps, end-of-text id). Independent of src/model/checkpoint.
 *
 * Conventions kept from the checkpoints: linear weights are [out, in]; the final projections
 * are turned into [in, out] = Π (OpenCLIP stores them so; HF stores the Linear's [out, in]).
 */
import type { Activation } from '../../model/arch.ts';
import type { RawCheckpoint } from './rawCheckpoint.ts';
import type { RawTensor } from './safetensors.ts';

export interface RefLayerNorm {
  readonly gamma: Float64Array;
  readonly beta: Float64Array;
}

/** One pre-LN residual block (both towers). */
export interface RefBlock {
  readonly ln1: RefLayerNorm;
  /** [3w, w]: rows 0..w-1 Q, w..2w-1 K, 2w..3w-1 V */
  readonly inProjWeight: Float64Array;
  /** [3w] */
  readonly inProjBias: Float64Array;
  /** [w, w]; head h owns input columns h·dh … (h+1)·dh−1 */
  readonly outProjWeight: Float64Array;
  /** [w] */
  readonly outProjBias: Float64Array;
  readonly ln2: RefLayerNorm;
  /** [m, w] */
  readonly fcWeight: Float64Array;
  readonly fcBias: Float64Array;
  /** [w, m] */
  readonly projWeight: Float64Array;
  readonly projBias: Float64Array;
}

export interface RefTransformerShape {
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly headWidth: number;
  readonly mlpWidth: number;
  readonly act: Activation;
  readonly layerNormEps: number;
}

export interface RefVisionTower extends RefTransformerShape {
  readonly patchSize: number;
  /** grid side G; tokens T = G² + 1 */
  readonly grid: number;
  readonly tokens: number;
  /** S = G·p */
  readonly imageSize: number;
  readonly embedDim: number;
  /** conv kernel [w, 3, p, p] */
  readonly patchWeight: Float64Array;
  /** [w] */
  readonly classEmbedding: Float64Array;
  /** [T, w] */
  readonly positionalEmbedding: Float64Array;
  readonly lnPre: RefLayerNorm;
  readonly blocks: readonly RefBlock[];
  readonly lnPost: RefLayerNorm;
  /** Π [w, D] */
  readonly proj: Float64Array;
}

export interface RefTextTower extends RefTransformerShape {
  readonly contextLength: number;
  readonly vocabSize: number;
  readonly embedDim: number;
  /** the id whose first occurrence is pooled */
  readonly endTokenId: number;
  /** [V, w] */
  readonly tokenEmbedding: Float64Array;
  /** [ctx, w] */
  readonly positionalEmbedding: Float64Array;
  readonly blocks: readonly RefBlock[];
  readonly lnFinal: RefLayerNorm;
  /** [w, D] */
  readonly proj: Float64Array;
}

// ---------------------------------------------------------------------------------------------
// Small helpers over the raw tensors

function tensorOf(raw: RawCheckpoint, name: string, shape?: readonly (number | undefined)[]): RawTensor {
  const t = raw.tensors.get(name);
  if (!t) throw new Error(`reference: checkpoint (${raw.layout}) has no tensor '${name}'`);
  if (shape && (shape.length !== t.shape.length || shape.some((d, k) => d !== undefined && d !== t.shape[k]))) {
    throw new Error(`reference: tensor '${name}' has shape [${t.shape}], expected [${shape.map((d) => d ?? '?')}]`);
  }
  return t;
}

function transpose(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function countBlocks(raw: RawCheckpoint, probe: (layer: number) => string): number {
  let n = 0;
  while (raw.tensors.has(probe(n))) n++;
  return n;
}

type Json = Record<string, unknown>;

function asObject(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`reference: config ${what} is not an object`);
  return v as Json;
}

function numberOr(obj: Json, key: string, fallback: number | undefined, what: string): number {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new Error(`reference: config ${what}.${key} is missing`);
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`reference: config ${what}.${key} = ${JSON.stringify(v)} is not a number`);
  return v;
}

function hfActivation(cfg: Json, what: string): Activation {
  const act = cfg.hidden_act ?? 'quick_gelu'; // transformers' CLIP default
  if (act === 'gelu' || act === 'quick_gelu') return act;
  throw new Error(`reference: ${what}.hidden_act = ${JSON.stringify(act)} is not supported (gelu, quick_gelu)`);
}

/**
 * The HF sub-config of one tower: `vision_config` / `text_config` of a CLIPModel config, or the
 * whole config of a single-tower model (CLIPVisionModelWithProjection: model_type clip_vision_model).
 */
function hfTowerConfig(raw: RawCheckpoint, tower: 'vision' | 'text'): Json {
  const cfg = asObject(raw.config, 'config.json');
  const sub = cfg[`${tower}_config`];
  if (sub !== undefined) return asObject(sub, `${tower}_config`);
  if (cfg.model_type === `clip_${tower}_model`) return cfg;
  throw new Error(`reference: config.json has no ${tower}_config (model_type ${JSON.stringify(cfg.model_type)})`);
}

function openClipModelConfig(raw: RawCheckpoint): Json {
  return asObject(asObject(raw.config, 'open_clip_config.json').model_cfg, 'model_cfg');
}

function openClipActivation(modelCfg: Json): Activation {
  return modelCfg.quick_gelu === true ? 'quick_gelu' : 'gelu';
}

/** OpenCLIP options that change the forward pass and that this oracle does not implement. */
function refuseOpenClipExtras(cfg: Json, what: string): void {
  const unsupported: Array<[string, (v: unknown) => boolean]> = [
    ['ls_init_value', (v) => v !== undefined && v !== null],
    ['attentional_pool', (v) => v === true],
    ['no_ln_pre', (v) => v === true],
    ['final_ln_after_pool', (v) => v === true],
    ['pool_type', (v) => v !== undefined && v !== 'tok' && v !== 'argmax'],
  ];
  for (const [key, bad] of unsupported) {
    if (bad(cfg[key])) throw new Error(`reference: ${what}.${key} = ${JSON.stringify(cfg[key])} is not supported`);
  }
}

// ---------------------------------------------------------------------------------------------
// Original names, one table per layout

interface BlockNames {
  ln1: [string, string];
  /** OpenCLIP: one fused [3w, w] tensor; HF: q, k, v separately */
  inProj: { fused: [string, string] } | { q: [string, string]; k: [string, string]; v: [string, string] };
  outProj: [string, string];
  ln2: [string, string];
  fc: [string, string];
  proj: [string, string];
}

const wb = (prefix: string): [string, string] => [`${prefix}.weight`, `${prefix}.bias`];

function openClipBlockNames(prefix: string): BlockNames {
  return {
    ln1: wb(`${prefix}.ln_1`),
    inProj: { fused: [`${prefix}.attn.in_proj_weight`, `${prefix}.attn.in_proj_bias`] },
    outProj: wb(`${prefix}.attn.out_proj`),
    ln2: wb(`${prefix}.ln_2`),
    fc: wb(`${prefix}.mlp.c_fc`),
    proj: wb(`${prefix}.mlp.c_proj`),
  };
}

function hfBlockNames(prefix: string): BlockNames {
  return {
    ln1: wb(`${prefix}.layer_norm1`),
    inProj: { q: wb(`${prefix}.self_attn.q_proj`), k: wb(`${prefix}.self_attn.k_proj`), v: wb(`${prefix}.self_attn.v_proj`) },
    outProj: wb(`${prefix}.self_attn.out_proj`),
    ln2: wb(`${prefix}.layer_norm2`),
    fc: wb(`${prefix}.mlp.fc1`),
    proj: wb(`${prefix}.mlp.fc2`),
  };
}

function readLayerNorm(raw: RawCheckpoint, [g, b]: [string, string], width: number): RefLayerNorm {
  return { gamma: tensorOf(raw, g, [width]).data, beta: tensorOf(raw, b, [width]).data };
}

function readBlock(raw: RawCheckpoint, names: BlockNames, width: number): RefBlock {
  let inProjWeight: Float64Array;
  let inProjBias: Float64Array;
  if ('fused' in names.inProj) {
    inProjWeight = tensorOf(raw, names.inProj.fused[0], [3 * width, width]).data;
    inProjBias = tensorOf(raw, names.inProj.fused[1], [3 * width]).data;
  } else {
    const { q, k, v } = names.inProj;
    inProjWeight = concat([q, k, v].map(([w]) => tensorOf(raw, w, [width, width]).data));
    inProjBias = concat([q, k, v].map(([, b]) => tensorOf(raw, b, [width]).data));
  }
  const fc = tensorOf(raw, names.fc[0], [undefined, width]);
  const mlpWidth = fc.shape[0];
  return {
    ln1: readLayerNorm(raw, names.ln1, width),
    inProjWeight,
    inProjBias,
    outProjWeight: tensorOf(raw, names.outProj[0], [width, width]).data,
    outProjBias: tensorOf(raw, names.outProj[1], [width]).data,
    ln2: readLayerNorm(raw, names.ln2, width),
    fcWeight: fc.data,
    fcBias: tensorOf(raw, names.fc[1], [mlpWidth]).data,
    projWeight: tensorOf(raw, names.proj[0], [width, mlpWidth]).data,
    projBias: tensorOf(raw, names.proj[1], [width]).data,
  };
}

function checkedHeads(width: number, heads: number, what: string): number {
  if (!Number.isInteger(heads) || heads <= 0 || width % heads !== 0) {
    throw new Error(`reference: ${what}: width ${width} is not divisible into ${heads} heads`);
  }
  return heads;
}

// ---------------------------------------------------------------------------------------------
// Vision tower

export function readVisionTower(raw: RawCheckpoint): RefVisionTower {
  const hf = raw.layout === 'hf';
  const names = hf
    ? {
        patch: 'vision_model.embeddings.patch_embedding.weight',
        cls: 'vision_model.embeddings.class_embedding',
        pos: 'vision_model.embeddings.position_embedding.weight',
        lnPre: wb('vision_model.pre_layrnorm'),
        block: (l: number) => hfBlockNames(`vision_model.encoder.layers.${l}`),
        lnPost: wb('vision_model.post_layernorm'),
        proj: 'visual_projection.weight',
      }
    : {
        patch: 'visual.conv1.weight',
        cls: 'visual.class_embedding',
        pos: 'visual.positional_embedding',
        lnPre: wb('visual.ln_pre'),
        block: (l: number) => openClipBlockNames(`visual.transformer.resblocks.${l}`),
        lnPost: wb('visual.ln_post'),
        proj: 'visual.proj',
      };

  const cls = tensorOf(raw, names.cls);
  if (cls.shape.length !== 1) throw new Error(`reference: '${names.cls}' has shape [${cls.shape}], expected [w]`);
  const width = cls.shape[0];
  const patch = tensorOf(raw, names.patch, [width, 3, undefined, undefined]);
  const patchSize = patch.shape[2];
  if (patch.shape[3] !== patchSize) throw new Error(`reference: '${names.patch}' is not a square kernel: [${patch.shape}]`);
  const pos = tensorOf(raw, names.pos, [undefined, width]);
  const tokens = pos.shape[0];
  const grid = Math.round(Math.sqrt(tokens - 1));
  if (grid * grid + 1 !== tokens) throw new Error(`reference: positional embedding has ${tokens} rows, not G²+1`);

  let heads: number;
  let act: Activation;
  let layerNormEps: number;
  let configImageSize: number | undefined;
  if (hf) {
    const v = hfTowerConfig(raw, 'vision');
    heads = numberOr(v, 'num_attention_heads', 12, 'vision_config');
    act = hfActivation(v, 'vision_config');
    layerNormEps = numberOr(v, 'layer_norm_eps', 1e-5, 'vision_config');
    configImageSize = v.image_size === undefined ? undefined : numberOr(v, 'image_size', undefined, 'vision_config');
  } else {
    const model = openClipModelConfig(raw);
    const v = asObject(model.vision_cfg, 'model_cfg.vision_cfg');
    refuseOpenClipExtras(v, 'vision_cfg');
    heads = width / numberOr(v, 'head_width', 64, 'vision_cfg');
    act = openClipActivation(model);
    layerNormEps = 1e-5; // OpenCLIP's LayerNorm default; its config has no eps
    configImageSize = v.image_size === undefined ? undefined : numberOr(v, 'image_size', undefined, 'vision_cfg');
  }
  checkedHeads(width, heads, 'vision');
  if (configImageSize !== undefined && configImageSize !== grid * patchSize) {
    throw new Error(`reference: config image size ${configImageSize} disagrees with ${grid}×${grid} patches of ${patchSize}`);
  }

  const { layers, blocks } = readBlocks(raw, names, width, 'vision');

  const { proj, embedDim } = readProjection(raw, names.proj, hf, width);

  return {
    width,
    layers,
    heads,
    headWidth: width / heads,
    mlpWidth: blocks[0].fcBias.length,
    act,
    layerNormEps,
    patchSize,
    grid,
    tokens,
    imageSize: grid * patchSize,
    embedDim,
    patchWeight: patch.data,
    classEmbedding: cls.data,
    positionalEmbedding: pos.data,
    lnPre: readLayerNorm(raw, names.lnPre, width),
    blocks,
    lnPost: readLayerNorm(raw, names.lnPost, width),
    proj,
  };
}

// ---------------------------------------------------------------------------------------------
// Text tower

const CLIP_VOCAB_SIZE = 49408;
const CLIP_END_OF_TEXT = 49407;
/** transformers' configs before the eos fix carry eos_token_id 2; CLIP's EOT is the largest id */
const LEGACY_HF_EOS = 2;

/**
 * The id the text tower pools at: 49407 for CLIP's vocabulary; for another vocabulary the id of
 * `<|endoftext|>` in vocab.json when present, else the config's eos_token_id (legacy 2 read as
 * the largest id), else the largest id (OpenCLIP pools at the argmax id).
 */
function endTokenId(raw: RawCheckpoint, vocabSize: number, hfEos: unknown): number {
  if (vocabSize === CLIP_VOCAB_SIZE) return CLIP_END_OF_TEXT;
  const fromVocab = raw.vocab?.['<|endoftext|>'];
  if (typeof fromVocab === 'number') return fromVocab;
  if (typeof hfEos === 'number') return hfEos === LEGACY_HF_EOS ? vocabSize - 1 : hfEos;
  return vocabSize - 1;
}

export function readTextTower(raw: RawCheckpoint): RefTextTower {
  const hf = raw.layout === 'hf';
  const names = hf
    ? {
        tok: 'text_model.embeddings.token_embedding.weight',
        pos: 'text_model.embeddings.position_embedding.weight',
        block: (l: number) => hfBlockNames(`text_model.encoder.layers.${l}`),
        lnFinal: wb('text_model.final_layer_norm'),
        proj: 'text_projection.weight',
      }
    : {
        tok: 'token_embedding.weight',
        pos: 'positional_embedding',
        block: (l: number) => openClipBlockNames(`transformer.resblocks.${l}`),
        lnFinal: wb('ln_final'),
        proj: 'text_projection',
      };

  const tok = tensorOf(raw, names.tok);
  if (tok.shape.length !== 2) throw new Error(`reference: '${names.tok}' has shape [${tok.shape}], expected [V, w]`);
  const [vocabSize, width] = tok.shape;
  const pos = tensorOf(raw, names.pos, [undefined, width]);
  const contextLength = pos.shape[0];

  let heads: number;
  let act: Activation;
  let layerNormEps: number;
  let hfEos: unknown;
  if (hf) {
    const t = hfTowerConfig(raw, 'text');
    heads = numberOr(t, 'num_attention_heads', 8, 'text_config');
    act = hfActivation(t, 'text_config');
    layerNormEps = numberOr(t, 'layer_norm_eps', 1e-5, 'text_config');
    hfEos = t.eos_token_id;
  } else {
    const model = openClipModelConfig(raw);
    const t = asObject(model.text_cfg, 'model_cfg.text_cfg');
    refuseOpenClipExtras(t, 'text_cfg');
    heads = numberOr(t, 'heads', 8, 'text_cfg');
    act = openClipActivation(model);
    layerNormEps = 1e-5;
  }
  checkedHeads(width, heads, 'text');

  const { layers, blocks } = readBlocks(raw, names, width, 'text');

  const { proj, embedDim } = readProjection(raw, names.proj, hf, width);

  return {
    width,
    layers,
    heads,
    headWidth: width / heads,
    mlpWidth: blocks[0].fcBias.length,
    act,
    layerNormEps,
    contextLength,
    vocabSize,
    embedDim,
    endTokenId: endTokenId(raw, vocabSize, hfEos),
    tokenEmbedding: tok.data,
    positionalEmbedding: pos.data,
    blocks,
    lnFinal: readLayerNorm(raw, names.lnFinal, width),
    proj,
  };
}

/** the projection as [w, D] (HF stores a Linear weight [D, w]; OpenCLIP stores [w, D]) */
function readProjection(raw: RawCheckpoint, name: string, hf: boolean, width: number): { proj: Float64Array; embedDim: number } {
  if (hf) {
    const t = tensorOf(raw, name, [undefined, width]);
    return { proj: transpose(t.data, t.shape[0], width), embedDim: t.shape[0] };
  }
  const t = tensorOf(raw, name, [width, undefined]);
  return { proj: t.data, embedDim: t.shape[1] };
}

/** every residual block of a tower, in order (a tower with none is refused) */
function readBlocks(raw: RawCheckpoint, names: { block(l: number): Parameters<typeof readBlock>[1] }, width: number, tower: string) {
  const layers = countBlocks(raw, (l) => names.block(l).ln1[0]);
  if (layers === 0) throw new Error(`reference: the ${tower} tower has no blocks`);
  return { layers, blocks: Array.from({ length: layers }, (_, l) => readBlock(raw, names.block(l), width)) };
}
