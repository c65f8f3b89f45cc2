/**
 * Transformer pieces shared by the image and text graphs (METHOD 1.3): pre-LN residual blocks
 * with the token stream kept 2-D ([B·T, w]) so linear layers are Gemm nodes that read the
 * weights as stored (`transB` for PyTorch's [out, in] layout, no transposed copies).
 */
import type { Activation } from '../arch.ts';
import { weightName, type Tower } from '../checkpoint/types.ts';
import type { WeightBinder } from './externalData.ts';
import type { GraphBuilder, Value } from './graphBuilder.ts';
import { float } from './graphBuilder.ts';
import { OnnxDataType } from './proto.ts';

export interface TowerContext {
  readonly g: GraphBuilder;
  readonly weights: WeightBinder;
  readonly tower: Tower;
}

export interface BlockDims {
  readonly width: number;
  readonly heads: number;
  readonly headWidth: number;
  readonly act: Activation;
  readonly eps: number;
}

/** LayerNormalization over the last axis (opset 17). */
export function layerNorm(ctx: TowerContext, x: Value, scale: string, bias: string, eps: number, hint = 'ln'): Value {
  const { g, weights } = ctx;
  return g.node('LayerNormalization', [x, weights.f32(scale), weights.f32(bias)], { axis: -1, epsilon: float(eps) }, hint);
}

/**
 * `op(x, w…)` for an op that multiplies by weights (Gemm, Conv): in f32, or, when the graph computes
 * in f16, on x cast to f16 and the f16 weights, the result cast back to f32.
 */
export function weightedOp(ctx: TowerContext, x: Value, names: readonly string[], op: (x: Value, w: readonly Value[], hint: string) => Value, hint: string): Value {
  const { g, weights } = ctx;
  if (!weights.computeF16) return op(x, names.map((n) => weights.f32(n)), hint);
  const y16 = op(g.cast(x, OnnxDataType.FLOAT16, `${hint}_in_f16`), names.map((n) => weights.f16(n)), `${hint}_f16`);
  return g.cast(y16, OnnxDataType.FLOAT, hint);
}

/** x2d·Wᵀ + b for a [out, in] weight, x2d·W + b for an [in, out] one. */
export function linear(ctx: TowerContext, x2d: Value, matrix: string, bias: string | undefined, hint: string): Value {
  const { g, weights } = ctx;
  const transB = weights.ref(matrix).layout === 'in_out' ? 0 : 1;
  return weightedOp(ctx, x2d, bias ? [matrix, bias] : [matrix], (x, w, h) => g.node('Gemm', [x, ...w], { transB }, h), hint);
}

/** The weight as an [in, out] matrix value (a Transpose that ORT folds when stored [out, in]). */
export function matrixInOut(ctx: TowerContext, matrix: string): Value {
  const { g, weights } = ctx;
  const ref = weights.ref(matrix);
  const w = weights.f32(matrix);
  return ref.layout === 'in_out' ? w : g.transpose(w, [1, 0], 'wT');
}

export function activation(g: GraphBuilder, x: Value, act: Activation): Value {
  if (act === 'quick_gelu') return g.mul(x, g.node('Sigmoid', [g.mul(x, g.scalar(1.702))]), 'qgelu');
  // exact GELU: 0.5·x·(1 + erf(x/√2)), the pattern ORT fuses into its Gelu kernel
  const erf = g.node('Erf', [g.div(x, g.scalar(Math.SQRT2))]);
  return g.mul(g.mul(x, g.add(erf, g.scalar(1))), g.scalar(0.5), 'gelu');
}

export interface AttentionParts {
  /** block output O = concat_h(A_h V_h)·W_outᵀ + b_out, [B·T, w] */
  readonly out: Value;
  /** softmax probabilities [B, H, T, T] */
  readonly probs: Value;
  /** A_h V_h per head [B, H, T, dh] */
  readonly context: Value;
  /** values incl. their bias [B, H, T, dh] */
  readonly values: Value;
}

/**
 * Multi-head self-attention of block `layer` on the normalised stream `a2d` [B·T, w].
 * `splitShape` is an int64 value equal to [B, T, H, dh]; `mask` (optional) is added to the
 * scores [B, H, T, T] before the softmax.
 */
export function selfAttention(ctx: TowerContext, a2d: Value, layer: number, dims: BlockDims, splitShape: Value, mask?: Value): AttentionParts {
  const { g, tower } = ctx;
  const name = (w: 'q.w' | 'q.b' | 'k.w' | 'k.b' | 'v.w' | 'v.b' | 'o.w' | 'o.b') => weightName(tower, w, layer);
  const heads4 = (x: Value, perm: number[], hint: string) => g.transpose(g.reshapeTo(x, splitShape), perm, hint);
  const q = g.mul(linear(ctx, a2d, name('q.w'), name('q.b'), 'q'), g.scalar(1 / Math.sqrt(dims.headWidth)), 'q_scaled');
  const k = linear(ctx, a2d, name('k.w'), name('k.b'), 'k');
  const v = linear(ctx, a2d, name('v.w'), name('v.b'), 'v');
  const q4 = heads4(q, [0, 2, 1, 3], 'q_heads');
  const kT = heads4(k, [0, 2, 3, 1], 'k_heads_t');
  const values = heads4(v, [0, 2, 1, 3], 'v_heads');
  let scores = g.matmul(q4, kT, 'scores');
  if (mask) scores = g.add(scores, mask, 'scores_masked');
  const probs = g.node('Softmax', [scores], { axis: -1 }, `attn_probs_${layer}`);
  const context = g.matmul(probs, values, 'attn_context');
  const merged = g.reshape(g.transpose(context, [0, 2, 1, 3]), [-1, dims.width], 'attn_merged');
  const out = linear(ctx, merged, name('o.w'), name('o.b'), `attn_out_${layer}`);
  return { out, probs, context, values };
}

/** act(x2d·W_fcᵀ + b_fc)·W_prᵀ + b_pr, and the post-activation values (the neurons) */
export function mlpBlock(ctx: TowerContext, x2d: Value, layer: number, dims: BlockDims): { out: Value; hidden: Value } {
  const { g, tower } = ctx;
  const preActivation = linear(ctx, x2d, weightName(tower, 'fc1.w', layer), weightName(tower, 'fc1.b', layer), 'fc1');
  const hidden = activation(g, preActivation, dims.act);
  return { out: linear(ctx, hidden, weightName(tower, 'fc2.w', layer), weightName(tower, 'fc2.b', layer), `mlp_out_${layer}`), hidden };
}

export interface BlockResult {
  /** stream after the block [B·T, w] */
  readonly stream: Value;
  /** post-activation MLP values [B·T, M] (METHOD §9's p) */
  readonly hidden: Value;
  readonly attention: AttentionParts;
  /** MLP output [B·T, w] */
  readonly mlp: Value;
}

/** One pre-LN residual block: s += MSA(LN₁(s)); s += MLP(LN₂(s)). */
export function residualBlock(ctx: TowerContext, s2d: Value, layer: number, dims: BlockDims, splitShape: Value, mask?: Value): BlockResult {
  const { g, tower } = ctx;
  const a = layerNorm(ctx, s2d, weightName(tower, 'ln1.g', layer), weightName(tower, 'ln1.b', layer), dims.eps, 'ln1');
  const attention = selfAttention(ctx, a, layer, dims, splitShape, mask);
  const mid = g.add(s2d, attention.out, `resid_mid_${layer}`);
  const m = layerNorm(ctx, mid, weightName(tower, 'ln2.g', layer), weightName(tower, 'ln2.b', layer), dims.eps, 'ln2');
  const mlp = mlpBlock(ctx, m, layer, dims);
  return { stream: g.add(mid, mlp.out, `resid_post_${layer}`), attention, mlp: mlp.out, hidden: mlp.hidden };
}

/** x / ‖x‖ over the last axis of a [B, D] value; returns the norm [B, 1] too. */
export function l2Normalize(g: GraphBuilder, x: Value): { unit: Value; norm: Value } {
  const norm = g.sqrt(g.reduceSum(g.mul(x, x), [-1], true), 'norm');
  return { unit: g.div(x, norm, 'unit'), norm };
}
