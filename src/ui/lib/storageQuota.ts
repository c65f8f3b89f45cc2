/**
 * Browser storage for downloaded models: will a download fit in what the browser grants this site
 * (navigator.storage.estimate(), checked before the first byte), and the message that says why not.
 */
import { formatBytes } from './format.ts';

/** the code of the error that refuses a download the quota cannot hold */
export const STORAGE_QUOTA = 'storage-quota';

/** what navigator.storage.estimate() resolves to (either number may be missing) */
export interface StorageEstimateLike {
  quota?: number;
  usage?: number;
}

export interface QuotaShortfall {
  /** bytes the download still has to store */
  need: number;
  /** quota − usage */
  free: number;
  quota: number;
  usage: number;
}

/** null when the download fits, or when the browser does not say (then the download is tried) */
export function quotaShortfall(needBytes: number, estimate: StorageEstimateLike | undefined): QuotaShortfall | null {
  const quota = estimate?.quota;
  const usage = estimate?.usage ?? 0;
  if (quota === undefined || !Number.isFinite(quota)) return null;
  const free = Math.max(0, quota - usage);
  return needBytes > free ? { need: needBytes, free, quota, usage } : null;
}

export function quotaMessage(repo: string, s: QuotaShortfall): string {
  return `${repo} needs ${formatBytes(s.need)} more in this browser's storage, but only ${formatBytes(s.free)} is free (quota ${formatBytes(s.quota)}, ${formatBytes(s.usage)} in use). Nothing was downloaded.`;
}
