/**
 * downloadBlob against the mock hub when several downloaders share one cache: one download per
 * file, a waiter that finds the blob another process wrote, a lock left by a dead process.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../e2e/lib/mockHub.ts';
import { downloadBlob } from './hfBlobDownload.node.ts';
import { HfCacheRepo } from './hfCacheLayout.node.ts';
import { HubHttp, type RemoteFile } from './hfHttp.node.ts';

const REPO = 'lock-org/weights';
const BYTES = new Uint8Array(300_000).map((_, i) => (i * 31 + 7) & 0xff);
const SHA = createHash('sha256').update(BYTES).digest('hex');

describe('downloadBlob with several downloaders on one cache', () => {
  let work: string;
  let hub: MockHub;
  let cacheDir: string;
  let n = 0;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'clipscope-bloblock-'));
    mkdirSync(join(work, 'root', 'lock-org', 'weights'), { recursive: true });
    writeFileSync(join(work, 'root', 'lock-org', 'weights', 'model.safetensors'), BYTES);
    hub = await startMockHub(join(work, 'root'));
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    cacheDir = join(work, `cache-${n++}`);
    hub.resetStats();
  });
  const cdnGets = () => hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET');
  /** a downloader on one cache, and the file's metadata from the hub */
  async function downloader(): Promise<{ http: HubHttp; cache: HfCacheRepo; file: RemoteFile }> {
    const http = new HubHttp({ cacheDir, endpoint: hub.url, offline: false });
    return { http, cache: new HfCacheRepo(cacheDir, REPO), file: await http.fileMetadata(REPO, hub.commitOf(REPO), 'model.safetensors') };
  }
  /** the lock file as another process leaves it, last touched `ageMs` ago */
  function foreignLock(cache: HfCacheRepo, ageMs: number): void {
    mkdirSync(join(cacheDir, '.locks', 'models--lock-org--weights'), { recursive: true });
    writeFileSync(cache.lockPath(SHA), 'otherhost 1\n');
    const at = new Date(Date.now() - ageMs);
    utimesSync(cache.lockPath(SHA), at, at);
  }

  it('two downloads of the same file at once fetch it once; both end with the verified blob', async () => {
    const { http, cache, file } = await downloader();
    expect(file.etag).toBe(SHA);
    let waits = 0;
    const paths = await Promise.all([
      downloadBlob(http, cache, file, { onWait: () => waits++, lock: { pollMs: 20 } }),
      downloadBlob(http, cache, file, { onWait: () => waits++, lock: { pollMs: 20 } }),
    ]);
    expect(paths).toEqual([cache.blobPath(SHA), cache.blobPath(SHA)]);
    expect(readFileSync(cache.blobPath(SHA)).equals(BYTES)).toBe(true);
    expect(cdnGets()).toHaveLength(1);
    expect(waits).toBe(1);
    expect(readdirSync(join(cacheDir, '.locks', 'models--lock-org--weights'))).toEqual([]); // released
  });

  it('a waiter whose lock holder writes the blob returns it without downloading', async () => {
    const { http, cache, file } = await downloader();
    foreignLock(cache, 0);
    let waited = false;
    const pending = downloadBlob(http, cache, file, { onWait: () => (waited = true), lock: { pollMs: 20 } });
    await new Promise((r) => setTimeout(r, 150));
    mkdirSync(join(cache.root, 'blobs'), { recursive: true });
    writeFileSync(cache.blobPath(SHA), BYTES); // the other process finishes
    rmSync(cache.lockPath(SHA));
    expect(await pending).toBe(cache.blobPath(SHA));
    expect(waited).toBe(true);
    expect(cdnGets()).toEqual([]);
  });

  it('a lock not touched for staleMs (its holder died) is taken over', async () => {
    const { http, cache, file } = await downloader();
    foreignLock(cache, 60_000);
    expect(await downloadBlob(http, cache, file, { lock: { staleMs: 10_000, pollMs: 20 } })).toBe(cache.blobPath(SHA));
    expect(readFileSync(cache.blobPath(SHA)).equals(BYTES)).toBe(true);
    expect(cdnGets()).toHaveLength(1);
  });
});
