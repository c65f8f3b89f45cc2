/**
 * Second-order effects of MLP neurons (METHOD §9) through onnxruntime, against the float64 oracle
 * written per neuron, later layer, head and token (src/testkit/reference/secondOrder.ts), on
 * generated checkpoints in both layouts; and the identity Σ_n φ_n + φ_bias = φ_MLP.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../math/tensor.ts';
import { generateCheckpoint, TINY_P14_QUICKGELU, TINY_P16_48PX_F16, TINY_P16_GELU, TINY_P32_64PX, TINY_VISION_ONLY } from '../checkpoint/checkpointGenerator.ts';
import { randomPixels } from '../../testkit/pixels.ts';
import { readRawCheckpoint } from '../../testkit/reference/rawCheckpoint.ts';
import { referenceSecondOrder } from '../../testkit/reference/secondOrder.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { buildImageGraph } from './imageGraph.ts';
import { buildNeuronProjectionGraph } from './neuronProjectionGraph.ts';

/** max|a − b| / max|b| over one row */
function rowRelErr(a: ArrayLike<number>, b: ArrayLike<number>, from: number, to: number): number {
  let diff = 0, scale = 0;
  for (let k = from; k < to; k++) {
    diff = Math.max(diff, Math.abs(a[k] - b[k]));
    scale = Math.max(scale, Math.abs(b[k]));
  }
  return diff / scale;
}

const CASES = [TINY_P16_GELU, TINY_P14_QUICKGELU, TINY_P32_64PX, TINY_P16_48PX_F16].flatMap((spec) =>
  (['hf', 'openclip'] as const).flatMap((layout) => [0, spec.vision.layers - 2].filter((l, i, a) => a.indexOf(l) === i).map((layer) => ({ spec, layout, layer, name: spec.name }))),
);

describe.each(CASES)('neuron effects of layer $layer: $name ($layout)', ({ spec, layout, layer }) => {
  it('every neuron φ_n is within 1e-4 of the float64 oracle relative to its own row; the identity holds through onnxruntime', async () => {
    const files = generateCheckpoint(spec, { layout, seed: 31 });
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const S = ckpt.vision.imageSize;
    const pixels = randomPixels(1, S, 5);
    const session = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: true, neuronLayer: layer }), ckpt);
    const out = await session.run({ pixel_values: tensor('B C S S', pixels, [1, 3, S, S]) });
    await session.release();
    const ref = referenceSecondOrder(readRawCheckpoint(new Map(files)), pixels, layer);
    const [M, D] = ref.neuronEffects.dims;
    expect(out.neuron_effects.dims).toEqual([1, M, D]);
    let worst = 0;
    for (let n = 0; n < M; n++) worst = Math.max(worst, rowRelErr(out.neuron_effects.data, ref.neuronEffects.data, n * D, (n + 1) * D));
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(rowRelErr(out.neuron_bias_effect.data, ref.biasEffect.data, 0, D)).toBeLessThanOrEqual(1e-4);
    expect(rowRelErr(out.mlp_second_order.data, ref.mlpEffect.data, 0, D)).toBeLessThanOrEqual(1e-4);

    // Σ_n φ_n + φ_bias = φ_MLP, in float64 in the oracle and in float32 through onnxruntime
    const summed = (effects: ArrayLike<number>, bias: ArrayLike<number>) =>
      Array.from({ length: D }, (_, k) => {
        let acc = bias[k];
        for (let n = 0; n < M; n++) acc += effects[n * D + k];
        return acc;
      });
    expect(rowRelErr(summed(ref.neuronEffects.data, ref.biasEffect.data), ref.mlpEffect.data, 0, D)).toBeLessThan(1e-12);
    expect(rowRelErr(summed(out.neuron_effects.data, out.neuron_bias_effect.data), out.mlp_second_order.data, 0, D)).toBeLessThan(1e-5);

    // the per-token factors and the neuron-projection constants rebuild φ_n: Σ_{ℓ',h} (Σ_i w p) Q[n]·M̃
    const constants = await createOrtNodeSession(buildNeuronProjectionGraph(ckpt, layer), ckpt);
    const { neuron_q: q, neuron_out: mOut } = await constants.run({});
    await constants.release();
    const [K, H, , E] = q.dims;
    const T = out.neuron_post.dims[1];
    expect(out.neuron_token_weights.dims).toEqual([1, K, H, T]);
    const rebuilt = new Float64Array(M * D);
    for (let k = 0; k < K; k++) {
      for (let h = 0; h < H; h++) {
        for (let n = 0; n < M; n++) {
          let a = 0;
          for (let i = 0; i < T; i++) a += out.neuron_token_weights.data[(k * H + h) * T + i] * out.neuron_post.data[i * M + n];
          for (let e = 0; e < E; e++) {
            const coef = a * q.data[((k * H + h) * M + n) * E + e];
            for (let d = 0; d < D; d++) rebuilt[n * D + d] += coef * mOut.data[((k * H + h) * E + e) * D + d];
          }
        }
      }
    }
    let worstRebuilt = 0;
    for (let n = 0; n < M; n++) worstRebuilt = Math.max(worstRebuilt, rowRelErr(rebuilt, ref.neuronEffects.data, n * D, (n + 1) * D));
    expect(worstRebuilt).toBeLessThanOrEqual(1e-4);
  });
});

describe('neuron layer validation', () => {
  it('the last layer is refused, naming it and why; a layer outside the tower too', async () => {
    const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P32_64PX, { layout: 'hf', seed: 1 })));
    expect(() => buildImageGraph(ckpt, { decompose: true, neuronLayer: 2 })).toThrow(/layer 2 is the last layer: no later attention heads carry its neurons' effects/);
    expect(() => buildImageGraph(ckpt, { decompose: true, neuronLayer: 7 })).toThrow(/not a layer of a 3-layer tower before its last/);
    const oneLayer = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_VISION_ONLY, { layout: 'hf', seed: 1 })));
    expect(() => buildImageGraph(oneLayer, { decompose: true, neuronLayer: 0 })).toThrow(/layer 0 is the last layer/);
  });
});
