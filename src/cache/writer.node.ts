/**
 * Appending to an analysis cache on disk (Node).
 *
 * Crash safety comes from the write order and from repair on open:
 *  - a record is appended to every binary file (and flushed to disk) BEFORE its index line, so
 *    every ok line in the index has its bytes on disk;
 *  - on open, a trailing partial index line is cut off and every binary file is truncated back to
 *    exactly the number of records the index confirms (dropping a half-written record, or a whole
 *    record whose index line never got written).
 * An interrupted run therefore loses at most the image in flight, and a re-run appends exactly the
 * bytes an uninterrupted run would have written. meta.json is written once, when the cache is
 * created, and never changes.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  ftruncateSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { CacheError } from './errors.ts';
import {
  createCacheMeta,
  encodeIndexLine,
  encodeValues,
  INDEX_FILE,
  META_FILE,
  parseCacheMeta,
  parseIndex,
  QUANTITY_NAMES,
  serializeCacheMeta,
  type CacheDType,
  type CacheMeta,
  type CacheModelInfo,
  type IndexEntry,
  type IndexEntryBase,
  type QuantityName,
} from './layout.ts';
import type { CacheRecord } from './record.ts';
import { describeShard, type CacheShard } from './shard.ts';

export interface OpenCacheWriterOptions {
  /** the model that fills the cache; an existing cache made by another model is refused */
  model: CacheModelInfo;
  /** dtype of a new cache (default f32); for an existing cache, a different value is refused */
  dtype?: CacheDType;
  /** flush binaries to disk before each index line (default true; tests may turn it off) */
  durable?: boolean;
  /** this cache holds one shard of a split run; an existing cache must be that same shard of the same list */
  shard?: CacheShard;
}

export const LOCK_FILE = '.lock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per cache: `.lock` holds the writer's pid. A lock left by a process that no longer
 * runs (a crash) is taken over, so resuming after a crash needs no manual step.
 */
function acquireLock(dir: string): string {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) {
        throw new CacheError('locked', `cache ${dir} is being written by another process (pid ${pid}); if it is not running, delete ${path}`, path);
      }
      if (pid === process.pid) {
        throw new CacheError('locked', `cache ${dir} is already open for writing in this process`, path);
      }
      rmSync(path, { force: true });
    }
  }
  throw new CacheError('locked', `could not lock cache ${dir}`, path);
}

function shortFingerprint(fp: string): string {
  return fp.slice(0, 12);
}

/** refuses to resume a cache as another shard (or as a shard at all), or over a changed image list */
function checkShard(dir: string, stored: CacheShard | undefined, asked: CacheShard | undefined): void {
  if (!stored && !asked) return;
  if (!asked) {
    throw new CacheError('shard-mismatch', `cache ${dir} is shard ${describeShard(stored!)} of a split run: resume it with --shard ${describeShard(stored!)}, or merge the shards with clipscope merge`, dir);
  }
  if (!stored) {
    throw new CacheError('shard-mismatch', `cache ${dir} holds an unsplit run, not shard ${describeShard(asked)}: use a new folder for each shard`, dir);
  }
  if (stored.index !== asked.index || stored.count !== asked.count) {
    throw new CacheError('shard-mismatch', `cache ${dir} is shard ${describeShard(stored)}, not ${describeShard(asked)}: use a new folder for each shard`, dir);
  }
  if (stored.images !== asked.images || stored.listSha256 !== asked.listSha256) {
    throw new CacheError(
      'shard-mismatch',
      `the image list changed since shard ${describeShard(stored)} was started in ${dir} (${stored.images} images then, ${asked.images} now, or other names): shards split the sorted list by position, so every shard must see the same images (and the same --limit)`,
      dir,
    );
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** creates meta.json atomically (temp file + rename) in a new or empty folder */
function createCache(dir: string, meta: CacheMeta): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${META_FILE}.tmp`);
  writeFileSync(tmp, serializeCacheMeta(meta));
  renameSync(tmp, join(dir, META_FILE));
}

export class CacheWriter {
  private readonly byPath = new Map<string, IndexEntry>();
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly meta: CacheMeta,
    private readonly lockPath: string,
    private readonly indexFd: number,
    private readonly binaryFds: Readonly<Record<QuantityName, number>>,
    entries: readonly IndexEntry[],
    private nextRow: number,
    private readonly durable: boolean,
  ) {
    for (const e of entries) this.byPath.set(e.path, e);
  }

  /** Opens (creating if needed) the cache in `dir`, repairing the tail of an interrupted run. */
  static open(dir: string, options: OpenCacheWriterOptions): CacheWriter {
    const metaPath = join(dir, META_FILE);
    if (!existsSync(metaPath)) {
      const leftovers = existsSync(dir) ? readdirSync(dir).filter((n) => n !== `${META_FILE}.tmp` && n !== LOCK_FILE) : [];
      if (leftovers.length > 0) {
        throw new CacheError('not-a-cache', `${dir} is not an analysis cache (no ${META_FILE}) and is not empty: choose a new folder`, dir);
      }
      createCache(dir, createCacheMeta(options.model, options.dtype ?? 'f32', options.shard));
    }
    const meta = parseCacheMeta(readFileSync(metaPath, 'utf8'), metaPath);
    if (meta.model.fingerprint !== options.model.fingerprint) {
      throw new CacheError(
        'model-mismatch',
        `cache ${dir} was made by another model (fingerprint ${shortFingerprint(meta.model.fingerprint)}…, this model is ${shortFingerprint(options.model.fingerprint)}…): use a new cache folder for this model`,
        dir,
      );
    }
    if (options.dtype !== undefined && options.dtype !== meta.dtype) {
      throw new CacheError('dtype-mismatch', `cache ${dir} stores ${meta.dtype}, not ${options.dtype}: drop --dtype or use a new cache folder`, dir);
    }
    checkShard(dir, meta.shard, options.shard);

    const lock = acquireLock(dir);
    const fds: number[] = [];
    try {
      const indexFd = openSync(join(dir, INDEX_FILE), 'a+');
      fds.push(indexFd);
      const index = parseIndex(readFileSync(indexFd), join(dir, INDEX_FILE));
      if (fstatSync(indexFd).size > index.completeBytes) ftruncateSync(indexFd, index.completeBytes);

      const binaryFds = {} as Record<QuantityName, number>;
      for (const name of QUANTITY_NAMES) {
        const q = meta.quantities[name];
        const path = join(dir, q.file);
        const fd = openSync(path, 'a+');
        fds.push(fd);
        binaryFds[name] = fd;
        const expected = index.rows * q.recordBytes;
        const size = fstatSync(fd).size;
        if (size < expected) {
          throw new CacheError(
            'damaged',
            `cache ${dir} is damaged: ${q.file} holds ${Math.floor(size / q.recordBytes)} complete records but ${INDEX_FILE} lists ${index.rows}`,
            path,
          );
        }
        if (size > expected) ftruncateSync(fd, expected);
      }
      return new CacheWriter(dir, meta, lock, indexFd, binaryFds, index.entries, index.rows, options.durable ?? true);
    } catch (err) {
      for (const fd of fds) closeSync(fd);
      rmSync(lock, { force: true });
      throw err;
    }
  }

  /** number of records (ok images) in the cache */
  get rows(): number {
    return this.nextRow;
  }

  /** every index entry, in file order */
  entries(): IndexEntry[] {
    return [...this.byPath.values()];
  }

  entry(path: string): IndexEntry | undefined {
    return this.byPath.get(path);
  }

  /** appends one image's record to every binary file, then its index line; returns the entry */
  appendRecord(image: IndexEntryBase, record: CacheRecord): IndexEntry {
    const encoded = {} as Record<QuantityName, Uint8Array>;
    for (const name of QUANTITY_NAMES) encoded[name] = encodeValues(record[name], this.meta.dtype);
    return this.appendEncodedRecord(image, encoded);
  }

  /** appendRecord for a record already in this cache's dtype and byte layout (merging caches) */
  appendEncodedRecord(image: IndexEntryBase, record: Readonly<Record<QuantityName, Uint8Array>>): IndexEntry {
    this.checkNew(image.path);
    for (const name of QUANTITY_NAMES) {
      const q = this.meta.quantities[name];
      const bytes = record[name];
      if (bytes.byteLength !== q.recordBytes) {
        throw new CacheError('damaged', `record '${name}' for ${image.path} has ${bytes.byteLength} bytes, the layout needs ${q.recordBytes}`);
      }
      writeAll(this.binaryFds[name], bytes);
    }
    if (this.durable) for (const name of QUANTITY_NAMES) fdatasyncSync(this.binaryFds[name]);
    return this.writeEntry({ path: image.path, size: image.size, mtimeMs: image.mtimeMs, status: 'ok', row: this.nextRow });
  }

  /** records that an image was skipped (no binary data) */
  appendSkipped(image: IndexEntryBase, reason: string): IndexEntry {
    this.checkNew(image.path);
    return this.writeEntry({ path: image.path, size: image.size, mtimeMs: image.mtimeMs, status: 'skipped', reason });
  }

  private checkNew(path: string): void {
    if (this.closed) throw new Error('cache writer is closed');
    if (this.byPath.has(path)) throw new Error(`${path} is already in the cache index`);
  }

  private writeEntry(entry: IndexEntry): IndexEntry {
    writeAll(this.indexFd, new TextEncoder().encode(encodeIndexLine(entry)));
    if (entry.status === 'ok') this.nextRow++;
    this.byPath.set(entry.path, entry);
    return entry;
  }

  /** flushes every file to disk (for writers opened with durable: false) */
  sync(): void {
    for (const name of QUANTITY_NAMES) fdatasyncSync(this.binaryFds[name]);
    fdatasyncSync(this.indexFd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.durable) fdatasyncSync(this.indexFd);
    closeSync(this.indexFd);
    for (const name of QUANTITY_NAMES) closeSync(this.binaryFds[name]);
    rmSync(this.lockPath, { force: true });
  }
}
