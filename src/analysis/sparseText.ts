/**
 * Sparse text decomposition (METHOD.md §10): explain a target vector of the joint space (an image
 * embedding û, a head's c_head, a neuron's φ_n or direction d_n) as a few texts of a pool, by
 * orthogonal matching pursuit in float64.
 *
 * Each step picks the unchosen text with the largest |⟨res, t̂_j⟩| (the non-negative variant: the
 * largest ⟨res, t̂_j⟩; exact ties go to the lowest index), refits every chosen coefficient by least
 * squares (QR from ml-matrix; the non-negative variant: NNLS from ml-fcnnls), and records the
 * cosine between the target and its reconstruction. It stops after `maxTexts` picks or when
 * ‖res‖ ≤ 1e-6·‖y‖.
 *
 * Two further stops, both places where another pick cannot change the fit: every correlation is
 * zero (the residual is orthogonal to all texts), or — non-negative variant — no correlation is
 * positive (the NNLS optimality conditions then hold for the whole pool, so the current fit is the
 * non-negative optimum over every text).
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { fcnnlsVector } from 'ml-fcnnls';
import { ShapeError, type Tensor } from '../math/tensor.ts';
import type { FloatArray } from '../math/linalg.ts';
import { vecNorm } from '../math/vector.ts';

export interface SparseTextOptions {
  /** the most texts to pick (k); default 10 */
  maxTexts?: number;
  /** coefficients constrained to be ≥ 0 (picks by the signed correlation) */
  nonnegative?: boolean;
  /** subtract the dictionary mean from the target and the texts, then renormalise the texts */
  center?: boolean;
}

export const sparseTextDefaults = { maxTexts: 10, nonnegative: false, center: false } as const;

/** ‖res‖ ≤ this × ‖y‖ ends the pursuit (METHOD §10 step 4) */
export const RESIDUAL_STOP = 1e-6;

export interface SparseTextPick {
  /** row of the dictionary (pool order) */
  index: number;
  /** the final least-squares coefficient of this text */
  coefficient: number;
}

export type SparseTextStop = 'max-texts' | 'residual' | 'no-correlation' | 'pool-exhausted';

export interface SparseTextResult {
  /** the picked texts in pick order, each with its final coefficient */
  picks: SparseTextPick[];
  /** cos(y, Σ c_j t̂_j) after each pick */
  cosine: number[];
  /** ‖y − Σ c_j t̂_j‖ / ‖y‖ after the last pick */
  relativeResidual: number;
  stop: SparseTextStop;
}

/**
 * The pool as the pursuit reads it: unit rows in float64, centred first when asked. Build it once
 * and reuse it for many targets (a neuron atlas explains thousands of directions over one
 * vocabulary); `sparseTextDecomposition` builds one per call.
 */
export class SparseTextDictionary {
  readonly count: number;
  readonly width: number;
  /** unit rows [count × width] */
  readonly atoms: Float64Array;
  /** the mean of the unit texts, subtracted from every target when centred */
  readonly mean?: Float64Array;

  constructor(texts: Tensor<'M D', FloatArray>, { center = false }: { center?: boolean } = {}) {
    const [count, width] = texts.dims;
    this.count = count;
    this.width = width;
    this.atoms = new Float64Array(count * width);
    for (let j = 0; j < count; j++) normaliseRowInto(this.atoms, texts.data, j, width);
    if (center && count > 0) {
      const mean = new Float64Array(width);
      for (let j = 0; j < count; j++) for (let d = 0; d < width; d++) mean[d] += this.atoms[j * width + d] / count;
      for (let j = 0; j < count; j++) {
        for (let d = 0; d < width; d++) this.atoms[j * width + d] -= mean[d];
        normaliseRowInto(this.atoms, this.atoms, j, width);
      }
      this.mean = mean;
    }
  }

  /** the target as the pursuit matches it (centred like the texts) */
  target(target: ArrayLike<number>): Float64Array {
    if (target.length !== this.width) {
      throw new ShapeError(`sparse text decomposition: target has ${target.length} values, the texts have width ${this.width}`);
    }
    const y = Float64Array.from(target);
    if (this.mean) for (let d = 0; d < this.width; d++) y[d] -= this.mean[d];
    return y;
  }
}

function normaliseRowInto(out: Float64Array, src: ArrayLike<number>, row: number, width: number): void {
  let sq = 0;
  for (let d = 0; d < width; d++) sq += src[row * width + d] ** 2;
  const norm = Math.sqrt(sq);
  // a zero row (a text equal to the dictionary mean after centring) stays zero: it is never picked
  for (let d = 0; d < width; d++) out[row * width + d] = norm > 0 ? src[row * width + d] / norm : 0;
}

/** ⟨res, atoms[row]⟩ with four partial sums (the pursuit's hot loop: one pool scan per pick) */
function dotRow(res: Float64Array, atoms: Float64Array, offset: number, width: number): number {
  let a = 0, b = 0, c = 0, e = 0;
  let d = 0;
  for (; d + 3 < width; d += 4) {
    a += res[d] * atoms[offset + d];
    b += res[d + 1] * atoms[offset + d + 1];
    c += res[d + 2] * atoms[offset + d + 2];
    e += res[d + 3] * atoms[offset + d + 3];
  }
  for (; d < width; d++) a += res[d] * atoms[offset + d];
  return a + b + (c + e);
}

/** The unchosen row with the largest score; ties to the lowest index. −1 when no score is positive. */
function bestAtom(res: Float64Array, atoms: Float64Array, width: number, chosen: Set<number>, signed: boolean): number {
  let best = -1;
  let bestScore = 0;
  const count = atoms.length / width;
  for (let j = 0; j < count; j++) {
    if (chosen.has(j)) continue;
    const dot = dotRow(res, atoms, j * width, width);
    const score = signed ? dot : Math.abs(dot);
    if (score > bestScore) {
      bestScore = score;
      best = j;
    }
  }
  return best;
}

/** Least squares (or NNLS) coefficients of y over the chosen unit rows. */
function refit(y: Float64Array, atoms: Float64Array, width: number, picked: number[], nonnegative: boolean): number[] {
  const design = new Matrix(width, picked.length);
  for (let c = 0; c < picked.length; c++) {
    for (let d = 0; d < width; d++) design.set(d, c, atoms[picked[c] * width + d]);
  }
  if (nonnegative) return fcnnlsVector(design, Array.from(y), { gradientTolerance: 1e-12 }).K.to1DArray();
  return new QrDecomposition(design).solve(Matrix.columnVector(Array.from(y))).to1DArray();
}

export function sparseTextDecomposition(
  target: ArrayLike<number>,
  texts: Tensor<'M D', FloatArray> | SparseTextDictionary,
  options: SparseTextOptions = {},
): SparseTextResult {
  const { maxTexts, nonnegative, center } = { ...sparseTextDefaults, ...options };
  if (!Number.isInteger(maxTexts) || maxTexts < 1) {
    throw new RangeError(`sparse text decomposition: the number of texts must be a positive integer, got ${maxTexts}`);
  }
  if (texts instanceof SparseTextDictionary && Boolean(texts.mean) !== center) {
    throw new RangeError(`sparse text decomposition: the dictionary was built ${texts.mean ? 'centred' : 'uncentred'} but center is ${center}`);
  }
  const dictionary = texts instanceof SparseTextDictionary ? texts : new SparseTextDictionary(texts, { center });
  const { atoms, width } = dictionary;
  const y = dictionary.target(target);
  const yNorm = vecNorm(y);
  const picked: number[] = [];
  const chosen = new Set<number>();
  const cosine: number[] = [];
  let coefficients: number[] = [];
  const res = Float64Array.from(y);
  let resNorm = yNorm;
  let stop: SparseTextStop = 'max-texts';

  while (picked.length < maxTexts) {
    if (resNorm <= RESIDUAL_STOP * yNorm) {
      stop = 'residual';
      break;
    }
    if (chosen.size === atoms.length / width) {
      stop = 'pool-exhausted';
      break;
    }
    const next = bestAtom(res, atoms, width, chosen, nonnegative);
    if (next < 0) {
      stop = 'no-correlation';
      break;
    }
    picked.push(next);
    chosen.add(next);
    coefficients = refit(y, atoms, width, picked, nonnegative);
    const fit = new Float64Array(width);
    for (let c = 0; c < picked.length; c++) {
      for (let d = 0; d < width; d++) fit[d] += coefficients[c] * atoms[picked[c] * width + d];
    }
    let dotYFit = 0;
    for (let d = 0; d < width; d++) {
      res[d] = y[d] - fit[d];
      dotYFit += y[d] * fit[d];
    }
    resNorm = vecNorm(res);
    const fitNorm = vecNorm(fit);
    cosine.push(fitNorm > 0 && yNorm > 0 ? dotYFit / (yNorm * fitNorm) : 0);
  }
  if (picked.length === maxTexts && resNorm <= RESIDUAL_STOP * yNorm) stop = 'residual';
  return {
    picks: picked.map((index, c) => ({ index, coefficient: coefficients[c] })),
    cosine,
    relativeResidual: yNorm > 0 ? resNorm / yNorm : 0,
    stop,
  };
}
