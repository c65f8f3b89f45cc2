/**
 * onnxruntime-web sessions for the browser worker: WebGPU first, WASM fallback.
 * This file is the only browser code that imports onnxruntime-web.
 *
 * Every call into onnxruntime-web (session creation, run, release) goes through one FIFO lock,
 * `ortCalls`. Why: the 'onnxruntime-web/webgpu' build is one Emscripten module built with Asyncify
 * (ort-wasm-simd-threaded.asyncify.wasm), and its WebGPU EP suspends inside OrtCreateSession and
 * OrtRun (pipeline creation, weight upload, output readback). Asyncify keeps a single suspended call
 * per module: a second call entered while one is suspended rewinds into the wrong frames; and ORT's
 * JS glue stack-allocates a run's name/value arrays (stackSave/stackAlloc ... stackRestore) across
 * awaits, so interleaved runs restore each other's stack. Two graphs at once on WebGPU (text sets
 * embedded while a photo is decomposed) therefore failed with "memory access out of bounds",
 * "operation does not support unaligned accesses" or "parameter 1 is not of type
 * 'GPUComputePipeline'". The WebGPU EP itself does not support concurrent
 * runs on one device either (its sessions share one command encoder). On WASM a run never suspends,
 * so the lock changes no result there, only that two requests take turns, as they did on the one
 * worker thread anyway.
 */
import type * as OrtWebGpu from 'onnxruntime-web/webgpu';
import type { ExecutionProvider, RuntimeInfo, RuntimeRequest } from '../../api/types.ts';
import { measureStep } from '../../api/stepTimings.ts';
import { OneAtATime } from './oneAtATime.ts';

export type WebSession = OrtWebGpu.InferenceSession;
/** the onnxruntime-web API (both builds below export the same one) */
type Ort = typeof OrtWebGpu;

/** External-data files a graph refers to, by the `location` written in the graph. */
export interface ExternalFile {
  path: string;
  data: Uint8Array;
}

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  limits: { maxBufferSize: number };
  info?: { description?: string; vendor?: string; architecture?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

let current: RuntimeInfo | undefined;
let deviceLostListener: ((reason: string) => void) | undefined;
/** the device whose `lost` promise is watched (the one onnxruntime-web created for its sessions) */
let watchedDevice: GpuDeviceLike | undefined;
let disableCpuFallback = false;
/** the one lock every call into the onnxruntime-web module takes (see the file comment) */
const ortCalls = new OneAtATime();
let verboseLogging = false;
/** the adapter chosen by initWebRuntime, handed to onnxruntime-web's WebGPU build */
let webGpuAdapter: GpuAdapterLike | undefined;

/** the onnxruntime-web build in use, loaded by the first call that needs it (loadOrt) */
let ortModule: { build: ExecutionProvider; module: Promise<Ort> } | undefined;
/** that module once loaded: a session exists only after it was (runs need no await for it) */
let loadedOrt: Ort | undefined;

/**
 * onnxruntime-web, loaded on first use, in the build the runtime needs: the CPU-only build
 * ('onnxruntime-web/wasm': 14 MB of WASM, no Asyncify) where WASM runs, the WebGPU build (27 MB,
 * built with Asyncify) only where WebGPU does. Why: a first visit compiles the module in V8 while
 * the first session is created and run; with the WebGPU build on WASM that made a ViT-B/16's
 * first image 4.76 s after the model was chosen (create 2.57 s, first run 1.61 s), with the CPU
 * build 2.73 s (create 1.38 s, first run 0.71 s), steady runs the same
 * (scripts/bench/engine.browser.bench.ts, cold). Once loaded, a build stays: the WebGPU build
 * runs WASM too (a lost device moves there), the CPU build cannot take WebGPU.
 */
function loadOrt(): Promise<Ort> {
  const { provider } = runtimeInfo();
  if (!ortModule) {
    const module = provider === 'webgpu' ? import('onnxruntime-web/webgpu') : (import('onnxruntime-web/wasm') as Promise<Ort>);
    ortModule = { build: provider, module: module.then((ort) => (loadedOrt = ort)) };
  } else if (provider === 'webgpu' && ortModule.build === 'wasm') {
    return Promise.reject(new Error('WebGPU was asked for after the CPU-only onnxruntime-web build was loaded; reload the page (with ?runtime=webgpu) to run on WebGPU'));
  }
  return ortModule.module.then((ort) => (configureOrt(ort), ort));
}

/** the settings of initWebRuntime, on the loaded module (numThreads counts only before its first session) */
function configureOrt(ort: Ort): void {
  const info = runtimeInfo();
  ort.env.wasm.numThreads = info.threads;
  if (verboseLogging) ort.env.logLevel = 'verbose';
  if (info.provider === 'webgpu' && webGpuAdapter) (ort.env.webgpu as { adapter?: unknown }).adapter = webGpuAdapter;
}

/** Picks and configures the execution provider. Call once before creating sessions. */
export async function initWebRuntime(req: RuntimeRequest): Promise<RuntimeInfo> {
  const isolated = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  const hardware = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
  // Multi-threaded WASM needs SharedArrayBuffer, i.e. cross-origin isolation.
  const threads = isolated ? Math.max(1, req.threads ?? Math.min(4, hardware)) : 1;
  disableCpuFallback = Boolean(req.disableCpuFallback);
  verboseLogging = Boolean(req.verboseLogging);
  webGpuAdapter = undefined;

  let provider: ExecutionProvider = 'wasm';
  let fallbackReason: string | undefined;
  let adapterInfo: RuntimeInfo['adapter'];
  if (req.provider !== 'wasm') {
    const adapter = await requestAdapter();
    if (typeof adapter === 'string') {
      fallbackReason = adapter;
      if (req.provider === 'webgpu') throw new Error(`WebGPU was requested but is not available: ${adapter}`);
    } else {
      provider = 'webgpu';
      const info = adapter.info ?? {};
      adapterInfo = {
        description: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter',
        isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
        shaderF16: adapter.features.has('shader-f16'),
        maxBufferSize: adapter.limits.maxBufferSize,
      };
      webGpuAdapter = adapter;
    }
  }
  const precision = req.precision ?? 'f32';
  if (precision === 'f16') checkF16Compute(provider, adapterInfo, fallbackReason);
  current = { provider, threads, crossOriginIsolated: isolated, precision, ...(fallbackReason ? { fallbackReason } : {}), ...(adapterInfo ? { adapter: adapterInfo } : {}) };
  return current;
}

/** f16 compute is opt-in and runs only where its kernels exist: say exactly what is missing */
function checkF16Compute(provider: ExecutionProvider, adapter: RuntimeInfo['adapter'], fallbackReason: string | undefined): void {
  if (provider !== 'webgpu') {
    throw new Error(`f16 compute needs WebGPU, which is not in use here (${fallbackReason ?? 'WASM was requested'}); run without precision=f16 to compute in f32`);
  }
  if (!adapter?.shaderF16) {
    throw new Error(`f16 compute needs a WebGPU adapter with the 'shader-f16' feature; this adapter (${adapter?.description ?? 'unknown'}) does not offer it; run without precision=f16 to compute in f32`);
  }
}

async function requestAdapter(): Promise<GpuAdapterLike | string> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(o?: object): Promise<GpuAdapterLike | null> } } | undefined)?.gpu;
  if (!gpu) return 'this browser exposes no WebGPU (navigator.gpu is missing)';
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ?? 'no WebGPU adapter was found (requestAdapter returned null)';
  } catch (err) {
    return `requesting a WebGPU adapter failed: ${(err as Error).message}`;
  }
}

export function runtimeInfo(): RuntimeInfo {
  if (!current) throw new Error('initWebRuntime() has not been called');
  return current;
}

export async function createWebSession(model: Uint8Array, externalData: readonly ExternalFile[]): Promise<WebSession> {
  const info = runtimeInfo();
  const ort = await loadOrt();
  const options: OrtWebGpu.InferenceSession.SessionOptions = {
    executionProviders: [info.provider],
    graphOptimizationLevel: 'all',
    externalData: externalData.map((f) => ({ path: f.path, data: f.data })),
  };
  if (verboseLogging) options.logSeverityLevel = 0;
  if (info.provider === 'webgpu' && disableCpuFallback) {
    // A graph with an op the WebGPU EP lacks is rejected instead of silently running on the CPU.
    options.extra = { session: { disable_cpu_ep_fallback: '1' } };
  }
  if (info.provider === 'webgpu') {
    // Lets the WebGPU EP take the small int64 shape computations (Shape -> Slice -> Concat) that
    // the graphs use for their dynamic batch and text length; without it those go to the CPU EP.
    options.extra = { ...(options.extra ?? {}), ep: { webgpuexecutionprovider: { enableInt64: '1' } } };
  }
  const queued = performance.now();
  const session = await ortCalls.run(() => {
    const started = measureStep('ort:wait', queued);
    return ort.InferenceSession.create(model, options).then((created) => (measureStep('ort:create', started, graphLabel(created)), created));
  });
  if (info.provider === 'webgpu') await watchDevice();
  return session;
}

/** frees a session's memory (after any run already queued has finished) */
export function releaseWebSession(session: WebSession): Promise<void> {
  return ortCalls.run(() => session.release());
}

/** calls `listener` when the WebGPU device the sessions run on is lost (watched once a WebGPU session exists) */
export function onWebGpuDeviceLost(listener: (reason: string) => void): void {
  deviceLostListener = listener;
}

async function watchDevice(): Promise<void> {
  // after the first WebGPU session, env.webgpu.device resolves to the device onnxruntime-web uses
  const ort = await loadOrt();
  const device = (await (ort.env.webgpu as { device?: unknown }).device) as GpuDeviceLike | undefined;
  if (!device?.lost || device === watchedDevice) return;
  watchedDevice = device;
  void device.lost.then((info) => {
    if (watchedDevice === device) watchedDevice = undefined;
    deviceLostListener?.([info?.reason, info?.message].filter(Boolean).join(': ') || 'unknown reason');
  });
}

/** destroys the sessions' WebGPU device, as a driver reset would (for testing the recovery); false without one */
export function loseWebGpuDeviceForTesting(): boolean {
  if (!watchedDevice) return false;
  watchedDevice.destroy();
  return true;
}

export type FeedValue = { type: 'float32'; data: Float32Array; dims: readonly number[] } | { type: 'int64'; data: BigInt64Array; dims: readonly number[] };

/** Runs a session (after the calls queued before it); returns every output as float32 data with dims. */
export function runWebSession(
  session: WebSession,
  feeds: Record<string, FeedValue>,
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const queued = performance.now();
  return ortCalls.run(() => {
    const started = measureStep('ort:wait', queued);
    return runNow(session, feeds).finally(() => measureStep('ort:run', started, graphLabel(session)));
  });
}

/** which graph a session runs, for the step measures: its inputs and how many outputs */
function graphLabel(session: WebSession): string {
  // (a test's stand-in session may lack the name lists)
  return `${session.inputNames?.join(',') ?? '?'} -> ${session.outputNames?.length ?? '?'} outputs`;
}

async function runNow(
  session: WebSession,
  feeds: Record<string, FeedValue>,
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const ort = loadedOrt!;
  const ortFeeds: Record<string, OrtWebGpu.Tensor> = {};
  for (const [name, v] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(v.type, v.data, v.dims);
  const results = await session.run(ortFeeds);
  const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [name, t] of Object.entries(results)) {
    const data = t.location === 'cpu' ? t.data : await t.getData(true);
    if (!(data instanceof Float32Array)) throw new Error(`output '${name}' is ${t.type}, expected float32`);
    out[name] = { data, dims: t.dims };
    t.dispose();
  }
  return out;
}
