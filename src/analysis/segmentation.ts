/**
 * Zero-shot foreground segmentation and its metrics, as METHOD §5.2:
 *   map(i) = s_i(c*) − mean_k s_i(k)  over patches, with s_i(k) = ⟨c_tok^i, w_k⟩ (all layers and
 *   heads); upsample ×p (bilinear); clip negatives; min–max over the image; foreground where the
 *   value exceeds the map's mean. A constant map (0/0 in the min–max) is all background.
 * Because s_i is linear in the class vector, the whole map is ONE scalar-path probe along
 * w_{c*} − mean_k w_k: no per-class pass over the image is needed.
 */
import { upsampleBilinear } from '../math/bilinear.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { patchMap, textProbe, tokenScores } from './heatmap.ts';
import type { HeadProjections, SpatialTerms } from './inputs.ts';

type F = Float32Array | Float64Array;

/** w_c − mean_k w_k for a classifier W [C, D]. */
export function segmentationDirection(classifier: Tensor<'C D', F>, cls: number): Float64Array {
  const [C, D] = classifier.dims;
  if (!Number.isInteger(cls) || cls < 0 || cls >= C) throw new RangeError(`class ${cls} is outside 0-${C - 1}`);
  const W = classifier.data;
  const dir = new Float64Array(D);
  for (let c = 0; c < C; c++) for (let k = 0; k < D; k++) dir[k] -= W[c * D + k] / C;
  for (let k = 0; k < D; k++) dir[k] += W[cls * D + k];
  return dir;
}

/** The [G, G] patch map s(c*) − mean over classes (steps 2–3), all layers and heads. */
export function segmentationScoreMap(
  image: SpatialTerms,
  model: HeadProjections,
  classifier: Tensor<'C D', F>,
  predictedClass: number,
): Tensor<'Y X', Float64Array> {
  const probe = textProbe(model, segmentationDirection(classifier, predictedClass));
  return patchMap(tokenScores(image, probe));
}

/**
 * Steps 4–5: upsample [G, G] to [S, S], clip negatives to 0, min–max normalise to [0, 1].
 * A constant map yields NaN everywhere (as the reference's 0/0).
 */
export function normalisedMap(map: Tensor<'Y X', F>, side: number): Tensor<'Y X', Float64Array> {
  const up = upsampleBilinear(map, side, side).data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < up.length; p++) {
    const v = Math.max(up[p], 0);
    up[p] = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (let p = 0; p < up.length; p++) up[p] = (up[p] - lo) / (hi - lo);
  return tensor('Y X', up, [side, side]);
}

/** Step 6: foreground (1) where the value is above the map's mean; a NaN map is all background. */
export function thresholdAtMean(norm: Tensor<'Y X', F>): Uint8Array {
  const v = norm.data;
  let mean = 0;
  for (let p = 0; p < v.length; p++) mean += v[p] / v.length;
  const mask = new Uint8Array(v.length);
  for (let p = 0; p < v.length; p++) mask[p] = v[p] > mean ? 1 : 0;
  return mask;
}

/** The whole per-image pipeline: score map [G, G], normalised map [S, S], foreground mask [S·S]. */
export function segmentImage(
  image: SpatialTerms,
  model: HeadProjections,
  classifier: Tensor<'C D', F>,
  predictedClass: number,
  side: number,
): { scoreMap: Tensor<'Y X', Float64Array>; normalised: Tensor<'Y X', Float64Array>; mask: Uint8Array } {
  const scoreMap = segmentationScoreMap(image, model, classifier, predictedClass);
  const normalised = normalisedMap(scoreMap, side);
  return { scoreMap, normalised, mask: thresholdAtMean(normalised) };
}

/**
 * Average precision as scikit-learn's `average_precision_score` for binary targets:
 * Σ_n (R_n − R_{n−1}) P_n over the distinct score thresholds in decreasing order (tied scores
 * enter together). NaN when there is no positive target or a score is NaN.
 */
export function averagePrecision(scores: ArrayLike<number>, targets: ArrayLike<number>): number {
  if (scores.length !== targets.length) throw new RangeError(`${scores.length} scores but ${targets.length} targets`);
  let nPos = 0;
  for (let j = 0; j < targets.length; j++) {
    if (targets[j] !== 0 && targets[j] !== 1) throw new RangeError(`target ${j} is ${targets[j]}, expected 0 or 1`);
    nPos += targets[j];
  }
  if (nPos === 0) return NaN;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(targets.length - nPos);
  for (let j = 0, a = 0, b = 0; j < targets.length; j++) {
    const s = scores[j];
    if (Number.isNaN(s)) return NaN;
    if (targets[j]) pos[a++] = s;
    else neg[b++] = s;
  }
  pos.sort();
  neg.sort();
  // walk both lists from the top, one distinct threshold at a time
  let ip = pos.length - 1;
  let ineg = neg.length - 1;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  while (ip >= 0) {
    const thr = Math.max(pos[ip], ineg >= 0 ? neg[ineg] : -Infinity);
    const tp0 = tp;
    while (ip >= 0 && pos[ip] === thr) { tp++; ip--; }
    while (ineg >= 0 && neg[ineg] === thr) { fp++; ineg--; }
    if (tp > tp0) ap += ((tp - tp0) / nPos) * (tp / (tp + fp));
  }
  return ap;
}

/**
 * AP of one image as the reference computes it: 2·S² samples, scores [1 − map, map] against
 * one-hot targets [gt == 0, gt == 1]; NaN (a constant map) counts as 0.
 */
export function segmentationAP(norm: Tensor<'Y X', F>, gt: Uint8Array): number {
  const n = norm.data.length;
  if (gt.length !== n) throw new RangeError(`mask has ${gt.length} pixels, map has ${n}`);
  const scores = new Float64Array(2 * n);
  const targets = new Uint8Array(2 * n);
  for (let p = 0; p < n; p++) {
    scores[p] = 1 - norm.data[p];
    targets[p] = gt[p] === 0 ? 1 : 0;
    scores[n + p] = norm.data[p];
    targets[n + p] = gt[p] === 1 ? 1 : 0;
  }
  const ap = averagePrecision(scores, targets);
  return Number.isNaN(ap) ? 0 : ap;
}

export interface SegmentationReport {
  readonly images: number;
  /** Σ correct pixels / Σ pixels */
  readonly pixelAccuracy: number;
  /** per class [background, foreground]: Σ intersection / Σ union over the dataset (0 if the union is empty) */
  readonly iou: readonly [number, number];
  readonly mIoU: number;
  /** mean over images of the per-image AP */
  readonly mAP: number;
}

/** Dataset-level segmentation metrics (pixel accuracy, mIoU with summed counts, mAP). */
export class SegmentationAccumulator {
  private images = 0;
  private correct = 0;
  private pixels = 0;
  private readonly inter = [0, 0];
  private readonly union = [0, 0];
  private apSum = 0;

  /** Add one image: its normalised map (step 5), and the ground-truth mask (0 = bg, 1 = fg) of the same size. */
  add(norm: Tensor<'Y X', F>, gt: Uint8Array): void {
    const pred = thresholdAtMean(norm);
    this.addMasks(pred, gt);
    this.apSum += segmentationAP(norm, gt);
    this.images++;
  }

  private addMasks(pred: Uint8Array, gt: Uint8Array): void {
    if (pred.length !== gt.length) throw new RangeError(`mask has ${gt.length} pixels, prediction has ${pred.length}`);
    for (let p = 0; p < gt.length; p++) {
      const g = gt[p];
      if (g !== 0 && g !== 1) throw new RangeError(`ground-truth pixel ${p} is ${g}, expected 0 or 1`);
      const q = pred[p];
      if (q === g) {
        this.correct++;
        this.inter[g]++;
        this.union[g]++;
      } else {
        this.union[0]++;
        this.union[1]++;
      }
    }
    this.pixels += gt.length;
  }

  report(): SegmentationReport {
    const iou: [number, number] = [0, 1].map((c) => (this.union[c] > 0 ? this.inter[c] / this.union[c] : 0)) as [number, number];
    return {
      images: this.images,
      pixelAccuracy: this.pixels > 0 ? this.correct / this.pixels : 0,
      iou,
      mIoU: (iou[0] + iou[1]) / 2,
      mAP: this.images > 0 ? this.apSum / this.images : 0,
    };
  }
}
