/**
 * DTOs of model downloads and stored models: they cross the worker boundary (structured clone),
 * so they hold only plain data. The hub (src/hub) produces them; the UI reads them.
 */
/** the two towers of a CLIP checkpoint, fetched and stored separately */
export type Tower = 'vision' | 'text';

/** A model on a hub: repo id, revision (branch, tag or commit), and the towers to fetch. */
export interface HubModelRequest {
  /** default https://huggingface.co */
  endpoint?: string;
  repo: string;
  /** default 'main'; pinned to its commit before anything is downloaded */
  revision?: string;
  /** 'vision' is always fetched; add 'text' for prompts */
  towers?: Tower[];
  /**
   * a Hugging Face access token (hf_...) for gated and private repos: sent as
   * `Authorization: Bearer` to the hub only, never stored
   */
  token?: string;
}

export type DownloadPhase = 'resolve' | 'headers' | 'download' | 'verify' | 'done';

export interface DownloadProgress {
  /** the stored model's id (known once the revision is pinned) */
  modelId: string;
  phase: DownloadPhase;
  /** bytes stored so far (including bytes stored by an earlier, interrupted download) */
  bytesDone: number;
  bytesTotal: number;
  /** recent transfer rate, bytes per second (0 until measured) */
  rateBps: number;
  /** seconds left at the recent rate; null while the rate is unknown */
  etaSeconds: number | null;
  /** file being fetched or checked */
  file: string;
  /** connection retries so far */
  retries: number;
  /** how the file is fetched, when not by plain byte ranges (e.g. whole, because the server ignores Range) */
  note?: string;
}

/** What was checked about one stored file. */
export type FileVerification =
  | { kind: 'sha256'; sha256: string }
  | { kind: 'git-oid'; oid: string }
  /** partial safetensors: header bytes equal to the header read first, every range's length */
  | { kind: 'ranges'; headerBytes: number; ranges: number }
  /**
   * partial safetensors through a server that hides Content-Range: as 'ranges', and each range's
   * last bytes equal the same bytes fetched by a separate request (`windows` checks)
   */
  | { kind: 'ranges-cross-checked'; headerBytes: number; ranges: number; windows: number }
  | { kind: 'size' };

export interface StoredModelInfo {
  id: string;
  endpoint: string;
  repo: string;
  /** the pinned commit */
  revision: string;
  /** the revision the user asked for (branch or tag) */
  requestedRevision: string;
  layout: 'hf' | 'openclip';
  towers: Tower[];
  /** bytes stored */
  storedBytes: number;
  /** bytes the download needs in all */
  totalBytes: number;
  complete: boolean;
  /** ISO date of the last write */
  date: string;
  /** the loader's fingerprint (equal to a full download's); empty until complete */
  fingerprint: string;
  files: { name: string; size: number; storedBytes: number; verified?: FileVerification }[];
}

/** What a model needs, estimated from sizes before any weight is downloaded. */
export interface ModelSizeEstimate {
  /** weight parameters per tower */
  params: Record<Tower, number>;
  /** bytes of each tower's weights as stored */
  bytes: Record<Tower, number>;
  /** bytes per stored weight element (4 for F32, 2 for F16/BF16) */
  bytesPerParam: number;
  /** largest single weight tensor per tower, in bytes as f32 */
  largestWeightF32: Record<Tower, number>;
  /** activation bytes of one decomposed image (approximate), vision only */
  activationBytes: number;
}

export interface BrowserLimits {
  /** per-worker WASM heap (4 GiB with memory64 off) */
  wasmHeapBytes: number;
  /** WebGPU adapter limits, absent where WebGPU is unavailable */
  webgpu?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

export interface FitVerdict {
  fits: boolean;
  /** needed vs available, in bytes */
  needBytes: number;
  limitBytes: number;
  reason: string;
}

export interface FitReport {
  repo: string;
  towers: Tower[];
  estimate: ModelSizeEstimate;
  /** download size of the requested towers */
  downloadBytes: number;
  wasm: FitVerdict;
  webgpu: FitVerdict;
}

/** A known hub model with its fit in this browser, decided from published sizes before any download. */
export interface KnownModelInfo {
  repo: string;
  label: string;
  layout: 'hf' | 'openclip';
  params: Record<Tower, number>;
  /** download size of both towers */
  downloadBytes: number;
  wasm: FitVerdict;
  webgpu: FitVerdict;
}
