/**
 * Per-neuron summaries over a set of images (METHOD §9, "per-neuron summaries"): the mean norm of
 * each neuron's effect φ_n, its top images by ‖φ_n(I)‖ with their effect vectors, and its
 * direction d_n — the top right singular vector of the uncentred k×D matrix of its top images'
 * effects, signed so the mean projection is positive, with the share of the squared norm it
 * explains. Memory is M·k·D floats whatever the number of images; the state can be saved and
 * restored so a long run resumes.
 */
import { matmulTransB } from '../math/linalg.ts';
import { symmetricEigen } from '../math/symmetricEigen.ts';
import { ShapeError, tensor } from '../math/tensor.ts';

export interface TopImage {
  /** position of the image in the run's image list */
  readonly image: number;
  readonly norm: number;
  /** φ_n for that image [D] */
  readonly effect: Float32Array;
}

export interface NeuronDirection {
  /** d_n, unit length [D] */
  readonly direction: Float64Array;
  /** σ₁² / Σ_j ‖φ_n(I_j)‖² over the top images */
  readonly share: number;
}

/** What a saved accumulator holds (vectors travel separately as one Float32Array). */
export interface NeuronTopImagesState {
  readonly neurons: number;
  readonly width: number;
  readonly k: number;
  readonly imagesSeen: number;
  readonly normSums: number[];
  /** per neuron: [image, norm] of its top images, best first */
  readonly top: [number, number][][];
}

export class NeuronTopImages {
  private readonly top: TopImage[][];
  private readonly normSums: Float64Array;
  private seen = 0;

  constructor(
    readonly neurons: number,
    readonly width: number,
    /** top images kept per neuron */
    readonly k: number,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`top images per neuron must be a positive integer, got ${k}`);
    this.top = Array.from({ length: neurons }, () => []);
    this.normSums = new Float64Array(neurons);
  }

  get imagesSeen(): number {
    return this.seen;
  }

  /** Adds one image's effects [M, D] (row n = φ_n). Images must come in increasing `image` order. */
  add(image: number, effects: ArrayLike<number>): void {
    const { neurons: M, width: D } = this;
    if (effects.length !== M * D) throw new ShapeError(`neuron effects: expected [${M}, ${D}], got ${effects.length} values`);
    for (let n = 0; n < M; n++) {
      let sq = 0;
      for (let d = 0; d < D; d++) sq += effects[n * D + d] ** 2;
      const norm = Math.sqrt(sq);
      this.normSums[n] += norm;
      const list = this.top[n];
      // ties keep the earlier image (it came first), so the result does not depend on batching
      if (list.length === this.k && norm <= list[list.length - 1].norm) continue;
      let at = list.length;
      while (at > 0 && list[at - 1].norm < norm) at--;
      const effect = Float32Array.from({ length: D }, (_, d) => effects[n * D + d]);
      list.splice(at, 0, { image, norm, effect });
      if (list.length > this.k) list.pop();
    }
    this.seen++;
  }

  /** mean of ‖φ_n‖ over every image added */
  meanNorms(): Float64Array {
    return this.normSums.map((s) => (this.seen > 0 ? s / this.seen : 0));
  }

  topImages(neuron: number): readonly TopImage[] {
    return this.top[neuron];
  }

  direction(neuron: number): NeuronDirection {
    return neuronDirection(this.top[neuron].map((t) => t.effect), this.width);
  }

  saveState(): { state: NeuronTopImagesState; vectors: Float32Array } {
    const count = this.top.reduce((s, l) => s + l.length, 0);
    const vectors = new Float32Array(count * this.width);
    let offset = 0;
    for (const list of this.top) {
      for (const t of list) {
        vectors.set(t.effect, offset);
        offset += this.width;
      }
    }
    const state: NeuronTopImagesState = {
      neurons: this.neurons,
      width: this.width,
      k: this.k,
      imagesSeen: this.seen,
      normSums: Array.from(this.normSums),
      top: this.top.map((list) => list.map((t) => [t.image, t.norm] as [number, number])),
    };
    return { state, vectors };
  }

  static restore(state: NeuronTopImagesState, vectors: Float32Array): NeuronTopImages {
    const acc = new NeuronTopImages(state.neurons, state.width, state.k);
    const count = state.top.reduce((s, l) => s + l.length, 0);
    if (state.top.length !== state.neurons || state.normSums.length !== state.neurons || vectors.length !== count * state.width) {
      throw new ShapeError(`saved neuron state is inconsistent: ${state.top.length} lists, ${vectors.length} values for ${count} vectors of ${state.width}`);
    }
    let offset = 0;
    state.top.forEach((list, n) => {
      for (const [image, norm] of list) {
        acc.top[n].push({ image, norm, effect: vectors.slice(offset, offset + state.width) });
        offset += state.width;
      }
    });
    acc.normSums.set(state.normSums);
    acc.seen = state.imagesSeen;
    return acc;
  }
}

/**
 * Top right singular vector of the rows (uncentred), through the smaller k×k Gram: with u the top
 * eigenvector of A·Aᵀ, d = Aᵀu/σ₁. Signed so that the mean of the rows' projections is positive.
 */
export function neuronDirection(rows: readonly ArrayLike<number>[], width: number): NeuronDirection {
  const k = rows.length;
  if (k === 0) return { direction: new Float64Array(width), share: 0 };
  const a = new Float64Array(k * width);
  rows.forEach((r, i) => a.set(Array.from(r), i * width));
  const matrix = tensor('K D', a, [k, width]);
  const { values, vectors } = symmetricEigen(matmulTransB(matrix, matrix, 'K K'), { count: 1 });
  const total = a.reduce((s, x) => s + x * x, 0);
  const direction = new Float64Array(width);
  for (let i = 0; i < k; i++) for (let d = 0; d < width; d++) direction[d] += a[i * width + d] * vectors.data[i];
  const norm = Math.hypot(...direction);
  if (norm === 0) return { direction, share: 0 };
  let meanProjection = 0;
  for (let d = 0; d < width; d++) direction[d] /= norm;
  for (let i = 0; i < k; i++) for (let d = 0; d < width; d++) meanProjection += a[i * width + d] * direction[d];
  if (meanProjection < 0) for (let d = 0; d < width; d++) direction[d] = -direction[d];
  return { direction, share: total > 0 ? Math.max(0, values[0]) / total : 0 };
}
