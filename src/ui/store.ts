/**
 * App state (zustand). Holds ids, settings and small summaries sized for drawing (grids of
 * L·H values, G×G maps, top-5 lists); image bitmaps live in imageCache.ts, big tensors in the worker.
 */
import { create } from 'zustand';
import type { ClosureReport, HeadGridValues, Heatmap, ImageExplanation, LayerEffects, MemoryUse, NeuronPanel, NeuronRanking, Progress, RankedImage, SegmentationResult, TextSetSource, TextspanPanel, Top5 } from '../api/explorer.ts';
import type { FitReport, ModelSummary, RuntimeInfo } from '../api/types.ts';
import type { ColorMapName } from './lib/colorScale.ts';
import type { UserError } from './lib/errors.ts';
import type { QueueState } from './lib/workQueue.ts';
import { DEFAULT_VIEW, type ViewState } from './lib/urlState.ts';

export interface ModelSource {
  kind: 'demo' | 'folder' | 'stored';
  /** shareable id ('demo', a stored model id); '' for a local folder */
  id: string;
  label: string;
  /** shown beside the model wherever its numbers appear (the demo's random weights) */
  warning?: string;
}

export interface LoadedModel {
  summary: ModelSummary;
  source: ModelSource;
}

export interface ImageItem {
  id: string;
  name: string;
  status: 'adding' | 'ready';
  sourceSize?: readonly [number, number];
  /** max|û − Σ parts| of its decomposition, flagged above the tolerance */
  closure?: ClosureReport;
  /** the example-gallery file it came from (a shared link names these) */
  gallery?: string;
}

/** a shared link named a hub model this browser has not stored: offered for download */
export interface LinkOffer {
  repo: string;
  commit: string;
  /** size and fit, once the hub answered */
  fit?: FitReport;
  /** gallery images the link names, added once the model is in */
  images: string[];
}

export interface ProgressState {
  label: string;
  done: number;
  /** 0 = indeterminate */
  total: number;
  unit?: 'bytes' | 'items';
}

/**
 * The built-in label set and description pool being embedded in the background (never the one
 * progress bar: nothing else waits for them). 'cancelled' (the Cancel button, or another model) and
 * 'failed' keep the chunks embedded so far in the per-model cache; Resume continues from there.
 */
export interface TextSetsState {
  state: 'running' | 'cancelled' | 'done' | 'failed';
  /** while running: which set, and texts encoded of those missing from the cache */
  progress?: { phase: string; done: number; total: number };
  /** while running: Cancel was asked, answered once the text-tower run under way ends */
  cancelling?: boolean;
  /** when failed: what went wrong */
  error?: string;
}

export interface ShownError extends UserError {
  id: number;
}

export interface HeadDetail {
  layer: number;
  head: number;
  textspan?: TextspanPanel;
  topImages?: RankedImage[];
  /** what topImages were ranked by: ‖c_head‖, or ⟨c_head, t̂⟩ for this prompt */
  rankedBy?: string;
  /** images similar to the selected image along this head (METHOD 6.1) */
  similarImages?: RankedImage[];
  tokenMap?: Heatmap;
  error?: string;
}

/** one neuron of the Neurons view: its panel (words, top images) and its token map on the selected image */
export interface NeuronDetail {
  layer: number;
  neuron: number;
  panel?: NeuronPanel;
  tokenMap?: Heatmap;
  /** what the token map is scored against: the typed prompt, or the neuron's own direction d_n */
  probe?: { kind: 'prompt'; prompt: string } | { kind: 'direction' };
  error?: string;
}

/** "Explain this image": METHOD §10 for the selected image's embedding and the selected head's term */
export interface ExplanationState {
  imageId: string;
  embedding?: ImageExplanation;
  head?: ImageExplanation;
  error?: string;
}

export interface AppState {
  runtime?: RuntimeInfo;
  model?: LoadedModel;
  /** the one long task running now, for the progress bar */
  progress?: ProgressState;
  errors: ShownError[];
  notices: string[];
  images: ImageItem[];
  selectedImage?: string;
  view: ViewState;
  colorMap: ColorMapName;
  opacity: number;
  showSegmentation: boolean;
  /** segmentation threshold on the normalised map; undefined = each map's mean (METHOD 5.2) */
  segThreshold?: number;
  /** draw patch maps upsampled bilinearly (METHOD 5.1) instead of one block per patch */
  smoothMaps: boolean;
  /** the last hub download: running, or cancelled/failed with its stored bytes kept (Retry resumes) */
  hubDownload?: { repo: string; revision: string; state: 'running' | 'cancelled' | 'failed' };
  /** a shared link's model, not stored here: the download offer shown instead of an empty page */
  linkOffer?: LinkOffer;
  /** navigator.storage.persist()'s answer after a model was stored (undefined: not asked / no API) */
  storagePersisted?: boolean;
  labels?: { classes: number; source: string } & Partial<TextSetSource>;
  pool?: { texts: number; source: string } & Partial<TextSetSource>;
  textSets?: TextSetsState;
  /** the image queue (a dropped folder) while it runs */
  imageQueue?: QueueState;
  /** what the worker holds for the images, against its cells budget */
  memory?: MemoryUse;
  grid?: HeadGridValues;
  headDetail?: HeadDetail;
  /** per image id: heatmaps for the current prompt(s) */
  heatmaps: Record<string, Heatmap>;
  segmentations: Record<string, SegmentationResult>;
  top5: Record<string, Top5>;
  layerEffects?: LayerEffects;
  /** the Neurons view: the layer's ranking, the effects being computed, the picked neuron */
  neuronRanking?: NeuronRanking;
  neuronRankingError?: string;
  neuronProgress?: Progress & { layer: number };
  neuronDetail?: NeuronDetail;
  explanation?: ExplanationState;
  /** canonical form of the ablation set the worker holds */
  ablationCanonical: string;
  set(patch: Partial<Omit<AppState, 'set' | 'patchView' | 'pushError' | 'dismissError'>>): void;
  patchView(patch: Partial<ViewState>): void;
  pushError(e: UserError): void;
  dismissError(id: number): void;
}

let nextErrorId = 1;

export const useAppStore = create<AppState>((set) => ({
  errors: [],
  notices: [],
  images: [],
  view: DEFAULT_VIEW,
  colorMap: 'viridis',
  opacity: 0.6,
  showSegmentation: false,
  smoothMaps: true,
  heatmaps: {},
  segmentations: {},
  top5: {},
  ablationCanonical: '',
  set: (patch) => set(patch),
  patchView: (patch) => set((s) => ({ view: { ...s.view, ...patch } })),
  pushError: (e) => set((s) => ({ errors: [...s.errors.slice(-4), { ...e, id: nextErrorId++ }] })),
  dismissError: (id) => set((s) => ({ errors: s.errors.filter((e) => e.id !== id) })),
}));

export const selectSelectedImage = (s: AppState): ImageItem | undefined => s.images.find((i) => i.id === s.selectedImage);
export const selectReadyImages = (s: AppState): ImageItem[] => s.images.filter((i) => i.status === 'ready');
