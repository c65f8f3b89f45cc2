/**
 * The oracle's text tower (METHOD §1.4): token + positional embedding, pre-LN blocks with a
 * causal mask, ln_final, the row at the first end-of-text token, ·text_projection (then L2-normalised).
 */
import { tensor, type Tensor } from '../../math/tensor.ts';
import { runBlock } from './block.ts';
import { l2Norm, layerNormRows, vecMat } from './kernels.ts';
import type { RawCheckpoint } from './rawCheckpoint.ts';
import { readTextTower } from './towers.ts';

/** Unit text embedding [D] of token ids already padded to the context length. */
export function referenceTextForward(raw: RawCheckpoint, ids: readonly number[]): Tensor<'D', Float64Array> {
  const t = referenceTextUnnormalised(raw, ids);
  const norm = l2Norm(t.data);
  return tensor('D', t.data.map((x) => x / norm), t.dims);
}

/** The unnormalised text embedding t [D] (ln_final row at the end token ·text_projection). */
export function referenceTextUnnormalised(raw: RawCheckpoint, ids: readonly number[]): Tensor<'D', Float64Array> {
  const tower = readTextTower(raw);
  const { width: w, contextLength: ctx, vocabSize: V, embedDim: D } = tower;
  if (ids.length !== ctx) throw new Error(`reference: ${ids.length} token ids, expected the context length ${ctx}`);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`reference: token id ${id} is outside the vocabulary [0, ${V})`);
  }
  const pooled = ids.indexOf(tower.endTokenId);
  if (pooled < 0) throw new Error(`reference: no end-of-text token (id ${tower.endTokenId}) among the ids`);

  let s: Float64Array = new Float64Array(ctx * w);
  for (let t = 0; t < ctx; t++) {
    for (let k = 0; k < w; k++) s[t * w + k] = tower.tokenEmbedding[ids[t] * w + k] + tower.positionalEmbedding[t * w + k];
  }
  for (const block of tower.blocks) s = runBlock(s, ctx, block, tower, true).residual;

  const row = layerNormRows(s.subarray(pooled * w, (pooled + 1) * w), 1, w, tower.lnFinal, tower.layerNormEps);
  return tensor('D', vecMat(row, tower.proj, D), [D]);
}
