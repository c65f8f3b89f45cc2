/**
 * The explorer's view of MLP neurons (METHOD §9): for one layer at a time, every loaded image's
 * neuron effects φ_n (from the image graph with `neuronLayer`) and the per-token factors behind
 * them; neurons ranked by their mean effect norm, a neuron's top images, direction and words
 * (METHOD §10 over the loaded description pool), and its token map. Runs in the worker.
 */
import { neuronHeadRows, neuronHeadScalars, neuronSwitchOffDelta } from '../analysis/neuronAblation.ts';
import { neuronDirection } from '../analysis/neuronSummary.ts';
import { neuronProbe, neuronTokenScores, type NeuronConstants, type NeuronFactors } from '../analysis/neuronTokens.ts';
import { neuronLabel } from '../analysis/partNames.ts';
import { SparseTextDictionary, sparseTextDecomposition } from '../analysis/sparseText.ts';
import type { NeuronPanel, NeuronRanking, ProgressCallback } from '../api/explorer.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { visionGrid } from '../model/arch.ts';
import type { ClipEngine } from '../model/engine.ts';

interface NeuronImage {
  /** φ_n rows [M, D] */
  readonly effects: Float32Array;
  /** ‖φ_n‖ [M] */
  readonly norms: Float32Array;
  readonly factors: NeuronFactors;
}

export interface NeuronSources {
  /** the loaded images in load order */
  images(): readonly { id: string; name: string }[];
  /** preprocessed pixels of one image */
  pixels(id: string): Promise<Tensor<string, Float32Array>>;
}

export class NeuronExplorer {
  /** per layer, per image id */
  private readonly perLayer = new Map<number, Map<string, NeuronImage>>();
  private readonly constants = new Map<number, Promise<NeuronConstants>>();

  constructor(
    private readonly engine: ClipEngine,
    private readonly sources: NeuronSources,
  ) {}

  private get arch() {
    return this.engine.checkpoint.vision;
  }

  private checkLayer(layer: number): void {
    const L = this.arch.layers;
    if (!Number.isInteger(layer) || layer < 0 || layer >= L - 1) {
      throw new RangeError(
        layer === L - 1
          ? `layer ${layer} is the last layer: no later attention heads carry its neurons' effects (METHOD §9); pick 0-${L - 2}`
          : `layer ${layer} is not a layer with neuron effects (0-${L - 2})`,
      );
    }
  }

  private checkNeuron(neuron: number): void {
    const M = this.arch.mlpWidth;
    if (!Number.isInteger(neuron) || neuron < 0 || neuron >= M) throw new RangeError(`neuron ${neuron} is outside 0-${M - 1}`);
  }

  /** the effects of every loaded image for `layer` (computed for images that lack them) */
  private async ensure(layer: number, onProgress?: ProgressCallback): Promise<{ id: string; name: string; data: NeuronImage }[]> {
    this.checkLayer(layer);
    let perImage = this.perLayer.get(layer);
    if (!perImage) this.perLayer.set(layer, (perImage = new Map()));
    const images = this.sources.images();
    const live = new Set(images.map((i) => i.id));
    for (const id of perImage.keys()) if (!live.has(id)) perImage.delete(id);
    const missing = images.filter((i) => !perImage.has(i.id));
    const M = this.arch.mlpWidth;
    const D = this.arch.embedDim;
    let done = 0;
    for (const img of missing) {
      onProgress?.({ done, total: missing.length, phase: `neuron effects of layer ${layer}` });
      const parts = await this.engine.decompose(await this.sources.pixels(img.id), { neuronLayer: layer });
      const effects = Float32Array.from(parts.neuron_effects.data);
      const norms = new Float32Array(M);
      for (let n = 0; n < M; n++) {
        let sq = 0;
        for (let d = 0; d < D; d++) sq += effects[n * D + d] ** 2;
        norms[n] = Math.sqrt(sq);
      }
      const post = parts.neuron_post;
      const weights = parts.neuron_token_weights;
      perImage.set(img.id, {
        effects,
        norms,
        factors: {
          post: tensor('T U', Float32Array.from(post.data), post.dims as number[]),
          tokenWeights: tensor('K H T', Float32Array.from(weights.data), weights.dims as number[]),
        },
      });
      done++;
    }
    if (missing.length > 0) onProgress?.({ done, total: missing.length, phase: `neuron effects of layer ${layer}` });
    return images.map((i) => ({ ...i, data: perImage.get(i.id)! }));
  }

  private neuronConstants(layer: number): Promise<NeuronConstants> {
    let c = this.constants.get(layer);
    if (!c) {
      c = this.engine.neuronProjections(layer).then((t) => ({
        q: t.neuron_q as Tensor<'K H U E'>,
        out: t.neuron_out as Tensor<'K H E D'>,
      }));
      c.catch(() => this.constants.delete(layer));
      this.constants.set(layer, c);
    }
    return c;
  }

  async ranking(layer: number, onProgress?: ProgressCallback): Promise<NeuronRanking> {
    const images = await this.ensure(layer, onProgress);
    if (images.length === 0) throw new RangeError('add images first: neurons are ranked by their effect on the loaded images');
    const M = this.arch.mlpWidth;
    const neurons = Array.from({ length: M }, (_, n) => {
      let sum = 0;
      let max = 0;
      for (const img of images) {
        sum += img.data.norms[n];
        max = Math.max(max, img.data.norms[n]);
      }
      return { neuron: n, label: neuronLabel(layer, n), meanNorm: sum / images.length, maxNorm: max };
    });
    neurons.sort((a, b) => b.meanNorm - a.meanNorm || a.neuron - b.neuron);
    return { layer, mlpWidth: M, images: images.length, neurons };
  }

  /** a neuron's top images, its direction over them and (with a pool) its words */
  async panel(
    layer: number,
    neuron: number,
    pool: { texts: readonly string[]; dictionary: SparseTextDictionary } | undefined,
    k = 8,
    maxTexts = 10,
  ): Promise<NeuronPanel & { direction: Float64Array }> {
    this.checkNeuron(neuron);
    const images = await this.ensure(layer);
    const D = this.arch.embedDim;
    const ranked = images
      .map((img) => ({ id: img.id, name: img.name, norm: img.data.norms[neuron], effect: img.data.effects.subarray(neuron * D, (neuron + 1) * D) }))
      .sort((a, b) => b.norm - a.norm);
    const top = ranked.slice(0, k);
    const { direction, share } = neuronDirection(top.map((t) => t.effect), D);
    const explained = pool ? sparseTextDecomposition(direction, pool.dictionary, { maxTexts }) : undefined;
    const meanNorm = ranked.reduce((s, r) => s + r.norm, 0) / Math.max(1, ranked.length);
    return {
      layer,
      neuron,
      label: neuronLabel(layer, neuron),
      meanNorm,
      topImages: top.map((t) => ({ id: t.id, name: t.name, norm: t.norm })),
      directionShare: share,
      texts: explained?.picks.map((p) => ({ index: p.index, text: pool!.texts[p.index], coefficient: p.coefficient })) ?? [],
      cosine: explained?.cosine ?? [],
      direction,
    };
  }

  /** the effect φ_n of one neuron on one image [D] */
  async effect(imageId: string, layer: number, neuron: number): Promise<Float32Array> {
    this.checkNeuron(neuron);
    const images = await this.ensure(layer);
    const img = images.find((i) => i.id === imageId);
    if (!img) throw new RangeError(`no image '${imageId}' is loaded`);
    const D = this.arch.embedDim;
    return img.data.effects.slice(neuron * D, (neuron + 1) * D);
  }

  /**
   * What switching `neurons` off adds to each loaded image's (head/layer-ablated) embedding: their
   * effects replaced by their means through the later heads that `headOff` leaves on
   * (analysis/neuronAblation.ts says why that is the rule).
   */
  async switchOffDeltas(neurons: readonly { layer: number; neuron: number }[], headOff: Uint8Array): Promise<Map<string, Float64Array>> {
    const D = this.arch.embedDim;
    const H = this.arch.heads;
    const deltas = new Map<string, Float64Array>();
    for (const layer of [...new Set(neurons.map((x) => x.layer))]) {
      const images = await this.ensure(layer);
      const constants = await this.neuronConstants(layer);
      for (const { neuron } of neurons.filter((x) => x.layer === layer)) {
        this.checkNeuron(neuron);
        const rows = neuronHeadRows(constants, neuron);
        const scalars = images.map((img) => neuronHeadScalars(img.data.factors, neuron));
        const mean = new Float64Array(scalars[0]?.length ?? 0);
        for (const a of scalars) a.forEach((x, kh) => (mean[kh] += x / scalars.length));
        images.forEach((img, i) => {
          const delta = neuronSwitchOffDelta(scalars[i], mean, rows, layer, headOff, H);
          const acc = deltas.get(img.id) ?? new Float64Array(D);
          for (let d = 0; d < D; d++) acc[d] += delta[d];
          deltas.set(img.id, acc);
        });
      }
    }
    return deltas;
  }

  /** per-patch scores of φ_n's token summands against `t` [G, G] (class token left out, as for heads) */
  async tokenMap(imageId: string, layer: number, neuron: number, t: ArrayLike<number>): Promise<Tensor<'Y X', Float64Array>> {
    this.checkNeuron(neuron);
    const images = await this.ensure(layer);
    const img = images.find((i) => i.id === imageId);
    if (!img) throw new RangeError(`no image '${imageId}' is loaded`);
    const scores = neuronTokenScores(img.data.factors, neuron, neuronProbe(await this.neuronConstants(layer), neuron, t));
    const { grid: G } = visionGrid(this.arch);
    return tensor('Y X', scores.data.slice(1), [G, G]);
  }
}
