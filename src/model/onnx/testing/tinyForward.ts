/**
 * Test helper: a plain-loop float64 forward of the tiny checkpoints (METHOD 1.3 / 1.4), written
 * independently of the graph code, for checking graph outputs on small inputs. Reads weights by
 * canonical name from `values` (as stored, after dtype rounding).
 */
import type { Activation, TextArch, VisionArch } from '../../arch.ts';
import { weightName, type BlockWeight, type Tower } from '../../checkpoint/types.ts';

type Weights = ReadonlyMap<string, Float32Array>;

function get(values: Weights, name: string): Float32Array {
  const v = values.get(name);
  if (!v) throw new Error(`tinyForward: no weight ${name}`);
  return v;
}

/** y[n, out] = x[n, in]·Wᵀ + b with W stored [out, in] */
function linearRows(x: Float64Array, n: number, inDim: number, w: Float32Array, b: Float32Array | undefined, outDim: number): Float64Array {
  const y = new Float64Array(n * outDim);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outDim; o++) {
      let acc = b ? b[o] : 0;
      for (let k = 0; k < inDim; k++) acc += x[r * inDim + k] * w[o * inDim + k];
      y[r * outDim + o] = acc;
    }
  }
  return y;
}

/** x·P for a projection stored [in, out] ('in_out') or [out, in] */
export function project(x: ArrayLike<number>, p: Float32Array, inDim: number, outDim: number, layout: 'in_out' | 'out_in'): Float64Array {
  const y = new Float64Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let acc = 0;
    for (let k = 0; k < inDim; k++) acc += x[k] * (layout === 'in_out' ? p[k * outDim + o] : p[o * inDim + k]);
    y[o] = acc;
  }
  return y;
}

export function layerNormRows(x: Float64Array, n: number, w: number, g: Float32Array, b: Float32Array, eps: number): Float64Array {
  const y = new Float64Array(n * w);
  for (let r = 0; r < n; r++) {
    let mu = 0;
    for (let k = 0; k < w; k++) mu += x[r * w + k];
    mu /= w;
    let v = 0;
    for (let k = 0; k < w; k++) v += (x[r * w + k] - mu) ** 2;
    const sd = Math.sqrt(v / w + eps);
    for (let k = 0; k < w; k++) y[r * w + k] = (g[k] * (x[r * w + k] - mu)) / sd + b[k];
  }
  return y;
}

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse for 1e-6 checks; use a series / continued fraction
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax, sum = ax;
    for (let n = 1; n < 80; n++) { term *= (-ax * ax) / n; sum += term / (2 * n + 1); }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f));
}

function act(x: number, kind: Activation): number {
  return kind === 'gelu' ? 0.5 * x * (1 + erf(x / Math.SQRT2)) : x / (1 + Math.exp(-1.702 * x));
}

export interface BlockTrace {
  /** attention output O (incl. b_out) [T, w] */
  attnOut: Float64Array;
  mlpOut: Float64Array;
  /** softmax probabilities [H, T, T] */
  probs: Float64Array;
  /** values incl. bias [T, w] (head-major columns) */
  values: Float64Array;
}

interface BlockArch { width: number; heads: number; headWidth: number; mlpWidth: number; act: Activation; layerNormEps: number }

function block(values: Weights, tower: Tower, l: number, s: Float64Array, T: number, a: BlockArch, causal: boolean): { s: Float64Array; trace: BlockTrace } {
  const w = a.width, H = a.heads, dh = a.headWidth;
  const W = (x: BlockWeight) => get(values, weightName(tower, x, l));
  const x1 = layerNormRows(s, T, w, W('ln1.g'), W('ln1.b'), a.layerNormEps);
  const q = linearRows(x1, T, w, W('q.w'), W('q.b'), w);
  const k = linearRows(x1, T, w, W('k.w'), W('k.b'), w);
  const v = linearRows(x1, T, w, W('v.w'), W('v.b'), w);
  const probs = new Float64Array(H * T * T);
  const ctx = new Float64Array(T * w);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < T; i++) {
      const row = new Float64Array(T);
      let max = -Infinity;
      for (let j = 0; j < T; j++) {
        let d = 0;
        for (let e = 0; e < dh; e++) d += q[i * w + h * dh + e] * k[j * w + h * dh + e];
        row[j] = causal && j > i ? -Infinity : d / Math.sqrt(dh);
        max = Math.max(max, row[j]);
      }
      let sum = 0;
      for (let j = 0; j < T; j++) { row[j] = Math.exp(row[j] - max); sum += row[j]; }
      for (let j = 0; j < T; j++) {
        const p = row[j] / sum;
        probs[(h * T + i) * T + j] = p;
        for (let e = 0; e < dh; e++) ctx[i * w + h * dh + e] += p * v[j * w + h * dh + e];
      }
    }
  }
  const attnOut = linearRows(ctx, T, w, W('o.w'), W('o.b'), w);
  const mid = s.map((x, n) => x + attnOut[n]);
  const x2 = layerNormRows(mid, T, w, W('ln2.g'), W('ln2.b'), a.layerNormEps);
  const hidden = linearRows(x2, T, w, W('fc1.w'), W('fc1.b'), a.mlpWidth).map((x) => act(x, a.act));
  const mlpOut = linearRows(hidden, T, a.mlpWidth, W('fc2.w'), W('fc2.b'), w);
  return { s: mid.map((x, n) => x + mlpOut[n]), trace: { attnOut, mlpOut, probs, values: v } };
}

export interface TinyImageForward {
  /** ln_pre output [T, w] */
  s0: Float64Array;
  blocks: BlockTrace[];
  /** class row before ln_post */
  r: Float64Array;
  mu: number;
  sigma: number;
  u: Float64Array;
  uHat: Float64Array;
}

/** Forward of one image [3, S, S]. */
export function tinyImageForward(values: Weights, v: VisionArch, projLayout: 'in_out' | 'out_in', pixels: ArrayLike<number>): TinyImageForward {
  const { width: w, patchSize: p, imageSize: S } = v;
  const G = S / p, T = G * G + 1;
  const patch = get(values, weightName('vision', 'patch'));
  const x = new Float64Array(T * w);
  x.set(get(values, weightName('vision', 'cls')), 0);
  for (let gy = 0; gy < G; gy++) for (let gx = 0; gx < G; gx++) {
    for (let o = 0; o < w; o++) {
      let acc = 0;
      for (let c = 0; c < 3; c++) for (let ky = 0; ky < p; ky++) for (let kx = 0; kx < p; kx++) {
        acc += patch[((o * 3 + c) * p + ky) * p + kx] * pixels[(c * S + gy * p + ky) * S + gx * p + kx];
      }
      x[(1 + gy * G + gx) * w + o] = acc;
    }
  }
  const pos = get(values, weightName('vision', 'pos'));
  for (let n = 0; n < T * w; n++) x[n] += pos[n];
  const s0 = layerNormRows(x, T, w, get(values, weightName('vision', 'ln_pre.g')), get(values, weightName('vision', 'ln_pre.b')), v.layerNormEps);
  let s = s0;
  const blocks: BlockTrace[] = [];
  for (let l = 0; l < v.layers; l++) {
    const out = block(values, 'vision', l, s, T, v, false);
    s = out.s;
    blocks.push(out.trace);
  }
  const r = s.slice(0, w);
  const mu = r.reduce((a, b) => a + b, 0) / w;
  const sigma = Math.sqrt(r.reduce((a, b) => a + (b - mu) ** 2, 0) / w + v.layerNormEps);
  const normed = layerNormRows(r, 1, w, get(values, weightName('vision', 'ln_post.g')), get(values, weightName('vision', 'ln_post.b')), v.layerNormEps);
  const u = project(normed, get(values, weightName('vision', 'proj')), w, v.embedDim, projLayout);
  const norm = Math.hypot(...u);
  return { s0, blocks, r, mu, sigma, u, uHat: u.map((x) => x / norm) };
}

/** Unit text embedding of `ids` (any length ≤ context), pooled at `eot`. */
export function tinyTextForward(values: Weights, t: TextArch, projLayout: 'in_out' | 'out_in', ids: readonly number[], eot: number): Float64Array {
  const w = t.width, n = ids.length;
  const tok = get(values, weightName('text', 'tok'));
  const pos = get(values, weightName('text', 'pos'));
  let s: Float64Array = new Float64Array(n * w);
  for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) s[i * w + k] = tok[ids[i] * w + k] + pos[i * w + k];
  for (let l = 0; l < t.layers; l++) s = block(values, 'text', l, s, n, t, true).s;
  const row = layerNormRows(s.slice(eot * w, (eot + 1) * w), 1, w, get(values, weightName('text', 'ln_final.g')), get(values, weightName('text', 'ln_final.b')), t.layerNormEps);
  const y = project(row, get(values, weightName('text', 'proj')), w, t.embedDim, projLayout);
  const norm = Math.hypot(...y);
  return y.map((x) => x / norm);
}
