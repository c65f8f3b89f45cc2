/**
 * One file from the hub into `blobs/{etag}` of the huggingface_hub cache: written to
 * `blobs/{etag}.incomplete`, resumed from its length with `Range` after a cut connection (in this
 * run, or in the next one), checked against the size and the hash the etag names (sha256 for LFS
 * files, git blob sha1 otherwise), and only then renamed to its final name.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HfCacheRepo } from './hfCacheLayout.node.ts';
import type { HubHttp, RemoteFile } from './hfHttp.node.ts';
import { HubError } from './hubError.ts';
import { withFileLock, type LockOptions } from './fileLock.node.ts';

export interface DownloadProgress {
  file: string;
  /** bytes of the file on disk so far */
  done: number;
  total: number;
  /** bytes already on disk from an earlier, interrupted download (0 on a fresh one) */
  resumedFrom: number;
}

export interface DownloadOptions {
  onProgress?: (p: DownloadProgress) => void;
  /** tries per file on a cut connection or a 5xx (default 4) */
  attempts?: number;
  /** first wait between tries, doubled each time (default 250 ms) */
  retryDelayMs?: number;
  /** another process is downloading this file: this one waits for it */
  onWait?: (file: string) => void;
  lock?: Omit<LockOptions, 'onWait'>;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** the hash the blob name is: 64 hex digits a sha256, 40 a git blob sha1; other names are not checked */
async function verify(path: string, file: RemoteFile): Promise<void> {
  const size = sizeOf(path);
  if (size !== file.size) {
    throw new HubError('verification-failed', `${file.path}: downloaded ${size} bytes, the hub announced ${file.size}`);
  }
  const kind = /^[0-9a-f]{64}$/.test(file.etag) ? 'sha256' : /^[0-9a-f]{40}$/.test(file.etag) ? 'git-sha1' : undefined;
  if (!kind) return;
  const hash = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-sha1') hash.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const found = hash.digest('hex');
  if (found !== file.etag) {
    throw new HubError('verification-failed', `${file.path}: the downloaded bytes hash to ${kind} ${found}, the hub names ${file.etag}; discarded, run again`);
  }
}

/** one request from `from` to the end of the file, appended to the .incomplete file; returns when the body ends */
async function fetchInto(http: HubHttp, file: RemoteFile, incomplete: string, onBytes: (done: number) => void): Promise<void> {
  const from = sizeOf(incomplete);
  const url = http.resolveUrl(file.repo, file.commit, file.path);
  const res = await http.request(url, { headers: { 'accept-encoding': 'identity', ...(from > 0 ? { range: `bytes=${from}-` } : {}) }, crossOrigin: 'follow' });
  let start: number;
  if (res.status === 206) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
    start = m ? Number(m[1]) : -1;
    if (start !== from) {
      await res.body?.cancel();
      truncateSync(incomplete, 0); // a range we did not ask for: start over rather than guess
      throw new HubError('interrupted', `${file.path}: asked for bytes from ${from}, the server sent ${res.headers.get('content-range')}`, true);
    }
  } else if (res.status === 200) {
    start = 0; // Range ignored: the whole file again
  } else if (res.status === 416 && from === file.size) {
    await res.body?.cancel();
    return;
  } else {
    throw await http.errorOf(res, file.repo, file.commit, file.path);
  }
  if (!res.body) throw new HubError('interrupted', `${file.path}: empty answer`, true);
  const handle = await open(incomplete, start === 0 ? 'w' : 'a');
  let done = start;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      await handle.write(chunk);
      done += chunk.byteLength;
      onBytes(done);
    }
  } catch (err) {
    throw new HubError('interrupted', `${file.path}: connection cut after ${done} of ${file.size} bytes (${(err as Error).message})`, true);
  } finally {
    await handle.close();
  }
}

/** fetch, resume and verify into the .incomplete file, then rename it to the blob */
async function fill(http: HubHttp, cache: HfCacheRepo, file: RemoteFile, options: DownloadOptions): Promise<void> {
  const incomplete = cache.incompletePath(file.etag);
  if (sizeOf(incomplete) > file.size) truncateSync(incomplete, 0);
  const resumedFrom = sizeOf(incomplete);
  const report = (done: number) => options.onProgress?.({ file: file.path, done, total: file.size, resumedFrom });
  report(resumedFrom);
  const attempts = options.attempts ?? 4;
  const delay = options.retryDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      if (sizeOf(incomplete) < file.size || file.size === 0) await fetchInto(http, file, incomplete, report);
      break;
    } catch (err) {
      if (!(err instanceof HubError) || !err.retriable) throw err;
      if (attempt >= attempts) {
        throw new HubError(
          'interrupted',
          `${err.message}; gave up after ${attempts} tries with ${sizeOf(incomplete)} of ${file.size} bytes kept in ${incomplete}: run the command again to resume`,
        );
      }
      await new Promise((r) => setTimeout(r, delay * 2 ** (attempt - 1)));
    }
  }
  try {
    await verify(incomplete, file);
  } catch (err) {
    rmSync(incomplete, { force: true });
    throw err;
  }
  renameSync(incomplete, cache.blobPath(file.etag));
}

/** download `file` into cache.blobPath(file.etag) unless it is there (or another process puts it there) */
export async function downloadBlob(http: HubHttp, cache: HfCacheRepo, file: RemoteFile, options: DownloadOptions = {}): Promise<string> {
  const blob = cache.blobPath(file.etag);
  if (cache.hasBlob(file.etag)) return blob;
  mkdirSync(dirname(blob), { recursive: true });
  await withFileLock(cache.lockPath(file.etag), () => cache.hasBlob(file.etag), () => fill(http, cache, file, options), {
    ...(options.lock ?? {}),
    onWait: () => options.onWait?.(file.path),
  });
  if (!cache.hasBlob(file.etag)) throw new HubError('interrupted', `${file.path}: another process held the download lock and left no file; run again`);
  return blob;
}
