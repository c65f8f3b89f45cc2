import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CodedError } from '../../api/errors.ts';
import { useAppStore } from '../store.ts';

/** the worker as the UI sees it: downloadModel rejects with what the test puts here */
const worker = vi.hoisted(() => ({ downloadError: undefined as unknown }));
vi.mock('../workerClient.ts', () => ({
  modelWorker: () => ({ downloadModel: () => Promise.reject(worker.downloadError) }),
  callbackProxy: <F>(fn: F) => fn,
  progressProxy: <F>(fn: F) => fn,
}));

const { downloadAndLoadHubModel } = await import('./hub.ts');

describe('downloadAndLoadHubModel(repo) when the download stops', () => {
  beforeEach(() => useAppStore.setState({ errors: [], hubDownload: undefined, progress: undefined }));

  it("HubError code 'cancelled': state cancelled, no error shown", async () => {
    worker.downloadError = new CodedError('cancelled', 'openai/clip@main: download cancelled', undefined, 'HubError');
    await downloadAndLoadHubModel('openai/clip');
    expect(useAppStore.getState().hubDownload).toEqual({ repo: 'openai/clip', revision: 'main', state: 'cancelled' });
    expect(useAppStore.getState().errors).toEqual([]);
  });

  it("another code whose message says 'cancel': state failed, the error shown (no message parsing)", async () => {
    worker.downloadError = new CodedError('http', 'HTTP 499 (request cancelled by the proxy)', 'model.safetensors', 'HubError');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await downloadAndLoadHubModel('openai/clip', 'v1');
    expect(useAppStore.getState().hubDownload).toEqual({ repo: 'openai/clip', revision: 'v1', state: 'failed' });
    expect(useAppStore.getState().errors).toMatchObject([{ kind: 'download-failed', title: 'Download failed openai/clip', detail: 'HTTP 499 (request cancelled by the proxy)' }]);
  });
});
