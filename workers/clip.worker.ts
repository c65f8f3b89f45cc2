/**
 * The model worker: exposes ClipscopeApi with comlink. A thin adapter over src/model — the
 * checkpoint, the onnxruntime-web sessions and every big tensor live here, never on the main thread.
 */
import * as Comlink from 'comlink';
import { closureResidual } from '../src/analysis/closure.ts';
import { CodedError, codedThrowHandler, ERROR_CODES } from '../src/api/errors.ts';
import { measureStep } from '../src/api/stepTimings.ts';
import type { ExplorerApi, RuntimeEvent, RuntimeEventsApi } from '../src/api/explorer.ts';
import type { ClipscopeApi, DecomposeOptions, DecompositionSummary, LoadModelOptions, ModelFileInput, ModelSummary, ModelWorkerApi, TensorDTO } from '../src/api/types.ts';
import { displayBitmap } from '../src/explorer/displayBitmap.ts';
import { modelMemoryEstimate, RuntimeGuard } from '../src/explorer/recovery.ts';
import { ImageExplorer } from '../src/explorer/imageExplorer.ts';
import { bestEffortStore, openTextStore, type TextEmbeddingStore } from '../src/explorer/textStore.ts';
import { tensor, type Tensor } from '../src/math/tensor.ts';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { blobSource, sourceModelFiles } from '../src/model/checkpoint/sources.ts';
import { httpSource } from '../src/model/checkpoint/httpSource.ts';
import type { ByteSource, ClipCheckpoint } from '../src/model/checkpoint/types.ts';
import { createModelStoreApi } from '../src/hub/workerHub.ts';
import { imageComponents, outputNamed } from '../src/model/decomposition.ts';
import { ClipEngine, type Decomposition } from '../src/model/engine.ts';
import { decodeImage } from '../src/model/preprocess/decode.ts';
import { preprocessPixels } from '../src/model/preprocess/transform.ts';
import { initWebRuntime, loseWebGpuDeviceForTesting, onWebGpuDeviceLost, runtimeInfo } from '../src/model/runtime/ortWeb.ts';
import { sessionCreationLog, webSessionFactory } from '../src/model/runtime/webSessions.ts';
import { clipTokenizerFromFiles } from '../src/model/tokenizer/tokenizerFiles.ts';
import { warmUpRuntime, type WarmUpTiming } from '../src/model/warmUp.ts';

let engine: ClipEngine | undefined;
/** the runtime warm-up under way or done (RuntimeRequest.warmUp) */
let warmUp: Promise<WarmUpTiming | undefined> | undefined;
let imageExplorer: ImageExplorer | undefined;
const images = new Map<string, Decomposition>();
const runtimeListeners: ((e: RuntimeEvent) => void)[] = [];

/** text embeddings per model fingerprint, kept across page loads (IndexedDB; memory if it will not open) */
const textStore: Promise<TextEmbeddingStore> = openTextStore().then(({ store, persistent, reason }) => {
  if (!persistent) console.warn(`[clipscope] text embeddings are cached in memory only: ${reason}`);
  return bestEffortStore(store, (message) => console.warn(`[clipscope] ${message}`));
});

/** out-of-memory errors that say what the model needs; WebGPU device loss -> the same sessions on WASM */
const guard = new RuntimeGuard({
  provider: () => {
    try {
      return runtimeInfo().provider;
    } catch {
      return 'wasm';
    }
  },
  async switchToWasm() {
    const threads = runtimeInfo().threads;
    // sessions are recreated lazily on the next request, on the provider initWebRuntime picks now
    await engine?.release();
    await initWebRuntime({ provider: 'wasm', threads });
    // f16 compute is a WebGPU path: on WASM the image graphs go back to f32
    await engine?.setPrecision('f32');
  },
  memoryNeed: () => (engine ? modelMemoryEstimate(engine.checkpoint) : undefined),
  notify: (e) => {
    console.warn(`[clipscope] ${e.message}`);
    for (const l of runtimeListeners) l(e);
  },
});
onWebGpuDeviceLost((reason) => void guard.deviceLost(reason));

/** the same object with every method run through the guard */
function guarded<T extends object>(methods: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(methods)) out[name] = (...args: unknown[]) => guard.run(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args));
  return out as T;
}

const noModel = () => new CodedError(ERROR_CODES.noModel, 'no model is loaded');

function requireExplorer(): ImageExplorer {
  if (!imageExplorer) throw noModel();
  return imageExplorer;
}

function requireEngine(): ClipEngine {
  if (!engine) throw noModel();
  return engine;
}

function copyOut(t: Tensor): TensorDTO {
  // a copy, so the worker keeps its own data; the copy's buffer is transferred, not cloned
  const data = Float32Array.from(t.data);
  return Comlink.transfer({ dims: [...t.dims], data }, [data.buffer]);
}

async function summarize(imageId: string, parts: Decomposition, preprocessMs: number, runMs: number): Promise<DecompositionSummary> {
  images.set(imageId, parts);
  const tensors: Record<string, readonly number[]> = {};
  for (const [name, t] of Object.entries(parts)) tensors[name] = [...t.dims];
  const closure = closureResidual(imageComponents(parts));
  return { imageId, embedding: Float32Array.from(parts.embedding.data), tensors, timings: { preprocessMs, runMs }, closure };
}

async function openSource(f: ModelFileInput): Promise<ByteSource> {
  return 'blob' in f ? blobSource(f.blob, f.name) : httpSource(f.url, f.name, f.size);
}

/** make a loaded checkpoint the worker's model (loadModel and loadStoredModel) */
async function installCheckpoint(ckpt: ClipCheckpoint, t0: number, options: LoadModelOptions = {}): Promise<ModelSummary> {
  const next = new ClipEngine(ckpt, webSessionFactory(), undefined, { precision: runtimeInfo().precision ?? 'f32' });
  let refused = false;
  if (options.prepare) {
    // the session the page asks for starts reading its weights now, while the tokenizer is parsed
    // (0.25 s for CLIP's vocabulary in a fresh worker); a photo that needs it reports its failure
    const { warmUp, ...request } = options.prepare;
    next.prepareDecomposition(request, { warmUp: Boolean(warmUp) }).catch((err: Error) => {
      if (!refused) console.warn(`[clipscope] preparing the image session failed: ${err.message}`);
    });
  }
  const tk = performance.now();
  try {
    next.useTokenizer(ckpt.tokenizerFiles?.size ? await clipTokenizerFromFiles(ckpt.tokenizerFiles) : undefined);
  } catch (err) {
    // a bad tokenizer refuses the model at once and keeps the loaded one (the new session is
    // released once its creation, under way, has ended)
    refused = true;
    void next.release().catch(() => undefined);
    throw err;
  }
  measureStep('model:tokenizer', tk);
  // the old model's text sets stop between chunks (what they embedded stays cached for that model)
  await imageExplorer?.cancelTextSets();
  await engine?.release();
  images.clear();
  engine = next;
  imageExplorer = new ImageExplorer(engine, { textStore: await textStore });
  return {
    fingerprint: ckpt.fingerprint,
    layout: ckpt.layout,
    vision: ckpt.vision,
    ...(ckpt.text ? { text: ckpt.text } : {}),
    preprocess: ckpt.preprocess,
    runtime: runtimeInfo(),
    hasTokenizer: Boolean(next.tokenizer),
    loadMs: performance.now() - t0,
  };
}

const api: ClipscopeApi = {
  async initRuntime(req) {
    const info = await initWebRuntime(req);
    if (req.warmUp && info.provider === 'wasm') {
      // in the background: a model's sessions made meanwhile take turns with it (ortWeb's lock)
      warmUp ??= warmUpRuntime(webSessionFactory({ log: false })).catch((err) => {
        console.warn(`[clipscope] the runtime warm-up failed (the first session will be slower): ${(err as Error).message}`);
        return undefined;
      });
    }
    // a loaded model's image graphs follow the runtime's precision from the next request on
    await engine?.setPrecision(info.precision ?? 'f32');
    return info;
  },

  async loadModel(files: ModelFileInput[], options?: LoadModelOptions) {
    const t0 = performance.now();
    const sources = await Promise.all(files.map(openSource));
    const ckpt = await loadCheckpoint(sourceModelFiles(sources, 'model folder'));
    measureStep('model:checkpoint', t0);
    return installCheckpoint(ckpt, t0, options);
  },

  async decomposeImage(imageId, bytes, options: DecomposeOptions = {}) {
    const e = requireEngine();
    const t0 = performance.now();
    const pixels = preprocessPixels(await decodeImage(bytes, imageId), e.checkpoint.preprocess);
    const t1 = performance.now();
    const parts = await e.decompose(pixels, options);
    return summarize(imageId, parts, t1 - t0, performance.now() - t1);
  },

  async embedPixels(pixels) {
    const emb = await requireEngine().embed(tensor('C S S', pixels.data, pixels.dims));
    return Float32Array.from(emb.data);
  },

  async decomposePixels(imageId, pixels, options: DecomposeOptions = {}) {
    const e = requireEngine();
    const t0 = performance.now();
    const parts = await e.decompose(tensor('C S S', pixels.data, pixels.dims), options);
    return summarize(imageId, parts, 0, performance.now() - t0);
  },

  async prepareDecomposition(options = {}) {
    const { warmUp, ...request } = options;
    await requireEngine().prepareDecomposition(request, { warmUp: Boolean(warmUp) });
  },

  async getTensor(imageId, name) {
    const parts = images.get(imageId);
    if (!parts) throw new Error(`no decomposition is stored for image '${imageId}'`);
    const t = outputNamed(parts, name);
    if (!t) throw new Error(`image '${imageId}' has no tensor '${name}' (has: ${Object.keys(parts).join(', ')})`);
    return copyOut(t);
  },

  async encodeText(texts) {
    return copyOut(await requireEngine().encodeText(texts));
  },

  async getModelTensor(name) {
    const all = await requireEngine().headProjections();
    const t = outputNamed(all, name);
    if (!t) throw new Error(`no model tensor '${name}' (has: ${Object.keys(all).join(', ')})`);
    return copyOut(t);
  },

  async releaseImage(imageId) {
    images.delete(imageId);
  },
};

/** the explorer's analyses, delegated to the ImageExplorer of the loaded model */
const explorer: ExplorerApi = {
  async addImage(id, name, bytes) {
    const r = await requireExplorer().addImage(id, name, bytes);
    // the page gets a ready bitmap: no decoding or resampling on the main thread
    const bitmap = await displayBitmap(bytes, r.display);
    return Comlink.transfer({ ...r, bitmap }, [r.display.rgba.buffer, bitmap]);
  },
  removeImage: (id) => requireExplorer().removeImage(id),
  setLabels: (labels, onProgress) => requireExplorer().setLabels(labels, onProgress),
  setPool: (pool, onProgress) => requireExplorer().setPool(pool, onProgress),
  cancelTextSets: async () => (imageExplorer ? imageExplorer.cancelTextSets() : { cancelled: 0 }),
  loadAtlas: (json) => requireExplorer().loadAtlas(json),
  headGrid: (req) => requireExplorer().headGrid(req),
  layerEffects: (id, prompt) => requireExplorer().layerEffects(id, prompt),
  heatmap: (req) => requireExplorer().heatmap(req),
  heatmaps: (req, ids) => requireExplorer().heatmaps(req, ids).then((maps) => Comlink.transfer(maps, maps.flatMap((m) => m.maps.map((x) => x.buffer)))),
  headTokenMap: (id, l, h, prompt) => requireExplorer().headTokenMap(id, l, h, prompt),
  segmentation: (id, prompt) => requireExplorer().segmentation(id, prompt),
  segmentations: (ids, prompt) => requireExplorer().segmentations(ids, prompt).then((segs) => Comlink.transfer(segs, segs.flatMap((x) => [x.mask.buffer, x.normalised.buffer]))),
  headTextspan: (l, h, options) => requireExplorer().headTextspan(l, h, options),
  headTopImages: (l, h, k, prompt) => requireExplorer().headTopImages(l, h, k, prompt),
  headSimilarImages: (l, h, id, k) => requireExplorer().headSimilarImages(l, h, id, k),
  setAblation: (spec) => requireExplorer().setAblation(spec),
  topClasses: (ids, k) => requireExplorer().topClasses(ids, k),
  exportContributions: (id) => requireExplorer().exportContributions(id),
  neuronRanking: (layer, onProgress) => requireExplorer().neuronRanking(layer, onProgress),
  neuronPanel: (layer, neuron) => requireExplorer().neuronPanel(layer, neuron),
  neuronTokenMap: (id, layer, neuron, prompt) => requireExplorer().neuronTokenMap(id, layer, neuron, prompt),
  explainImage: (id, part, maxTexts) => requireExplorer().explainImage(id, part, maxTexts),
  verifyModel: (req, onProgress) => requireExplorer().verifyModel(req, onProgress),
  memoryUse: () => requireExplorer().memoryUse(),
};

const runtimeEvents: RuntimeEventsApi = {
  async watchRuntime(listener) {
    runtimeListeners.push(listener);
  },
  async loseWebGpuDeviceForTesting() {
    return loseWebGpuDeviceForTesting();
  },
  async encodedTextCount() {
    return imageExplorer?.encodedTextCount ?? 0;
  },
  async sessionCreationTimings() {
    return sessionCreationLog();
  },
  async runtimeWarmUp() {
    return warmUp;
  },
};

/** hub downloads and stored models (src/hub) */
const modelStore = createModelStoreApi(installCheckpoint);

const exposed: ModelWorkerApi = { ...guarded(api), ...guarded(explorer), ...modelStore, ...runtimeEvents };
// thrown errors keep their code, name and subject on the way to the UI (src/api/errors.ts)
Comlink.transferHandlers.set('throw', codedThrowHandler(Comlink.transferHandlers.get('throw')!));
Comlink.expose(exposed);
