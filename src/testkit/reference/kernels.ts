/**
 * Plain float64 kernels of the oracle, written by their textbook definitions (no fusion, no
 * fast paths). Matrices are row-major Float64Arrays; the dimensions are passed explicitly.
 */
import type { Activation } from '../../model/arch.ts';
import { erfc } from './erf.ts';
import type { RefLayerNorm } from './towers.ts';

/** y[n, out] = x[n, in] · Wᵀ + b, with W stored [out, in] (PyTorch Linear layout). */
export function linear(
  x: Float64Array,
  rows: number,
  inDim: number,
  weight: Float64Array,
  outDim: number,
  bias?: Float64Array,
): Float64Array {
  const y = new Float64Array(rows * outDim);
  for (let n = 0; n < rows; n++) {
    for (let o = 0; o < outDim; o++) {
      let acc = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) acc += x[n * inDim + i] * weight[o * inDim + i];
      y[n * outDim + o] = acc;
    }
  }
  return y;
}

/** y[out] = x[in] · M with M stored [in, out] (the final projections Π). */
export function vecMat(x: Float64Array, matrix: Float64Array, outDim: number): Float64Array {
  const inDim = x.length;
  if (matrix.length !== inDim * outDim) throw new Error(`vecMat: [${inDim}] · [${matrix.length / outDim}, ${outDim}]`);
  const y = new Float64Array(outDim);
  for (let i = 0; i < inDim; i++) for (let o = 0; o < outDim; o++) y[o] += x[i] * matrix[i * outDim + o];
  return y;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

export function l2Norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

export interface LayerNormStats {
  mean: number;
  /** sqrt(population variance + eps) */
  std: number;
}

/** Statistics of one row: mean and sqrt(mean((x − μ)²) + eps). */
export function layerNormStats(x: ArrayLike<number>, eps: number): LayerNormStats {
  let mean = 0;
  for (let k = 0; k < x.length; k++) mean += x[k];
  mean /= x.length;
  let variance = 0;
  for (let k = 0; k < x.length; k++) variance += (x[k] - mean) ** 2;
  variance /= x.length;
  return { mean, std: Math.sqrt(variance + eps) };
}

/** LayerNorm of each row of x [rows, width]: γ ⊙ (x − μ)/σ + β. */
export function layerNormRows(x: Float64Array, rows: number, width: number, ln: RefLayerNorm, eps: number): Float64Array {
  const y = new Float64Array(rows * width);
  for (let n = 0; n < rows; n++) {
    const row = x.subarray(n * width, (n + 1) * width);
    const { mean, std } = layerNormStats(row, eps);
    for (let k = 0; k < width; k++) y[n * width + k] = (ln.gamma[k] * (row[k] - mean)) / std + ln.beta[k];
  }
  return y;
}

/** softmax of one row of logits; −Infinity entries (masked) get probability 0. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < logits.length; k++) max = Math.max(max, logits[k]);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let k = 0; k < logits.length; k++) {
    p[k] = Math.exp(logits[k] - max);
    sum += p[k];
  }
  for (let k = 0; k < p.length; k++) p[k] /= sum;
  return p;
}

/** exact GELU: x·Φ(x) = x/2·erfc(−x/√2) (erfc keeps the left tail accurate) */
export function gelu(x: number): number {
  return 0.5 * x * erfc(-x / Math.SQRT2);
}

/** QuickGELU: x·sigmoid(1.702·x) */
export function quickGelu(x: number): number {
  return x / (1 + Math.exp(-1.702 * x));
}

export function activationFn(act: Activation): (x: number) => number {
  return act === 'gelu' ? gelu : quickGelu;
}
