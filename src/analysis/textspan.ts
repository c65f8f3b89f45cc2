/**
 * TEXTSPAN (METHOD.md §4): greedily pick, from a pool of text embeddings, the texts whose directions
 * explain most of the variance of one head's outputs over a set of images.
 *
 * Follows the reference loop of §4.2–4.3 exactly (SVD of the uncentred outputs, texts projected on
 * the top-r right singular span, centring after the SVD, the unnormalised score = Bessel std of the
 * raw dot products, the chosen direction projected out of the data and out of every text), but
 * runs the loop in the r-dimensional span instead of forming the K×M score matrix at every step:
 *
 *  - with Y [r×D] the span's orthonormal rows and x_j = Y·t_j the text coordinates, the variance of
 *    column j of C·Rᵀ is x_jᵀ Σ x_j, Σ = Y·Cov·Yᵀ being the (Bessel) covariance of the centred
 *    outputs in span coordinates (r×r, computed once).
 *  - projecting ρ = x_{j*} out of the data maps Σ to PΣP, P = I − ρρᵀ/‖ρ‖², and out of a text maps
 *    x_j to x_j − β_j ρ with β_j = x_j·ρ/‖ρ‖²; the new score is then
 *    s_j − 2β_j (x_jᵀΣρ) + β_j² ρᵀΣρ, an O(M·r) update per step. The deflated texts are never
 *    formed: x_j·ρ and x_jᵀΣρ come from the original coordinates (one product x·[ρ, Σρ]ᵀ per
 *    pick) minus the text's earlier coefficients, so a pick costs one read of x, not a rewrite.
 *
 * The data-side projections (reconstruction and residual) are applied in the full D dims, as in the
 * reference, at O(K·D) per pick.
 *
 * The matrix products are requests (src/math/kernelSteps.ts): `textspan` answers them with the
 * JavaScript kernels (browser and Node), `textspanWith` with injected ones (onnxruntime-node in
 * float64 for the CLI), so both engines run this one algorithm.
 */
import { kernelCentredGram, kernelMatmulTransB, runKernelSteps, runKernelStepsAsync, type KernelSteps, type LinalgKernels } from '../math/kernelSteps.ts';
import { columnMeans, transposeInto, type FloatArray } from '../math/linalg.ts';
import { symmetricEigenSteps } from '../math/symmetricEigen.ts';
import { stageClock, type Lap, type StageTimes } from '../math/stageTimes.ts';
import { ShapeError, tensor, type Tensor } from '../math/tensor.ts';

export interface TextspanOptions {
  /** texts to pick (at most min(m, K − 1) are returned); default 20 */
  m?: number;
  /** rank r of the span the texts are projected on (METHOD's --w_ov_rank); default 80 */
  rank?: number;
  /** adds the time of each stage (for benches' breakdowns; products included in their stage) */
  stageTimes?: StageTimes;
}

export const textspanDefaults = { m: 20, rank: 80 } as const;

export interface TextspanPick {
  /** row of R */
  index: number;
  /** cumulative fraction of the total variance (over all D dims) explained after this pick */
  varianceExplained: number;
}

export interface TextspanResult<A extends FloatArray = Float32Array> {
  picks: TextspanPick[];
  /** K, the number of images the head's outputs were taken over */
  imagesUsed: number;
  /** r_eff = min(rank, K, D), the dimension of the span the texts were projected on */
  spanRank: number;
  /** (1/(K−1)) Σ_k ‖c_k − c̄‖², the denominator of `varianceExplained` */
  totalVariance: number;
  /** c̄ [D] */
  mean: Tensor<'D', Float64Array>;
  /** the chosen text vectors as they were when picked (span-projected, orthogonalised) [picks × D] */
  directions: Tensor<'C D', Float64Array>;
  /** c̄ + projection of the centred outputs on the chosen directions: Ĉ of METHOD 4.3 / 4.5 */
  reconstruction: Tensor<'K D', A>;
  /** centred outputs minus their projection; reconstruction + residual = C */
  residual: Tensor<'K D', A>;
}

/**
 * A score at or below this fraction of the total variance counts as zero: the texts left carry no
 * variance (or only rounding noise, e.g. a duplicate of a picked text), so picking stops.
 */
const NEGLIGIBLE_SCORE = 1e-14;

/** Same element type as `like`, for outputs that mirror the input's precision. */
function sameKind<A extends FloatArray>(like: A, length: number): A {
  return (like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length)) as A;
}

/** g + k·μμᵀ [d×d] (a plain function: V8 optimises its loops better than a generator's) */
function plusScaledOuter(g: Float64Array, mu: Float64Array, k: number, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const kmi = k * mu[i];
    for (let j = 0; j < d; j++) out[i * d + j] = g[i * d + j] + kmi * mu[j];
  }
  return out;
}

/**
 * The span step (METHOD 4.2): top-r right singular vectors Y of the uncentred C, and Σ, the Bessel
 * covariance of the centred C in span coordinates. The centred Gram is accumulated directly (no
 * cancellation even when the mean dominates, as with a head's constant bias share); the
 * uncentred one is recovered from it by adding K·c̄c̄ᵀ back.
 */
function* spanOf(c: Tensor<'K D', FloatArray>, rank: number, lap: Lap) {
  const [k, d] = c.dims;
  const spanRank = Math.min(rank, k, d);
  const mean = columnMeans(c);
  lap('column means');
  const centred = yield* kernelCentredGram(c.data, mean.data, k, d);
  lap('centred Gram CᵀC');
  const uncentred = plusScaledOuter(centred, mean.data, k, d);
  lap('uncentred Gram');
  const { vectors: basis } = yield* symmetricEigenSteps(tensor('D D', uncentred, [d, d]), { count: spanRank, lap });
  // Σ = Y·Gc·Yᵀ/(K−1)
  const yg = yield* kernelMatmulTransB(basis.data, centred, spanRank, d, d);
  const sigma = yield* kernelMatmulTransB(yg, basis.data, spanRank, spanRank, d);
  for (let i = 0; i < sigma.length; i++) sigma[i] /= k - 1;
  let trace = 0;
  for (let j = 0; j < d; j++) trace += centred[j * d + j];
  lap('span covariance Σ');
  return { spanRank, basis, mean, sigma, totalVariance: trace / (k - 1) };
}

/** TEXTSPAN without the data-side projection (reconstruction and residual) */
export type TextspanPicks = Omit<TextspanResult, 'reconstruction' | 'residual'>;

export function textspan<A extends FloatArray = Float32Array>(
  C: Tensor<'K D', A>,
  R: Tensor<'M D', FloatArray>,
  options: TextspanOptions = {},
): TextspanResult<A> {
  const core = runKernelSteps(textspanSteps(C, R, options));
  const { reconstruction, residual } = runKernelSteps(projectOutDirections(C, core.mean.data, core.directions.data, core.picks.length));
  return { ...core, reconstruction, residual };
}

export interface TextspanWithOptions extends TextspanOptions {
  /** also compute Ĉ and the residual (METHOD 4.5's check; default true) */
  reconstruction?: boolean;
}

/**
 * `textspan` with its matrix products answered by `kernels` (e.g. onnxruntime-node in float64):
 * the same algorithm, the same picks; values equal up to the products' rounding.
 */
export async function textspanWith<A extends FloatArray = Float32Array>(
  C: Tensor<'K D', A>,
  R: Tensor<'M D', FloatArray>,
  options: TextspanWithOptions,
  kernels: LinalgKernels,
): Promise<TextspanPicks & Partial<Pick<TextspanResult<A>, 'reconstruction' | 'residual'>>> {
  const core = await runKernelStepsAsync(textspanSteps(C, R, options), kernels);
  if (options.reconstruction === false) return core;
  const lap = stageClock(options.stageTimes);
  const projected = await runKernelStepsAsync(projectOutDirections(C, core.mean.data, core.directions.data, core.picks.length, LARGE_PROJECT_BLOCK_ROWS), kernels);
  lap('reconstruction Ĉ and residual');
  return { ...core, ...projected };
}

/** initial scores s_j = x_jᵀ Σ x_j: row-wise dots of x and xΣ [M×r] */
function rowDots(x: Float64Array, xSigma: Float64Array, poolSize: number, r: number): Float64Array {
  const score = new Float64Array(poolSize);
  for (let j = 0; j < poolSize; j++) {
    let s = 0;
    for (let a = 0; a < r; a++) s += x[j * r + a] * xSigma[j * r + a];
    score[j] = s;
  }
  return score;
}

/** the highest score among the texts not picked yet (−1 when none is left) */
function bestUnpicked(score: Float64Array, picked: Uint8Array): number {
  let best = -1;
  let bestScore = -Infinity;
  for (let j = 0; j < score.length; j++) {
    if (!picked[j] && score[j] > bestScore) {
      bestScore = score[j];
      best = j;
    }
  }
  return best;
}

/**
 * Text `row` of x as the loop has deflated it after the picks so far: x_j −= (x_j·ρ_s/‖ρ_s‖²) ρ_s
 * for each earlier pick s in order, in the arithmetic of the per-text update (the loop used to
 * apply it to every text; a pick's direction is the only deflated text it needs in full).
 */
function deflatedRow(x: Float64Array, row: number, r: number, chosen: readonly Float64Array[], norms: readonly number[]): Float64Array {
  const out = x.slice(row * r, (row + 1) * r);
  for (let s = 0; s < chosen.length; s++) {
    const rho = chosen[s];
    let dot = 0;
    for (let a = 0; a < r; a++) dot += out[a] * rho[a];
    const b = dot / norms[s];
    for (let a = 0; a < r; a++) out[a] -= b * rho[a];
  }
  return out;
}

/**
 * The score update after pick t, for every text j from its undeflated coordinates: with x_j^(t) =
 * x_j − Σ_{s<t} β_js ρ_s (β_js the text's coefficient on pick s), x_j^(t)·v = x_j·v − Σ_s β_js ρ_s·v,
 * so `products` = x·[ρ_t, Σρ_t]ᵀ [M×2] and the earlier coefficients give β_jt and w_j = x_j^(t)ᵀΣρ_t,
 * then s_j += β_jt (β_jt q − 2 w_j). `coef` [M×maxPicks] holds the β.
 */
function updateScores(
  score: Float64Array,
  coef: Float64Array,
  products: Float64Array,
  rhoDots: Float64Array,
  uDots: Float64Array,
  t: number,
  maxPicks: number,
  n: number,
  q: number,
): void {
  for (let j = 0; j < score.length; j++) {
    const base = j * maxPicks;
    let dot = products[2 * j];
    let ws = products[2 * j + 1];
    for (let s = 0; s < t; s++) {
      const c = coef[base + s];
      dot -= c * rhoDots[s];
      ws -= c * uDots[s];
    }
    const b = dot / n;
    coef[base + t] = b;
    score[j] += b * (b * q - 2 * ws);
  }
}

/**
 * The greedy loop of METHOD 4.3 in the span (see the file comment): picks, and each pick's
 * direction ρ in span coordinates. Mutates sigma; x stays as it is.
 *
 * Each pick's direction, variance and Σ update are computed exactly as when every text was
 * deflated after each pick; the texts' scores are updated from their undeflated coordinates with
 * one product per pick (x·[ρ, Σρ]ᵀ, a kernel request) instead of an O(M·r) read-modify-write of x,
 * which equals the deflated update up to rounding.
 */
function* greedyPicks(
  x: Float64Array,
  xSigma: Float64Array,
  sigma: Float64Array,
  poolSize: number,
  r: number,
  maxPicks: number,
  totalVariance: number,
): KernelSteps<{ picks: TextspanPick[]; chosen: Float64Array[] }> {
  const score = rowDots(x, xSigma, poolSize, r);
  const picked = new Uint8Array(poolSize);
  const coef = new Float64Array(poolSize * maxPicks);
  const picks: TextspanPick[] = [];
  const chosen: Float64Array[] = [];
  const norms: number[] = [];
  const probe = new Float64Array(2 * r);
  const sigmaRho = probe.subarray(r);
  const rhoDots = new Float64Array(maxPicks);
  const uDots = new Float64Array(maxPicks);
  const negligible = NEGLIGIBLE_SCORE * totalVariance;
  let explained = 0;

  while (picks.length < maxPicks) {
    const best = bestUnpicked(score, picked);
    if (best < 0 || !(score[best] > negligible)) break;
    const rho = deflatedRow(x, best, r, chosen, norms);
    let n = 0;
    for (let a = 0; a < r; a++) n += rho[a] * rho[a];
    if (!(n > 0)) break;
    // q = ρᵀΣρ is the pick's score; q/n the variance its direction explains
    let q = 0;
    for (let a = 0; a < r; a++) {
      let s = 0;
      for (let b = 0; b < r; b++) s += sigma[a * r + b] * rho[b];
      sigmaRho[a] = s;
      q += rho[a] * s;
    }
    explained += q / n;
    const t = picks.length;
    picks.push({ index: best, varianceExplained: totalVariance > 0 ? Math.min(1, explained / totalVariance) : 0 });
    picked[best] = 1;
    if (picks.length < maxPicks) {
      // texts: the next scores (the last pick needs none)
      for (let s = 0; s < t; s++) {
        let dr = 0;
        let du = 0;
        for (let a = 0; a < r; a++) {
          dr += chosen[s][a] * rho[a];
          du += chosen[s][a] * sigmaRho[a];
        }
        rhoDots[s] = dr;
        uDots[s] = du;
      }
      probe.set(rho);
      const products = yield* kernelMatmulTransB(x, probe, poolSize, 2, r);
      updateScores(score, coef, products, rhoDots, uDots, t, maxPicks, n, q);
    }
    chosen.push(rho);
    norms.push(n);
    // data: Σ ← PΣP = Σ − (uρᵀ + ρuᵀ)/n + (q/n²) ρρᵀ with u = Σρ
    deflateSigma(sigma, rho, sigmaRho, r, n, q);
  }

  return { picks, chosen };
}

function deflateSigma(sigma: Float64Array, rho: Float64Array, sigmaRho: Float64Array, r: number, n: number, q: number): void {
  const qn = q / (n * n);
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < r; b++) {
      sigma[a * r + b] += -(sigmaRho[a] * rho[b] + rho[a] * sigmaRho[b]) / n + qn * rho[a] * rho[b];
    }
  }
}

/** the picks' directions back in D dims: ρ_t Y [picks×D] */
function directionsInD(chosen: readonly Float64Array[], basis: Float64Array, r: number, d: number): Float64Array {
  const directions = new Float64Array(chosen.length * d);
  for (let t = 0; t < chosen.length; t++) {
    const row = chosen[t];
    for (let a = 0; a < r; a++) {
      const ya = a * d;
      const coef = row[a];
      for (let j = 0; j < d; j++) directions[t * d + j] += coef * basis[ya + j];
    }
  }
  return directions;
}

function* textspanSteps(C: Tensor<'K D', FloatArray>, R: Tensor<'M D', FloatArray>, options: TextspanOptions): KernelSteps<TextspanPicks> {
  const { m, rank } = { ...textspanDefaults, ...options };
  if (C.dims.length !== 2 || R.dims.length !== 2) throw new ShapeError('textspan needs C [K×D] and R [M×D]');
  const [k, d] = C.dims;
  const [poolSize, dr] = R.dims;
  if (dr !== d) throw new ShapeError(`textspan: C has D=${d} but R has D=${dr}`);
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`textspan: m must be a non-negative integer, got ${m}`);
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`textspan: rank must be a positive integer, got ${rank}`);
  if (k < 2) throw new RangeError(`textspan needs at least 2 images (K=${k})`);

  const lap = stageClock(options.stageTimes);
  const { spanRank: r, basis, mean, sigma, totalVariance } = yield* spanOf(C, rank, lap);

  // text coordinates in the span, x_j = Y t_j  [M×r]
  const x = yield* kernelMatmulTransB(R.data, basis.data, poolSize, r, d);
  // initial scores s_j = x_jᵀ Σ x_j (the Bessel variance of column j of C·Rᵀ)
  const xSigma = yield* kernelMatmulTransB(x, sigma, poolSize, r, r);
  lap('texts onto the span (R·Yᵀ, ·Σ)');
  const { picks, chosen } = yield* greedyPicks(x, xSigma, sigma, poolSize, r, Math.min(m, k - 1, poolSize), totalVariance);
  const directions = directionsInD(chosen, basis.data, r, d);
  lap('greedy picks and curve');

  return {
    picks,
    imagesUsed: k,
    spanRank: r,
    totalVariance,
    mean,
    directions: tensor('C D', directions, [picks.length, d]),
  };
}

/** Rows of C handled per block in `projectOutDirections` (bounds its double-precision scratch). */
const PROJECT_BLOCK_ROWS = 256;
/** the same for kernels where each request has a fixed cost (fewer, larger products) */
const LARGE_PROJECT_BLOCK_ROWS = 4096;

/**
 * The data side of the loop, as in the reference: centre, then for each direction ρ_t in order,
 * a_t = Cρ_t/‖ρ_t‖², C −= a_t⊗ρ_t, Ĉ += a_t⊗ρ_t (Ĉ starting at the mean). The sequential deflation
 * is rewritten exactly as a_t = (c·ρ_t − Σ_{s<t} a_s ρ_s·ρ_t)/‖ρ_t‖², so the heavy parts are two
 * blocked products (C·Dirᵀ, then A·Dir) instead of K·picks·D scalar loops.
 */
function* projectOutDirections<A extends FloatArray>(
  c: Tensor<'K D', A>,
  mean: Float64Array,
  directions: Float64Array,
  count: number,
  blockRows = PROJECT_BLOCK_ROWS,
): KernelSteps<{ reconstruction: Tensor<'K D', A>; residual: Tensor<'K D', A> }> {
  const [k, d] = c.dims;
  const cross = count > 0 ? yield* kernelMatmulTransB(directions, directions, count, count, d) : new Float64Array(0); // ρ_s·ρ_t
  const directionsT = new Float64Array(d * count);
  transposeInto(directionsT, directions, count, d);
  const recon = sameKind(c.data, k * d);
  const resid = sameKind(c.data, k * d);
  const block = new Float64Array(Math.min(blockRows, k) * d);
  let proj: Float64Array = new Float64Array(Math.min(blockRows, k) * d);
  for (let start = 0; start < k; start += blockRows) {
    const rows = Math.min(blockRows, k - start);
    for (let i = 0; i < rows; i++) {
      const src = (start + i) * d;
      for (let j = 0; j < d; j++) block[i * d + j] = c.data[src + j] - mean[j];
    }
    if (count > 0) {
      const coef = yield* kernelMatmulTransB(block, directions, rows, count, d);
      for (let i = 0; i < rows; i++) {
        const base = i * count;
        for (let t = 0; t < count; t++) {
          let v = coef[base + t];
          for (let s = 0; s < t; s++) v -= coef[base + s] * cross[s * count + t];
          coef[base + t] = v / cross[t * count + t];
        }
      }
      proj = yield* kernelMatmulTransB(coef, directionsT, rows, d, count);
    } else {
      proj.fill(0);
    }
    for (let i = 0; i < rows; i++) {
      const dst = (start + i) * d;
      for (let j = 0; j < d; j++) {
        const p = proj[i * d + j];
        recon[dst + j] = mean[j] + p;
        resid[dst + j] = block[i * d + j] - p;
      }
    }
  }
  return { reconstruction: tensor('K D', recon, [k, d]), residual: tensor('K D', resid, [k, d]) };
}
