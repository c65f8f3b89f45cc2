/**
 * Known CLIP repos with their approximate sizes, and whether a model fits this browser — decided
 * from sizes before any download: for a known repo from the table, for any repo from its tree
 * listing and safetensors headers (a few Range requests).
 *
 * The estimate is deliberately simple and errs large:
 * - WASM: onnxruntime-web keeps the external-data bytes and the f32 initializers in one worker's
 *   heap (4 GiB), so weights count twice as f32, plus the activations of one decomposed image.
 * - WebGPU: every weight is one GPU buffer; the largest (as f32) must fit the adapter's
 *   maxBufferSize and maxStorageBufferBindingSize.
 */
import { visionGrid } from '../model/arch.ts';
import { parseShardIndex } from '../model/checkpoint/safetensors.ts';
import type { HubClient, Tower } from './hubClient.ts';
import { chooseRepoFiles } from './hubClient.ts';
import { archFromConfig, plannedTensorsByTower, towerBytes, type TowerArchs } from './towers.ts';
import type { BrowserLimits, FitReport, FitVerdict, ModelSizeEstimate } from '../api/hub.ts';
import { readSafetensorsHeader } from '../model/checkpoint/safetensors.ts';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
/** a wasm32 worker's heap */
export const WASM_HEAP_BYTES = 4 * GiB;

export interface CatalogEntry {
  readonly repo: string;
  readonly label: string;
  readonly layout: 'hf' | 'openclip';
  /** weight parameters per tower (approximate, from the published architectures) */
  readonly params: Record<Tower, number>;
  readonly bytesPerParam: number;
  readonly vision: { width: number; layers: number; heads: number; patchSize: number; imageSize: number; mlpWidth: number };
  /** largest single weight per tower, in elements (vision: fc1; text: the token embedding) */
  readonly largestWeight: Record<Tower, number>;
}

const TEXT_B = { params: 63_428_608, tok: 49_408 * 512 };
const TEXT_L = { params: 123_650_304, tok: 49_408 * 768 };

/** OpenAI's and LAION's CLIP ViTs (parameter counts from the architectures; files are fp32) */
export const KNOWN_MODELS: readonly CatalogEntry[] = [
  {
    repo: 'openai/clip-vit-base-patch32', label: 'OpenAI ViT-B/32', layout: 'hf', bytesPerParam: 4,
    params: { vision: 87_849_216, text: TEXT_B.params },
    vision: { width: 768, layers: 12, heads: 12, patchSize: 32, imageSize: 224, mlpWidth: 3072 },
    largestWeight: { vision: 3072 * 768, text: TEXT_B.tok },
  },
  {
    repo: 'openai/clip-vit-base-patch16', label: 'OpenAI ViT-B/16', layout: 'hf', bytesPerParam: 4,
    params: { vision: 86_192_640, text: TEXT_B.params },
    vision: { width: 768, layers: 12, heads: 12, patchSize: 16, imageSize: 224, mlpWidth: 3072 },
    largestWeight: { vision: 3072 * 768, text: TEXT_B.tok },
  },
  {
    repo: 'openai/clip-vit-large-patch14', label: 'OpenAI ViT-L/14', layout: 'hf', bytesPerParam: 4,
    params: { vision: 303_966_208, text: TEXT_L.params },
    vision: { width: 1024, layers: 24, heads: 16, patchSize: 14, imageSize: 224, mlpWidth: 4096 },
    largestWeight: { vision: 4096 * 1024, text: TEXT_L.tok },
  },
  {
    repo: 'laion/CLIP-ViT-B-16-laion2B-s34B-b88K', label: 'LAION OpenCLIP ViT-B-16', layout: 'openclip', bytesPerParam: 4,
    params: { vision: 86_192_640, text: TEXT_B.params },
    vision: { width: 768, layers: 12, heads: 12, patchSize: 16, imageSize: 224, mlpWidth: 3072 },
    largestWeight: { vision: 3072 * 768, text: TEXT_B.tok },
  },
  {
    repo: 'laion/CLIP-ViT-L-14-laion2B-s32B-b82K', label: 'LAION OpenCLIP ViT-L-14', layout: 'openclip', bytesPerParam: 4,
    params: { vision: 303_966_208, text: TEXT_L.params },
    vision: { width: 1024, layers: 24, heads: 16, patchSize: 14, imageSize: 224, mlpWidth: 4096 },
    largestWeight: { vision: 4096 * 1024, text: TEXT_L.tok },
  },
  {
    repo: 'laion/CLIP-ViT-H-14-laion2B-s32B-b79K', label: 'LAION OpenCLIP ViT-H-14', layout: 'openclip', bytesPerParam: 4,
    params: { vision: 632_076_800, text: 354_030_592 },
    vision: { width: 1280, layers: 32, heads: 16, patchSize: 14, imageSize: 224, mlpWidth: 5120 },
    largestWeight: { vision: 5120 * 1280, text: 49_408 * 1024 },
  },
];

/**
 * Activation bytes of one decomposed image (f32): the residual stream and MLP hidden per layer
 * at peak, the attention probabilities of every layer [L,H,T,T] (kept as outputs), and the
 * per-head terms [L,H,D]. Token-resolved terms of a few layers are the caller's choice and
 * not included.
 */
export function decompositionActivationBytes(v: CatalogEntry['vision'], embedDim = v.width): number {
  const { tokens: T } = visionGrid({ ...v, headWidth: v.width / v.heads, embedDim, act: 'gelu', layerNormEps: 1e-5 });
  const perLayerPeak = T * (4 * v.width + v.mlpWidth) + v.heads * T * T;
  const kept = v.layers * v.heads * T * T + v.layers * (v.heads + 2) * embedDim;
  return 4 * (perLayerPeak + kept);
}

export function estimateForCatalogEntry(e: CatalogEntry): ModelSizeEstimate {
  return {
    params: { ...e.params },
    bytes: { vision: e.params.vision * e.bytesPerParam, text: e.params.text * e.bytesPerParam },
    bytesPerParam: e.bytesPerParam,
    largestWeightF32: { vision: e.largestWeight.vision * 4, text: e.largestWeight.text * 4 },
    activationBytes: decompositionActivationBytes(e.vision),
  };
}

const fmt = (bytes: number) => (bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(0)} MiB`);

/** Whether the towers of an estimated model fit the WASM heap and the WebGPU buffer limits. */
export function fitsThisBrowser(est: ModelSizeEstimate, towers: readonly Tower[], limits: BrowserLimits): { wasm: FitVerdict; webgpu: FitVerdict } {
  const f32 = towers.reduce((n, t) => n + est.params[t] * 4, 0);
  const stored = towers.reduce((n, t) => n + est.bytes[t], 0);
  const wasmNeed = stored + f32 + est.activationBytes;
  const wasm: FitVerdict = {
    fits: wasmNeed <= limits.wasmHeapBytes,
    needBytes: wasmNeed,
    limitBytes: limits.wasmHeapBytes,
    reason: `weights ${fmt(stored)} as stored + ${fmt(f32)} as f32 + activations ${fmt(est.activationBytes)} = ${fmt(wasmNeed)} of a ${fmt(limits.wasmHeapBytes)} WASM heap`,
  };
  const largest = Math.max(...towers.map((t) => est.largestWeightF32[t]));
  let webgpu: FitVerdict;
  if (!limits.webgpu) {
    webgpu = { fits: false, needBytes: largest, limitBytes: 0, reason: 'WebGPU is not available in this browser' };
  } else {
    const limit = Math.min(limits.webgpu.maxBufferSize, limits.webgpu.maxStorageBufferBindingSize);
    webgpu = {
      fits: largest <= limit,
      needBytes: largest,
      limitBytes: limit,
      reason: `largest weight ${fmt(largest)} (f32) vs the adapter's buffer limit ${fmt(limit)}`,
    };
  }
  return { wasm, webgpu };
}

/** This browser's limits (WebGPU adapter queried when present). */
export async function browserLimits(): Promise<BrowserLimits> {
  const limits: BrowserLimits = { wasmHeapBytes: WASM_HEAP_BYTES };
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ limits: Record<string, number> } | null> } } | undefined)?.gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (adapter) {
    limits.webgpu = { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize };
  }
  return limits;
}

function archEstimate(archs: TowerArchs): CatalogEntry['vision'] {
  const v = archs.vision;
  return { width: v.width, layers: v.layers, heads: v.heads, patchSize: v.patchSize, imageSize: v.imageSize, mlpWidth: v.mlpWidth };
}

/** Estimate any repo from its listing, configs and safetensors headers (no weights fetched). */
export async function estimateFromHub(hub: HubClient, repo: string, revision: string, signal?: AbortSignal): Promise<{ estimate: ModelSizeEstimate; layout: 'hf' | 'openclip' }> {
  const listing = await hub.listFiles(repo, revision, signal);
  const choice = await chooseRepoFiles(listing, `${repo}@${revision}`);
  const text = async (path: string) => new TextDecoder().decode(await hub.readWhole({ repo, revision, file: path }, listing.find((f) => f.path === path)?.size ?? 0, signal));
  const configName = choice.layout === 'openclip' ? 'open_clip_config.json' : 'config.json';
  const archs = archFromConfig(choice.layout, await text(configName), configName);
  const files =
    choice.weights.kind === 'single'
      ? [choice.weights.file]
      : parseShardIndex(await text(choice.weights.index.path), choice.weights.index.path).shards.map((s) => listing.find((f) => f.path === s)!);
  const est: ModelSizeEstimate = {
    params: { vision: 0, text: 0 },
    bytes: { vision: 0, text: 0 },
    bytesPerParam: 4,
    largestWeightF32: { vision: 0, text: 0 },
    activationBytes: decompositionActivationBytes(archEstimate(archs), archs.vision.embedDim),
  };
  const headers = [];
  for (const f of files) {
    const range = (start: number, end: number) => hub.readRange({ repo, revision, file: f.path }, start, end, signal);
    const prefix = await range(0, 8);
    const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getUint32(0, true);
    const bytes = new Uint8Array(8 + n);
    bytes.set(prefix);
    bytes.set(await range(8, 8 + n), 8);
    headers.push(await readSafetensorsHeader({ name: f.path, size: f.size, read: async (o, l) => bytes.subarray(o, o + l) }));
  }
  const byTower = plannedTensorsByTower(choice.layout, archs, new Set(headers.flatMap((h) => [...h.tensors.keys()])));
  let elements = 0;
  let stored = 0;
  for (const h of headers) {
    const split = towerBytes(h.tensors, byTower);
    for (const t of ['vision', 'text'] as const) {
      est.params[t] += split.params[t];
      const b = split.ranges[t].reduce((n, r) => n + r.end - r.start, 0);
      est.bytes[t] += b;
      stored += b;
      elements += split.params[t];
      const perParam = split.params[t] ? b / split.params[t] : 4;
      est.largestWeightF32[t] = Math.max(est.largestWeightF32[t], (split.largestTensor[t] / perParam) * 4);
    }
  }
  est.bytesPerParam = elements ? stored / elements : 4;
  return { estimate: est, layout: choice.layout };
}

/** The fit report of a repo (known repos from the table, others from the hub). */
export async function fitReport(
  hub: HubClient,
  repo: string,
  revision: string,
  towers: readonly Tower[],
  limits: BrowserLimits,
  signal?: AbortSignal,
): Promise<FitReport> {
  const known = KNOWN_MODELS.find((e) => e.repo === repo);
  const estimate = known ? estimateForCatalogEntry(known) : (await estimateFromHub(hub, repo, revision, signal)).estimate;
  return {
    repo,
    towers: [...towers],
    estimate,
    downloadBytes: towers.reduce((n, t) => n + estimate.bytes[t], 0),
    ...fitsThisBrowser(estimate, towers, limits),
  };
}
