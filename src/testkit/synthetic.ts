/**
 * Test fixtures: a small, internally consistent decomposition built from random residual-space
 * quantities exactly as METHOD §2.2–2.3 defines them (float64), so analyses can be checked
 * against explicitly formed per-cell vectors. Not used by production code.
 */
import { tensor, type Tensor } from '../math/tensor.ts';
import type { HeadProjections, ImageComponents, SpatialTerms } from '../analysis/inputs.ts';

/** Deterministic PRNG (mulberry32) with normal samples (Box–Muller). */
export function rng(seed: number): { uniform(): number; normal(): number } {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

export interface ToyShape {
  width: number; // w
  heads: number; // H
  layers: number; // L
  grid: number; // G
  dim: number; // D
}

export interface ToyModel extends HeadProjections {
  readonly shape: ToyShape;
  readonly gamma: Float64Array; // [w]
  readonly beta: Float64Array; // [w]
  readonly proj: Float64Array; // Π [w, D]
  readonly wOut: Float64Array[]; // per layer [w, w] PyTorch [out, in]
  readonly bOut: Float64Array[]; // per layer [w]
}

export interface ToyImage extends SpatialTerms, ImageComponents {
  /** explicit c_{ℓ,h,i} [L, H, T, D] built through Φ_κ of METHOD §2.3 */
  readonly explicitCells: Float64Array;
}

const randn = (r: ReturnType<typeof rng>, n: number, scale = 1) => Float64Array.from({ length: n }, () => r.normal() * scale);

export function toyModel(shape: ToyShape, seed = 1): ToyModel {
  const { width: w, heads: H, layers: L, dim: D } = shape;
  const dh = w / H;
  const r = rng(seed);
  const gamma = Float64Array.from({ length: w }, () => 1 + 0.3 * r.normal());
  const beta = randn(r, w, 0.2);
  const proj = randn(r, w * D, 1 / Math.sqrt(w));
  const wOut = Array.from({ length: L }, () => randn(r, w * w, 1 / Math.sqrt(w)));
  const bOut = Array.from({ length: L }, () => randn(r, w, 0.5));
  const projRow = (x: ArrayLike<number>) => {
    const out = new Float64Array(D);
    for (let k = 0; k < w; k++) for (let d = 0; d < D; d++) out[d] += x[k] * proj[k * D + d];
    return out;
  };
  const headProj = new Float64Array(L * H * dh * D);
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      for (let j = 0; j < dh; j++) {
        // row j of M_{l,h} = Σ_k W_out[k, h·dh + j] γ_k Π[k, :]
        const col = Float64Array.from({ length: w }, (_, k) => wOut[l][k * w + h * dh + j] * gamma[k]);
        headProj.set(projRow(col), ((l * H + h) * dh + j) * D);
      }
    }
  }
  const boutProj = new Float64Array(L * D);
  for (let l = 0; l < L; l++) boutProj.set(projRow(bOut[l].map((b, k) => b * gamma[k])), l * D);
  return {
    shape,
    gamma,
    beta,
    proj,
    wOut,
    bOut,
    headProj: tensor('L H E D', headProj, [L, H, dh, D]),
    gammaProj: tensor('D', projRow(gamma), [D]),
    betaProj: tensor('D', projRow(beta), [D]),
    boutProj: tensor('L D', boutProj, [L, D]),
  };
}

/** One image's decomposition with random e, F_ℓ, α, v pushed through the toy model. */
export function toyImage(model: ToyModel, seed: number): ToyImage {
  const { width: w, heads: H, layers: L, grid: G, dim: D } = model.shape;
  const dh = w / H;
  const T = G * G + 1;
  const r = rng(seed);
  const e = randn(r, w);
  const F = Array.from({ length: L }, () => randn(r, w));
  const cells = new Float64Array(L * T * H * dh); // α_i v_i [L, T, H, dh]
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      const logits = randn(r, T, 2);
      const z = logits.reduce((s, x) => s + Math.exp(x), 0);
      for (let i = 0; i < T; i++) {
        const alpha = Math.exp(logits[i]) / z;
        for (let j = 0; j < dh; j++) cells[((l * T + i) * H + h) * dh + j] = alpha * r.normal();
      }
    }
  }
  // q_{l,h,i} = α v W_out[:, h-slice]ᵀ + b_out/(T·H), in residual space
  const q = (l: number, h: number, i: number) => {
    const out = model.bOut[l].map((b) => b / (T * H));
    for (let k = 0; k < w; k++) {
      for (let j = 0; j < dh; j++) out[k] += cells[((l * T + i) * H + h) * dh + j] * model.wOut[l][k * w + h * dh + j];
    }
    return out;
  };
  const rres = Float64Array.from(e);
  for (let l = 0; l < L; l++) {
    for (let k = 0; k < w; k++) rres[k] += F[l][k];
    for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) q(l, h, i).forEach((v, k) => (rres[k] += v));
  }
  const mu = rres.reduce((s, x) => s + x, 0) / w;
  const sigma = Math.sqrt(rres.reduce((s, x) => s + (x - mu) ** 2, 0) / w + 1e-5);
  const project = (x: ArrayLike<number>) => {
    const out = new Float64Array(D);
    for (let k = 0; k < w; k++) for (let d = 0; d < D; d++) out[d] += x[k] * model.proj[k * D + d];
    return out;
  };
  const u = project(rres.map((x, k) => (model.gamma[k] * (x - mu)) / sigma + model.beta[k]));
  const norm = Math.hypot(...u);
  const phi = (z: ArrayLike<number>, kappa: number) =>
    project(Float64Array.from({ length: w }, (_, k) => (model.gamma[k] * (z[k] - kappa * mu)) / sigma + kappa * model.beta[k])).map(
      (x) => x / norm,
    );
  const kCell = 1 / ((2 * L + 1) * T * H);
  const kLayer = 1 / (2 * L + 1);
  const explicitCells = new Float64Array(L * H * T * D);
  const heads = new Float64Array(L * H * D);
  const classClass = new Float64Array(L * D);
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const c = phi(q(l, h, i), kCell);
        explicitCells.set(c, ((l * H + h) * T + i) * D);
        for (let d = 0; d < D; d++) {
          heads[(l * H + h) * D + d] += c[d];
          if (i === 0) classClass[l * D + d] += c[d];
        }
      }
    }
  }
  const mlp = new Float64Array(L * D);
  for (let l = 0; l < L; l++) mlp.set(phi(F[l], kLayer), l * D);
  return {
    cells: tensor('L T H E', cells, [L, T, H, dh]),
    lnMean: mu,
    lnStd: sigma,
    norm,
    explicitCells,
    embedding: tensor('D', u.map((x) => x / norm), [D]),
    embedTerm: tensor('D', phi(e, kLayer), [D]),
    mlp: tensor('L D', mlp, [L, D]),
    heads: tensor('L H D', heads, [L, H, D]),
    classClass: tensor('L D', classClass, [L, D]),
  };
}
