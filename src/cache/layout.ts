/**
 * The on-disk layout of a per-image analysis cache (docs/FORMATS.md): meta.json, an append-only
 * JSON-lines index, and one append-only binary file per quantity holding one fixed-size record per
 * cached image. Pure (no Node APIs), so the browser can parse the same bytes.
 */
import type { VisionArch } from '../model/arch.ts';
import { decodeF16, encodeF16 } from '../math/half.ts';
import { CacheError } from './errors.ts';
import type { CacheShard } from './shard.ts';

export const CACHE_FORMAT = 'clipscope-analysis-cache';
export const CACHE_VERSION = 1;
export const META_FILE = 'meta.json';
export const INDEX_FILE = 'index.jsonl';

export type CacheDType = 'f32' | 'f16';
export const CACHE_DTYPES: readonly CacheDType[] = ['f32', 'f16'];

/** bytes per stored value */
export function dtypeBytes(dtype: CacheDType): number {
  return dtype === 'f16' ? 2 : 4;
}

/**
 * The quantities, in the order a record is written. Each is one file of records:
 * - heads: c_head^{ℓ,h}, each head summed over tokens [L, H, D]
 * - embed_mlp: METHOD 2.5's stack [L+1, D]: row 0 the embedding term c_e, row 1+ℓ the MLP of layer ℓ
 * - class_class: Σ_h c_{ℓ,h,0} [L, D]
 * - embedding: the unit image embedding û [D]
 */
export const QUANTITY_NAMES = ['heads', 'embed_mlp', 'class_class', 'embedding'] as const;
export type QuantityName = (typeof QUANTITY_NAMES)[number];

export interface CacheArch {
  /** L */
  readonly layers: number;
  /** H */
  readonly heads: number;
  /** D */
  readonly embedDim: number;
}

export interface QuantityLayout {
  readonly file: string;
  /** shape letters of one record, e.g. 'L H D' */
  readonly shape: string;
  /** dims of one record */
  readonly dims: readonly number[];
  /** bytes of one record (values × dtype bytes) */
  readonly recordBytes: number;
  readonly description: string;
}

export interface CacheModelInfo {
  readonly fingerprint: string;
  readonly layout: string;
  readonly vision: VisionArch;
}

export interface CacheMeta {
  readonly format: typeof CACHE_FORMAT;
  readonly version: number;
  readonly model: CacheModelInfo;
  readonly architecture: CacheArch;
  readonly dtype: CacheDType;
  readonly byteOrder: 'little';
  readonly index: string;
  readonly quantities: Readonly<Record<QuantityName, QuantityLayout>>;
  /** only in the cache of one shard of a split run (`analyze --shard`); a merged cache has none */
  readonly shard?: CacheShard;
}

export function quantityLayouts(arch: CacheArch, dtype: CacheDType): Record<QuantityName, QuantityLayout> {
  const { layers: L, heads: H, embedDim: D } = arch;
  const b = dtypeBytes(dtype);
  return {
    heads: {
      file: 'heads.bin',
      shape: 'L H D',
      dims: [L, H, D],
      recordBytes: L * H * D * b,
      description: 'per-head direct contribution c_head[l,h], summed over all tokens (class token included)',
    },
    embed_mlp: {
      file: 'embed_mlp.bin',
      shape: 'L D',
      dims: [L + 1, D],
      recordBytes: (L + 1) * D * b,
      description: 'row 0: embedding term c_e; row 1+l: MLP of layer l',
    },
    class_class: {
      file: 'class_class.bin',
      shape: 'L D',
      dims: [L, D],
      recordBytes: L * D * b,
      description: 'class-token -> class-token cell of each layer, summed over heads',
    },
    embedding: {
      file: 'embedding.bin',
      shape: 'D',
      dims: [D],
      recordBytes: D * b,
      description: 'unit image embedding (the sum of all terms)',
    },
  };
}

export function createCacheMeta(model: CacheModelInfo, dtype: CacheDType, shard?: CacheShard): CacheMeta {
  const architecture: CacheArch = { layers: model.vision.layers, heads: model.vision.heads, embedDim: model.vision.embedDim };
  return {
    format: CACHE_FORMAT,
    version: CACHE_VERSION,
    model: { fingerprint: model.fingerprint, layout: model.layout, vision: { ...model.vision } },
    architecture,
    dtype,
    byteOrder: 'little',
    index: INDEX_FILE,
    quantities: quantityLayouts(architecture, dtype),
    ...(shard ? { shard: { index: shard.index, count: shard.count, images: shard.images, listSha256: shard.listSha256 } } : {}),
  };
}

/** meta.json text: deterministic (fixed key order, 2-space indent, final newline) */
export function serializeCacheMeta(meta: CacheMeta): string {
  return `${JSON.stringify(meta, null, 2)}\n`;
}

export function parseCacheMeta(text: string, file = META_FILE): CacheMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CacheError('not-a-cache', `${file} is not valid JSON: ${(err as Error).message}`, file);
  }
  const m = raw as Partial<CacheMeta> | null;
  if (!m || typeof m !== 'object' || m.format !== CACHE_FORMAT) {
    throw new CacheError('not-a-cache', `${file} is not a clipscope analysis cache (format is not '${CACHE_FORMAT}')`, file);
  }
  if (m.version !== CACHE_VERSION) {
    throw new CacheError('version', `${file} has format version ${String(m.version)}; this clipscope reads version ${CACHE_VERSION}`, file);
  }
  const arch = m.architecture;
  const dims = [arch?.layers, arch?.heads, arch?.embedDim];
  if (!dims.every((d) => Number.isInteger(d) && (d as number) > 0)) {
    throw new CacheError('not-a-cache', `${file}: architecture must give positive integer layers, heads and embedDim`, file);
  }
  if (!CACHE_DTYPES.includes(m.dtype as CacheDType)) {
    throw new CacheError('not-a-cache', `${file}: dtype must be one of ${CACHE_DTYPES.join(', ')}, got ${String(m.dtype)}`, file);
  }
  if (typeof m.model?.fingerprint !== 'string' || m.model.fingerprint === '') {
    throw new CacheError('not-a-cache', `${file}: model.fingerprint is missing`, file);
  }
  // the record layout is a function of architecture and dtype: recompute it rather than trust it
  const expected = quantityLayouts(arch as CacheArch, m.dtype as CacheDType);
  for (const name of QUANTITY_NAMES) {
    const q = m.quantities?.[name];
    if (!q || q.file !== expected[name].file || q.recordBytes !== expected[name].recordBytes) {
      throw new CacheError('damaged', `${file}: quantity '${name}' does not match the layout of a [${dims.join(', ')}] ${m.dtype} cache`, file);
    }
  }
  if (m.shard !== undefined) {
    const sh = m.shard as Partial<CacheShard> | null;
    const ints = [sh?.index, sh?.count, sh?.images];
    if (!ints.every((v) => Number.isInteger(v) && (v as number) >= 0) || !(sh!.index! < sh!.count!) || typeof sh?.listSha256 !== 'string') {
      throw new CacheError('damaged', `${file}: shard must give integers 0 <= index < count, images and a listSha256`, file);
    }
  }
  return m as CacheMeta;
}

// ------------------------------------------------------------------------------------ index

export interface IndexEntryBase {
  /** path relative to the images folder, '/'-separated */
  readonly path: string;
  /** file size in bytes when it was processed */
  readonly size: number;
  /** modification time in whole milliseconds since the epoch when it was processed */
  readonly mtimeMs: number;
}
export interface OkEntry extends IndexEntryBase {
  readonly status: 'ok';
  /** record number in every binary file (0-based, consecutive over ok entries) */
  readonly row: number;
}
export interface SkippedEntry extends IndexEntryBase {
  readonly status: 'skipped';
  readonly reason: string;
}
export type IndexEntry = OkEntry | SkippedEntry;

/** one index line, newline included; key order is fixed so re-runs write identical bytes */
export function encodeIndexLine(entry: IndexEntry): string {
  const base = { path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs, status: entry.status };
  const full = entry.status === 'ok' ? { ...base, row: entry.row } : { ...base, reason: entry.reason };
  return `${JSON.stringify(full)}\n`;
}

export interface ParsedIndex {
  readonly entries: IndexEntry[];
  /** number of ok entries = records every binary file must hold */
  readonly rows: number;
  /** length in UTF-8 bytes of the complete lines; anything after is an unfinished write */
  readonly completeBytes: number;
}

function isEntry(v: unknown): v is IndexEntry {
  const e = v as Record<string, unknown>;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.path !== 'string' || !Number.isFinite(e.size) || !Number.isFinite(e.mtimeMs)) return false;
  if (e.status === 'ok') return Number.isInteger(e.row);
  return e.status === 'skipped' && typeof e.reason === 'string';
}

/**
 * Parses index bytes. Only newline-terminated lines count; a trailing partial line (a write cut
 * short) is reported through `completeBytes` so a writer can cut it off. A complete line that is
 * not a valid entry, or ok rows that are not 0, 1, 2, ... is damage and throws.
 */
export function parseIndex(bytes: Uint8Array, file = INDEX_FILE): ParsedIndex {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, end));
  const entries: IndexEntry[] = [];
  let rows = 0;
  const lines = text.split('\n');
  lines.pop(); // '' after the last newline
  lines.forEach((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CacheError('damaged', `${file} line ${i + 1} is not valid JSON`, file);
    }
    if (!isEntry(value)) throw new CacheError('damaged', `${file} line ${i + 1} is not an index entry`, file);
    if (value.status === 'ok') {
      if (value.row !== rows) throw new CacheError('damaged', `${file} line ${i + 1} has row ${value.row}, expected ${rows}`, file);
      rows++;
    }
    entries.push(value);
  });
  return { entries, rows, completeBytes: end };
}

// ------------------------------------------------------------------------------------ values

/** float32 values -> stored little-endian bytes */
export function encodeValues(values: Float32Array, dtype: CacheDType): Uint8Array {
  if (dtype === 'f16') {
    const bits = encodeF16(values);
    return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
  }
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** stored bytes -> float32 values (copies, so `bytes` may sit at any offset) */
export function decodeValues(bytes: Uint8Array, dtype: CacheDType): Float32Array {
  const aligned = bytes.slice();
  if (dtype === 'f16') return decodeF16(new Uint16Array(aligned.buffer, 0, aligned.byteLength / 2));
  return new Float32Array(aligned.buffer, 0, aligned.byteLength / 4);
}
