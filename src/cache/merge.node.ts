/**
 * `clipscope merge`: the caches of every shard of a split `analyze` run -> one cache holding the
 * same bytes a single unsplit run over the same images writes (docs/FORMATS.md): entries in
 * path-sorted order, records renumbered in that order, meta.json without the shard. Every later
 * command therefore gives on the merged cache exactly what it gives on a single-process cache.
 *
 * Refused, with a message naming the difference or the shard: caches of different models or
 * settings, caches of different splits or image lists, missing, repeated or unfinished shards, and
 * images held by two shards. Written into a temporary folder beside --out and renamed at the end, so
 * an interrupted merge leaves no half cache at --out.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CacheError } from './errors.ts';
import { INDEX_FILE, META_FILE, parseCacheMeta, parseIndex, QUANTITY_NAMES, type CacheMeta, type IndexEntry, type QuantityName } from './layout.ts';
import { describeShard, imageListSha256, shardSize, type CacheShard } from './shard.ts';
import { CacheWriter } from './writer.node.ts';

export interface MergeSummary {
  /** shard caches merged */
  shards: number;
  /** images of the list the shards were cut from (ok + skipped) */
  images: number;
  /** records (ok images) in the merged cache */
  rows: number;
  skipped: number;
}

interface ShardInput {
  dir: string;
  meta: CacheMeta;
  shard: CacheShard;
  /** complete index lines only: a line cut short by an interrupted write does not count */
  entries: IndexEntry[];
}

function readShard(dir: string): ShardInput {
  const metaPath = join(dir, META_FILE);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CacheError('not-a-cache', `shard cache folder not found: ${dir}`, dir);
  if (!existsSync(metaPath)) throw new CacheError('not-a-cache', `${dir} is not an analysis cache (no ${META_FILE})`, dir);
  const meta = parseCacheMeta(readFileSync(metaPath, 'utf8'), metaPath);
  if (!meta.shard) throw new CacheError('shard-mismatch', `${dir} is not a shard cache (it was made without analyze --shard): there is nothing to merge it with`, dir);
  const indexPath = join(dir, INDEX_FILE);
  const index = existsSync(indexPath) ? parseIndex(new Uint8Array(readFileSync(indexPath)), indexPath) : { entries: [], rows: 0 };
  for (const name of QUANTITY_NAMES) {
    const q = meta.quantities[name];
    const path = join(dir, q.file);
    const size = existsSync(path) ? statSync(path).size : 0;
    if (size < index.rows * q.recordBytes) {
      throw new CacheError('damaged', `shard cache ${dir} is damaged: ${q.file} holds ${Math.floor(size / q.recordBytes)} complete records but ${INDEX_FILE} lists ${index.rows}`, path);
    }
  }
  return { dir, meta, shard: meta.shard, entries: index.entries };
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return typeof value === 'string' && value.length > 16 ? `${value.slice(0, 12)}…` : text;
}

/** the first dotted key path where two JSON values differ, with both values; undefined if equal */
export function firstDifference(a: unknown, b: unknown, path = ''): { path: string; a: string; b: string } | undefined {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) {
      const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (d) return d;
    }
    return undefined;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : { path, a: a === undefined ? 'none' : show(a), b: b === undefined ? 'none' : show(b) };
}

/** every setting but the shard itself must agree: model, architecture, dtype, format */
function checkSameSettings(inputs: readonly ShardInput[]): void {
  const [first] = inputs;
  const settings = ({ shard: _, ...rest }: CacheMeta) => rest;
  for (const other of inputs.slice(1)) {
    const d = firstDifference(settings(first.meta), settings(other.meta));
    if (d) {
      throw new CacheError(
        'shard-mismatch',
        `cannot merge caches of different models or settings: ${d.path} is ${d.a} in ${first.dir} but ${d.b} in ${other.dir}`,
        other.dir,
      );
    }
    const a = first.shard;
    const b = other.shard;
    if (a.count !== b.count) {
      throw new CacheError('shard-mismatch', `cannot merge shards of different splits: ${first.dir} is shard ${describeShard(a)}, ${other.dir} is shard ${describeShard(b)}`, other.dir);
    }
    if (a.images !== b.images || a.listSha256 !== b.listSha256) {
      const how = a.images !== b.images ? `${a.images} images in ${first.dir}, ${b.images} in ${other.dir}` : `same length, other names (list sha256 ${a.listSha256.slice(0, 12)}… vs ${b.listSha256.slice(0, 12)}…)`;
      throw new CacheError('shard-mismatch', `cannot merge shards cut from different image lists (${how}): every shard must run over the same images and --limit`, other.dir);
    }
  }
}

/** exactly one cache per shard index 0..n-1; returns them by index */
function checkCoverage(inputs: readonly ShardInput[]): ShardInput[] {
  const n = inputs[0].shard.count;
  const byIndex: (ShardInput | undefined)[] = Array.from({ length: n });
  for (const input of inputs) {
    const had = byIndex[input.shard.index];
    if (had) throw new CacheError('shards-incomplete', `shard ${describeShard(input.shard)} is given twice: ${had.dir} and ${input.dir}`, input.dir);
    byIndex[input.shard.index] = input;
  }
  const missing = byIndex.flatMap((s, i) => (s ? [] : [`${i}/${n}`]));
  if (missing.length > 0) {
    throw new CacheError('shards-incomplete', `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing (${inputs.length} of ${n} given)`);
  }
  return byIndex as ShardInput[];
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface MergedEntry {
  entry: IndexEntry;
  from: ShardInput;
}

/** every shard finished its share, no image twice, and together they are the list they were cut from */
function mergedOrder(shards: readonly ShardInput[]): MergedEntry[] {
  const { images, count, listSha256 } = shards[0].shard;
  for (const s of shards) {
    const share = shardSize(images, s.shard.index, count);
    if (s.entries.length < share) {
      throw new CacheError(
        'shards-incomplete',
        `shard ${describeShard(s.shard)} in ${s.dir} holds ${s.entries.length} of its ${share} images: it has not finished (run its analyze command again to resume it)`,
        s.dir,
      );
    }
  }
  const owner = new Map<string, ShardInput>();
  const all: MergedEntry[] = [];
  for (const s of shards) {
    for (const entry of s.entries) {
      const other = owner.get(entry.path);
      if (other) throw new CacheError('shards-incomplete', `image ${entry.path} is in two shards: ${other.dir} (${describeShard(other.shard)}) and ${s.dir} (${describeShard(s.shard)})`, s.dir);
      owner.set(entry.path, s);
      all.push({ entry, from: s });
    }
  }
  all.sort((x, y) => compareCodeUnits(x.entry.path, y.entry.path));
  all.forEach(({ entry, from }, position) => {
    if (position % count !== from.shard.index) {
      throw new CacheError(
        'shards-incomplete',
        `image ${entry.path} is at position ${position} of the merged list, which belongs to shard ${position % count}/${count}, but ${from.dir} (shard ${describeShard(from.shard)}) holds it`,
        from.dir,
      );
    }
  });
  if (all.length !== images || imageListSha256(all.map((m) => m.entry.path)) !== listSha256) {
    throw new CacheError('shards-incomplete', `the shards hold ${all.length} images that are not the list of ${images} they were cut from`);
  }
  return all;
}

function readAt(fd: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, offset + done);
    if (n === 0) throw new CacheError('damaged', `unexpected end of a shard file at byte ${offset + done}`);
    done += n;
  }
  return out;
}

function checkOutDir(outDir: string, shardDirs: readonly string[]): void {
  const out = resolve(outDir);
  if (shardDirs.some((d) => resolve(d) === out)) throw new CacheError('not-a-cache', `--out ${outDir} is one of the shards: merge into a new folder`, outDir);
  if (existsSync(outDir) && (!statSync(outDir).isDirectory() || readdirSync(outDir).length > 0)) {
    throw new CacheError('not-a-cache', `--out ${outDir} exists and is not an empty folder: merge into a new folder`, outDir);
  }
}

export function mergeShardCaches(shardDirs: readonly string[], outDir: string): MergeSummary {
  if (shardDirs.length === 0) throw new CacheError('shards-incomplete', 'no shard caches to merge');
  checkOutDir(outDir, shardDirs);
  const inputs = shardDirs.map(readShard);
  checkSameSettings(inputs);
  const shards = checkCoverage(inputs);
  const order = mergedOrder(shards);

  const { meta } = shards[0];
  const tmp = join(dirname(resolve(outDir)), `.${basename(resolve(outDir))}.merging-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(tmp), { recursive: true });
  const fds = new Map<ShardInput, Record<QuantityName, number>>();
  let writer: CacheWriter | undefined;
  try {
    for (const s of shards) {
      const byName = {} as Record<QuantityName, number>;
      for (const name of QUANTITY_NAMES) byName[name] = openSync(join(s.dir, s.meta.quantities[name].file), 'r');
      fds.set(s, byName);
    }
    // the unsplit cache's meta: same model and dtype, no shard
    writer = CacheWriter.open(tmp, { model: meta.model, dtype: meta.dtype, durable: false });
    let skipped = 0;
    for (const { entry, from } of order) {
      if (entry.status === 'skipped') {
        writer.appendSkipped(entry, entry.reason);
        skipped++;
        continue;
      }
      const record = {} as Record<QuantityName, Uint8Array>;
      for (const name of QUANTITY_NAMES) {
        const q = meta.quantities[name];
        record[name] = readAt(fds.get(from)![name], entry.row * q.recordBytes, q.recordBytes);
      }
      writer.appendEncodedRecord(entry, record);
    }
    writer.sync();
    const rows = writer.rows;
    writer.close();
    writer = undefined;
    if (existsSync(outDir)) rmSync(outDir, { recursive: true }); // an empty folder (checked above)
    renameSync(tmp, outDir);
    return { shards: shards.length, images: order.length, rows, skipped };
  } catch (err) {
    writer?.close();
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    for (const byName of fds.values()) for (const fd of Object.values(byName)) closeSync(fd);
  }
}
