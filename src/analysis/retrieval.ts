/**
 * Property-based retrieval through one head (METHOD §6.1). Scores are raw dot products with the
 * head's token-summed output c_head^{ℓ,h} (no centring, no normalisation); results are the
 * top-k, best first, equal scores in ascending image order.
 */
import { tensor, type Tensor } from '../math/tensor.ts';
import { topK, type Ranked } from '../math/topk.ts';
import { vecDot } from '../math/vector.ts';
import { headLabel } from './partNames.ts';

type F = Float32Array | Float64Array;

/** One head's output for every pool image: [M, D] gathered from per-image [L, H, D] head terms. */
export function headPool(images: readonly Tensor<'L H D', F>[], layer: number, head: number): Tensor<'M D', Float32Array> {
  if (images.length === 0) return tensor('M D', new Float32Array(0), [0, 0]);
  const [L, H, D] = images[0].dims;
  if (layer < 0 || layer >= L || head < 0 || head >= H) throw new RangeError(`head ${headLabel(layer, head)} is outside ${L}x${H}`);
  const out = new Float32Array(images.length * D);
  images.forEach((img, m) => {
    const [l2, h2, d2] = img.dims;
    if (l2 !== L || h2 !== H || d2 !== D) throw new RangeError(`pool image ${m} has dims [${img.dims.join(', ')}], expected [${L}, ${H}, ${D}]`);
    out.set(img.data.subarray((layer * H + head) * D, (layer * H + head + 1) * D), m * D);
  });
  return tensor('M D', out, [images.length, D]);
}

/** Rank pool rows by ⟨row, q⟩. */
export function retrieveByVector(pool: Tensor<'M D', F>, query: ArrayLike<number>, k: number): Ranked[] {
  const [M, D] = pool.dims;
  if (query.length !== D) throw new RangeError(`query has ${query.length} entries, pool rows have ${D}`);
  const scores = new Float64Array(M);
  for (let m = 0; m < M; m++) scores[m] = vecDot(pool.data, query, D, m * D, 0);
  return topK(scores, k);
}

/**
 * Image → images "similar according to this head": the query is pool row `queryIndex`;
 * `excludeQuery` (default true) drops the query image itself from the results.
 */
export function retrieveByImage(
  pool: Tensor<'M D', F>,
  queryIndex: number,
  k: number,
  options: { excludeQuery?: boolean } = {},
): Ranked[] {
  const [M, D] = pool.dims;
  if (!Number.isInteger(queryIndex) || queryIndex < 0 || queryIndex >= M) throw new RangeError(`query image ${queryIndex} is outside 0-${M - 1}`);
  const query = pool.data.slice(queryIndex * D, (queryIndex + 1) * D);
  if (options.excludeQuery ?? true) {
    return retrieveByVector(pool, query, k + 1).filter((r) => r.index !== queryIndex).slice(0, k);
  }
  return retrieveByVector(pool, query, k);
}

/** Text → images through this head: rank by ⟨c_head(I'), t̂⟩. */
export function retrieveByText(pool: Tensor<'M D', F>, text: ArrayLike<number>, k: number): Ranked[] {
  return retrieveByVector(pool, text, k);
}
