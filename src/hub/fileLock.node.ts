/**
 * A lock file for one blob, so several processes sharing a cache (array jobs started together,
 * two terminals) download a file once instead of writing one `.incomplete` file at the same time.
 * The lock is a file created exclusively (`wx`, atomic on local and NFSv3+ filesystems) and
 * touched while held; one untouched for `staleMs` is taken over (its holder died).
 * Python's huggingface_hub locks `.locks/.../{etag}.lock` with flock and leaves the file behind,
 * so this lock uses its own name beside it rather than misreading that file as held.
 */
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export interface LockOptions {
  /** a lock not touched for this long is taken over (default 30 s) */
  staleMs?: number;
  /** how often a waiter looks again (default 250 ms) */
  pollMs?: number;
  /** called once when another process holds the lock */
  onWait?: () => void;
}

function tryCreate(path: string): boolean {
  try {
    writeFileSync(path, `${hostname()} ${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function ageMs(path: string): number | undefined {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return undefined; // released meanwhile
  }
}

/**
 * Run `work` holding the lock at `path`, unless `done()` turns true first (another process
 * finished the job while this one waited); `done()` is asked again once the lock is held.
 */
export async function withFileLock(path: string, done: () => boolean, work: () => Promise<void>, options: LockOptions = {}): Promise<void> {
  const staleMs = options.staleMs ?? 30_000;
  const pollMs = options.pollMs ?? 250;
  mkdirSync(dirname(path), { recursive: true });
  let waited = false;
  while (!tryCreate(path)) {
    if (done()) return;
    const age = ageMs(path);
    if (age !== undefined && age > staleMs) {
      rmSync(path, { force: true });
      continue;
    }
    if (!waited) options.onWait?.();
    waited = true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // taken over as stale: the hash check still guards the result
    }
  }, Math.max(50, Math.floor(staleMs / 4)));
  heartbeat.unref();
  try {
    if (!done()) await work();
  } finally {
    clearInterval(heartbeat);
    rmSync(path, { force: true });
  }
}
