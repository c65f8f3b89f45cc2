/**
 * The TEXTSPAN reconstruction check of METHOD 4.5: every head of the analysed layers is replaced
 * by its TEXTSPAN reconstruction (mean + projection onto the chosen texts), every head of the other
 * layers is mean-ablated, the embedding term and all MLP terms are kept; the sum is classified.
 * The per-image sums are accumulated component by component in float64 [K, D], so heads can be
 * streamed one at a time (a head's [K, D] matrix is never needed twice).
 */
import { tensor, type Tensor } from '../math/tensor.ts';
import { AccuracyCounter, classLogits, type AccuracyReport } from './zeroshot.ts';

type F = Float32Array | Float64Array;

export class ImageSumAccumulator {
  private readonly sum: Float64Array;

  constructor(readonly images: number, readonly dim: number) {
    this.sum = new Float64Array(images * dim);
  }

  /** adds a per-image component [K, D] (a kept term, or a head's reconstruction) */
  addPerImage(component: Tensor<string, F>): void {
    const [K, D] = component.dims;
    if (K !== this.images || D !== this.dim) {
      throw new RangeError(`component is [${component.dims.join(', ')}], expected [${this.images}, ${this.dim}]`);
    }
    const x = component.data;
    for (let i = 0; i < this.sum.length; i++) this.sum[i] += x[i];
  }

  /** adds the component's mean over the images to every image (mean-ablation) */
  addMeanOf(component: Tensor<string, F>): void {
    const [K, D] = component.dims;
    if (K !== this.images || D !== this.dim) {
      throw new RangeError(`component is [${component.dims.join(', ')}], expected [${this.images}, ${this.dim}]`);
    }
    const mean = new Float64Array(D);
    for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) mean[d] += component.data[k * D + d] / K;
    for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) this.sum[k * D + d] += mean[d];
  }

  result(): Tensor<'K D', Float64Array> {
    return tensor('K D', this.sum.slice(), [this.images, this.dim]);
  }
}

/** top-1/top-5 of image vectors [K, D] under a classifier W [C, D]; `labels[k] < 0` = not evaluated */
export function accuracyOf(vectors: Tensor<'K D', F>, classifier: Tensor<'C D', F>, labels: ArrayLike<number>, groups?: ArrayLike<number>): AccuracyReport {
  const [K, D] = vectors.dims;
  const counter = new AccuracyCounter();
  for (let k = 0; k < K; k++) {
    if (labels[k] < 0) continue;
    const logits = classLogits(classifier, vectors.data.subarray(k * D, (k + 1) * D));
    counter.add(logits, labels[k], groups && groups[k] >= 0 ? groups[k] : undefined);
  }
  return counter.report();
}
