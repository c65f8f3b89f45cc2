/**
 * Reading an analysis cache through random-access byte sources, so the same code serves Node
 * (files on disk, reader.node.ts) and the browser (File/Blob, OPFS, HTTP Range).
 *
 * The index is the truth: only records it confirms are read, so a cache that is being appended to
 * (or was interrupted) reads consistently — bytes past the last confirmed record are ignored.
 */
import { tensor, type Tensor } from '../math/tensor.ts';
import type { ByteSource } from '../model/checkpoint/types.ts';
import { CacheError } from './errors.ts';
import type { CacheRecord } from './record.ts';
import {
  decodeValues,
  dtypeBytes,
  INDEX_FILE,
  META_FILE,
  parseCacheMeta,
  parseIndex,
  QUANTITY_NAMES,
  type CacheMeta,
  type OkEntry,
  type QuantityName,
  type SkippedEntry,
} from './layout.ts';
import { headLabel } from '../analysis/partNames.ts';

/** the cache folder's files by name; resolves undefined for a missing file */
export type CacheFileOpener = (name: string) => Promise<ByteSource | undefined>;

/** one head (ℓ, h) */
export interface HeadId {
  readonly layer: number;
  readonly head: number;
}

/** Bytes read per request when gathering a slot from every record (bounds memory per read). */
const GATHER_CHUNK_BYTES = 8 << 20;

async function readAll(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

export async function openAnalysisCache(open: CacheFileOpener): Promise<AnalysisCache> {
  const metaSource = await open(META_FILE);
  if (!metaSource) throw new CacheError('not-a-cache', `not an analysis cache: ${META_FILE} is missing`, META_FILE);
  const meta = parseCacheMeta(new TextDecoder().decode(await readAll(metaSource)), metaSource.name);
  const indexSource = await open(meta.index ?? INDEX_FILE);
  const index = indexSource ? parseIndex(await readAll(indexSource), indexSource.name) : { entries: [], rows: 0, completeBytes: 0 };
  const sources = {} as Record<QuantityName, ByteSource | undefined>;
  for (const name of QUANTITY_NAMES) {
    const q = meta.quantities[name];
    const source = await open(q.file);
    const have = source ? Math.floor(source.size / q.recordBytes) : 0;
    if (have < index.rows) {
      throw new CacheError('damaged', `${q.file} holds ${have} complete records but ${INDEX_FILE} lists ${index.rows}`, q.file);
    }
    sources[name] = source;
  }
  return new AnalysisCache(meta, index.entries.filter((e): e is OkEntry => e.status === 'ok'),
    index.entries.filter((e): e is SkippedEntry => e.status === 'skipped'), sources as Record<QuantityName, ByteSource>);
}

export class AnalysisCache {
  constructor(
    readonly meta: CacheMeta,
    /** cached images in record order (images[k].row === k) */
    readonly images: readonly OkEntry[],
    /** images that could not be read, with the reason */
    readonly skipped: readonly SkippedEntry[],
    private readonly sources: Readonly<Record<QuantityName, ByteSource>>,
  ) {}

  /** K, the number of cached images */
  get count(): number {
    return this.images.length;
  }

  /** row of a cached image by its index path, or -1 */
  rowOf(path: string): number {
    return this.images.findIndex((e) => e.path === path);
  }

  /** one image's whole record of a quantity, e.g. heads [L, H, D] */
  async record(quantity: QuantityName, row: number): Promise<Tensor> {
    this.checkRow(row);
    const q = this.meta.quantities[quantity];
    const bytes = await this.sources[quantity].read(row * q.recordBytes, q.recordBytes);
    return tensor(q.shape, decodeValues(bytes, this.meta.dtype), q.dims);
  }

  /** one image's record of every quantity (what `clipscope analyze` appended for it) */
  async recordOf(row: number): Promise<CacheRecord> {
    const out = {} as Record<QuantityName, Float32Array>;
    for (const name of QUANTITY_NAMES) out[name] = (await this.record(name, row)).data;
    return out;
  }

  /**
   * Rows `slot*D .. slot*D+D` of every record of a quantity, as [K, D] matrices (one per slot).
   * Records are streamed in chunks, so one pass over the file serves all the slots asked for.
   */
  async gather(quantity: QuantityName, slots: readonly number[]): Promise<Tensor<'K D'>[]> {
    const q = this.meta.quantities[quantity];
    const D = this.meta.architecture.embedDim;
    const slotCount = q.recordBytes / dtypeBytes(this.meta.dtype) / D;
    for (const s of slots) {
      if (!Number.isInteger(s) || s < 0 || s >= slotCount) throw new RangeError(`${quantity} has slots 0..${slotCount - 1}, asked for ${s}`);
    }
    const K = this.count;
    const out = slots.map(() => new Float32Array(K * D));
    const perChunk = Math.max(1, Math.floor(GATHER_CHUNK_BYTES / q.recordBytes));
    const valuesPerRecord = slotCount * D;
    for (let start = 0; start < K; start += perChunk) {
      const n = Math.min(perChunk, K - start);
      const values = decodeValues(await this.sources[quantity].read(start * q.recordBytes, n * q.recordBytes), this.meta.dtype);
      for (let i = 0; i < n; i++) {
        slots.forEach((slot, j) => {
          const from = i * valuesPerRecord + slot * D;
          out[j].set(values.subarray(from, from + D), (start + i) * D);
        });
      }
    }
    return out.map((data) => tensor('K D', data, [K, D]));
  }

  /** c_head^{ℓ,h} of every cached image [K, D] */
  async headMatrix(layer: number, head: number): Promise<Tensor<'K D'>> {
    return (await this.headMatrices([{ layer, head }]))[0];
  }

  /** several heads in one pass over heads.bin */
  headMatrices(heads: readonly HeadId[]): Promise<Tensor<'K D'>[]> {
    const { layers: L, heads: H } = this.meta.architecture;
    const slots = heads.map(({ layer, head }) => {
      if (!Number.isInteger(layer) || !Number.isInteger(head) || layer < 0 || layer >= L || head < 0 || head >= H) {
        throw new RangeError(`head ${headLabel(layer, head)} does not exist (layers 0..${L - 1}, heads 0..${H - 1})`);
      }
      return layer * H + head;
    });
    return this.gather('heads', slots);
  }

  /** the unit image embeddings [K, D] */
  async embeddingMatrix(): Promise<Tensor<'K D'>> {
    return (await this.gather('embedding', [0]))[0];
  }

  /** the embedding terms c_e [K, D] */
  async embedTermMatrix(): Promise<Tensor<'K D'>> {
    return (await this.gather('embed_mlp', [0]))[0];
  }

  /** MLP terms of layer ℓ [K, D] */
  async mlpMatrix(layer: number): Promise<Tensor<'K D'>> {
    this.checkLayer(layer);
    return (await this.gather('embed_mlp', [layer + 1]))[0];
  }

  /** class→class cells of layer ℓ [K, D] */
  async classClassMatrix(layer: number): Promise<Tensor<'K D'>> {
    this.checkLayer(layer);
    return (await this.gather('class_class', [layer]))[0];
  }

  private checkLayer(layer: number): void {
    const L = this.meta.architecture.layers;
    if (!Number.isInteger(layer) || layer < 0 || layer >= L) throw new RangeError(`layer ${layer} does not exist (layers 0..${L - 1})`);
  }

  private checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.count) throw new RangeError(`image row ${row} is outside 0..${this.count - 1}`);
  }
}
