/**
 * Filling an analysis cache from a folder of images (Node): walk the folder in sorted order, skip
 * what the index already holds, decompose the rest one image at a time and append each record.
 * Unreadable images are recorded as skipped (with the reason) rather than stopping the run;
 * failures of the model itself do stop it (everything appended before stays valid).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../math/tensor.ts';
import type { ClipCheckpoint } from '../model/checkpoint/types.ts';
import { decodeImageFile } from '../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../model/preprocess/transform.ts';
import type { CacheDType, IndexEntry, IndexEntryBase } from './layout.ts';
import { cacheRecordFromDecomposition } from './record.ts';
import { imageListSha256, shardItems, type ShardSpec } from './shard.ts';
import { listImageFiles } from './walk.node.ts';
import { CacheWriter } from './writer.node.ts';
import type { Decomposition } from '../model/decomposition.ts';

/** the part of ClipEngine this needs */
export interface DecomposingEngine {
  readonly checkpoint: ClipCheckpoint;
  decompose(pixels: Tensor<string, Float32Array>): Promise<Decomposition>;
}

export interface AnalyzeImagesOptions {
  engine: DecomposingEngine;
  imagesDir: string;
  cacheDir: string;
  /** dtype of a new cache (default f32); an existing cache keeps its own and refuses another */
  dtype?: CacheDType;
  /** only the first `limit` images of the sorted walk (cached or not) are considered */
  limit?: number;
  /** process only this shard's images: positions ≡ index (mod count) of the considered list */
  shard?: ShardSpec;
  /** flush each record to disk before its index line (default true) */
  durable?: boolean;
  /** called once before processing with the number of images this run will process */
  onStart?(pending: number): void;
  /** called after each processed image (added or skipped) */
  onImage?(entry: IndexEntry): void;
  /** one-line warnings: skipped images, images changed since they were cached */
  onWarning?(message: string): void;
}

export interface AnalyzeSummary {
  /** image files found under the folder */
  found: number;
  /** of those, considered this run (the first `limit`) */
  considered: number;
  /** of those, this shard's (all of them without a shard) */
  assigned: number;
  /** considered images the index already held */
  alreadyCached: number;
  /** records appended this run */
  added: number;
  /** images skipped this run (unreadable) */
  skipped: number;
  /** cached images whose size or mtime changed since (kept as cached) */
  changed: number;
  /** records in the cache after this run */
  rows: number;
  dtype: CacheDType;
}

function fileStamp(path: string, rel: string): IndexEntryBase | { error: string; base: IndexEntryBase } {
  try {
    const s = statSync(path);
    return { path: rel, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) };
  } catch (err) {
    return { error: (err as Error).message, base: { path: rel, size: 0, mtimeMs: 0 } };
  }
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

export async function analyzeImages(options: AnalyzeImagesOptions): Promise<AnalyzeSummary> {
  const { engine, imagesDir } = options;
  const ckpt = engine.checkpoint;
  const all = listImageFiles(imagesDir);
  const limit = options.limit ?? all.length;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  const listed = all.slice(0, limit);
  const { shard } = options;
  const considered = shard ? shardItems(listed, shard) : listed;

  const writer = CacheWriter.open(options.cacheDir, {
    model: { fingerprint: ckpt.fingerprint, layout: ckpt.layout, vision: ckpt.vision },
    dtype: options.dtype,
    durable: options.durable,
    ...(shard ? { shard: { index: shard.index, count: shard.count, images: listed.length, listSha256: imageListSha256(listed) } } : {}),
  });
  const summary: AnalyzeSummary = {
    found: all.length,
    considered: listed.length,
    assigned: considered.length,
    alreadyCached: 0,
    added: 0,
    skipped: 0,
    changed: 0,
    rows: writer.rows,
    dtype: writer.meta.dtype,
  };
  try {
    const pending: string[] = [];
    for (const rel of considered) {
      const cached = writer.entry(rel);
      if (!cached) {
        pending.push(rel);
        continue;
      }
      summary.alreadyCached++;
      const stamp = fileStamp(join(imagesDir, rel), rel);
      if ('path' in stamp && (stamp.size !== cached.size || stamp.mtimeMs !== cached.mtimeMs)) {
        summary.changed++;
        options.onWarning?.(`${rel} changed since it was cached (size or mtime differ); keeping the cached result (use a new cache folder to recompute)`);
      }
    }
    options.onStart?.(pending.length);

    const arch = writer.meta.architecture;
    for (const rel of pending) {
      const path = join(imagesDir, rel);
      const stamp = fileStamp(path, rel);
      if (!('path' in stamp)) {
        summary.skipped++;
        options.onWarning?.(`skipped ${rel}: ${oneLine(stamp.error)}`);
        const entry = writer.appendSkipped(stamp.base, oneLine(stamp.error));
        options.onImage?.(entry);
        continue;
      }
      let pixels: Tensor<'C S S'>;
      try {
        pixels = preprocessPixels(await decodeImageFile(path), ckpt.preprocess);
      } catch (err) {
        const reason = oneLine((err as Error).message ?? String(err));
        summary.skipped++;
        options.onWarning?.(`skipped ${rel}: ${reason}`);
        const entry = writer.appendSkipped(stamp, reason);
        options.onImage?.(entry);
        continue;
      }
      const parts = await engine.decompose(pixels);
      const entry = writer.appendRecord(stamp, cacheRecordFromDecomposition(parts, arch));
      summary.added++;
      options.onImage?.(entry);
    }
    summary.rows = writer.rows;
    return summary;
  } finally {
    writer.close();
  }
}
