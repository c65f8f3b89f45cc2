/** Starting the model runtime in the worker, and following the worker's own runtime changes. */
import type { RuntimeEvent } from '../../api/explorer.ts';
import type { ExecutionProvider } from '../../api/types.ts';
import { callbackProxy, modelWorker } from '../workerClient.ts';
import { fail, notice, store } from './feedback.ts';

/** `precision` 'f16' (opt-in, `?precision=f16`): f16 compute on WebGPU, refused with the reason where the adapter lacks it */
export async function startRuntime(provider: ExecutionProvider | 'auto' = 'auto', precision: 'f32' | 'f16' = 'f32'): Promise<void> {
  const api = modelWorker();
  const threads = Math.min(4, navigator.hardwareConcurrency || 1);
  try {
    // warmUp: on WASM the worker compiles onnxruntime's code on a small model while the user chooses one
    let info = await api.initRuntime({ provider, threads, warmUp: true, ...(precision === 'f16' ? { precision } : {}) });
    if (provider === 'auto' && info.provider === 'webgpu' && info.adapter?.isFallbackAdapter) {
      // a software adapter (SwiftShader) is far slower than WASM
      info = await api.initRuntime({ provider: 'wasm', threads, warmUp: true });
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
export function installTestHooks(): void {
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
    callbackProxy((e: RuntimeEvent) => {
      notice(e.message);
      const runtime = store.getState().runtime;
      if (runtime) store.getState().set({ runtime: { provider: e.provider, threads: runtime.threads, crossOriginIsolated: runtime.crossOriginIsolated, fallbackReason: `WebGPU device lost (${e.reason})` } });
    }),
  );
}
