/**
 * Retrieval through one head over a cache (METHOD 6.1): cached images ranked by the raw dot
 * product of their head term c_head^{ℓ,h} with a query vector — another image's head term
 * (image → images) or a unit text embedding (text → images). Best first; equal scores keep the
 * lower row first.
 */
import { retrieveByVector } from '../analysis/retrieval.ts';
import { tensor } from '../math/tensor.ts';
import type { AnalysisCache, HeadId } from './reader.ts';
import { headLabel } from '../analysis/partNames.ts';

export interface RetrievedImage {
  /** 1-based */
  rank: number;
  /** image path relative to the analysed folder */
  path: string;
  score: number;
  /** record number in the cache */
  row: number;
}

export async function retrieveFromCache(
  cache: AnalysisCache,
  head: HeadId,
  query: ArrayLike<number>,
  k: number,
): Promise<RetrievedImage[]> {
  const terms = await cache.headMatrix(head.layer, head.head);
  return retrieveByVector(tensor('M D', terms.data, terms.dims), query, k).map((r, i) => ({ rank: i + 1, path: cache.images[r.index].path, score: r.score, row: r.index }));
}

/** the head term of a cached image, used as an image query */
export async function cachedHeadTerm(cache: AnalysisCache, row: number, head: HeadId): Promise<Float32Array> {
  const { layers: L, heads: H, embedDim: D } = cache.meta.architecture;
  if (!(head.layer >= 0 && head.layer < L && head.head >= 0 && head.head < H)) {
    throw new RangeError(`head ${headLabel(head.layer, head.head)} does not exist (layers 0..${L - 1}, heads 0..${H - 1})`);
  }
  const all = await cache.record('heads', row);
  const from = (head.layer * H + head.head) * D;
  return all.data.slice(from, from + D) as Float32Array;
}
