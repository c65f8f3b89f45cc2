/**
 * ImageExplorer: the explorer's analyses over the images loaded with one model, run where
 * the model runs (the worker). Big tensors (head terms, cells, text embeddings) stay here; every
 * method returns a summary sized for drawing. Platform-neutral: tested in Node with the same engine.
 */
import { ablatedEmbedding, ComponentMeanAccumulator, resolveAblation, type AblationSelection, type ComponentMeans } from '../analysis/ablation.ts';
import { formatAblation, parseAblation } from '../analysis/ablationSyntax.ts';
import { closureResidual } from '../analysis/closure.ts';
import { SparseTextDictionary, sparseTextDecomposition } from '../analysis/sparseText.ts';
import { NeuronExplorer } from './neurons.ts';
import { contrastiveMaps, headMaskFromSpec, headPatchMap, patchMap, probeConstants, projectedPatchMap, projectedTokens, promptMaps, textProbe, tokenScores, type ProjectedTokens, type TextProbe } from '../analysis/heatmap.ts';
import type { HeadProjections, ImageComponents, SpatialTerms } from '../analysis/inputs.ts';
import { headPool, retrieveByVector } from '../analysis/retrieval.ts';
import { headRole } from '../analysis/roles.ts';
import { normalisedMap, segmentImage, thresholdAtMean } from '../analysis/segmentation.ts';
import { textspan } from '../analysis/textspan.ts';
import { classLogits, topClasses, zeroShotClassifier } from '../analysis/zeroshot.ts';
import type {
  ClassScore,
  ExplorerApi,
  HeadGridRequest,
  HeadGridValues,
  Heatmap,
  HeatmapRequest,
  ImageExplanation,
  NeuronPanel,
  NeuronRanking,
  HeatmapsRequest,
  ImageAdded,
  LayerEffects,
  MemoryUse,
  ProgressCallback,
  RankedImage,
  SegmentationResult,
  TextSetSource,
  TextspanPanel,
  Top5,
  VerifyReport,
  VerifyRequest,
} from '../api/explorer.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import { visionGrid } from '../model/arch.ts';
import { headProjections as projectionTerms, imageComponents, spatialTerms } from '../model/decomposition.ts';
import type { ClipEngine } from '../model/engine.ts';
import { decodeImage } from '../model/preprocess/decode.ts';
import { preprocessForDisplay, preprocessPixels } from '../model/preprocess/transform.ts';
import { repeatedClassesWarning } from '../labels/labelSet.ts';
import { parsePool, type DescriptionPool } from '../labels/pool.ts';
import { CodedError, ERROR_CODES } from '../api/errors.ts';
import { measureStep } from '../api/stepTimings.ts';
import type { TextEmbeddingStore } from '../model/textCache.ts';
import { TextEmbeddings } from './textEmbeddings.ts';
import { parseReferenceSet, PUBLISHED_OPENAI_VIT_B32 } from '../verify/referenceSet.ts';
import { verifyEngine } from '../verify/verifyModel.ts';
import { headLabel, parsePartLabel } from '../analysis/partNames.ts';

export interface ImageExplorerOptions {
  /** memory kept for per-image cells [L,T,H,dh] (most recent images first); older ones are recomputed on demand */
  cellsBudgetBytes?: number;
  /** persistent text embeddings per model fingerprint (the worker passes IndexedDB); default in memory */
  textStore?: TextEmbeddingStore;
}

/** a request the explorer cannot serve as asked; the UI shows it as bad input */
const badRequest = (message: string) => new CodedError(ERROR_CODES.badRequest, message);
/** a RangeError from an analysis (a layer or neuron outside the model) is the caller's bad input */
const asBadRequest = (err: unknown): never => {
  throw err instanceof RangeError ? badRequest(err.message) : err;
};

export const imageExplorerDefaults = { cellsBudgetBytes: 512 * 2 ** 20 } as const;

interface StoredImage {
  id: string;
  name: string;
  bytes: Uint8Array;
  components: ImageComponents;
  spatial?: SpatialTerms;
  /** the all-heads scalar path folded into P [T, D] (heatmap.ts ProjectedTokens), computed in the background; undefined if that failed */
  projected?: Promise<ProjectedTokens | undefined>;
  /** recency stamp for the cells budget */
  touched: number;
}

const f32 = (t: Tensor<string, Float32Array | Float64Array>) => t.data;
/** a graph feed: the engine's outputs are float32 already; anything else is converted */
const asFloat32 = <S extends string>(t: Tensor<S, Float32Array | Float64Array>): Tensor<S, Float32Array> =>
  t.data instanceof Float32Array ? (t as Tensor<S, Float32Array>) : tensor(t.shape, Float32Array.from(t.data), t.dims);
const norm = (x: ArrayLike<number>, off = 0, n = x.length - off) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[off + i] ** 2;
  return Math.sqrt(s);
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>, aOff = 0, n = b.length) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[aOff + i] * b[i];
  return s;
};


export class ImageExplorer implements ExplorerApi {
  private readonly images = new Map<string, StoredImage>();
  private readonly texts: TextEmbeddings;
  private readonly options: { cellsBudgetBytes: number };
  private clock = 0;
  private projections?: Promise<HeadProjections>;
  private labels?: { names: string[]; W: Tensor<'C D', Float64Array> };
  private pool?: { pool: DescriptionPool; embeddings: Tensor<'M D', Float32Array>; dictionary?: SparseTextDictionary };
  private atlas?: Map<string, TextspanPanel>;
  private ablationText = '';
  private ablation?: AblationSelection;
  private means?: ComponentMeans;
  private readonly textspans = new Map<string, TextspanPanel>();
  /** per-prompt half of the scalar path (M_{l,h}·t̂ for every head): a prompt costs it once, not once per image */
  private readonly probes = new Map<string, TextProbe>();

  private readonly neurons: NeuronExplorer;
  /** setLabels / setPool running now, each stoppable by cancelTextSets */
  private readonly textSetRuns = new Set<AbortController>();

  constructor(private readonly engine: ClipEngine, options: ImageExplorerOptions = {}) {
    this.texts = new TextEmbeddings(engine, options.textStore);
    this.neurons = new NeuronExplorer(engine, {
      images: () => [...this.images.values()].map(({ id, name }) => ({ id, name })),
      pixels: async (id) => {
        const img = this.image(id);
        return preprocessPixels(await decodeImage(img.bytes, img.name), this.engine.checkpoint.preprocess);
      },
    });
    this.options = { cellsBudgetBytes: options.cellsBudgetBytes ?? imageExplorerDefaults.cellsBudgetBytes };
  }

  private get arch() {
    return this.engine.checkpoint.vision;
  }

  private image(id: string): StoredImage {
    const img = this.images.get(id);
    if (!img) throw badRequest(`no image '${id}' is loaded`);
    return img;
  }

  private headProjections(): Promise<HeadProjections> {
    this.projections ??= this.engine.headProjections().then(projectionTerms);
    return this.projections;
  }

  private probe(model: HeadProjections, prompt: string, embedding: Float32Array): TextProbe {
    let p = this.probes.get(prompt);
    if (!p) {
      p = textProbe(model, embedding);
      if (this.probes.size >= 256) this.probes.delete(this.probes.keys().next().value!);
      this.probes.set(prompt, p);
    }
    return p;
  }

  private imagesChanged(): void {
    this.means = undefined;
    this.textspans.clear();
  }

  /** keeps the cells of the most recently used images within the budget */
  private enforceCellsBudget(): void {
    const withCells = [...this.images.values()].filter((i) => i.spatial).sort((a, b) => b.touched - a.touched);
    let used = 0;
    for (const img of withCells) {
      used += img.spatial!.cells.data.byteLength;
      if (used > this.options.cellsBudgetBytes && img !== withCells[0]) img.spatial = undefined;
    }
  }

  /**
   * P of a newly added image, off the prompt path (the engine runs it when no foreground request
   * is running): all-heads prompt maps of this image then cost one [G², D]·t product. If it fails,
   * the image's maps go through the scalar path, which gives the same map.
   */
  private projectInBackground(img: StoredImage, spatial: SpatialTerms): void {
    // yield first: the head projections (once per model) are foreground work of their own
    img.projected = this.engine.yieldToForeground()
      .then(() => this.headProjections())
      .then((model) => this.engine.projectTokens(asFloat32(spatial.cells), asFloat32(model.headProj)))
      .then((P) => projectedTokens(P, spatial))
      .catch((err) => {
        console.warn(`[clipscope] the projected token matrix of ${img.name} failed (its prompt maps take the scalar path): ${(err as Error)?.message ?? err}`);
        return undefined;
      });
  }

  private async spatial(id: string): Promise<SpatialTerms> {
    const img = this.image(id);
    img.touched = ++this.clock;
    if (!img.spatial) {
      const pixels = preprocessPixels(await decodeImage(img.bytes, img.name), this.engine.checkpoint.preprocess);
      img.spatial = spatialTerms(await this.engine.decompose(pixels));
      this.enforceCellsBudget();
    }
    return img.spatial;
  }

  async addImage(id: string, name: string, bytes: Uint8Array): Promise<ImageAdded> {
    const t0 = performance.now();
    // foreground from the start: while the photo decodes, text steps wait and the prepared session skips its warm-up run
    const { decoded, display, parts, t1, t2 } = await this.engine.imageWork(async () => {
      const decoded = await decodeImage(bytes, name);
      const pre = this.engine.checkpoint.preprocess;
      const pixels = preprocessPixels(decoded, pre);
      const display = preprocessForDisplay(decoded, pre);
      const t1 = measureStep('image:decode', t0, name);
      const parts = await this.engine.decompose(pixels);
      return { decoded, display, parts, t1, t2: measureStep('image:decompose', t1, name) };
    });
    const components = imageComponents(parts);
    const stored: StoredImage = { id, name, bytes, components, spatial: spatialTerms(parts), touched: ++this.clock };
    this.images.set(id, stored);
    this.projectInBackground(stored, stored.spatial!);
    this.enforceCellsBudget();
    this.imagesChanged();
    return {
      id,
      name,
      sourceSize: [decoded.width, decoded.height],
      display: { width: display.width, height: display.height, rgba: display.data },
      timings: { decodeMs: t1 - t0, decomposeMs: t2 - t1 },
      closure: closureResidual(components),
    };
  }

  async removeImage(id: string): Promise<void> {
    this.images.delete(id);
    this.imagesChanged();
  }

  async setLabels(
    labels: { classes: string[]; templates: string[]; source?: string },
    onProgress?: ProgressCallback,
  ): Promise<{ classes: number; warning?: string } & TextSetSource> {
    const { classes, templates } = labels;
    if (classes.length === 0) throw badRequest('the label set has no classes');
    if (templates.length === 0 || templates.some((t) => !t.includes('{}'))) throw badRequest("every template needs a '{}' for the class name");
    const prompts = classes.flatMap((c) => templates.map((t) => t.replaceAll('{}', c)));
    const { vectors: emb, encoded, cached } = await this.textSetRun((signal) => this.texts.embedCounted(prompts, { onProgress, phase: 'embedding the label set', background: true, signal }));
    const D = this.texts.dim;
    const all = new Float32Array(prompts.length * D);
    emb.forEach((e, i) => all.set(e, i * D));
    this.labels = { names: [...classes], W: zeroShotClassifier(tensor('C P D', all, [classes.length, templates.length, D])) };
    const warning = repeatedClassesWarning(classes, labels.source ?? 'the label set');
    return { classes: classes.length, encoded, cached, ...(warning ? { warning } : {}) };
  }

  async setPool(poolText: string, onProgress?: ProgressCallback): Promise<{ texts: number } & TextSetSource> {
    const pool = parsePool(poolText);
    if (pool.texts.length === 0) throw badRequest('the description pool is empty');
    const { vectors: emb, encoded, cached } = await this.textSetRun((signal) => this.texts.embedCounted(pool.texts, { onProgress, phase: 'embedding the description pool', background: true, signal }));
    const D = this.texts.dim;
    const data = new Float32Array(pool.texts.length * D);
    emb.forEach((e, i) => data.set(e, i * D));
    this.pool = { pool, embeddings: tensor('M D', data, [pool.texts.length, D]) };
    this.textspans.clear();
    return { texts: pool.texts.length, encoded, cached };
  }

  /** a text set's embedding as background work (images and prompts go first) that cancelTextSets stops */
  private async textSetRun<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const run = new AbortController();
    this.textSetRuns.add(run);
    try {
      return await work(run.signal);
    } finally {
      this.textSetRuns.delete(run);
    }
  }

  async cancelTextSets(): Promise<{ cancelled: number }> {
    const running = [...this.textSetRuns];
    for (const run of running) run.abort();
    return { cancelled: running.length };
  }

  async loadAtlas(atlasJson: string): Promise<{ heads: number; images: number }> {
    let atlas: { images?: number; heads?: { layer: number; head: number; role?: { property: string | null; confidence: number } | null; texts: { text: string; property?: string; varianceExplained: number }[] }[] };
    try {
      atlas = JSON.parse(atlasJson);
    } catch (err) {
      throw badRequest(`the atlas is not JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(atlas.heads)) throw badRequest('the atlas has no "heads" list (is it an atlas.json from clipscope textspan?)');
    const images = Number(atlas.images ?? 0);
    const map = new Map<string, TextspanPanel>();
    for (const h of atlas.heads) {
      if (!Number.isInteger(h.layer) || !Number.isInteger(h.head) || !Array.isArray(h.texts)) throw badRequest('an atlas head entry lacks layer, head or texts');
      const role = h.role?.property ? { property: h.role.property, confidence: h.role.confidence } : null;
      map.set(`${h.layer}.${h.head}`, { layer: h.layer, head: h.head, source: 'atlas', imagesUsed: images, texts: h.texts, role });
    }
    this.atlas = map;
    return { heads: map.size, images };
  }

  private ablatedMask(): Uint8Array {
    const { layers: L, heads: H } = this.arch;
    const off = new Uint8Array(L * H);
    const sel = this.ablation;
    if (!sel) return off;
    for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) off[l * H + h] = sel.layer[l] || sel.head[l * H + h] ? 1 : 0;
    return off;
  }

  async headGrid(req: HeadGridRequest): Promise<HeadGridValues> {
    const { layers: L, heads: H, embedDim: D } = this.arch;
    const values = new Float32Array(L * H);
    if (req.mode === 'variance') {
      const imgs = [...this.images.values()];
      if (imgs.length < 2) throw badRequest('variance across images needs at least 2 loaded images');
      for (let k = 0; k < L * H; k++) {
        const mean = new Float64Array(D);
        for (const img of imgs) for (let d = 0; d < D; d++) mean[d] += f32(img.components.heads)[k * D + d] / imgs.length;
        let v = 0;
        for (const img of imgs) for (let d = 0; d < D; d++) v += (f32(img.components.heads)[k * D + d] - mean[d]) ** 2;
        values[k] = v / (imgs.length - 1);
      }
    } else {
      if (!req.imageId) throw badRequest(`head grid mode '${req.mode}' needs an image`);
      const heads = f32(this.image(req.imageId).components.heads);
      if (req.mode === 'norm') {
        for (let k = 0; k < L * H; k++) values[k] = norm(heads, k * D, D);
      } else {
        if (!req.prompt) throw badRequest("head grid mode 'prompt' needs a prompt");
        const t = await this.texts.one(req.prompt);
        for (let k = 0; k < L * H; k++) values[k] = dot(heads, t, k * D, D);
      }
    }
    return { layers: L, heads: H, mode: req.mode, values, ablated: this.ablatedMask() };
  }

  async layerEffects(imageId: string, prompt?: string): Promise<LayerEffects> {
    const { layers: L, heads: H, embedDim: D } = this.arch;
    const c = this.image(imageId).components;
    const t = prompt ? await this.texts.one(prompt) : undefined;
    const measure = (v: ArrayLike<number>, off = 0) => (t ? dot(v, t, off, D) : norm(v, off, D));
    const attention = new Float32Array(L);
    const mlp = new Float32Array(L);
    for (let l = 0; l < L; l++) {
      const layerTerm = new Float64Array(D);
      for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) layerTerm[d] += f32(c.heads)[(l * H + h) * D + d];
      attention[l] = measure(layerTerm);
      mlp[l] = measure(f32(c.mlp), l * D);
    }
    return { layers: L, measure: t ? 'prompt' : 'norm', attention, mlp, embed: measure(f32(c.embedTerm)) };
  }

  private heatmapOf(maps: Tensor<'Y X', Float64Array>[]): Heatmap {
    let min = Infinity;
    let max = -Infinity;
    for (const m of maps) for (const v of m.data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { grid: visionGrid(this.arch).grid, patchSize: this.arch.patchSize, maps: maps.map((m) => Float32Array.from(m.data)), min, max };
  }

  async heatmap(req: HeatmapRequest): Promise<Heatmap> {
    return (await this.heatmaps(req, [req.imageId]))[0];
  }

  /**
   * the same heatmap request for each image, in the order of `imageIds`: the prompts are embedded
   * and projected once for all images. Each step is a `performance.measure` ('heatmaps:…'), which
   * the app bench reads for its breakdown.
   */
  async heatmaps(req: HeatmapsRequest, imageIds: readonly string[]): Promise<Heatmap[]> {
    if (req.prompts.length === 0) throw badRequest('a heatmap needs at least one prompt');
    const t0 = performance.now();
    const { layers: L, heads: H } = this.arch;
    const selected = req.heads && req.heads.trim() ? headMaskFromSpec(req.heads, { layers: L, heads: H }) : new Uint8Array(L * H).fill(1);
    const off = this.ablatedMask();
    const mask = selected.map((v, k) => (v && !off[k] ? 1 : 0));
    const allHeads = mask.every((v) => v === 1);
    // all heads: every image goes through its P (waiting for it if it is still being computed, so
    // that a map never depends on timing); the scalar path only where P failed or heads are selected
    const projected = await Promise.all(imageIds.map((id) => (allHeads ? this.image(id).projected : undefined)));
    const spatials = Promise.all(imageIds.map((id, k) => (projected[k] ? undefined : this.spatial(id))));
    spatials.catch(() => {}); // awaited below; a rejection before then is not unhandled
    const embs = await this.texts.embed(req.prompts);
    const t1 = measureStep('heatmaps:text', t0);
    const model = await this.headProjections();
    const t2 = measureStep('heatmaps:projections', t1);
    // M_{ℓ,h}·t̂ for every head (L·H·E·D) only where an image takes the scalar path
    const probes = projected.every(Boolean) ? undefined : req.prompts.map((p, i) => this.probe(model, p, embs[i]));
    const constants = probes ?? embs.map((t) => probeConstants(model, t));
    const t3 = measureStep('heatmaps:probe', t2);
    const images = await spatials;
    const t4 = measureStep('heatmaps:cells', t3);
    const out = images.map((spatial, k) => {
      const P = projected[k];
      if (!P) return this.heatmapOf(promptMaps(spatial!, probes!, { ...(allHeads ? {} : { headMask: mask }), contrastive: req.contrastive }));
      const maps = constants.map((c, i) => projectedPatchMap(P, c, embs[i]));
      return this.heatmapOf(req.contrastive ? contrastiveMaps(maps) : maps);
    });
    measureStep('heatmaps:maps', t4);
    measureStep('heatmaps:total', t0);
    return out;
  }

  async headTokenMap(imageId: string, layer: number, head: number, prompt: string): Promise<Heatmap> {
    const [spatial, model, t] = await Promise.all([this.spatial(imageId), this.headProjections(), this.texts.one(prompt)]);
    return this.heatmapOf([headPatchMap(tokenScores(spatial, this.probe(model, prompt, t)), layer, head)]);
  }

  async segmentation(imageId: string, prompt?: string): Promise<SegmentationResult> {
    const [spatial, model] = await Promise.all([this.spatial(imageId), this.headProjections()]);
    const S = this.arch.imageSize;
    if (prompt) {
      const t = await this.texts.one(prompt);
      const normalised = normalisedMap(patchMap(tokenScores(spatial, this.probe(model, prompt, t))), S);
      return { mask: thresholdAtMean(normalised), size: S, target: prompt, threshold: meanOf(normalised.data), normalised: Float32Array.from(normalised.data) };
    }
    const labels = this.requireLabels();
    const predicted = topClasses(classLogits(labels.W, this.image(imageId).components.embedding.data), 1)[0].index;
    const { normalised, mask } = segmentImage(spatial, model, labels.W, predicted, S);
    return { mask, size: S, target: labels.names[predicted], threshold: meanOf(normalised.data), normalised: Float32Array.from(normalised.data) };
  }

  /** segmentation of each image for one prompt (or its predicted class), in the order of `imageIds` */
  async segmentations(imageIds: readonly string[], prompt?: string): Promise<SegmentationResult[]> {
    return Promise.all(imageIds.map((id) => this.segmentation(id, prompt)));
  }

  private requireLabels() {
    if (!this.labels) throw badRequest('no label set is loaded (setLabels)');
    return this.labels;
  }

  async headTextspan(layer: number, head: number, options: { m?: number; rank?: number } = {}): Promise<TextspanPanel> {
    this.checkHead(layer, head);
    const fromAtlas = this.atlas?.get(`${layer}.${head}`);
    if (fromAtlas) return fromAtlas;
    const key = `${layer}.${head}.${options.m ?? 20}.${options.rank ?? 80}`;
    const cached = this.textspans.get(key);
    if (cached) return cached;
    if (!this.pool) throw badRequest('no description pool is loaded (setPool)');
    const imgs = [...this.images.values()];
    if (imgs.length < 2) throw badRequest(`TEXTSPAN needs at least 2 images (${imgs.length} loaded)`);
    const C = headPool(imgs.map((i) => i.components.heads), layer, head);
    const result = textspan(tensor('K D', C.data, C.dims), this.pool.embeddings, { m: options.m ?? 20, rank: options.rank ?? 80 });
    const { texts, properties } = this.pool.pool;
    const role = headRole(result.picks, properties);
    const panel: TextspanPanel = {
      layer,
      head,
      source: 'images',
      imagesUsed: result.imagesUsed,
      texts: result.picks.map((p) => ({ text: texts[p.index], ...(properties[p.index] ? { property: properties[p.index]! } : {}), varianceExplained: p.varianceExplained })),
      role: role.property ? { property: role.property, confidence: role.confidence } : null,
    };
    this.textspans.set(key, panel);
    return panel;
  }

  /** images ranked along one head: by ‖c_head‖, or with a prompt by ⟨c_head, t̂⟩ (METHOD 6.1) */
  async headTopImages(layer: number, head: number, k = 8, prompt?: string): Promise<RankedImage[]> {
    this.checkHead(layer, head);
    const imgs = [...this.images.values()];
    if (prompt) {
      const pool = headPool(imgs.map((i) => i.components.heads), layer, head);
      return retrieveByVector(pool, await this.texts.one(prompt), k).map((r) => ({ id: imgs[r.index].id, score: r.score }));
    }
    const { heads: H, embedDim: D } = this.arch;
    const scored = imgs.map((img) => ({ id: img.id, score: norm(f32(img.components.heads), (layer * H + head) * D, D) }));
    return scored.sort((a, b) => b.score - a.score).slice(0, k);
  }

  /** images similar to `imageId` according to one head: raw dot of head terms, no normalisation (METHOD 6.1) */
  async headSimilarImages(layer: number, head: number, imageId: string, k = 8): Promise<RankedImage[]> {
    this.checkHead(layer, head);
    const imgs = [...this.images.values()];
    const q = imgs.findIndex((i) => i.id === imageId);
    if (q < 0) throw badRequest(`no image '${imageId}' is loaded`);
    const pool = headPool(imgs.map((i) => i.components.heads), layer, head);
    const query = pool.data.subarray(q * pool.dims[1], (q + 1) * pool.dims[1]);
    return retrieveByVector(pool, query, k).map((r) => ({ id: imgs[r.index].id, score: r.score }));
  }

  private checkHead(layer: number, head: number): void {
    const { layers: L, heads: H } = this.arch;
    if (!Number.isInteger(layer) || !Number.isInteger(head) || layer < 0 || layer >= L || head < 0 || head >= H) {
      throw new RangeError(`${headLabel(layer, head)} is not a head of this ${L}x${H} model`);
    }
  }

  async setAblation(spec: string): Promise<{ canonical: string }> {
    const text = spec.trim();
    if (!text) {
      this.ablation = undefined;
      this.ablationText = '';
      return { canonical: '' };
    }
    const parsed = parseAblation(text);
    this.ablation = resolveAblation(parsed, { layers: this.arch.layers, heads: this.arch.heads, mlpWidth: this.arch.mlpWidth });
    this.ablationText = formatAblation(parsed);
    return { canonical: this.ablationText };
  }

  private componentMeans(): ComponentMeans {
    if (!this.means) {
      const { layers, heads, embedDim: dim } = this.arch;
      const acc = new ComponentMeanAccumulator({ layers, heads, dim });
      for (const img of this.images.values()) acc.add(img.components);
      this.means = acc.means();
    }
    return this.means;
  }

  /** top-k classes of each image, in the order of `imageIds` (one worker call for many images) */
  async topClasses(imageIds: readonly string[], k = 5): Promise<Top5[]> {
    const neuronDeltas = this.ablation?.neurons.length ? await this.neurons.switchOffDeltas(this.ablation.neurons, this.ablatedMask()) : undefined;
    const out: Top5[] = [];
    for (const id of imageIds) out.push(this.topClassesOf(id, k, neuronDeltas?.get(id)));
    return out;
  }

  private topClassesOf(imageId: string, k: number, neuronDelta?: Float64Array): Top5 {
    const labels = this.requireLabels();
    const c = this.image(imageId).components;
    const named = (logits: Float64Array): ClassScore[] => topClasses(logits, k).map((r) => ({ index: r.index, label: labels.names[r.index], logit: r.score }));
    const original = named(classLogits(labels.W, c.embedding.data));
    const y = this.ablation ? ablatedEmbedding(c, this.componentMeans(), this.ablation) : undefined;
    if (y && neuronDelta) for (let d = 0; d < y.length; d++) y[d] += neuronDelta[d];
    return { imageId, classes: y ? named(classLogits(labels.W, y)) : original, original };
  }

  async exportContributions(imageId: string) {
    const c = this.image(imageId).components;
    const { layers, heads, embedDim } = this.arch;
    return {
      layers,
      heads,
      embedDim,
      heads_LHD: Float32Array.from(c.heads.data),
      mlp_LD: Float32Array.from(c.mlp.data),
      embed_D: Float32Array.from(c.embedTerm.data),
      embedding_D: Float32Array.from(c.embedding.data),
    };
  }

  /**
   * "Verify this model" (src/verify): the reference photos among the given ones (by their pixels;
   * not added to the explorer's images) and the reference texts against the published values.
   */
  async neuronRanking(layer: number, onProgress?: ProgressCallback): Promise<NeuronRanking> {
    return this.neurons.ranking(layer, onProgress).catch(asBadRequest);
  }

  async neuronPanel(layer: number, neuron: number): Promise<NeuronPanel> {
    const { direction: _direction, ...panel } = await this.neurons.panel(layer, neuron, this.pool && { texts: this.pool.pool.texts, dictionary: this.poolDictionary() }).catch(asBadRequest);
    return panel;
  }

  async neuronTokenMap(imageId: string, layer: number, neuron: number, prompt?: string): Promise<Heatmap> {
    this.image(imageId);
    const t = prompt ? await this.texts.one(prompt) : (await this.neurons.panel(layer, neuron, undefined).catch(asBadRequest)).direction;
    return this.heatmapOf([await this.neurons.tokenMap(imageId, layer, neuron, t).catch(asBadRequest)]);
  }

  /** the pool as METHOD §10 reads it, normalised once per pool (explanations and neuron words reuse it) */
  private poolDictionary(): SparseTextDictionary {
    if (!this.pool) throw badRequest('no description pool is loaded (setPool)');
    this.pool.dictionary ??= new SparseTextDictionary(this.pool.embeddings);
    return this.pool.dictionary;
  }

  async explainImage(imageId: string, part: string, maxTexts = 10): Promise<ImageExplanation> {
    const img = this.image(imageId);
    if (!this.pool) throw badRequest('load a description pool first: the image is explained by texts of the pool');
    const { layers: L, heads: H, embedDim: D } = this.arch;
    let target: ArrayLike<number>;
    let name = 'embedding';
    if (part === 'embedding') {
      target = img.components.embedding.data;
    } else {
      const head = parsePartLabel(part);
      if (head?.kind !== 'head' || head.layer >= L || head.head >= H) throw badRequest(`explain: part must be 'embedding' or L<layer>.H<head> within ${L} layers and ${H} heads, got '${part}'`);
      const row = head.layer * H + head.head;
      target = img.components.heads.data.subarray(row * D, (row + 1) * D);
      name = headLabel(head.layer, head.head);
    }
    const result = sparseTextDecomposition(target, this.poolDictionary(), { maxTexts });
    return {
      imageId,
      part: name,
      poolSize: this.pool.pool.texts.length,
      texts: result.picks.map((p) => ({ index: p.index, text: this.pool!.pool.texts[p.index], coefficient: p.coefficient })),
      cosine: result.cosine,
    };
  }

  /**
   * "Verify this model" (src/verify): the reference photos are found by their pixels among the
   * photos given, then the explorer's loaded images (a page.png dropped on the page counts), then
   * the gallery; none of them is added to the explorer.
   */
  async verifyModel(req: VerifyRequest, onProgress?: ProgressCallback): Promise<VerifyReport> {
    const ref = req.referenceJson === undefined ? PUBLISHED_OPENAI_VIT_B32 : parseReferenceSet(req.referenceJson);
    const loaded = [...this.images.values()].map((img) => ({ name: img.name, bytes: img.bytes, origin: 'loaded' as const }));
    const candidates = [...req.images.filter((c) => c.origin === 'given'), ...loaded, ...req.images.filter((c) => c.origin !== 'given')];
    return verifyEngine(this.engine, ref, candidates, onProgress);
  }

  async memoryUse(): Promise<MemoryUse> {
    let componentBytes = 0;
    let cellsBytes = 0;
    let imagesWithCells = 0;
    for (const img of this.images.values()) {
      const c = img.components;
      componentBytes += c.embedding.data.byteLength + c.embedTerm.data.byteLength + c.mlp.data.byteLength + c.heads.data.byteLength + c.classClass.data.byteLength;
      if (img.spatial) {
        imagesWithCells++;
        cellsBytes += img.spatial.cells.data.byteLength;
      }
    }
    return { images: this.images.size, componentBytes, imagesWithCells, cellsBytes, cellsBudgetBytes: this.options.cellsBudgetBytes };
  }

  /** texts this explorer has run through the text tower (the rest came from memory or the store) */
  get encodedTextCount(): number {
    return this.texts.encodedCount;
  }

  get ablationSpec(): string {
    return this.ablationText;
  }
}

function meanOf(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}
