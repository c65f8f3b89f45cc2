/**
 * Checkpoint tensor names -> canonical weights (`weightName`), with every shape checked
 * against the architecture. Two layouts: Hugging Face CLIPModel and OpenCLIP.
 *
 * A plan lists, per canonical weight, the stored tensor it comes from and that tensor's expected
 * shape; `resolveWeightPlan` checks the plan against a safetensors header and produces byte
 * ranges. OpenCLIP's fused `in_proj_weight` [3w, w] / `in_proj_bias` [3w] yield q, k, v as
 * contiguous row blocks of the same bytes (no copies).
 */
import type { TextArch, VisionArch } from '../arch.ts';
import { visionGrid } from '../arch.ts';
import { CheckpointError } from './errors.ts';
import type { BlockWeight, TensorInfo, Tower, WeightRef } from './types.ts';
import { weightName } from './types.ts';

export interface WeightPlanEntry {
  readonly canonical: string;
  /** stored tensor name */
  readonly tensor: string;
  /** expected shape of the whole stored tensor */
  readonly tensorShape: readonly number[];
  /** take row block `index` of `parts` equal blocks of the stored tensor */
  readonly part?: { readonly index: number; readonly parts: number };
  /** stored `[in, out]` (OpenCLIP's projections) rather than PyTorch's `[out, in]` */
  readonly layout?: 'in_out';
}

/** stored tensors that are not weights of the towers */
export function isIgnoredTensor(name: string): boolean {
  return /(^|\.)position_ids$/.test(name) || /(^|\.)logit_(scale|bias)$/.test(name);
}

interface BlockDims {
  width: number;
  mlpWidth: number;
}

// ----------------------------------------------------------------------------- Hugging Face

const HF_BLOCK: readonly [BlockWeight, string, (d: BlockDims) => number[]][] = [
  ['ln1.g', 'layer_norm1.weight', (d) => [d.width]],
  ['ln1.b', 'layer_norm1.bias', (d) => [d.width]],
  ['q.w', 'self_attn.q_proj.weight', (d) => [d.width, d.width]],
  ['q.b', 'self_attn.q_proj.bias', (d) => [d.width]],
  ['k.w', 'self_attn.k_proj.weight', (d) => [d.width, d.width]],
  ['k.b', 'self_attn.k_proj.bias', (d) => [d.width]],
  ['v.w', 'self_attn.v_proj.weight', (d) => [d.width, d.width]],
  ['v.b', 'self_attn.v_proj.bias', (d) => [d.width]],
  ['o.w', 'self_attn.out_proj.weight', (d) => [d.width, d.width]],
  ['o.b', 'self_attn.out_proj.bias', (d) => [d.width]],
  ['ln2.g', 'layer_norm2.weight', (d) => [d.width]],
  ['ln2.b', 'layer_norm2.bias', (d) => [d.width]],
  ['fc1.w', 'mlp.fc1.weight', (d) => [d.mlpWidth, d.width]],
  ['fc1.b', 'mlp.fc1.bias', (d) => [d.mlpWidth]],
  ['fc2.w', 'mlp.fc2.weight', (d) => [d.width, d.mlpWidth]],
  ['fc2.b', 'mlp.fc2.bias', (d) => [d.width]],
];

function hfBlocks(tower: Tower, prefix: string, layers: number, d: BlockDims): WeightPlanEntry[] {
  const out: WeightPlanEntry[] = [];
  for (let l = 0; l < layers; l++) {
    for (const [w, suffix, shape] of HF_BLOCK) {
      out.push({ canonical: weightName(tower, w, l), tensor: `${prefix}.encoder.layers.${l}.${suffix}`, tensorShape: shape(d) });
    }
  }
  return out;
}

export function hfWeightPlan(vision: VisionArch, text?: TextArch): WeightPlanEntry[] {
  const v = vision;
  const { tokens } = visionGrid(v);
  const plan: WeightPlanEntry[] = [
    { canonical: weightName('vision', 'patch'), tensor: 'vision_model.embeddings.patch_embedding.weight', tensorShape: [v.width, 3, v.patchSize, v.patchSize] },
    { canonical: weightName('vision', 'cls'), tensor: 'vision_model.embeddings.class_embedding', tensorShape: [v.width] },
    { canonical: weightName('vision', 'pos'), tensor: 'vision_model.embeddings.position_embedding.weight', tensorShape: [tokens, v.width] },
    { canonical: weightName('vision', 'ln_pre.g'), tensor: 'vision_model.pre_layrnorm.weight', tensorShape: [v.width] },
    { canonical: weightName('vision', 'ln_pre.b'), tensor: 'vision_model.pre_layrnorm.bias', tensorShape: [v.width] },
    ...hfBlocks('vision', 'vision_model', v.layers, v),
    { canonical: weightName('vision', 'ln_post.g'), tensor: 'vision_model.post_layernorm.weight', tensorShape: [v.width] },
    { canonical: weightName('vision', 'ln_post.b'), tensor: 'vision_model.post_layernorm.bias', tensorShape: [v.width] },
    { canonical: weightName('vision', 'proj'), tensor: 'visual_projection.weight', tensorShape: [v.embedDim, v.width] },
  ];
  if (text) {
    const t = text;
    plan.push(
      { canonical: weightName('text', 'tok'), tensor: 'text_model.embeddings.token_embedding.weight', tensorShape: [t.vocabSize, t.width] },
      { canonical: weightName('text', 'pos'), tensor: 'text_model.embeddings.position_embedding.weight', tensorShape: [t.contextLength, t.width] },
      ...hfBlocks('text', 'text_model', t.layers, t),
      { canonical: weightName('text', 'ln_final.g'), tensor: 'text_model.final_layer_norm.weight', tensorShape: [t.width] },
      { canonical: weightName('text', 'ln_final.b'), tensor: 'text_model.final_layer_norm.bias', tensorShape: [t.width] },
      { canonical: weightName('text', 'proj'), tensor: 'text_projection.weight', tensorShape: [t.embedDim, t.width] },
    );
  }
  return plan;
}

/** the tensor whose presence means an HF checkpoint holds a text tower */
export const HF_TEXT_MARKER = 'text_model.embeddings.token_embedding.weight';

// ----------------------------------------------------------------------------------- OpenCLIP

function openClipBlocks(tower: Tower, prefix: string, layers: number, d: BlockDims): WeightPlanEntry[] {
  const out: WeightPlanEntry[] = [];
  const w = d.width;
  for (let l = 0; l < layers; l++) {
    const p = `${prefix}transformer.resblocks.${l}`;
    const name = (x: BlockWeight) => weightName(tower, x, l);
    const inW = `${p}.attn.in_proj_weight`;
    const inB = `${p}.attn.in_proj_bias`;
    out.push(
      { canonical: name('ln1.g'), tensor: `${p}.ln_1.weight`, tensorShape: [w] },
      { canonical: name('ln1.b'), tensor: `${p}.ln_1.bias`, tensorShape: [w] },
      { canonical: name('q.w'), tensor: inW, tensorShape: [3 * w, w], part: { index: 0, parts: 3 } },
      { canonical: name('q.b'), tensor: inB, tensorShape: [3 * w], part: { index: 0, parts: 3 } },
      { canonical: name('k.w'), tensor: inW, tensorShape: [3 * w, w], part: { index: 1, parts: 3 } },
      { canonical: name('k.b'), tensor: inB, tensorShape: [3 * w], part: { index: 1, parts: 3 } },
      { canonical: name('v.w'), tensor: inW, tensorShape: [3 * w, w], part: { index: 2, parts: 3 } },
      { canonical: name('v.b'), tensor: inB, tensorShape: [3 * w], part: { index: 2, parts: 3 } },
      { canonical: name('o.w'), tensor: `${p}.attn.out_proj.weight`, tensorShape: [w, w] },
      { canonical: name('o.b'), tensor: `${p}.attn.out_proj.bias`, tensorShape: [w] },
      { canonical: name('ln2.g'), tensor: `${p}.ln_2.weight`, tensorShape: [w] },
      { canonical: name('ln2.b'), tensor: `${p}.ln_2.bias`, tensorShape: [w] },
      { canonical: name('fc1.w'), tensor: `${p}.mlp.c_fc.weight`, tensorShape: [d.mlpWidth, w] },
      { canonical: name('fc1.b'), tensor: `${p}.mlp.c_fc.bias`, tensorShape: [d.mlpWidth] },
      { canonical: name('fc2.w'), tensor: `${p}.mlp.c_proj.weight`, tensorShape: [w, d.mlpWidth] },
      { canonical: name('fc2.b'), tensor: `${p}.mlp.c_proj.bias`, tensorShape: [w] },
    );
  }
  return out;
}

/**
 * @param textPrefix '' for OpenCLIP's CLIP class, 'text.' for CustomTextCLIP checkpoints
 */
export function openClipWeightPlan(vision: VisionArch, text?: TextArch, textPrefix = ''): WeightPlanEntry[] {
  const v = vision;
  const { tokens } = visionGrid(v);
  const plan: WeightPlanEntry[] = [
    { canonical: weightName('vision', 'patch'), tensor: 'visual.conv1.weight', tensorShape: [v.width, 3, v.patchSize, v.patchSize] },
    { canonical: weightName('vision', 'cls'), tensor: 'visual.class_embedding', tensorShape: [v.width] },
    { canonical: weightName('vision', 'pos'), tensor: 'visual.positional_embedding', tensorShape: [tokens, v.width] },
    { canonical: weightName('vision', 'ln_pre.g'), tensor: 'visual.ln_pre.weight', tensorShape: [v.width] },
    { canonical: weightName('vision', 'ln_pre.b'), tensor: 'visual.ln_pre.bias', tensorShape: [v.width] },
    ...openClipBlocks('vision', 'visual.', v.layers, v),
    { canonical: weightName('vision', 'ln_post.g'), tensor: 'visual.ln_post.weight', tensorShape: [v.width] },
    { canonical: weightName('vision', 'ln_post.b'), tensor: 'visual.ln_post.bias', tensorShape: [v.width] },
    { canonical: weightName('vision', 'proj'), tensor: 'visual.proj', tensorShape: [v.width, v.embedDim], layout: 'in_out' },
  ];
  if (text) {
    const t = text;
    const p = textPrefix;
    plan.push(
      { canonical: weightName('text', 'tok'), tensor: `${p}token_embedding.weight`, tensorShape: [t.vocabSize, t.width] },
      { canonical: weightName('text', 'pos'), tensor: `${p}positional_embedding`, tensorShape: [t.contextLength, t.width] },
      ...openClipBlocks('text', p, t.layers, t),
      { canonical: weightName('text', 'ln_final.g'), tensor: `${p}ln_final.weight`, tensorShape: [t.width] },
      { canonical: weightName('text', 'ln_final.b'), tensor: `${p}ln_final.bias`, tensorShape: [t.width] },
      { canonical: weightName('text', 'proj'), tensor: `${p}text_projection`, tensorShape: [t.width, t.embedDim], layout: 'in_out' },
    );
  }
  return plan;
}

/** '' or 'text.' when an OpenCLIP checkpoint holds a text tower, undefined when it holds none */
export function openClipTextPrefix(tensorNames: { has(name: string): boolean }): string | undefined {
  if (tensorNames.has('token_embedding.weight')) return '';
  if (tensorNames.has('text.token_embedding.weight')) return 'text.';
  return undefined;
}

// ------------------------------------------------------------------------------- resolution

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const WEIGHT_DTYPES = new Set(['F32', 'F16', 'BF16']);

/**
 * Check each planned tensor against the header (present, float, expected shape) and return the
 * canonical weights as byte ranges.
 * @param checkpointLabel the file (or index file) named in 'missing-tensor' messages
 */
export function resolveWeightPlan(
  plan: readonly WeightPlanEntry[],
  tensors: ReadonlyMap<string, TensorInfo>,
  checkpointLabel: string,
): Map<string, WeightRef> {
  const out = new Map<string, WeightRef>();
  for (const entry of plan) {
    const info = tensors.get(entry.tensor);
    if (!info) {
      throw new CheckpointError(
        'missing-tensor',
        `${checkpointLabel}: tensor ${entry.tensor} is missing (needed for ${entry.canonical}, expected shape [${entry.tensorShape.join(', ')}])`,
        checkpointLabel,
        entry.tensor,
      );
    }
    if (!sameShape(info.shape, entry.tensorShape)) {
      throw new CheckpointError(
        'wrong-shape',
        `${info.fileName}: tensor ${entry.tensor} has shape [${info.shape.join(', ')}], expected [${entry.tensorShape.join(', ')}] from the config`,
        info.fileName,
        entry.tensor,
      );
    }
    if (!WEIGHT_DTYPES.has(info.dtype)) {
      throw new CheckpointError(
        'unknown-dtype',
        `${info.fileName}: tensor ${entry.tensor} is stored as ${info.dtype}; weights must be F32, F16 or BF16`,
        info.fileName,
        entry.tensor,
      );
    }
    let { byteOffset, byteLength } = info;
    let shape = [...info.shape];
    if (entry.part) {
      byteLength = info.byteLength / entry.part.parts;
      byteOffset = info.byteOffset + entry.part.index * byteLength;
      shape = [shape[0] / entry.part.parts, ...shape.slice(1)];
    }
    out.set(entry.canonical, {
      source: entry.part ? `${entry.tensor}[${entry.part.index}/${entry.part.parts}]` : entry.tensor,
      fileName: info.fileName,
      byteOffset,
      byteLength,
      dtype: info.dtype as WeightRef['dtype'],
      shape,
      ...(entry.layout ? { layout: entry.layout } : {}),
    });
  }
  return out;
}
