/**
 * One image's cache record, built from the engine's decomposition outputs (METHOD 2.5): the
 * per-quantity float32 values in the record layout of layout.ts.
 */
import type { Tensor } from '../math/tensor.ts';
import { imageComponents, type Decomposition } from '../model/decomposition.ts';
import { CacheError } from './errors.ts';
import type { CacheArch, QuantityName } from './layout.ts';

export type CacheRecord = Readonly<Record<QuantityName, Float32Array>>;

function take(t: Tensor, name: string, dims: readonly number[]): Float32Array {
  if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
    throw new CacheError('damaged', `decomposition output '${name}' is [${t.dims.join(', ')}], the cache expects [${dims.join(', ')}]`);
  }
  return t.data as Float32Array;
}

/** embedding [D], embed_term [D], mlp [L,D], heads [L,H,D], class_class [L,D] -> a record */
export function cacheRecordFromDecomposition(parts: Decomposition, arch: CacheArch): CacheRecord {
  const { layers: L, heads: H, embedDim: D } = arch;
  const c = imageComponents(parts);
  const embedTerm = take(c.embedTerm, 'embed_term', [D]);
  const mlp = take(c.mlp, 'mlp', [L, D]);
  const embedMlp = new Float32Array((L + 1) * D);
  embedMlp.set(embedTerm, 0);
  embedMlp.set(mlp, D);
  return {
    heads: Float32Array.from(take(c.heads, 'heads', [L, H, D])),
    embed_mlp: embedMlp,
    class_class: Float32Array.from(take(c.classClass, 'class_class', [L, D])),
    embedding: Float32Array.from(take(c.embedding, 'embedding', [D])),
  };
}
