/**
 * The head atlas: TEXTSPAN (METHOD 4) for each chosen head over the cached head terms, with each
 * head's role label. Pure (reader + analyses), so the explorer could build one in a worker too.
 * Output shape: docs/FORMATS.md, "atlas.json".
 */
import { headRole } from '../analysis/roles.ts';
import { textspanDefaults, type TextspanPick } from '../analysis/textspan.ts';
import type { Tensor } from '../math/tensor.ts';
import type { AnalysisCache, HeadId } from './reader.ts';
import { parsePool } from '../labels/pool.ts';
import { headTextspanRunner, type HeadTextspanRunner } from './textspanRunner.ts';

export type { HeadTextspan, HeadTextspanRunner } from './textspanRunner.ts';

export const ATLAS_FORMAT = 'clipscope-atlas';
export const ATLAS_VERSION = 1;

/** a text pool: one description per entry, optionally tagged with a property */
export interface TextPool {
  readonly name: string;
  readonly texts: readonly string[];
  /** property tag per text (null: untagged) */
  readonly properties: readonly (string | null)[];
}

export interface AtlasText {
  text: string;
  property: string | null;
  /** cumulative share of the head's variance explained after this text (METHOD 4.1) */
  varianceExplained: number;
}

export interface AtlasHead {
  layer: number;
  head: number;
  role: { property: string | null; confidence: number };
  /** dimension of the span the texts were projected on */
  spanRank: number;
  /** (1/(K−1)) Σ‖c_k − c̄‖² of the head over the cached images */
  totalVariance: number;
  texts: AtlasText[];
}

export interface Atlas {
  format: typeof ATLAS_FORMAT;
  version: number;
  model: { fingerprint: string; layout: string; layers: number; heads: number; embedDim: number };
  pool: { name: string; size: number; tagged: boolean };
  images: number;
  settings: { m: number; rank: number; layers: number[] };
  heads: AtlasHead[];
}

export interface BuildAtlasOptions {
  /** layers whose every head is analysed, ascending */
  layers: readonly number[];
  m?: number;
  rank?: number;
  /** head matrices held in memory at once are capped near this many bytes (default 1 GiB) */
  memoryBytes?: number;
  /** called after each head */
  onHead?(head: AtlasHead): void;
  /** the head's TEXTSPAN reconstruction Ĉ [K, D] (METHOD 4.5), for the reconstruction check */
  onReconstruction?(layer: number, head: number, reconstruction: Tensor<'K D', Float32Array>): void;
  /** runs TEXTSPAN for one head (default: in this thread); e.g. worker threads, textspanWorkers.node.ts */
  runTextspan?: HeadTextspanRunner;
}


/**
 * @param poolEmbeddings unit text embeddings of `pool.texts`, [M, D] in the same order
 */
export async function buildAtlas(
  cache: AnalysisCache,
  pool: TextPool,
  poolEmbeddings: Tensor<'M D', Float32Array>,
  options: BuildAtlasOptions,
): Promise<Atlas> {
  const m = options.m ?? textspanDefaults.m;
  const rank = options.rank ?? textspanDefaults.rank;
  const { layers: L, heads: H, embedDim: D } = cache.meta.architecture;
  if (poolEmbeddings.dims[0] !== pool.texts.length || poolEmbeddings.dims[1] !== D) {
    throw new RangeError(`pool embeddings are [${poolEmbeddings.dims.join(', ')}], expected [${pool.texts.length}, ${D}]`);
  }
  for (const l of options.layers) if (!Number.isInteger(l) || l < 0 || l >= L) throw new RangeError(`layer ${l} does not exist (layers 0..${L - 1})`);
  const K = cache.count;
  if (K < 2) throw new RangeError(`TEXTSPAN needs at least 2 cached images, the cache holds ${K}`);

  const all: HeadId[] = options.layers.flatMap((layer) => Array.from({ length: H }, (_, head) => ({ layer, head })));
  const perPass = Math.max(1, Math.floor((options.memoryBytes ?? 1 << 30) / (K * D * 4)));
  // TEXTSPAN in this thread unless a runner (worker threads) is given
  const run: HeadTextspanRunner = options.runTextspan ?? headTextspanRunner(poolEmbeddings);
  const wantReconstruction = Boolean(options.onReconstruction);
  const heads: AtlasHead[] = [];
  for (let start = 0; start < all.length; start += perPass) {
    const group = all.slice(start, start + perPass);
    const matrices = await cache.headMatrices(group);
    const results = group.map((_, i) => run(matrices[i], { m, rank, reconstruction: wantReconstruction }));
    // heads finish in any order; they are reported in layer, head order
    for (const [i, { layer, head }] of group.entries()) {
      const result = await results[i];
      const role = headRole(result.picks, pool.properties);
      const entry: AtlasHead = {
        layer,
        head,
        role: { property: role.property, confidence: role.confidence },
        spanRank: result.spanRank,
        totalVariance: result.totalVariance,
        texts: result.picks.map((p) => ({ text: pool.texts[p.index], property: pool.properties[p.index], varianceExplained: p.varianceExplained })),
      };
      heads.push(entry);
      options.onHead?.(entry);
      if (result.reconstruction) options.onReconstruction?.(layer, head, result.reconstruction);
    }
  }
  const model = cache.meta.model;
  return {
    format: ATLAS_FORMAT,
    version: ATLAS_VERSION,
    model: { fingerprint: model.fingerprint, layout: model.layout, layers: L, heads: H, embedDim: D },
    pool: { name: pool.name, size: pool.texts.length, tagged: pool.properties.some((p) => p !== null) },
    images: K,
    settings: { m, rank, layers: [...options.layers] },
    heads,
  };
}

/**
 * Pool file text -> TextPool, through the one pool parser (src/labels/pool.ts): plain or
 * `property<TAB>text` lines, repeats dropped. A first line `property<TAB>text` is a header.
 */
export function parseTextPool(text: string, name: string): TextPool {
  const body = text.replace(/^\uFEFF?property\ttext\r?\n/i, '');
  const pool = parsePool(body);
  if (pool.texts.length === 0) throw new RangeError(`${name} holds no texts`);
  return { name, texts: pool.texts, properties: pool.properties };
}
