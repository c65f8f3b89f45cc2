/**
 * The explorer's contract with the model worker: everything the views need, as small summaries.
 * Per-image tensors (head terms, cells, ...) and text embeddings stay in the worker; the main
 * thread gets grids of numbers sized for drawing (e.g. [L·H] head values, G×G maps).
 */

/** what the UI gets back when an image is added */
export interface ImageAdded {
  id: string;
  name: string;
  /** size of the decoded source image */
  sourceSize: readonly [number, number];
  /** the model's view of the image for overlays: RGBA, S×S, after resize + centre crop */
  display: { width: number; height: number; rgba: Uint8ClampedArray };
  /** the display bitmap the worker prepared (browser only; see explorer/displayBitmap.ts), transferred */
  bitmap?: ImageBitmap;
  timings: { decodeMs: number; decomposeMs: number };
  /** max|û − Σ parts| of this image's decomposition (analysis/closure.ts) */
  closure: ClosureReport;
}

/** how far the parts of a decomposition are from summing to û (max entry-wise, parts summed in float64) */
export interface ClosureReport {
  maxAbs: number;
  tolerance: number;
  /** above the tolerance (or NaN): the parts do not add up to the embedding */
  flagged: boolean;
}

/** how head-grid cells are coloured */
export type HeadGridMode =
  /** ‖c_head‖ of one image */
  | 'norm'
  /** ⟨c_head, t̂⟩ of one image: the head's direct contribution to the image-prompt similarity */
  | 'prompt'
  /** total variance of c_head across the loaded images (needs 2+ images) */
  | 'variance';

export interface HeadGridRequest {
  mode: HeadGridMode;
  /** required for 'norm' and 'prompt' */
  imageId?: string;
  /** required for 'prompt' */
  prompt?: string;
}

export interface HeadGridValues {
  layers: number;
  heads: number;
  mode: HeadGridMode;
  /** row-major [L, H] */
  values: Float32Array;
  /** heads currently switched off by the ablation set, row-major [L, H] (1 = off) */
  ablated: Uint8Array;
}

/** direct effect per layer: the layer's attention term and MLP term, plus the embedding term */
export interface LayerEffects {
  layers: number;
  /** 'norm': ‖term‖; 'prompt': ⟨term, t̂⟩ */
  measure: 'norm' | 'prompt';
  attention: Float32Array;
  mlp: Float32Array;
  embed: number;
}

export interface HeatmapRequest {
  imageId: string;
  /** one prompt: its map; several: one map each (contrastive: each minus the mean over prompts) */
  prompts: string[];
  contrastive?: boolean;
  /** which heads are summed, in the ablation syntax (docs/ABLATION_SYNTAX.md), default all */
  heads?: string;
}

/** a heatmap request without its image: `heatmaps(request, imageIds)` asks it of many images at once */
export type HeatmapsRequest = Omit<HeatmapRequest, 'imageId'>;

export interface Heatmap {
  /** grid side G (maps are G×G, row-major, class token excluded) */
  grid: number;
  patchSize: number;
  /** one map per prompt */
  maps: Float32Array[];
  /** over all maps, for a shared colour scale */
  min: number;
  max: number;
}

export interface SegmentationResult {
  /** S×S, 1 = foreground */
  mask: Uint8Array;
  size: number;
  /** the class the map was made for (predicted over the label set, or the given prompt) */
  target: string;
  /** threshold on the normalised map (its mean, per METHOD 5.2) */
  threshold: number;
  /** the normalised map itself, S×S in [0, 1] (NaN everywhere for a constant map), so a view can re-threshold */
  normalised: Float32Array;
}

export interface TextspanText {
  text: string;
  property?: string;
  /** cumulative fraction of the head's variance explained after this text */
  varianceExplained: number;
}

export interface TextspanPanel {
  layer: number;
  head: number;
  /** 'images': computed over the loaded images; 'atlas': read from an opened atlas.json */
  source: 'images' | 'atlas';
  /** how many images the list rests on */
  imagesUsed: number;
  texts: TextspanText[];
  role: { property: string; confidence: number } | null;
}

export interface RankedImage {
  id: string;
  score: number;
}

export interface ClassScore {
  /** the class's index in the label set (names may repeat; the index does not) */
  index: number;
  label: string;
  logit: number;
}

export interface Top5 {
  imageId: string;
  /** with the current ablation set applied (empty set: the model as is) */
  classes: ClassScore[];
  /** the same without ablation, for comparison */
  original: ClassScore[];
}

export interface Progress {
  phase: string;
  done: number;
  total: number;
}

export type ProgressCallback = (p: Progress) => void;

/** the neurons of one MLP layer ranked by their effect on the loaded images (METHOD §9) */
export interface NeuronRanking {
  layer: number;
  mlpWidth: number;
  images: number;
  /** every neuron, by mean ‖φ_n‖ over the loaded images, largest first */
  neurons: { neuron: number; label: string; meanNorm: number; maxNorm: number }[];
}

/** the texts METHOD §10 picks for a target, in pick order, with final coefficients */
export interface TextExplanation {
  texts: { index: number; text: string; coefficient: number }[];
  /** cos(target, fit) after each pick */
  cosine: number[];
}

/** one neuron: where it acts most, its direction's share and its words */
export interface NeuronPanel extends TextExplanation {
  layer: number;
  neuron: number;
  label: string;
  meanNorm: number;
  /** the loaded images with the largest ‖φ_n‖ */
  topImages: { id: string; name: string; norm: number }[];
  /** share of the top images' squared norm along the neuron's direction d_n */
  directionShare: number;
}

/** "Explain this image": METHOD §10 over the loaded pool for the image embedding or one head's term */
export interface ImageExplanation extends TextExplanation {
  imageId: string;
  /** 'embedding' or a head 'L{l}.H{h}' */
  part: string;
  poolSize: number;
}

/** where a text set's embeddings came from (the text tower runs only for `encoded`) */
export interface TextSetSource {
  /** distinct texts encoded by the text tower for this request */
  encoded: number;
  /** distinct texts read from the per-model cache (IndexedDB in the browser) */
  cached: number;
}

/** what a verified value is */
export type VerifyValueKind = 'similarity' | 'image-embedding' | 'text-embedding';

/** one published value against this model's */
export interface VerifyValue {
  kind: VerifyValueKind;
  /** index of the group (VerifyReport.groups) the value belongs to */
  group: number;
  /** similarity: row (text) and column (photo) of the reference table */
  row?: number;
  col?: number;
  /** embedding entry: index in the embedding */
  index?: number;
  /** for people: 'cos("This is a rocket…", rocket)', 'u(astronaut)[3]', 't("a portrait…")[3]' */
  label: string;
  computed: number;
  published: number;
  /** computed − published */
  diff: number;
  tolerance: number;
  pass: boolean;
}

/** one published source of values: what it is, how it was obtained, how it went */
export interface VerifyGroup {
  kind: VerifyValueKind;
  /** 'similarity table', 'unnormalised image embedding of astronaut, entries 0–14', … */
  title: string;
  source: string;
  obtained: string;
  tolerance: number;
  toleranceWhy: string;
  /** values compared (0 when a photo it needs is missing) and those outside the tolerance */
  compared: number;
  failing: number;
  maxAbsDiff: number;
  /** why nothing was compared, when so */
  notCompared?: string;
}

/** how each reference photo was found (by the sha256 of its pixels, never by file name) */
export interface VerifyPhoto {
  name: string;
  /** the file name it usually has */
  file: string;
  status: 'gallery' | 'given' | 'missing' | 'unavailable';
  /** the file that matched */
  matchedFile?: string;
  /** why it cannot be compared (status 'unavailable') */
  note?: string;
}

export interface VerifyReport {
  reference: { name: string; model: string };
  /** the similarity table's axes (empty without one) */
  texts: string[];
  promptPrefix: string;
  photos: string[];
  photoStatus: VerifyPhoto[];
  /** given photos whose pixels are none of the reference photos */
  unmatchedFiles: string[];
  groups: VerifyGroup[];
  values: VerifyValue[];
  compared: number;
  failing: number;
  maxAbsDiff: number;
  /** at least one value compared and every compared value within its tolerance */
  pass: boolean;
}

/** where a candidate photo came from: the user's (given to verify, or loaded in the explorer) or the gallery */
export type VerifyPhotoOrigin = 'given' | 'loaded' | 'gallery';

export interface VerifyRequest {
  /** a reference file in clipscope's format (docs/FORMATS.md); default: the published OpenAI ViT-B/32 values shipped with clipscope */
  referenceJson?: string;
  /** candidate photos, matched to reference photos by their pixels; the first of equal pixels wins */
  images: { name: string; bytes: Uint8Array; origin: VerifyPhotoOrigin }[];
}

/** a change the worker made on its own, e.g. WebGPU device lost -> sessions recreated on WASM */
export interface RuntimeEvent {
  kind: 'device-lost';
  /** what the browser said */
  reason: string;
  /** the provider now in use */
  provider: 'wasm';
  /** for the user */
  message: string;
}

/** where one session's creation went (diagnostics for the bench: `sessionCreationLog`) */
export interface SessionCreationTiming {
  /** graph kind and its output count (the plain and decomposed image graphs differ there) */
  graph: string;
  weightBytes: number;
  /** reading the weights the graph needs from the model files into one blob */
  readMs: number;
  /** onnxruntime-web's InferenceSession.create (copy into WASM memory, optimisation, prepacking) */
  createMs: number;
  /** the session's first run (set once it has run) */
  firstRunMs?: number;
}

/** runtime events and test hooks of the model worker */
export interface RuntimeEventsApi {
  /** `listener` must be a Comlink.proxy; it hears every RuntimeEvent from now on */
  watchRuntime(listener: (e: RuntimeEvent) => void): Promise<void>;
  /** destroys the sessions' WebGPU device as a driver reset would (to test the recovery); false without one */
  loseWebGpuDeviceForTesting(): Promise<boolean>;
  /** texts the loaded model's session has run through the text tower (the rest came from the cache) */
  encodedTextCount(): Promise<number>;
  /** where each onnxruntime session's creation went, oldest first (for the benches) */
  sessionCreationTimings(): Promise<SessionCreationTiming[]>;
  /** resolves when the runtime warm-up (RuntimeRequest.warmUp) is done: its timing, or undefined without one */
  runtimeWarmUp(): Promise<{ totalMs: number; runs: number } | undefined>;
}

/** what the worker holds for the loaded images, against the cells budget */
export interface MemoryUse {
  images: number;
  /** head terms [L,H,D] etc. are kept for every image */
  componentBytes: number;
  /** images whose per-cell terms are kept (the most recently used ones) */
  imagesWithCells: number;
  cellsBytes: number;
  cellsBudgetBytes: number;
}

export interface ExplorerApi {
  addImage(id: string, name: string, bytes: Uint8Array): Promise<ImageAdded>;
  removeImage(id: string): Promise<void>;
  /**
   * label set for zero-shot top-5 (default: the project's public/data/labels.json, fetched by the
   * caller); `source` names it in warnings. A class is its index: repeated names are kept, and
   * `warning` lists them.
   */
  setLabels(
    labels: { classes: string[]; templates: string[]; source?: string },
    onProgress?: ProgressCallback,
  ): Promise<{ classes: number; warning?: string } & TextSetSource>;
  /** description pool for TEXTSPAN: lines `property<TAB>text` or plain lines */
  setPool(poolText: string, onProgress?: ProgressCallback): Promise<{ texts: number } & TextSetSource>;
  /**
   * stops every setLabels / setPool running now, between two text-tower runs: each rejects with
   * code 'cancelled' and leaves the label set or pool it replaces as it was; the texts embedded so
   * far stay in the per-model cache, so calling it again encodes only the rest. Answers how many
   * were running.
   */
  cancelTextSets(): Promise<{ cancelled: number }>;
  /** an atlas.json written by `clipscope textspan` */
  loadAtlas(atlasJson: string): Promise<{ heads: number; images: number }>;
  headGrid(req: HeadGridRequest): Promise<HeadGridValues>;
  layerEffects(imageId: string, prompt?: string): Promise<LayerEffects>;
  heatmap(req: HeatmapRequest): Promise<Heatmap>;
  /** one request for many images, answered in the order of `imageIds` (the UI asks only for images it lacks) */
  heatmaps(req: HeatmapsRequest, imageIds: readonly string[]): Promise<Heatmap[]>;
  /** one head's token map for a prompt (METHOD 5.1, joint head x token map) */
  headTokenMap(imageId: string, layer: number, head: number, prompt: string): Promise<Heatmap>;
  segmentation(imageId: string, prompt?: string): Promise<SegmentationResult>;
  /** segmentation of many images for one prompt, in the order of `imageIds` */
  segmentations(imageIds: readonly string[], prompt?: string): Promise<SegmentationResult[]>;
  headTextspan(layer: number, head: number, options?: { m?: number; rank?: number }): Promise<TextspanPanel>;
  /**
   * images ranked along one head: by ‖c_head‖ (where the head writes most), or with a prompt by
   * ⟨c_head, t̂⟩ (METHOD 6.1, text -> images through one head)
   */
  headTopImages(layer: number, head: number, k?: number, prompt?: string): Promise<RankedImage[]>;
  /** images similar to one image according to one head: ⟨c_head(I'), c_head(I)⟩ (METHOD 6.1) */
  headSimilarImages(layer: number, head: number, imageId: string, k?: number): Promise<RankedImage[]>;
  /** switch components off (mean-ablated over the loaded images), ablation syntax; '' = none */
  setAblation(spec: string): Promise<{ canonical: string }>;
  /** top-k classes of many images, in the order of `imageIds` */
  topClasses(imageIds: readonly string[], k?: number): Promise<Top5[]>;
  /** every contribution of one image as plain numbers, for JSON/CSV export */
  /** the neurons of an MLP layer ranked by their mean effect on the loaded images (not the last layer) */
  neuronRanking(layer: number, onProgress?: ProgressCallback): Promise<NeuronRanking>;
  /** one neuron's top images, direction share and words (METHOD §10 over the loaded pool) */
  neuronPanel(layer: number, neuron: number): Promise<NeuronPanel>;
  /** one neuron's token map on one image: its per-token summands scored against the prompt, else against its direction */
  neuronTokenMap(imageId: string, layer: number, neuron: number, prompt?: string): Promise<Heatmap>;
  /** METHOD §10 over the loaded pool for the image embedding ('embedding') or a head term ('L{l}.H{h}') */
  explainImage(imageId: string, part: string, maxTexts?: number): Promise<ImageExplanation>;
  /** compares this model with published reference values (src/verify) */
  verifyModel(req: VerifyRequest, onProgress?: ProgressCallback): Promise<VerifyReport>;
  /** memory held for the loaded images and the cells budget */
  memoryUse(): Promise<MemoryUse>;
  exportContributions(imageId: string): Promise<{ layers: number; heads: number; embedDim: number; heads_LHD: Float32Array; mlp_LD: Float32Array; embed_D: Float32Array; embedding_D: Float32Array }>;
}
