/**
 * Zero-shot classification (METHOD §3.1): a class vector is the normalised mean of the
 * normalised embeddings of its prompts (class name × template); logits are plain dot products
 * (no temperature, no re-normalisation of ablated image vectors: argmax is scale-invariant).
 */
import { tensor, type Tensor } from '../math/tensor.ts';
import { topK, type Ranked } from '../math/topk.ts';
import { vecArgmax, vecDot, vecNorm } from '../math/vector.ts';

type F = Float32Array | Float64Array;

/** W [C, D] from prompt embeddings [C, P, D] (P templates per class, any scale). */
export function zeroShotClassifier(prompts: Tensor<'C P D', F>): Tensor<'C D', Float64Array> {
  const [C, P, D] = prompts.dims;
  if (P < 1) throw new RangeError('zero-shot classifier needs at least one template per class');
  const out = new Float64Array(C * D);
  const x = prompts.data;
  for (let c = 0; c < C; c++) {
    const acc = out.subarray(c * D, (c + 1) * D);
    for (let p = 0; p < P; p++) {
      const off = (c * P + p) * D;
      const n = Math.sqrt(vecDot(x, x, D, off, off));
      if (!(n > 0)) throw new RangeError(`prompt embedding ${p} of class ${c} has norm ${n}`);
      for (let k = 0; k < D; k++) acc[k] += x[off + k] / n;
    }
    const n = vecNorm(acc);
    if (!(n > 0)) throw new RangeError(`class ${c}: its prompt embeddings average to zero`);
    for (let k = 0; k < D; k++) acc[k] /= n;
  }
  return tensor('C D', out, [C, D]);
}

/** logits[c] = ⟨y, W[c]⟩ for an image vector y [D] (original or ablated). */
export function classLogits(W: Tensor<'C D', F>, y: ArrayLike<number>): Float64Array {
  const [C, D] = W.dims;
  if (y.length !== D) throw new RangeError(`image vector has ${y.length} entries, classifier expects ${D}`);
  const out = new Float64Array(C);
  for (let c = 0; c < C; c++) out[c] = vecDot(W.data, y, D, c * D, 0);
  return out;
}

/** Predicted class (first index on ties, as torch.argmax). */
export function predictClass(logits: ArrayLike<number>): number {
  return vecArgmax(logits);
}

/** The k best classes, best first (ties: lower class index first). */
export function topClasses(logits: ArrayLike<number>, k: number): Ranked[] {
  return topK(logits, k);
}

export interface GroupAccuracy {
  readonly group: number;
  readonly count: number;
  readonly top1: number;
}

export interface AccuracyReport {
  readonly count: number;
  /** fraction in [0, 1]; NaN when nothing was counted */
  readonly top1: number;
  readonly top5: number;
  /** per group, sorted by group id (empty when no groups were given) */
  readonly groups: readonly GroupAccuracy[];
  /** the group with the lowest top-1 (lowest id on ties); null without groups */
  readonly worstGroup: GroupAccuracy | null;
}

/** Streaming top-1 / top-5 / per-group accuracy. */
export class AccuracyCounter {
  private n = 0;
  private hit1 = 0;
  private hit5 = 0;
  private readonly groupHits = new Map<number, { count: number; hits: number }>();

  /** Count one image from its logits; `group` is optional (e.g. Waterbirds' (label, place) id). */
  add(logits: ArrayLike<number>, label: number, group?: number): void {
    const top = topK(logits, 5);
    const correct1 = top.length > 0 && top[0].index === label;
    this.n++;
    if (correct1) this.hit1++;
    if (top.some((r) => r.index === label)) this.hit5++;
    if (group !== undefined) {
      const g = this.groupHits.get(group) ?? { count: 0, hits: 0 };
      g.count++;
      if (correct1) g.hits++;
      this.groupHits.set(group, g);
    }
  }

  report(): AccuracyReport {
    const groups = [...this.groupHits.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([group, g]) => ({ group, count: g.count, top1: g.hits / g.count }));
    let worstGroup: GroupAccuracy | null = null;
    for (const g of groups) if (worstGroup === null || g.top1 < worstGroup.top1) worstGroup = g;
    return { count: this.n, top1: this.hit1 / this.n, top5: this.hit5 / this.n, groups, worstGroup };
  }
}
