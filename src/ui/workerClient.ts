/**
 * The only place that wraps the model worker with comlink. The worker exposes both contracts on one
 * endpoint: ClipscopeApi (runtime, models, raw decompositions) and ExplorerApi (the views' analyses).
 * Errors cross it as ErrorReports with their codes (src/api/errors.ts).
 */
import * as Comlink from 'comlink';
import { codedThrowHandler } from '../api/errors.ts';
import type { Progress, ProgressCallback } from '../api/explorer.ts';
import type { ModelWorkerApi } from '../api/types.ts';

export type WorkerApi = Comlink.Remote<ModelWorkerApi>;

let instance: { worker: Worker; api: WorkerApi } | undefined;

/** errors thrown in the worker arrive with their codes (the worker installs the same handler) */
export function installErrorTransfer(): void {
  Comlink.transferHandlers.set('throw', codedThrowHandler(Comlink.transferHandlers.get('throw')!));
}

export function modelWorker(): WorkerApi {
  if (!instance) {
    installErrorTransfer();
    const worker = new Worker(new URL('../../workers/clip.worker.ts', import.meta.url), { type: 'module', name: 'clipscope-model' });
    instance = { worker, api: Comlink.wrap<ModelWorkerApi>(worker) };
  }
  return instance.api;
}

export function terminateModelWorker(): void {
  instance?.worker.terminate();
  instance = undefined;
}

/** a progress callback the worker can call across the boundary */
export function progressProxy(onProgress: (p: Progress) => void): ProgressCallback {
  return Comlink.proxy(onProgress);
}

/** any callback the worker calls back across the boundary (download progress, runtime events) */
export function callbackProxy<F extends (...args: never[]) => unknown>(fn: F): F & Comlink.ProxyMarked {
  return Comlink.proxy(fn);
}

/** bytes handed to the worker without a copy (the caller must not use them afterwards) */
export function transferBytes(bytes: Uint8Array): Uint8Array {
  return Comlink.transfer(bytes, [bytes.buffer]);
}
