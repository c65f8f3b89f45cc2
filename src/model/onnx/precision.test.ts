/**
 * f16 graphs (GraphPrecision) on onnxruntime-node's CPU EP, which has f16 Gemm, MatMul and Conv
 * kernels, so both f16 variants are checked here without a GPU:
 * - 'f16-weights' (f16 weights, f32 compute) has a known answer: the f32 graph on the same
 *   checkpoint stored in f16 (the generator rounds the same values to nearest-even f16);
 * - against the f32 graph, both variants stay within a bound argued from f16's unit roundoff.
 */
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../math/tensor.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import type { ClipCheckpoint } from '../checkpoint/types.ts';
import { createNodeEngine } from '../engine.node.ts';
import { generateBpeVocab } from '../tokenizer/generateBpeVocab.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { generateCheckpoint, TINY_P14_QUICKGELU, TINY_P32_64PX, type CheckpointSpec } from '../checkpoint/checkpointGenerator.ts';
import { randomPixels } from '../../testkit/pixels.ts';
import type { GraphPrecision } from './externalData.ts';
import { buildImageGraph } from './imageGraph.ts';

/** f16 unit roundoff: round-to-nearest with an 11-bit significand */
const U16 = 2 ** -11;
const OUTPUTS = ['embedding', 'embed_term', 'mlp', 'heads', 'class_class', 'cells'] as const;

/** max |a − b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

async function decomposed(ckpt: ClipCheckpoint, precision: GraphPrecision, pixels: Float32Array): Promise<Record<string, Tensor>> {
  const S = ckpt.vision.imageSize;
  const session = await createOrtNodeSession(buildImageGraph(ckpt, { decompose: true, precision }), ckpt);
  try {
    return await session.run({ pixel_values: tensor('B C S S', pixels, [1, 3, S, S]) });
  } finally {
    await session.release();
  }
}

const load = (spec: CheckpointSpec, layout: 'hf' | 'openclip', dtype: 'F32' | 'F16') => loadCheckpoint(memoryModelFiles(generateCheckpoint(spec, { layout, seed: 5, dtype })));

describe.each([
  { spec: TINY_P32_64PX, layout: 'openclip' as const },
  { spec: TINY_P14_QUICKGELU, layout: 'hf' as const },
])('f16 image graphs: $spec.name ($layout)', ({ spec, layout }) => {
  const pixels = randomPixels(1, spec.vision.imageSize, 21);
  /**
   * The bound. Rounding a weight to f16 changes it by at most U16 relative; one product W·x then
   * changes by at most U16 relative to |W|·|x|, and each later LayerNorm rescales rather than
   * amplifies. The embedding's path holds 6 weight products per block (q, k, v, out, fc1, fc2) plus
   * the patch embedding and the projection: K = 6L + 2, so f16 weights move every output by at
   * most K·U16 of its scale to first order. f16 compute also rounds each product's input and
   * output: three roundings per product, 3·K·U16. Random weights make the errors cancel far below.
   */
  const K = 6 * spec.vision.layers + 2;

  it("'f16-weights' equals the f32 graph on the same checkpoint stored in f16 (1e-6)", async () => {
    const f32Ckpt = await load(spec, layout, 'F32');
    const f16Stored = await load(spec, layout, 'F16');
    const viaPrecision = await decomposed(f32Ckpt, 'f16-weights', pixels);
    const viaStorage = await decomposed(f16Stored, 'f32', pixels);
    for (const name of OUTPUTS) expect(relErr(viaPrecision[name].data, viaStorage[name].data), name).toBeLessThanOrEqual(1e-6);
  });

  it.each([
    { precision: 'f16-weights' as const, bound: K * U16 },
    { precision: 'f16' as const, bound: 3 * K * U16 },
  ])('$precision against f32: every output within its argued bound, and not equal', async ({ precision, bound }) => {
    const ckpt = await load(spec, layout, 'F32');
    const reference = await decomposed(ckpt, 'f32', pixels);
    const half = await decomposed(ckpt, precision, pixels);
    for (const name of OUTPUTS) {
      const err = relErr(half[name].data, reference[name].data);
      expect(err, name).toBeLessThanOrEqual(bound);
      // the weights really were rounded: an f16 graph that silently ran in f32 would give 0
      expect(err, name).toBeGreaterThan(0);
    }
  });

  it("'f16' keeps the weights in f16 (half the bytes) and reads no f32 weight file", async () => {
    const ckpt = await load(spec, layout, 'F32');
    const graph = buildImageGraph(ckpt, { decompose: false, precision: 'f16' });
    let f32Bytes = 0;
    for (const w of ckpt.weights.values()) f32Bytes += w.byteLength;
    expect(graph.externalData.placedLocations).toEqual([]);
    const [blob] = graph.externalData.derived;
    expect(blob.pieces.every((p) => p.convert === 'to-f16')).toBe(true);
    // every vision weight once, in f16, plus 64-byte alignment per piece; the text tower is not read
    expect(blob.byteLength).toBeLessThanOrEqual(f32Bytes / 2 + 64 * blob.pieces.length);
    expect(blob.byteLength).toBeGreaterThan(0);
  });
});

describe('engine precision', () => {
  it('applies to the image graphs only: text embeddings stay the f32 ones, bit for bit; setPrecision goes back to f32 exactly', async () => {
    const tokenizer = generateBpeVocab(['a photo of a cat', 'a red rocket'], 20);
    const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P32_64PX, { layout: 'openclip', seed: 5, tokenizer })));
    const f32 = await createNodeEngine(ckpt);
    const f16 = await createNodeEngine(ckpt, { precision: 'f16' });
    expect([f32.precision, f16.precision]).toEqual(['f32', 'f16']);
    const texts = ['a photo of a cat', 'a red rocket'];
    expect((await f16.encodeText(texts)).data).toEqual((await f32.encodeText(texts)).data);
    const S = ckpt.vision.imageSize;
    const px = tensor('C S S', randomPixels(1, S, 3), [3, S, S]);
    const reference = (await f32.embed(px)).data;
    expect(relErr((await f16.embed(px)).data, reference)).toBeGreaterThan(0);
    await f16.setPrecision('f32');
    expect((await f16.embed(px)).data).toEqual(reference);
    await f32.release();
    await f16.release();
  });
});
