/**
 * The input/output contract of clipscope's ONNX graphs: names are an API (UI, CLI, workers and
 * tests read them), shape letters follow src/math/tensor.ts (B batch, L layer, H head, T token,
 * E head width dh, D joint width, W residual width, K chosen layers, N text length, U MLP width).
 */
import type { Tensor } from '../../math/tensor.ts';

export type GraphDType = 'float32' | 'int64';

/** int64 graph inputs (token ids, indices) */
export interface Int64Input {
  readonly dtype: 'int64';
  readonly data: BigInt64Array;
  readonly dims: readonly number[];
}

/** what a session's run() takes per input: a float32 tensor or int64 data */
export type GraphFeed = Tensor<string, Float32Array> | Int64Input;

export function int64Input(values: ArrayLike<number | bigint>, dims: readonly number[]): Int64Input {
  return { dtype: 'int64', data: BigInt64Array.from(Array.from(values, (x) => BigInt(x))), dims };
}

export interface GraphIO {
  readonly name: string;
  /** shape letters, e.g. 'B L H D' */
  readonly shape: string;
  readonly dtype: GraphDType;
}

export const IMAGE_INPUT = { name: 'pixel_values', shape: 'B C S S', dtype: 'float32' } as const satisfies GraphIO;

/** outputs of the decomposed image graph (the plain graph has only `embedding`) */
export const IMAGE_OUTPUT_SHAPES = {
  /** unit image embedding û */
  embedding: 'B D',
  /** c_e: projected ln_pre output at the class token */
  embed_term: 'B D',
  /** c_F,ℓ */
  mlp: 'B L D',
  /** Σ_i c_{ℓ,h,i} */
  heads: 'B L H D',
  /** Σ_h c_{ℓ,h,0} */
  class_class: 'B L D',
  /** class-token query row of every attention matrix */
  attention: 'B L H T',
  /** μ* of ln_post */
  ln_mean: 'B',
  /** σ* = sqrt(var + eps) of ln_post */
  ln_std: 'B',
  /** ‖u‖ of the unnormalised embedding */
  norm: 'B',
  /** α_i·v_i (value incl. its bias), per layer, token, head */
  cells: 'B L T H E',
  /** c_{ℓ,h,i} for the requested layers */
  tokens: 'B K T H D',
  /** φ_n of every neuron n of the requested MLP layer (METHOD §9), U = MLP width */
  neuron_effects: 'B U D',
  /** φ_bias: the same path applied to that layer's b_pr */
  neuron_bias_effect: 'B D',
  /** the same path applied to that layer's whole MLP output (= Σ_n φ_n + φ_bias) */
  mlp_second_order: 'B D',
  /** p: that layer's post-activation values at every token */
  neuron_post: 'B T U',
  /** c·α_i^{ℓ',h}/σ¹_{ℓ',i} for each later layer ℓ' (K = L − ℓ − 1) and head: token i's weight in φ_n */
  neuron_token_weights: 'B K H T',
  /** debugResidual: r, e, A_ℓ, F_ℓ (residual space) */
  resid: 'B W',
  embed_resid: 'B W',
  attn_out: 'B L W',
  mlp_out: 'B L W',
} as const;
export type ImageOutputName = keyof typeof IMAGE_OUTPUT_SHAPES;

/** outputs every decomposed image graph returns; the others appear when requested (tokens, neurons, debug) */
export const DECOMPOSITION_OUTPUTS = ['embedding', 'embed_term', 'mlp', 'heads', 'class_class', 'attention', 'ln_mean', 'ln_std', 'norm', 'cells'] as const satisfies readonly ImageOutputName[];
type AlwaysOutput = (typeof DECOMPOSITION_OUTPUTS)[number];

/** a shape without its leading batch letter ('B L D' -> 'L D', 'B' -> '') */
export type Unbatched<S extends string> = S extends `B ${infer Rest}` ? Rest : S extends 'B' ? '' : S;

/** one image's output `K` once the batch dim is dropped, typed by the spec's shape letters */
export type ImageOutput<K extends ImageOutputName> = Tensor<Unbatched<(typeof IMAGE_OUTPUT_SHAPES)[K]>, Float32Array>;

/**
 * One image's decomposition: the decomposed image graph's outputs, batch dim dropped, typed from
 * IMAGE_OUTPUT_SHAPES (so `d.heads` is a Tensor<'L H D'> and a misspelt name does not compile).
 */
export type Decomposition = { readonly [K in AlwaysOutput]: ImageOutput<K> } & { readonly [K in Exclude<ImageOutputName, AlwaysOutput>]?: ImageOutput<K> };

export const TEXT_INPUTS = [
  { name: 'input_ids', shape: 'B N', dtype: 'int64' },
  /** row of the flattened [B·n] token axis holding each sequence's end token: b·n + position */
  { name: 'eot_row', shape: 'B', dtype: 'int64' },
] as const satisfies readonly GraphIO[];
export const TEXT_OUTPUT_SHAPES = {
  /** unit text embedding t̂ */
  text_embedding: 'B D',
  /** ‖t‖ of the unnormalised embedding (t = t̂·‖t‖, what published raw embeddings are) */
  text_norm: 'B',
} as const;

/** per-model constants of METHOD §9's fast form for one MLP layer ℓ (K = L − ℓ − 1 later layers) */
export const NEURON_PROJECTION_OUTPUT_SHAPES = {
  /** Q_{ℓ',h} = ((W_prᵀ − row means) ⊙ γ₁^{ℓ'})·W_V,hᵀ */
  neuron_q: 'K H U E',
  /** M̃_{ℓ',h} = W_out,ℓ'[:, h]ᵀ·(diag(γ)Π − 𝟙·γΠ/w) */
  neuron_out: 'K H E D',
} as const;

export const HEAD_PROJECTION_OUTPUT_SHAPES = {
  /** M_{ℓ,h} = W_out,ℓ[:, h]ᵀ·diag(γ)·Π */
  head_proj: 'L H E D',
  /** γ·Π */
  gamma_proj: 'D',
  /** β·Π */
  beta_proj: 'D',
  /** (γ⊙b_out,ℓ)·Π */
  bout_proj: 'L D',
} as const;

/** the per-model matrices of METHOD 2.6, typed from HEAD_PROJECTION_OUTPUT_SHAPES */
export type HeadProjectionOutputs = { readonly [K in keyof typeof HEAD_PROJECTION_OUTPUT_SHAPES]: Tensor<(typeof HEAD_PROJECTION_OUTPUT_SHAPES)[K], Float32Array> };
