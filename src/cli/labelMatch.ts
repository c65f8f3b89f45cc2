/** Pairing the rows of a labels CSV with the images an analysis cache holds. */
import type { LabelledFile } from '../labels/labelsCsv.ts';
import { CliError } from './errors.ts';

/** The labelled rows of the CSV that the cache holds, as cache row + label + group. */
export interface CacheMatch {
  readonly matched: { row: number; label: number; group?: number; file: string }[];
  /** labelled files the cache lacks, with the cache's reason when it skipped them */
  readonly missing: { file: string; reason: string }[];
  /** cached images without a label */
  readonly unlabelled: number;
}

/**
 * Pairs labels with cached images: by the cache's relative path, or (for a bare file name) by
 * the one cached image with that file name.
 */
export function matchLabelsToCache(
  rows: readonly LabelledFile[],
  cached: readonly { path: string; row: number }[],
  skipped: readonly { path: string; reason: string }[],
): CacheMatch {
  const byPath = new Map(cached.map((e) => [e.path, e.row]));
  const byName = new Map<string, number[]>();
  for (const e of cached) {
    const name = e.path.slice(e.path.lastIndexOf('/') + 1);
    byName.set(name, [...(byName.get(name) ?? []), e.row]);
  }
  const skippedReason = new Map(skipped.map((e) => [e.path, e.reason]));
  const matched: CacheMatch['matched'] = [];
  const missing: CacheMatch['missing'] = [];
  const used = new Set<number>();
  for (const r of rows) {
    const path = r.file.replace(/\\/g, '/').replace(/^\.\//, '');
    let row = byPath.get(path);
    if (row === undefined && !path.includes('/')) {
      const candidates = byName.get(path) ?? [];
      if (candidates.length > 1) {
        throw new CliError(`label for '${r.file}' is ambiguous: the cache holds ${candidates.length} images of that name; give the path`);
      }
      row = candidates[0];
    }
    if (row === undefined) {
      missing.push({ file: r.file, reason: skippedReason.get(path) ?? 'not in the cache' });
      continue;
    }
    if (used.has(row)) throw new CliError(`two labels name the same cached image '${r.file}'`);
    used.add(row);
    matched.push({ row, label: r.label, file: r.file, ...(r.group === undefined ? {} : { group: r.group }) });
  }
  return { matched, missing, unlabelled: cached.length - matched.length };
}
