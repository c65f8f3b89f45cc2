/** The only place that wraps the model worker with comlink. */
import * as Comlink from 'comlink';
import type { ModelWorkerApi } from '../api/types.ts';

export type WorkerApi = Comlink.Remote<ModelWorkerApi>;

let instance: { worker: Worker; api: WorkerApi } | undefined;

export function modelWorker(): WorkerApi {
  if (!instance) {
    const worker = new Worker(new URL('../../workers/clip.worker.ts', import.meta.url), { type: 'module', name: 'clipscope-model' });
    instance = { worker, api: Comlink.wrap<ModelWorkerApi>(worker) };
  }
  return instance.api;
}

export function terminateModelWorker(): void {
  instance?.worker.terminate();
  instance = undefined;
}
