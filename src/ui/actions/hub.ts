/** Hugging Face hub models: fit estimates, downloads into this browser's storage, stored models. */
import { CodedError, errorCode } from '../../api/errors.ts';
import type { DownloadProgress, FitReport, HubModelRequest, KnownModelInfo, StoredModelInfo } from '../../api/types.ts';
import { formatBytes, formatSeconds } from '../lib/format.ts';
import { quotaMessage, quotaShortfall, STORAGE_QUOTA } from '../lib/storageQuota.ts';
import { callbackProxy, modelWorker } from '../workerClient.ts';
import { clearProgress, fail, notice, setProgress, store } from './feedback.ts';
import { loadStoredModel } from './models.ts';

/**
 * The hub the picker downloads from: `?hub=http://host:port` (a mirror, or the tests' mock hub),
 * else the worker's default (https://huggingface.co). Set by initActions from the page's URL.
 */
let hubEndpoint: string | undefined;

export function setHubEndpoint(endpoint: string | undefined): void {
  hubEndpoint = endpoint;
}

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

/** an access token for gated and private repos: in this page's memory only, never stored */
let hubToken: string | undefined;

export function setHubToken(token: string): void {
  hubToken = token.trim() || undefined;
}

export const hubTokenSet = (): boolean => hubToken !== undefined;

const hubRequest = (repo: string, revision = 'main'): HubModelRequest => ({
  repo,
  revision,
  towers: ['vision', 'text'],
  ...(hubEndpoint ? { endpoint: hubEndpoint } : {}),
  ...(hubToken ? { token: hubToken } : {}),
});

function downloadLabel(repo: string, p: DownloadProgress): string {
  const rate = p.rateBps > 0 ? ` · ${formatBytes(p.rateBps)}/s` : '';
  const eta = p.etaSeconds !== null && p.phase === 'download' ? ` · ${formatSeconds(p.etaSeconds)} left` : '';
  const retries = p.retries > 0 ? ` · resumed after ${p.retries} broken connection${p.retries > 1 ? 's' : ''}` : '';
  const note = p.note ? ` · ${p.note}` : '';
  return `downloading ${repo} (${p.phase})${rate}${eta}${retries}${note}`;
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

/**
 * Refuses up front, with the numbers, a download this site's storage quota cannot hold
 * (navigator.storage.estimate(); bytes already stored for the same revision count as done).
 */
async function checkStorageQuota(repo: string, revision: string): Promise<void> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  if (!estimate) return;
  const fit = await modelWorker().estimateFit(hubRequest(repo, revision));
  const stored = (await modelWorker().listStoredModels()).filter((m) => m.repo === repo && (m.revision === revision || m.requestedRevision === revision));
  const already = Math.max(0, ...stored.map((m) => m.storedBytes));
  const short = quotaShortfall(Math.max(0, fit.downloadBytes - already), estimate);
  if (short) throw new CodedError(STORAGE_QUOTA, quotaMessage(repo, short), repo);
}

/** asks the browser not to evict stored models under storage pressure; the answer is kept for the model panel */
export async function askPersistentStorage(): Promise<void> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.persist) return;
  const persisted = (await storage.persisted?.().catch(() => false)) || (await storage.persist().catch(() => false));
  store.getState().set({ storagePersisted: persisted });
  if (!persisted) notice('The browser did not grant persistent storage: it may delete stored models when disk space runs short (they download again then).');
}

/** downloads (or resumes) a hub model into this browser's storage, then loads it */
export async function downloadAndLoadHubModel(repo: string, revision = 'main'): Promise<void> {
  store.getState().set({ hubDownload: { repo, revision, state: 'running' } });
  try {
    setProgress(`checking storage for ${repo}`, 0, 0, 'bytes');
    await checkStorageQuota(repo, revision);
    setProgress(`downloading ${repo}`, 0, 0, 'bytes');
    const id = await modelWorker().downloadModel(
      hubRequest(repo, revision),
      callbackProxy((p: DownloadProgress) => setProgress(downloadLabel(repo, p), p.bytesDone, p.bytesTotal, 'bytes')),
    );
    store.getState().set({ hubDownload: undefined });
    await askPersistentStorage();
    await loadStoredModel(id, repo);
  } catch (err) {
    clearProgress();
    // HubError 'cancelled' (src/hub/errors.ts), its code kept across the worker
    const cancelled = errorCode(err) === 'cancelled';
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

export async function deleteStoredModel(id: string): Promise<void> {
  await modelWorker().deleteStoredModel(id).catch((err: unknown) => fail(err, 'model', id));
}
