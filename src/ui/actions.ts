/**
 * Everything the UI asks of the worker, in one place: each action calls the worker client and
 * writes small results into the store. Views that can be re-requested while an older request is in
 * flight use a per-view sequence number, so only the latest answer is shown.
 */
import * as Comlink from 'comlink';
import type { Progress, RuntimeEvent, VerifyReport } from '../api/explorer.ts';
import type { ExecutionProvider, ModelFileInput } from '../api/types.ts';
import type { DownloadProgress, FitReport, HubModelRequest, KnownModelInfo, StoredModelInfo } from '../api/types.ts';
import { formatBytes, formatSeconds } from './lib/format.ts';
import { FALLBACK_LABELS, FALLBACK_POOL } from './fallbackText.ts';
import { cacheImageBitmap, dropImageBitmap } from './imageCache.ts';
import { explainError, type ErrorContext } from './lib/errors.ts';
import { classifyUpload, imageIdFor } from './lib/intake.ts';
import { WorkQueue } from './lib/workQueue.ts';
import { useAppStore, type ModelSource } from './store.ts';
import { modelWorker, progressProxy } from './workerClient.ts';

const store = useAppStore;
const BASE = import.meta.env.BASE_URL;

function fail(err: unknown, context: ErrorContext, subject = ''): void {
  console.error(err);
  store.getState().pushError(explainError(err, context, subject));
}

function notice(text: string): void {
  store.setState((s) => ({ notices: s.notices.includes(text) ? s.notices : [...s.notices, text] }));
}

function setProgress(label: string, done: number, total: number, unit?: 'bytes' | 'items'): void {
  store.getState().set({ progress: { label, done, total, ...(unit ? { unit } : {}) } });
}

function clearProgress(): void {
  store.getState().set({ progress: undefined });
}

const workerProgress = (label: string) => progressProxy((p: Progress) => setProgress(`${label}: ${p.phase}`, p.done, p.total, 'items'));

/** latest-wins guard per view */
const seq: Record<string, number> = {};
function ticket(view: string): () => boolean {
  const n = (seq[view] = (seq[view] ?? 0) + 1);
  return () => seq[view] === n;
}

// ---------------------------------------------------------------------------------- runtime

export async function startRuntime(provider: ExecutionProvider | 'auto' = 'auto'): Promise<void> {
  const api = modelWorker();
  const threads = Math.min(4, navigator.hardwareConcurrency || 1);
  try {
    let info = await api.initRuntime({ provider, threads });
    if (provider === 'auto' && info.provider === 'webgpu' && info.adapter?.isFallbackAdapter) {
      // a software adapter (SwiftShader) is far slower than WASM
      info = await api.initRuntime({ provider: 'wasm', threads });
      info = { ...info, fallbackReason: 'the only WebGPU adapter is a software fallback, slower than WASM' };
    }
    store.getState().set({ runtime: info });
    watchRuntimeOnce();
    if (info.fallbackReason) notice(`WebGPU not used (${info.fallbackReason}): running on WASM with ${info.threads} thread${info.threads === 1 ? '' : 's'}.`);
    if (info.provider === 'wasm' && !info.crossOriginIsolated) notice('The page is not cross-origin isolated, so WASM runs on one thread (slower).');
  } catch (err) {
    fail(err, 'runtime');
  }
}

/** `?testHooks=1`: what browser tests need that no user control offers (a simulated GPU reset) */
if (new URLSearchParams(location.search).has('testHooks')) {
  (window as unknown as { clipscopeTest: object }).clipscopeTest = {
    loseWebGpuDevice: () => modelWorker().loseWebGpuDeviceForTesting(),
    encodedTextCount: () => modelWorker().encodedTextCount(),
  };
}

let watching = false;
/** the worker may change runtime on its own (WebGPU device lost -> WASM): say so and show it */
function watchRuntimeOnce(): void {
  if (watching) return;
  watching = true;
  void modelWorker().watchRuntime(
    Comlink.proxy((e: RuntimeEvent) => {
      notice(e.message);
      const runtime = store.getState().runtime;
      if (runtime) store.getState().set({ runtime: { provider: e.provider, threads: runtime.threads, crossOriginIsolated: runtime.crossOriginIsolated, fallbackReason: `WebGPU device lost (${e.reason})` } });
    }),
  );
}

// ----------------------------------------------------------------------------------- models

interface DemoManifest {
  name: string;
  warning: string;
  files: { name: string; size: number }[];
}

async function fetchWithProgress(url: string, label: string, onBytes: (n: number) => void): Promise<Blob> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status} (${label})`);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    onBytes(value.byteLength);
  }
  return new Blob(chunks as BlobPart[]);
}

async function afterModelLoaded(source: ModelSource, files: ModelFileInput[] | { storedId: string }): Promise<void> {
  const api = modelWorker();
  setProgress(`building the ${source.label} graphs`, 0, 0);
  const summary = 'storedId' in files ? await api.loadStoredModel(files.storedId) : await api.loadModel(files);
  for (const img of store.getState().images) dropImageBitmap(img.id);
  store.getState().set({
    model: { summary, source },
    images: [],
    selectedImage: undefined,
    grid: undefined,
    headDetail: undefined,
    heatmaps: {},
    segmentations: {},
    top5: {},
    layerEffects: undefined,
    ablationCanonical: '',
    labels: undefined,
    pool: undefined,
    memory: undefined,
  });
  store.getState().patchView({ model: source.id });
  clearProgress();
  await loadTextSets();
  // an ablation set from a shared URL applies once images are in
}

export async function loadDemoModel(): Promise<void> {
  try {
    const res = await fetch(`${BASE}demo/manifest.json`);
    if (!res.ok) throw new Error(`the demo model is missing from this build (GET demo/manifest.json: HTTP ${res.status}); run npm run build`);
    const manifest = (await res.json()) as DemoManifest;
    const total = manifest.files.reduce((s, f) => s + f.size, 0);
    let done = 0;
    setProgress('downloading the demo model', 0, total, 'bytes');
    const files: ModelFileInput[] = [];
    for (const f of manifest.files) {
      const blob = await fetchWithProgress(`${BASE}demo/${f.name}`, f.name, (n) => {
        done += n;
        setProgress('downloading the demo model', done, total, 'bytes');
      });
      files.push({ name: f.name, blob });
    }
    await afterModelLoaded({ kind: 'demo', id: 'demo', label: `demo (${manifest.name})`, warning: manifest.warning }, files);
  } catch (err) {
    clearProgress();
    fail(err, 'model', 'the demo model');
  }
}

export async function loadModelFolder(list: File[]): Promise<void> {
  if (list.length === 0) return;
  const files: ModelFileInput[] = list.map((f) => ({ name: f.name, blob: f }));
  const folder = (list[0] as File & { webkitRelativePath?: string }).webkitRelativePath?.split('/')[0] || 'local model';
  try {
    await afterModelLoaded({ kind: 'folder', id: '', label: folder }, files);
  } catch (err) {
    clearProgress();
    fail(err, 'model', folder);
  }
}

// ------------------------------------------------------------------- Hugging Face hub models

/**
 * The hub the picker downloads from: `?hub=http://host:port` (a mirror, or the tests' mock hub),
 * else the worker's default (https://huggingface.co). Read from the URL the page was opened with.
 */
const HUB_ENDPOINT = hubEndpointFromUrl(location.search);

export function hubEndpointFromUrl(search: string): string | undefined {
  const raw = new URLSearchParams(search).get('hub');
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? raw : undefined;
  } catch {
    return undefined;
  }
}

const hubRequest = (repo: string, revision = 'main'): HubModelRequest => ({
  repo,
  revision,
  towers: ['vision', 'text'],
  ...(HUB_ENDPOINT ? { endpoint: HUB_ENDPOINT } : {}),
});

function downloadLabel(repo: string, p: DownloadProgress): string {
  const rate = p.rateBps > 0 ? ` · ${formatBytes(p.rateBps)}/s` : '';
  const eta = p.etaSeconds !== null && p.phase === 'download' ? ` · ${formatSeconds(p.etaSeconds)} left` : '';
  const retries = p.retries > 0 ? ` · resumed after ${p.retries} broken connection${p.retries > 1 ? 's' : ''}` : '';
  return `downloading ${repo} (${p.phase})${rate}${eta}${retries}`;
}

export async function listStoredModels(): Promise<StoredModelInfo[]> {
  try {
    return await modelWorker().listStoredModels();
  } catch (err) {
    fail(err, 'model', '(stored models)');
    return [];
  }
}

export async function estimateHubFit(repo: string, revision = 'main'): Promise<FitReport | undefined> {
  try {
    return await modelWorker().estimateFit(hubRequest(repo, revision));
  } catch (err) {
    fail(err, 'download', repo);
    return undefined;
  }
}

/** downloads (or resumes) a hub model into this browser's storage, then loads it */
export async function downloadAndLoadHubModel(repo: string, revision = 'main'): Promise<void> {
  store.getState().set({ hubDownload: { repo, revision, state: 'running' } });
  try {
    setProgress(`downloading ${repo}`, 0, 0, 'bytes');
    const id = await modelWorker().downloadModel(
      hubRequest(repo, revision),
      Comlink.proxy((p: DownloadProgress) => setProgress(downloadLabel(repo, p), p.bytesDone, p.bytesTotal, 'bytes')),
    );
    store.getState().set({ hubDownload: undefined });
    await loadStoredModel(id, repo);
  } catch (err) {
    clearProgress();
    const cancelled = /cancel/i.test(String((err as Error)?.message ?? err));
    // what was stored stays: Retry resumes from the last stored byte
    store.getState().set({ hubDownload: { repo, revision, state: cancelled ? 'cancelled' : 'failed' } });
    if (!cancelled) fail(err, 'download', repo);
  }
}

export async function cancelHubDownload(repo: string, revision = 'main'): Promise<void> {
  await modelWorker().cancelDownload(`${repo}@${revision}`);
}

export async function listKnownHubModels(): Promise<KnownModelInfo[]> {
  return modelWorker().listKnownModels().catch((err: unknown) => {
    fail(err, 'model', 'known models');
    return [];
  });
}

export async function loadStoredModel(id: string, label: string): Promise<void> {
  try {
    await afterModelLoaded({ kind: 'stored', id, label }, { storedId: id });
  } catch (err) {
    clearProgress();
    fail(err, 'model', label);
  }
}

export async function deleteStoredModel(id: string): Promise<void> {
  await modelWorker().deleteStoredModel(id).catch((err: unknown) => fail(err, 'model', id));
}

async function fetchText(path: string): Promise<string | undefined> {
  const res = await fetch(`${BASE}${path}`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const type = res.headers.get('content-type') ?? '';
  // a SPA fallback may answer index.html for a missing file
  if (type.includes('text/html')) return undefined;
  return res.text();
}

/** the app's label set and description pool (or the small fallbacks, said so) */
export async function loadTextSets(): Promise<void> {
  const api = modelWorker();
  if (!store.getState().model?.summary.text) {
    notice('This model has no text tower: prompts, top-5 and TEXTSPAN are unavailable.');
    return;
  }
  try {
    const labelsText = await fetchText('data/labels.json');
    const labels = labelsText ? (JSON.parse(labelsText) as { classes: string[]; templates: string[] }) : FALLBACK_LABELS;
    if (!labelsText) notice('No label set found at data/labels.json: top-5 uses a small built-in list of 15 classes.');
    const r = await api.setLabels(labels, workerProgress('encoding the label set'));
    store.getState().set({ labels: { classes: r.classes, source: labelsText ? 'data/labels.json' : 'built-in (15 classes)', encoded: r.encoded, cached: r.cached } });
    const poolText = await fetchText('data/descriptions.tsv');
    if (!poolText) notice('No description pool found at data/descriptions.tsv: TEXTSPAN uses a small built-in pool.');
    const p = await api.setPool(poolText ?? FALLBACK_POOL, workerProgress('encoding the TEXTSPAN pool'));
    store.getState().set({ pool: { texts: p.texts, source: poolText ? 'data/descriptions.tsv' : 'built-in', encoded: p.encoded, cached: p.cached } });
  } catch (err) {
    fail(err, 'analysis', '(label set / pool)');
  } finally {
    clearProgress();
  }
}

export async function loadUserLabels(file: File): Promise<void> {
  try {
    const text = await file.text();
    const parsed = file.name.endsWith('.json')
      ? (JSON.parse(text) as { classes: string[]; templates?: string[] })
      : { classes: text.split('\n').map((l) => l.trim()).filter(Boolean) };
    const labels = { classes: parsed.classes, templates: parsed.templates ?? FALLBACK_LABELS.templates };
    const r = await modelWorker().setLabels(labels, workerProgress('encoding the label set'));
    store.getState().set({ labels: { classes: r.classes, source: file.name, encoded: r.encoded, cached: r.cached } });
  } catch (err) {
    fail(err, 'analysis', file.name);
  } finally {
    clearProgress();
  }
}

export async function loadUserPool(file: File): Promise<void> {
  try {
    const p = await modelWorker().setPool(await file.text(), workerProgress('encoding the TEXTSPAN pool'));
    store.getState().set({ pool: { texts: p.texts, source: file.name, encoded: p.encoded, cached: p.cached } });
  } catch (err) {
    fail(err, 'analysis', file.name);
  } finally {
    clearProgress();
  }
}

export async function loadUserAtlas(file: File): Promise<void> {
  try {
    const r = await modelWorker().loadAtlas(await file.text());
    notice(`Atlas ${file.name} opened: TEXTSPAN lists of ${r.heads} heads over ${r.images} images.`);
  } catch (err) {
    fail(err, 'analysis', file.name);
  }
}

// ----------------------------------------------------------------------------------- images

export interface Upload {
  name: string;
  bytes: Uint8Array;
}

/** add images one by one (the worker decomposes each); refused files become page errors */
export async function addImages(uploads: Upload[]): Promise<void> {
  const s = store.getState();
  if (!s.model) {
    s.pushError({ kind: 'no-model', title: 'No model loaded', detail: `${uploads.length} file(s) dropped before a model was picked`, hint: 'Pick a model first (the demo model loads in a second), then drop the images again.' });
    return;
  }
  const accepted: QueuedUpload[] = [];
  for (const u of uploads) {
    const intake = classifyUpload(u.name, u.bytes.subarray(0, 64));
    if (intake.kind === 'rejected') {
      s.pushError({ kind: 'not-an-image', title: `Not an image: ${u.name}`, detail: intake.reason, hint: 'Drop PNG or JPEG files.' });
      continue;
    }
    const id = imageIdFor(u.name, u.bytes);
    if (store.getState().images.some((i) => i.id === id)) continue;
    accepted.push({ ...u, id });
    store.getState().set({ images: [...store.getState().images, { id, name: u.name, status: 'adding' }] });
  }
  if (accepted.length > 0) await imageQueue.enqueue(accepted);
}

type QueuedUpload = Upload & { id: string };

/** decomposes one queued image in the worker and shows it */
async function decomposeQueued(u: QueuedUpload): Promise<void> {
  try {
    // a copy goes to the worker: the bytes are needed here for the display bitmap too
    const added = await modelWorker().addImage(u.id, u.name, u.bytes.slice());
    await cacheImageBitmap(u.id, u.bytes, added.display);
    store.getState().set({
      images: store.getState().images.map((i) => (i.id === u.id ? { ...i, status: 'ready', sourceSize: added.sourceSize } : i)),
      selectedImage: store.getState().selectedImage ?? u.id,
    });
  } catch (err) {
    store.getState().set({ images: store.getState().images.filter((i) => i.id !== u.id) });
    fail(err, 'image', u.name);
  }
  await refreshMemoryUse();
}

/** dropped images (a folder: many) are decomposed one by one; Cancel stops after the current one */
const imageQueue = new WorkQueue<QueuedUpload>({
  process: decomposeQueued,
  onChange(state) {
    store.getState().set({ imageQueue: state });
    if (state?.current) setProgress(`decomposing ${state.current}${state.cancelling ? ' (cancelling after this image)' : ''}`, state.done, state.total, 'items');
    else if (!state) clearProgress();
  },
  onDropped(items) {
    const ids = new Set(items.map((i) => i.id));
    store.getState().set({ images: store.getState().images.filter((i) => !ids.has(i.id)) });
    notice(`Cancelled: ${items.length} image${items.length === 1 ? ' was' : 's were'} not added.`);
  },
});

export function cancelImageQueue(): void {
  imageQueue.cancel();
}

export async function refreshMemoryUse(): Promise<void> {
  if (!store.getState().model) return;
  try {
    store.getState().set({ memory: await modelWorker().memoryUse() });
  } catch (err) {
    console.warn('memoryUse failed', err);
  }
}

export async function removeImage(id: string): Promise<void> {
  store.setState((s) => {
    const images = s.images.filter((i) => i.id !== id);
    const { [id]: _h, ...heatmaps } = s.heatmaps;
    const { [id]: _t, ...top5 } = s.top5;
    const { [id]: _s, ...segmentations } = s.segmentations;
    return { images, heatmaps, top5, segmentations, selectedImage: s.selectedImage === id ? images[0]?.id : s.selectedImage };
  });
  dropImageBitmap(id);
  await modelWorker().removeImage(id).catch((err: unknown) => fail(err, 'image'));
  await refreshMemoryUse();
}

export async function addGalleryImages(files: string[]): Promise<void> {
  try {
    const uploads: Upload[] = [];
    for (const f of files) {
      const res = await fetch(`${BASE}gallery/${f}`);
      if (!res.ok) throw new Error(`GET gallery/${f}: HTTP ${res.status}`);
      uploads.push({ name: f, bytes: new Uint8Array(await res.arrayBuffer()) });
    }
    await addImages(uploads);
  } catch (err) {
    fail(err, 'download', 'gallery');
  }
}

// -------------------------------------------------------------------------------- analyses

export async function refreshGrid(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('grid');
  const { mode, prompt } = s.view;
  const ready = s.images.filter((i) => i.status === 'ready');
  if (!s.model || ready.length === 0 || (mode === 'prompt' && !prompt) || (mode === 'variance' && ready.length < 2) || !s.selectedImage) {
    s.set({ grid: undefined });
    return;
  }
  try {
    const grid = await modelWorker().headGrid({ mode, imageId: s.selectedImage, ...(mode === 'prompt' ? { prompt } : {}) });
    if (isLatest()) store.getState().set({ grid });
  } catch (err) {
    if (isLatest()) fail(err, 'analysis', '(head grid)');
  }
}

export async function refreshHeadDetail(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('head');
  const head = s.view.head;
  const ready = s.images.filter((i) => i.status === 'ready');
  if (!s.model || !head || ready.length === 0) {
    s.set({ headDetail: undefined });
    return;
  }
  const { layer, head: h } = head;
  const api = modelWorker();
  const keep = s.headDetail?.layer === layer && s.headDetail.head === h ? s.headDetail : { layer, head: h };
  s.set({ headDetail: keep });
  try {
    const prompt = s.model.summary.text && s.view.prompt ? s.view.prompt : undefined;
    const [textspan, topImages, similarImages] = await Promise.all([
      s.pool ? api.headTextspan(layer, h, { m: 10 }) : Promise.resolve(undefined),
      api.headTopImages(layer, h, 6, prompt),
      s.selectedImage ? api.headSimilarImages(layer, h, s.selectedImage, 6) : Promise.resolve(undefined),
    ]);
    // the token map follows the prompt, or the head's own first description when there is none
    const probe = s.view.prompt || textspan?.texts[0]?.text;
    const tokenMap = probe && s.selectedImage ? await api.headTokenMap(s.selectedImage, layer, h, probe) : undefined;
    const rankedBy = prompt ? `⟨head term, “${prompt}”⟩` : '‖head term‖';
    if (isLatest()) store.getState().set({ headDetail: { layer, head: h, textspan, topImages, rankedBy, similarImages, tokenMap } });
  } catch (err) {
    if (isLatest()) store.getState().set({ headDetail: { layer, head: h, error: explainError(err, 'analysis').detail } });
  }
}

export async function refreshHeatmaps(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('heatmap');
  const prompts = [s.view.prompt, ...s.view.contrast].map((p) => p.trim()).filter(Boolean);
  const ready = s.images.filter((i) => i.status === 'ready');
  if (!s.model?.summary.text || prompts.length === 0 || ready.length === 0) {
    s.set({ heatmaps: {}, segmentations: {} });
    return;
  }
  const api = modelWorker();
  try {
    const heatmaps: Record<string, import('../api/explorer.ts').Heatmap> = {};
    const segmentations: Record<string, import('../api/explorer.ts').SegmentationResult> = {};
    // all requests go out at once: the worker runs them back to back without a round trip between
    await Promise.all(
      ready.map(async (img) => {
        const [map, seg] = await Promise.all([
          api.heatmap({ imageId: img.id, prompts, contrastive: prompts.length > 1, ...(s.view.heads ? { heads: s.view.heads } : {}) }),
          s.showSegmentation ? api.segmentation(img.id, prompts[0]) : Promise.resolve(undefined),
        ]);
        heatmaps[img.id] = map;
        if (seg) segmentations[img.id] = seg;
      }),
    );
    if (!isLatest()) return;
    store.getState().set({ heatmaps, segmentations });
  } catch (err) {
    if (isLatest()) fail(err, 'analysis', '(heatmap)');
  }
}

export async function refreshTop5(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('top5');
  const ready = s.images.filter((i) => i.status === 'ready');
  if (!s.model || !s.labels || ready.length === 0) return;
  try {
    const top5: Record<string, import('../api/explorer.ts').Top5> = {};
    for (const img of ready) top5[img.id] = await modelWorker().topClasses(img.id, 5);
    if (isLatest()) store.getState().set({ top5 });
  } catch (err) {
    if (isLatest()) fail(err, 'analysis', '(top-5)');
  }
}

export async function refreshLayerEffects(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('layers');
  if (!s.model || !s.selectedImage || !s.images.some((i) => i.id === s.selectedImage && i.status === 'ready')) {
    s.set({ layerEffects: undefined });
    return;
  }
  try {
    const e = await modelWorker().layerEffects(s.selectedImage, s.view.prompt || undefined);
    if (isLatest()) store.getState().set({ layerEffects: e });
  } catch (err) {
    if (isLatest()) fail(err, 'analysis', '(layer effects)');
  }
}

/** send the ablation set to the worker; keeps the canonical form it answers */
export async function applyAblation(spec: string): Promise<boolean> {
  const s = store.getState();
  if (!s.model) return false;
  try {
    const { canonical } = await modelWorker().setAblation(spec);
    store.getState().set({ ablationCanonical: canonical });
    store.getState().patchView({ ablate: canonical });
    return true;
  } catch (err) {
    fail(err, 'analysis', '(ablation set)');
    return false;
  }
}

export async function exportContributions(imageId: string) {
  return modelWorker().exportContributions(imageId);
}

// ------------------------------------------------------------------------- verify this model

/**
 * "Verify this model": the gallery's reference photos (plus any the user dropped, e.g. page.png and
 * motorcycle_right.png) against the published similarities in the user's reference_values.json.
 */
export async function verifyModel(referenceJson: string, extraImages: Upload[]): Promise<VerifyReport | undefined> {
  try {
    const res = await fetch(`${BASE}gallery/index.json`);
    const gallery = res.ok ? ((await res.json()) as { file: string }[]) : [];
    const images: Upload[] = [...extraImages];
    const named = new Set(extraImages.map((u) => u.name.replace(/\.[^.]+$/, '').toLowerCase()));
    for (const g of gallery) {
      // a photo the user dropped wins over the gallery's copy (the worker ignores non-reference photos)
      if (named.has(g.file.replace(/\.[^.]+$/, '').toLowerCase())) continue;
      const r = await fetch(`${BASE}gallery/${g.file}`);
      if (r.ok) images.push({ name: g.file, bytes: new Uint8Array(await r.arrayBuffer()) });
    }
    return await modelWorker().verifyModel({ referenceJson, images }, workerProgress('verifying the model'));
  } catch (err) {
    fail(err, 'analysis', '(verify this model)');
    return undefined;
  } finally {
    clearProgress();
  }
}
