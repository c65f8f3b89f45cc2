import { describe, expect, it } from 'vitest';
import { tensor } from '../../math/tensor.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import * as ort from 'onnxruntime-node';
import { generateCheckpoint, TINY_P16_GELU } from '../checkpoint/checkpointGenerator.ts';
import { randomPixels } from '../../testkit/pixels.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { buildImageGraph } from './imageGraph.ts';
import { packExternalData } from './packExternalData.ts';
import { decodeModelProto } from './proto.ts';

describe('packExternalData', () => {
  it('packs only the weights a graph reads; the packed graph gives identical outputs', async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'openclip', seed: 4 });
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const graph = buildImageGraph(ckpt, { decompose: true, tokenLayers: [1] });
    const reads: string[] = [];
    const packed = await packExternalData(graph.model, async (loc, off, len) => {
      reads.push(loc);
      return files.get(loc)!.subarray(off, off + len);
    });
    const weights = files.get('open_clip_model.safetensors')!;
    // the image graph needs no text weights: the blob is smaller than the file
    expect(packed.blob.byteLength).toBeLessThan(weights.byteLength);
    expect(new Set(reads)).toEqual(new Set(['open_clip_model.safetensors']));
    const locations = new Set(decodeModelProto(packed.model).graph.initializer.flatMap((t) => (t.externalData ?? []).filter((e) => e.key === 'location').map((e) => e.value)));
    expect(locations).toEqual(new Set(['packed-weights.bin']));

    const S = ckpt.vision.imageSize;
    const px = tensor('B C S S', randomPixels(1, S, 3), [1, 3, S, S]);
    const direct = await createOrtNodeSession(graph, ckpt);
    const expected = await direct.run({ pixel_values: px });
    await direct.release();
    const session = await ort.InferenceSession.create(packed.model, { externalData: [{ path: packed.location, data: packed.blob }] });
    const got = await session.run({ pixel_values: new ort.Tensor('float32', px.data, [...px.dims]) });
    for (const name of Object.keys(expected)) expect(Array.from(got[name].data as Float32Array)).toEqual(Array.from(expected[name].data));
    await session.release();
  });
});
