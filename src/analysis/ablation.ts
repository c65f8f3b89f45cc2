/**
 * Mean-ablation (METHOD §3.2): replace a set S of components of each image by their mean over a
 * dataset, y = Σ_{ω∉S} c_ω + Σ_{ω∈S} mean(c_ω), and classify y zero-shot.
 *
 * Components (all in the joint space, from ImageComponents): the embedding term, each MLP term,
 * each head term, each layer's class→class cell, each attention-layer term (= Σ_h head terms,
 * so its mean is the sum of the head means). We evaluate y as
 *   y = û − Σ_{ω∈S} (c_ω − mean c_ω)
 * which equals the definition because û = Σ_ω c_ω; ablating nothing then returns û exactly.
 *
 * Overlaps: a whole-layer item subsumes that layer's head and class→class items. Head items and
 * a class→class item in the same (not wholly ablated) layer are refused: the class→class term
 * is only stored summed over heads, so the class cells of the ablated heads would be counted
 * twice. (For class→class ablation the class token's cell is replaced and the rest of each head
 * is kept.)
 */
import { tensor, type Tensor } from '../math/tensor.ts';
import {
  AblationSyntaxError,
  expandRange,
  formatAblationItem,
  parseAblation,
  type AblationSpec,
} from './ablationSyntax.ts';
import type { HeadGrid, ImageComponents } from './inputs.ts';
import { AccuracyCounter, classLogits, type AccuracyReport } from './zeroshot.ts';

type F = Float32Array | Float64Array;

/** Dataset means of every component (float64). */
export interface ComponentMeans {
  readonly count: number;
  readonly embedTerm: Tensor<'D', Float64Array>;
  readonly mlp: Tensor<'L D', Float64Array>;
  readonly heads: Tensor<'L H D', Float64Array>;
  readonly classClass: Tensor<'L D', Float64Array>;
  /** attention-layer terms: Σ_h of the head means */
  readonly layers: Tensor<'L D', Float64Array>;
}

function checkDims(t: Tensor<string, F>, want: readonly number[], what: string): void {
  if (t.dims.length !== want.length || t.dims.some((d, i) => d !== want[i])) {
    throw new RangeError(`${what} has dims [${t.dims.join(', ')}], expected [${want.join(', ')}]`);
  }
}

function checkImage(img: ImageComponents, L: number, H: number, D: number): void {
  checkDims(img.embedding, [D], 'embedding');
  checkDims(img.embedTerm, [D], 'embedTerm');
  checkDims(img.mlp, [L, D], 'mlp');
  checkDims(img.heads, [L, H, D], 'heads');
  checkDims(img.classClass, [L, D], 'classClass');
}

/**
 * Streaming component means in constant memory: float64 running sums of every component,
 * O(L·H·D) whatever the number of images. Accumulators over disjoint shards can be merged.
 */
export class ComponentMeanAccumulator {
  private n = 0;
  private readonly embedSum: Float64Array;
  private readonly mlpSum: Float64Array;
  private readonly headSum: Float64Array;
  private readonly ccSum: Float64Array;

  constructor(readonly grid: HeadGrid & { readonly dim: number }) {
    const { layers: L, heads: H, dim: D } = grid;
    this.embedSum = new Float64Array(D);
    this.mlpSum = new Float64Array(L * D);
    this.headSum = new Float64Array(L * H * D);
    this.ccSum = new Float64Array(L * D);
  }

  get count(): number {
    return this.n;
  }

  add(img: ImageComponents): void {
    const { layers: L, heads: H, dim: D } = this.grid;
    checkImage(img, L, H, D);
    addInto(this.embedSum, img.embedTerm.data);
    addInto(this.mlpSum, img.mlp.data);
    addInto(this.headSum, img.heads.data);
    addInto(this.ccSum, img.classClass.data);
    this.n++;
  }

  merge(other: ComponentMeanAccumulator): void {
    const a = this.grid;
    const b = other.grid;
    if (a.layers !== b.layers || a.heads !== b.heads || a.dim !== b.dim) {
      throw new RangeError('cannot merge mean accumulators of different model shapes');
    }
    addInto(this.embedSum, other.embedSum);
    addInto(this.mlpSum, other.mlpSum);
    addInto(this.headSum, other.headSum);
    addInto(this.ccSum, other.ccSum);
    this.n += other.n;
  }

  means(): ComponentMeans {
    if (this.n === 0) throw new RangeError('no images were added: the means are undefined');
    const { layers: L, heads: H, dim: D } = this.grid;
    const inv = 1 / this.n;
    const scaled = (s: Float64Array) => s.map((v) => v * inv);
    const heads = scaled(this.headSum);
    const layers = new Float64Array(L * D);
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const off = (l * H + h) * D;
        for (let k = 0; k < D; k++) layers[l * D + k] += heads[off + k];
      }
    }
    return {
      count: this.n,
      embedTerm: tensor('D', scaled(this.embedSum), [D]),
      mlp: tensor('L D', scaled(this.mlpSum), [L, D]),
      heads: tensor('L H D', heads, [L, H, D]),
      classClass: tensor('L D', scaled(this.ccSum), [L, D]),
      layers: tensor('L D', layers, [L, D]),
    };
  }
}

function addInto(acc: Float64Array, x: ArrayLike<number>): void {
  for (let k = 0; k < acc.length; k++) acc[k] += x[k];
}

/** A resolved ablation set for one model: flags per component, overlaps settled. */
export interface AblationSelection {
  readonly layers: number;
  readonly heads: number;
  readonly embed: boolean;
  /** [L] MLP term ablated */
  readonly mlp: Uint8Array;
  /** [L] whole attention layer ablated (its head / class→class flags are then 0) */
  readonly layer: Uint8Array;
  /** [L·H] head ablated, index l·H + h */
  readonly head: Uint8Array;
  /** [L] class→class cell ablated */
  readonly classClass: Uint8Array;
  /**
   * MLP neurons switched off (METHOD §9): their second-order effect is replaced by its mean, through
   * the later heads that are not ablated themselves (neuronAblation.ts); sorted by layer, neuron
   */
  readonly neurons: readonly { readonly layer: number; readonly neuron: number }[];
}

/** Check a spec (or its text) against a model's layer/head counts and settle overlaps. */
export function resolveAblation(spec: AblationSpec | string, grid: HeadGrid): AblationSelection {
  const items = typeof spec === 'string' ? parseAblation(spec) : spec;
  const { layers: L, heads: H } = grid;
  const sel = {
    layers: L,
    heads: H,
    embed: false,
    mlp: new Uint8Array(L),
    layer: new Uint8Array(L),
    head: new Uint8Array(L * H),
    classClass: new Uint8Array(L),
    neurons: [] as { layer: number; neuron: number }[],
  };
  const headItem = new Map<number, string>();
  const ccItem = new Map<number, string>();
  for (const it of items) {
    switch (it.kind) {
      case 'embed':
        sel.embed = true;
        break;
      case 'mlp':
        for (const l of expandRange(it.layers, L, 'layer', it)) sel.mlp[l] = 1;
        break;
      case 'layer':
        for (const l of expandRange(it.layers, L, 'layer', it)) sel.layer[l] = 1;
        break;
      case 'cc':
        for (const l of expandRange(it.layers, L, 'layer', it)) {
          sel.classClass[l] = 1;
          ccItem.set(l, formatAblationItem(it));
        }
        break;
      case 'heads': {
        const hs = expandRange(it.heads, H, 'head', it);
        for (const l of expandRange(it.layers, L, 'layer', it)) {
          for (const h of hs) sel.head[l * H + h] = 1;
          headItem.set(l, formatAblationItem(it));
        }
        break;
      }
      case 'neurons': {
        const text = formatAblationItem(it);
        if (grid.mlpWidth === undefined) {
          throw new AblationSyntaxError(
            `'${text}' switches neurons off, which needs each image's neuron effects (METHOD §9): the explorer's what-if view computes them; cached head and layer terms do not hold them`,
            text,
            -1,
          );
        }
        const ns = expandRange(it.neurons, grid.mlpWidth, 'neuron', it);
        for (const l of expandRange(it.layers, L, 'layer', it)) {
          if (l === L - 1) {
            throw new AblationSyntaxError(`'${text}' names layer ${l}, the last: no later heads carry its neurons' effects (METHOD §9)`, text, -1);
          }
          for (const n of ns) sel.neurons.push({ layer: l, neuron: n });
        }
        break;
      }
    }
  }
  const seen = new Set<string>();
  sel.neurons = sel.neurons
    .filter((x) => !seen.has(`${x.layer}.${x.neuron}`) && Boolean(seen.add(`${x.layer}.${x.neuron}`)))
    .sort((a, b) => a.layer - b.layer || a.neuron - b.neuron);
  for (let l = 0; l < L; l++) {
    if (sel.layer[l]) {
      sel.classClass[l] = 0;
      sel.head.fill(0, l * H, (l + 1) * H);
    } else if (sel.classClass[l] && headItem.has(l)) {
      throw new AblationSyntaxError(
        `'${ccItem.get(l)}' and '${headItem.get(l)}' overlap in layer ${l}: class→class terms are stored summed ` +
          `over heads, so they cannot be combined with head ablations of the same layer; ablate the whole layer (L${l}) instead`,
        `${ccItem.get(l)},${headItem.get(l)}`,
        -1,
      );
    }
  }
  return sel;
}

/** The mean-ablated image vector y [D] (float64) of METHOD §3.2. */
export function ablatedEmbedding(img: ImageComponents, means: ComponentMeans, sel: AblationSelection): Float64Array {
  const L = sel.layers;
  const H = sel.heads;
  const D = img.embedding.dims[0];
  checkImage(img, L, H, D);
  checkDims(means.heads, [L, H, D], 'mean heads');
  const y = Float64Array.from(img.embedding.data);
  // y −= (c − mean c) for each ablated component
  const swap = (c: ArrayLike<number>, cOff: number, m: Float64Array, mOff: number) => {
    for (let k = 0; k < D; k++) y[k] += m[mOff + k] - c[cOff + k];
  };
  if (sel.embed) swap(img.embedTerm.data, 0, means.embedTerm.data, 0);
  for (let l = 0; l < L; l++) {
    if (sel.mlp[l]) swap(img.mlp.data, l * D, means.mlp.data, l * D);
    if (sel.layer[l]) {
      for (let h = 0; h < H; h++) {
        const off = (l * H + h) * D;
        for (let k = 0; k < D; k++) y[k] -= img.heads.data[off + k];
      }
      for (let k = 0; k < D; k++) y[k] += means.layers.data[l * D + k];
      continue;
    }
    for (let h = 0; h < H; h++) {
      if (sel.head[l * H + h]) swap(img.heads.data, (l * H + h) * D, means.heads.data, (l * H + h) * D);
    }
    if (sel.classClass[l]) swap(img.classClass.data, l * D, means.classClass.data, l * D);
  }
  return y;
}

/** The ablation sets of METHOD §3.2's table. */
export const REFERENCE_ABLATIONS = {
  /** every MLP term and the embedding term */
  mlp: 'mlp,embed',
  /** every layer's class→class cell */
  classClass: 'cc',
  /** both of the above */
  both: 'mlp,embed,cc',
} as const;

/**
 * The cumulative MSA sweep: L+1 sets, the first empty (unablated), then attention layers
 * 0..ℓ₀ for ℓ₀ = 0..L−1 (MLPs and the embedding term intact).
 */
export function msaSweepSpecs(layers: number): AblationSpec[] {
  const out: AblationSpec[] = [[]];
  for (let l0 = 0; l0 < layers; l0++) out.push([{ kind: 'layer', layers: { from: 0, to: l0 } }]);
  return out;
}

export interface LabelledComponents {
  readonly image: ImageComponents;
  readonly label: number;
  /** optional group id (e.g. Waterbirds' (label, place)) for per-group accuracy */
  readonly group?: number;
}

/** Zero-shot accuracy of several ablation sets in one streaming pass over the images. */
export class AblationEvaluator {
  private readonly counters: AccuracyCounter[];

  constructor(
    private readonly classifier: Tensor<'C D', F>,
    private readonly means: ComponentMeans,
    private readonly selections: readonly AblationSelection[],
  ) {
    this.counters = selections.map(() => new AccuracyCounter());
  }

  add(item: LabelledComponents): void {
    this.selections.forEach((sel, j) => {
      const y = ablatedEmbedding(item.image, this.means, sel);
      this.counters[j].add(classLogits(this.classifier, y), item.label, item.group);
    });
  }

  reports(): AccuracyReport[] {
    return this.counters.map((c) => c.report());
  }
}

/** ablation sets, or a function of the model's layer/head counts that gives them */
export type AblationSpecs = readonly (AblationSpec | string)[] | ((grid: HeadGrid) => readonly (AblationSpec | string)[]);

/**
 * The reference protocol's two passes, fed one item at a time, so one implementation serves a
 * synchronous dataset (runMeanAblation) and an asynchronous one (runMeanAblationAsync, the CLI's
 * cache reader): means over the images, then every image under every ablation set.
 */
class MeanAblationRun {
  private acc: ComponentMeanAccumulator | null = null;
  private evaluator: AblationEvaluator | null = null;
  private evaluated = 0;

  constructor(
    private readonly classifier: Tensor<'C D', F>,
    private readonly specs: AblationSpecs,
  ) {}

  addToMeans(item: LabelledComponents): void {
    const [L, H, D] = item.image.heads.dims;
    this.acc ??= new ComponentMeanAccumulator({ layers: L, heads: H, dim: D });
    this.acc.add(item.image);
  }

  evaluate(item: LabelledComponents): void {
    if (!this.evaluator) {
      if (this.acc === null) throw new RangeError('mean-ablation needs at least one image');
      const grid = this.acc.grid;
      const sels = (typeof this.specs === 'function' ? this.specs(grid) : this.specs).map((s) => resolveAblation(s, grid));
      this.evaluator = new AblationEvaluator(this.classifier, this.acc.means(), sels);
    }
    this.evaluator.add(item);
    this.evaluated++;
  }

  reports(): AccuracyReport[] {
    if (this.acc === null) throw new RangeError('mean-ablation needs at least one image');
    if (this.evaluated !== this.acc.count) {
      throw new RangeError(
        `the dataset gave ${this.acc.count} images for the means but ${this.evaluated} for evaluation: pass a re-iterable dataset`,
      );
    }
    return this.evaluator!.reports();
  }
}

/**
 * The reference protocol on a re-iterable dataset (an array, or an object whose iterator starts
 * over each time): means over the same images that are evaluated (METHOD §3.2), then one report
 * per ablation set, in the order given. `specs` may be a function of the model's layer/head counts.
 */
export function runMeanAblation(dataset: Iterable<LabelledComponents>, classifier: Tensor<'C D', F>, specs: AblationSpecs): AccuracyReport[] {
  const run = new MeanAblationRun(classifier, specs);
  for (const item of dataset) run.addToMeans(item);
  for (const item of dataset) run.evaluate(item);
  return run.reports();
}

/** runMeanAblation over a dataset read asynchronously (each pass iterates it afresh); sync datasets work too */
export async function runMeanAblationAsync(
  dataset: Iterable<LabelledComponents> | AsyncIterable<LabelledComponents>,
  classifier: Tensor<'C D', F>,
  specs: AblationSpecs,
): Promise<AccuracyReport[]> {
  const run = new MeanAblationRun(classifier, specs);
  for await (const item of dataset) run.addToMeans(item);
  for await (const item of dataset) run.evaluate(item);
  return run.reports();
}

/** Top-1 accuracies of the cumulative MSA sweep: L+1 numbers, unablated first. */
export function msaSweepAccuracies(dataset: Iterable<LabelledComponents>, classifier: Tensor<'C D', F>): number[] {
  return runMeanAblation(dataset, classifier, (grid) => msaSweepSpecs(grid.layers)).map((r) => r.top1);
}
