/**
 * The model worker's ModelStoreApi: downloads into OPFS (memory where OPFS is missing), lists,
 * deletes and loads stored models. The worker supplies `install`, which turns a checkpoint into
 * its engine and a ModelSummary (the same path as loadModel).
 */
import type { LoadModelOptions, ModelStoreApi, ModelSummary } from '../api/types.ts';
import type { ClipCheckpoint } from '../model/checkpoint/types.ts';
import { browserLimits, estimateForCatalogEntry, fitReport, fitsThisBrowser, KNOWN_MODELS } from './catalog.ts';
import { downloadModel, requestedTowers } from './download.ts';
import { HubClient } from './hubClient.ts';
import { opfsAvailable, opfsBackend } from './opfsBackend.ts';
import { memoryBackend, ModelStore, type StoreBackend } from './storage.ts';
import { loadStoredCheckpoint } from './storedCheckpoint.ts';
import type { DownloadProgress } from '../api/hub.ts';

export interface ModelStoreApiOptions {
  backend?: () => Promise<StoreBackend>;
}

export function createModelStoreApi(install: (ckpt: ClipCheckpoint, t0: number, options?: LoadModelOptions) => Promise<ModelSummary>, options: ModelStoreApiOptions = {}): ModelStoreApi {
  let store: Promise<ModelStore> | undefined;
  const getStore = () =>
    (store ??= (options.backend ?? (async () => (opfsAvailable() ? opfsBackend() : memoryBackend())))().then((b) => new ModelStore(b)));
  /** running downloads: controller by model id and by "repo@revision" */
  const running = new Map<string, AbortController>();

  return {
    async listStoredModels() {
      return (await getStore()).list();
    },

    async deleteStoredModel(id) {
      running.get(id)?.abort();
      await (await getStore()).delete(id);
    },

    async downloadModel(req, onProgress) {
      const ctrl = new AbortController();
      const requestKey = `${req.repo}@${req.revision ?? 'main'}`;
      running.set(requestKey, ctrl);
      let modelId: string | undefined;
      try {
        const info = await downloadModel(req, {
          store: await getStore(),
          signal: ctrl.signal,
          onProgress: (p: DownloadProgress) => {
            if (!modelId && p.modelId) {
              modelId = p.modelId;
              running.set(modelId, ctrl);
            }
            // a progress callback that fails (page gone) must not fail the download
            Promise.resolve(onProgress?.(p)).catch(() => {});
          },
        });
        return info.id;
      } finally {
        running.delete(requestKey);
        if (modelId) running.delete(modelId);
      }
    },

    async cancelDownload(id) {
      running.get(id)?.abort();
    },

    async loadStoredModel(id, loadOptions) {
      const t0 = performance.now();
      return install(await loadStoredCheckpoint(await getStore(), id), t0, loadOptions);
    },

    async listKnownModels() {
      const limits = await browserLimits();
      return KNOWN_MODELS.map((e) => {
        const estimate = estimateForCatalogEntry(e);
        const fit = fitsThisBrowser(estimate, ['vision', 'text'], limits);
        return { repo: e.repo, label: e.label, layout: e.layout, params: { ...e.params }, downloadBytes: estimate.bytes.vision + estimate.bytes.text, ...fit };
      });
    },

    async estimateFit(req) {
      const hub = new HubClient({ endpoint: req.endpoint, token: req.token });
      return fitReport(hub, req.repo, req.revision ?? 'main', requestedTowers(req), await browserLimits());
    },
  };
}
