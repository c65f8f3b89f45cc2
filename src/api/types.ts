/**
 * The typed contract between the UI (main thread) and the model worker (comlink).
 * Only ids, summaries and small tensors cross it: big tensors stay in the worker and are fetched
 * on demand with `getTensor` (transferred, not cloned).
 */
import type { PreprocessConfig, TextArch, VisionArch } from './architecture.ts';
import type { ClosureReport, ExplorerApi, RuntimeEventsApi } from './explorer.ts';
import type { DownloadProgress, FitReport, HubModelRequest, KnownModelInfo, StoredModelInfo } from './hub.ts';

export type { DownloadProgress, FitReport, HubModelRequest, KnownModelInfo, StoredModelInfo };

export type ExecutionProvider = 'webgpu' | 'wasm';

export interface RuntimeRequest {
  /** 'auto' tries WebGPU first and falls back to WASM, saying why */
  provider: ExecutionProvider | 'auto';
  /** WASM threads (needs cross-origin isolation for more than 1) */
  threads?: number;
  /** refuse to place any node on the CPU when WebGPU is used (proves the graph runs on the GPU) */
  disableCpuFallback?: boolean;
  /** onnxruntime verbose logging (node placement etc.) to the console */
  verboseLogging?: boolean;
  /**
   * 'f16' (opt-in): the image graphs keep their weights in f16 and compute their linear layers in
   * f16 (LayerNorm, softmax and reductions stay f32); needs WebGPU with `shader-f16`. Default 'f32'.
   */
  precision?: 'f32' | 'f16';
  /**
   * WASM only: build and run a small random model in the background first, so the first real
   * session and run do not pay for compiling onnxruntime's code (src/model/warmUp.ts)
   */
  warmUp?: boolean;
}

export interface RuntimeInfo {
  provider: ExecutionProvider;
  /** why the requested provider was not used, if it was not */
  fallbackReason?: string;
  threads: number;
  crossOriginIsolated: boolean;
  /** WebGPU adapter facts when WebGPU is in use */
  adapter?: { description: string; isFallbackAdapter: boolean; shaderF16: boolean; maxBufferSize: number };
  /** the image graphs' compute precision (absent: f32) */
  precision?: 'f32' | 'f16';
}

/** A file of a model folder (local drop) or a URL the worker may fetch with Range requests. */
export type ModelFileInput = { name: string; blob: Blob } | { name: string; url: string; size?: number };

export interface ModelSummary {
  fingerprint: string;
  layout: 'hf' | 'openclip';
  vision: VisionArch;
  text?: TextArch;
  preprocess: PreprocessConfig;
  runtime: RuntimeInfo;
  hasTokenizer: boolean;
  /** milliseconds spent building graphs and creating sessions */
  loadMs: number;
}

export interface DecomposeOptions {
  /** layers whose full per-cell terms [K,T,H,D] are kept (default: none) */
  tokenLayers?: number[];
  debugResidual?: boolean;
  /** also the second-order effects of this MLP layer's neurons (METHOD §9): output neuron_effects [M,D] */
  neuronLayer?: number;
}

export interface DecompositionSummary {
  imageId: string;
  /** unit image embedding [D] (small enough to send) */
  embedding: Float32Array;
  /** names and dims of every tensor kept in the worker for this image */
  tensors: Record<string, readonly number[]>;
  timings: { preprocessMs: number; runMs: number };
  /** max|û − Σ parts| (parts summed in float64), flagged above 1e-4 */
  closure: ClosureReport;
}

export interface TensorDTO {
  dims: readonly number[];
  data: Float32Array;
}

/** a decomposition session to build before any image; `warmUp`: then one run on a blank image */
export type PrepareOptions = DecomposeOptions & { warmUp?: boolean };

/** what to do at once with a model being loaded */
export interface LoadModelOptions {
  /**
   * the decomposition session to build (and with `warmUp`, run once on a blank image) as soon as
   * the checkpoint is read, while the tokenizer is parsed: what prepareDecomposition(prepare)
   * right after the load would do, started earlier
   */
  prepare?: PrepareOptions;
}

export interface ClipscopeApi {
  initRuntime(req: RuntimeRequest): Promise<RuntimeInfo>;
  loadModel(files: ModelFileInput[], options?: LoadModelOptions): Promise<ModelSummary>;
  /** decode + preprocess + decompose an encoded image (PNG/JPEG bytes) */
  decomposeImage(imageId: string, bytes: Uint8Array, options?: DecomposeOptions): Promise<DecompositionSummary>;
  /** unit embedding [D] of a preprocessed [3,S,S] tensor through the plain graph (no decomposition) */
  embedPixels(pixels: TensorDTO): Promise<Float32Array>;
  /** decompose an already preprocessed [3,S,S] tensor */
  decomposePixels(imageId: string, pixels: TensorDTO, options?: DecomposeOptions): Promise<DecompositionSummary>;
  /**
   * builds the decomposition session for `options` before an image is given (the app calls it when a
   * model is chosen); `warmUp`: then one run on a blank image, so the first photo runs at steady speed
   */
  prepareDecomposition(options?: PrepareOptions): Promise<void>;
  getTensor(imageId: string, name: string): Promise<TensorDTO>;
  /** unit text embeddings [C,D] */
  encodeText(texts: string[]): Promise<TensorDTO>;
  /** the per-model head projection matrices (METHOD 2.6) by name */
  getModelTensor(name: string): Promise<TensorDTO>;
  releaseImage(imageId: string): Promise<void>;
}

/** Models from the Hugging Face hub, stored in the browser (OPFS). */
export interface ModelStoreApi {
  listStoredModels(): Promise<StoredModelInfo[]>;
  /** also cancels its download if one is running */
  deleteStoredModel(id: string): Promise<void>;
  /**
   * download (or resume) the requested towers; resolves with the stored model's id.
   * `onProgress` must be a Comlink.proxy; its events carry the id from the first one on.
   */
  downloadModel(req: HubModelRequest, onProgress?: (p: DownloadProgress) => void): Promise<string>;
  /** by model id, or by "repo@revision" as requested */
  cancelDownload(id: string): Promise<void>;
  loadStoredModel(id: string, options?: LoadModelOptions): Promise<ModelSummary>;
  /** whether a model fits this browser, from sizes only (before any download) */
  estimateFit(req: HubModelRequest): Promise<FitReport>;
  /** the known CLIP repos, each with its fit in this browser (from published sizes, no network) */
  listKnownModels(): Promise<KnownModelInfo[]>;
}

/** everything the model worker exposes on its one comlink endpoint */
export type ModelWorkerApi = ClipscopeApi & ExplorerApi & ModelStoreApi & RuntimeEventsApi;
