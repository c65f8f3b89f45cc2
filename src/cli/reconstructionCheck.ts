/**
 * METHOD 4.5 for `clipscope textspan --classes --labels`: zero-shot accuracy of the cached images
 * (a) as the model sees them, (b) with every head outside the analysed layers mean-ablated, and
 * (c) additionally with each analysed head replaced by its TEXTSPAN reconstruction. (b) vs (c) is
 * what the chosen texts lose; the embedding term and the MLPs are kept throughout.
 */
import { accuracyOf, ImageSumAccumulator } from '../analysis/reconstruction.ts';
import type { AccuracyReport } from '../analysis/zeroshot.ts';
import type { AnalysisCache } from '../cache/reader.ts';
import type { Tensor } from '../math/tensor.ts';

export interface ReconstructionCheckReport {
  /** labelled images the accuracies count */
  images: number;
  /** layers whose heads were replaced by their reconstructions */
  layers: number[];
  accuracy: {
    model: AccuracyReport;
    otherLayersMeanAblated: AccuracyReport;
    textspanReconstruction: AccuracyReport;
  };
  /** distinct texts used over all analysed heads */
  distinctTexts: number;
}

export class ReconstructionCheck {
  private base?: ImageSumAccumulator;
  private original?: ImageSumAccumulator;
  private reconstructed?: ImageSumAccumulator;

  constructor(
    private readonly cache: AnalysisCache,
    private readonly layers: readonly number[],
    private readonly classifier: Tensor<'C D', Float64Array>,
    /** label per cache row, -1 where unlabelled */
    private readonly labels: Int32Array,
    private readonly groups?: Int32Array,
  ) {}

  /** call before the atlas is built: embedding term + MLPs + means of the heads outside `layers` */
  async prepare(): Promise<void> {
    const { layers: L, heads: H, embedDim: D } = this.cache.meta.architecture;
    const K = this.cache.count;
    const base = new ImageSumAccumulator(K, D);
    base.addPerImage(await this.cache.embedTermMatrix());
    for (let l = 0; l < L; l++) base.addPerImage(await this.cache.mlpMatrix(l));
    const analysed = new Set(this.layers);
    for (let l = 0; l < L; l++) {
      if (analysed.has(l)) continue;
      for (let h = 0; h < H; h++) base.addMeanOf(await this.cache.headMatrix(l, h));
    }
    this.base = base;
    this.original = new ImageSumAccumulator(K, D);
    this.original.addPerImage(base.result());
    this.reconstructed = new ImageSumAccumulator(K, D);
    this.reconstructed.addPerImage(base.result());
  }

  /** called per analysed head with its reconstruction Ĉ [K, D] */
  async addHead(layer: number, head: number, reconstruction: Tensor<'K D', Float32Array>): Promise<void> {
    if (!this.original || !this.reconstructed) throw new Error('ReconstructionCheck.prepare() was not called');
    this.original.addPerImage(await this.cache.headMatrix(layer, head));
    this.reconstructed.addPerImage(reconstruction);
  }

  async report(distinctTexts: number): Promise<ReconstructionCheckReport> {
    if (!this.original || !this.reconstructed) throw new Error('ReconstructionCheck.prepare() was not called');
    const acc = (y: Tensor<'K D', Float32Array | Float64Array>) => accuracyOf(y, this.classifier, this.labels, this.groups);
    const model = acc(await this.cache.embeddingMatrix());
    return {
      images: model.count,
      layers: [...this.layers],
      accuracy: {
        model,
        otherLayersMeanAblated: acc(this.original.result()),
        textspanReconstruction: acc(this.reconstructed.result()),
      },
      distinctTexts,
    };
  }
}
