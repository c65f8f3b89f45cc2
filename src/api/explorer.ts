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
  timings: { decodeMs: number; decomposeMs: number };
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

export interface ExplorerApi {
  addImage(id: string, name: string, bytes: Uint8Array): Promise<ImageAdded>;
  removeImage(id: string): Promise<void>;
  /** label set for zero-shot top-5 (default: the project's public/data/labels.json, fetched by the caller) */
  setLabels(labels: { classes: string[]; templates: string[] }, onProgress?: ProgressCallback): Promise<{ classes: number }>;
  /** description pool for TEXTSPAN: lines `property<TAB>text` or plain lines */
  setPool(poolText: string, onProgress?: ProgressCallback): Promise<{ texts: number }>;
  /** an atlas.json written by `clipscope textspan` */
  loadAtlas(atlasJson: string): Promise<{ heads: number; images: number }>;
  headGrid(req: HeadGridRequest): Promise<HeadGridValues>;
  layerEffects(imageId: string, prompt?: string): Promise<LayerEffects>;
  heatmap(req: HeatmapRequest): Promise<Heatmap>;
  /** one head's token map for a prompt (METHOD 5.1, joint head x token map) */
  headTokenMap(imageId: string, layer: number, head: number, prompt: string): Promise<Heatmap>;
  segmentation(imageId: string, prompt?: string): Promise<SegmentationResult>;
  headTextspan(layer: number, head: number, options?: { m?: number; rank?: number }): Promise<TextspanPanel>;
  headTopImages(layer: number, head: number, k?: number): Promise<RankedImage[]>;
  /** switch components off (mean-ablated over the loaded images), ablation syntax; '' = none */
  setAblation(spec: string): Promise<{ canonical: string }>;
  topClasses(imageId: string, k?: number): Promise<Top5>;
  /** every contribution of one image as plain numbers, for JSON/CSV export */
  exportContributions(imageId: string): Promise<{ layers: number; heads: number; embedDim: number; heads_LHD: Float32Array; mlp_LD: Float32Array; embed_D: Float32Array; embedding_D: Float32Array }>;
}
