/**
 * Browser test harness: exposes `window.harness` for the Node test driver (e2e/*.test.ts), which
 * calls it through page.evaluate. Everything runs the same modules the app runs; the engine goes
 * through the real worker (workers/clip.worker.ts) and the app's own client.
 */
import type { ExecutionProvider, ModelFileInput } from '../../src/api/types.ts';
import { comparePreprocessToGolden } from '../../src/model/preprocess/golden.ts';
import { modelWorker } from '../../src/ui/workerClient.ts';
import { hubHarness } from './hub.ts';

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export interface EngineRunRequest {
  provider: ExecutionProvider;
  files: { name: string; url: string; size: number }[];
  pixels: number[];
  pixelDims: number[];
  tokenLayers: number[];
  /** an MLP layer whose neuron effects are output too (METHOD §9) */
  neuronLayer?: number;
  texts: string[];
  /** an encoded image (PNG/JPEG) to decompose through decode + preprocess in the worker */
  imageUrl?: string;
  verbose?: boolean;
  /** 'f16': f16 compute (WebGPU with shader-f16 only) */
  precision?: 'f32' | 'f16';
}

type Plain = { dims: number[]; data: number[] };

async function runEngine(req: EngineRunRequest) {
  const api = modelWorker();
  const runtime = await api.initRuntime({ provider: req.provider, threads: 2, disableCpuFallback: true, verboseLogging: Boolean(req.verbose), ...(req.precision ? { precision: req.precision } : {}) });
  const files: ModelFileInput[] = req.files.map((f) => ({ name: f.name, url: new URL(f.url, location.href).href, size: f.size }));
  const model = await api.loadModel(files);
  const summary = await api.decomposePixels('pixels', { dims: req.pixelDims, data: new Float32Array(req.pixels) }, { tokenLayers: req.tokenLayers, neuronLayer: req.neuronLayer });
  const outputs: Record<string, Plain> = {};
  for (const name of Object.keys(summary.tensors)) {
    const t = await api.getTensor('pixels', name);
    outputs[name] = { dims: [...t.dims], data: Array.from(t.data) };
  }
  const text = req.texts.length ? await api.encodeText(req.texts) : undefined;
  const headProj = await api.getModelTensor('head_proj');
  let imageEmbedding: number[] | undefined;
  if (req.imageUrl) {
    const s = await api.decomposeImage('image', await fetchBytes(req.imageUrl));
    imageEmbedding = Array.from(s.embedding);
  }
  return {
    runtime,
    fingerprint: model.fingerprint,
    outputs,
    text: text && ({ dims: [...text.dims], data: Array.from(text.data) } as Plain),
    headProj: { dims: [...headProj.dims], data: Array.from(headProj.data) } as Plain,
    imageEmbedding,
  };
}

/**
 * The checkpoint's files as the app holds a stored model: copied into this origin's OPFS (not
 * timed), then handed over as the File objects OPFS gives (reads are Blob slices, as for a stored
 * hub model or a dropped folder). Where the page's OPFS quota is too small for the file (a
 * Playwright context keeps storage in memory, with a smaller quota: ViT-L/14), an in-memory Blob of
 * the file, said in `source`; 'http': HTTP range reads from the server.
 */
async function benchInputs(files: { name: string; url: string; size: number }[], source: 'opfs' | 'http'): Promise<{ inputs: ModelFileInput[]; source: string }> {
  if (source === 'http') return { inputs: files.map((f) => ({ name: f.name, url: new URL(f.url, location.href).href, size: f.size })), source };
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('bench-model', { create: true });
  const inputs: ModelFileInput[] = [];
  let used = 'opfs';
  for (const f of files) {
    const handle = await dir.getFileHandle(f.name, { create: true });
    const res = await fetch(f.url);
    if (!res.ok || !res.body) throw new Error(`GET ${f.url}: ${res.status}`);
    try {
      await res.body.pipeTo(await handle.createWritable());
      inputs.push({ name: f.name, blob: await handle.getFile() });
    } catch (err) {
      if ((err as Error).name !== 'QuotaExceededError') throw err;
      await dir.removeEntry(f.name);
      used = 'opfs, and an in-memory Blob where the OPFS quota was too small';
      inputs.push({ name: f.name, blob: await (await fetch(f.url)).blob() });
    }
  }
  return { inputs, source: used };
}

export interface BenchEngineRequest {
  files: { name: string; url: string; size: number }[];
  source: 'opfs' | 'http';
  runs: number;
  rounds: number;
  tokenLayersFromEnd: number;
  /** the runtime warms up (RuntimeRequest.warmUp) and the model is chosen once that is done */
  runtimeWarmUp: boolean;
  /** the app's way: the decomposition session is prepared when the model is chosen, the image comes `delayMs` later */
  prepare?: { delayMs: number; warmUp: boolean };
}

/** timing of the plain and decomposed graphs through the worker (main-thread clock, medians later) */
async function benchEngine(req: BenchEngineRequest) {
  const api = modelWorker();
  const runtime = await api.initRuntime({ provider: 'wasm', threads: 2, warmUp: req.runtimeWarmUp });
  const { inputs, source } = await benchInputs(req.files, req.source);
  const warmUp = req.runtimeWarmUp ? await api.runtimeWarmUp() : undefined;
  if (req.runtimeWarmUp && !warmUp) throw new Error('the runtime warm-up did not run (see the console)');
  // marks for the bench driver, which reads the browser's CPU time when it sees them
  console.log('[bench-mark] model-chosen');
  let t = performance.now();
  const model = await api.loadModel(inputs);
  const loadMs = performance.now() - t;
  const S = model.vision.imageSize;
  const data = new Float32Array(3 * S * S);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.013) * 1.2;
  const L = model.vision.layers;
  const tokenLayers = Array.from({ length: req.tokenLayersFromEnd }, (_, i) => L - req.tokenLayersFromEnd + i);
  const px = () => ({ dims: [3, S, S], data: data.slice() });
  let prepared: { delayMs: number; warmUp: boolean; doneMs?: number } | undefined;
  if (req.prepare) {
    const p: { delayMs: number; warmUp: boolean; doneMs?: number } = { ...req.prepare };
    prepared = p;
    const t0 = performance.now();
    void api.prepareDecomposition({ tokenLayers, warmUp: req.prepare.warmUp }).then(() => (p.doneMs = performance.now() - t0));
    await new Promise((r) => setTimeout(r, req.prepare!.delayMs));
  }
  // first the decomposition (what a user waits for after choosing a model), then the plain forward
  t = performance.now();
  await api.decomposePixels('bench', px(), { tokenLayers });
  const decompFirstMs = performance.now() - t;
  console.log('[bench-mark] first-image');
  t = performance.now();
  await api.embedPixels(px());
  const plainFirstMs = performance.now() - t;
  const sessions = await api.sessionCreationTimings();
  const rounds: { plainMs: number[]; decompositionMs: number[] }[] = [];
  for (let k = 0; k < req.rounds; k++) {
    const round = { plainMs: [] as number[], decompositionMs: [] as number[] };
    for (let r = 0; r < req.runs; r++) {
      t = performance.now();
      await api.embedPixels(px());
      round.plainMs.push(performance.now() - t);
      t = performance.now();
      await api.decomposePixels('bench', px(), { tokenLayers });
      round.decompositionMs.push(performance.now() - t);
    }
    rounds.push(round);
  }
  return { runtime, source, warmUp, loadMs, plainFirstMs, decompFirstMs, prepared, sessions, rounds };
}

/** the time neuron effects (METHOD §9) add to a decomposition, against one plain forward (interleaved runs) */
async function benchNeurons(req: { files: { name: string; url: string; size: number }[]; runs: number; layer: number }) {
  const api = modelWorker();
  const runtime = await api.initRuntime({ provider: 'wasm', threads: 2 });
  const model = await api.loadModel(req.files.map((f) => ({ name: f.name, url: new URL(f.url, location.href).href, size: f.size })));
  const S = model.vision.imageSize;
  const data = new Float32Array(3 * S * S);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.013) * 1.2;
  const px = () => ({ dims: [3, S, S], data: data.slice() });
  const timed = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  const plain = () => api.embedPixels(px());
  const decomposition = () => api.decomposePixels('bench', px(), { tokenLayers: [] });
  const withNeurons = () => api.decomposePixels('bench', px(), { tokenLayers: [], neuronLayer: req.layer });
  // first runs create the sessions
  const firstMs = { plain: await timed(plain), decomposition: await timed(decomposition), withNeurons: await timed(withNeurons) };
  const plainMs: number[] = [];
  const decompositionMs: number[] = [];
  const withNeuronsMs: number[] = [];
  for (let r = 0; r < req.runs; r++) {
    plainMs.push(await timed(plain));
    decompositionMs.push(await timed(decomposition));
    withNeuronsMs.push(await timed(withNeurons));
  }
  return { runtime, firstMs, plainMs, decompositionMs, withNeuronsMs };
}

const harness = {
  crossOriginIsolated: () => globalThis.crossOriginIsolated,
  /** preprocess a photo in this browser and compare with a torchvision golden */
  async preprocessGolden(photoUrl: string, goldenUrl: string, size: number) {
    const [photo, golden] = await Promise.all([fetchBytes(photoUrl), fetchBytes(goldenUrl)]);
    return comparePreprocessToGolden(photo, golden, size, { name: photoUrl });
  },
  runEngine,
  /** hub downloads and stored models (e2e/hub.test.ts) */
  hub: hubHarness,
  benchEngine,
  benchNeurons,
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
document.getElementById('status')!.textContent = 'harness ready';
