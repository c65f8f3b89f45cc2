/**
 * Page-side helpers of e2e/hub.test.ts: drive the worker's ModelStoreApi (hub downloads into
 * OPFS, stored models) through the app's own worker client.
 */
import * as Comlink from 'comlink';
import type { ExecutionProvider } from '../../src/api/types.ts';
import type { DownloadProgress, HubModelRequest } from '../../src/api/hub.ts';
import { modelWorker } from '../../src/ui/workerClient.ts';

export interface HubDownloadResult {
  id?: string;
  error?: { name: string; code?: string; message: string };
  events: DownloadProgress[];
}

async function download(req: HubModelRequest, options: { cancelOnRetry?: boolean } = {}): Promise<HubDownloadResult> {
  const api = modelWorker();
  const events: DownloadProgress[] = [];
  let cancelled = false;
  const onProgress = (p: DownloadProgress) => {
    events.push(p);
    if (options.cancelOnRetry && p.retries > 0 && !cancelled) {
      cancelled = true;
      void api.cancelDownload(p.modelId);
    }
  };
  try {
    const id = await api.downloadModel(req, Comlink.proxy(onProgress));
    return { id, events };
  } catch (e) {
    const err = e as Error & { code?: string };
    return { error: { name: err.name, code: err.code, message: err.message }, events };
  }
}

/** load a model (stored, or by URL) and decompose a preprocessed image; the unit embedding */
async function embedding(source: { storedId: string } | { files: { name: string; url: string; size: number }[] }, provider: ExecutionProvider, pixels: number[], dims: number[]) {
  const api = modelWorker();
  await api.initRuntime({ provider, threads: 2 });
  const model =
    'storedId' in source
      ? await api.loadStoredModel(source.storedId)
      : await api.loadModel(source.files.map((f) => ({ name: f.name, url: new URL(f.url, location.href).href, size: f.size })));
  const s = await api.decomposePixels('img', { dims, data: new Float32Array(pixels) });
  return { fingerprint: model.fingerprint, hasText: Boolean(model.text), embedding: Array.from(s.embedding), tensors: Object.keys(s.tensors) };
}

async function clearStorage(): Promise<void> {
  const root = await navigator.storage.getDirectory();
  await root.removeEntry('clipscope-models', { recursive: true }).catch(() => {});
}

export const hubHarness = {
  download,
  list: () => modelWorker().listStoredModels(),
  remove: (id: string) => modelWorker().deleteStoredModel(id),
  estimateFit: (req: HubModelRequest) => modelWorker().estimateFit(req),
  embedding,
  clearStorage,
};
