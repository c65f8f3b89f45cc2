import { describe, expect, it } from 'vitest';
import { tensor } from '../../math/tensor.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { memoryModelFiles } from '../checkpoint/sources.ts';
import * as ort from 'onnxruntime-node';
import { generateCheckpoint, TINY_P16_GELU } from '../checkpoint/checkpointGenerator.ts';
import { randomPixels } from '../../testkit/pixels.ts';
import { createOrtNodeSession } from '../runtime/ortNode.node.ts';
import { buildImageGraph } from './imageGraph.ts';
import { packedFileName, packExternalData, planReads, type PackedGraph } from './packExternalData.ts';
import { decodeModelProto } from './proto.ts';

/** each external initializer's bytes, by name, as the packed graph points into its files */
function initializerBytes(packed: PackedGraph): Map<string, number[]> {
  const files = new Map(packed.files.map((f) => [f.location, f.data]));
  const out = new Map<string, number[]>();
  for (const t of decodeModelProto(packed.model).graph.initializer) {
    const e = new Map((t.externalData ?? []).map((x) => [x.key, x.value]));
    if (!e.size) continue;
    const offset = Number(e.get('offset'));
    out.set(t.name, Array.from(files.get(e.get('location')!)!.subarray(offset, offset + Number(e.get('length')))));
  }
  return out;
}

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
    // the image graph needs no text weights: the packed files are smaller than the checkpoint
    expect(packed.files.reduce((n, f) => n + f.data.byteLength, 0)).toBeLessThan(weights.byteLength);
    expect(new Set(reads)).toEqual(new Set(['open_clip_model.safetensors']));
    // one file per read, named after the stem; the graph refers to exactly those files
    expect(packed.files.map((f) => f.location)).toEqual(reads.map((_, i) => `packed-weights.${i}.bin`));
    const locations = new Set(decodeModelProto(packed.model).graph.initializer.flatMap((t) => (t.externalData ?? []).filter((e) => e.key === 'location').map((e) => e.value)));
    expect(locations).toEqual(new Set(packed.files.map((f) => f.location)));

    const S = ckpt.vision.imageSize;
    const px = tensor('B C S S', randomPixels(1, S, 3), [1, 3, S, S]);
    const direct = await createOrtNodeSession(graph, ckpt);
    const expected = await direct.run({ pixel_values: px });
    await direct.release();
    const session = await ort.InferenceSession.create(packed.model, { externalData: packed.files.map((f) => ({ path: f.location, data: f.data })) });
    const got = await session.run({ pixel_values: new ort.Tensor('float32', px.data, [...px.dims]) });
    for (const name of Object.keys(expected)) expect(Array.from(got[name].data as Float32Array)).toEqual(Array.from(expected[name].data));
    await session.release();
  });

  it('reads touching weights together, in file order, and packs the same bytes as one read per weight', async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'openclip', seed: 5 });
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const graph = buildImageGraph(ckpt, { decompose: true, tokenLayers: [0] });
    const readsOf = async (options: { maxRead?: number }) => {
      const reads: [number, number][] = [];
      const packed = await packExternalData(graph.model, async (loc, off, len) => {
        reads.push([off, len]);
        return files.get(loc)!.slice(off, off + len);
      }, 'packed-weights.bin', new Set(), options);
      return { reads, packed };
    };
    const perWeight = await readsOf({ maxRead: 1 });
    const merged = await readsOf({});
    const weights = new Set(decodeModelProto(graph.model).graph.initializer.filter((t) => t.externalData?.length).map((t) => t.externalData!.filter((e) => e.key !== 'location').map((e) => e.value).join(':')));
    expect(perWeight.reads.length).toBe(weights.size);
    expect(merged.reads.length).toBeLessThan(weights.size / 4);
    // every merged read covers only bytes some weight uses, so the bytes read are the weights' total
    const total = (rs: [number, number][]) => rs.reduce((n, [, len]) => n + len, 0);
    expect(total(merged.reads)).toBe(total(perWeight.reads));
    // every initializer of the two packed graphs reads the same bytes
    expect(initializerBytes(merged.packed)).toEqual(initializerBytes(perWeight.packed));
    expect(initializerBytes(merged.packed).size).toBe(decodeModelProto(graph.model).graph.initializer.filter((t) => t.externalData?.length).length);
    // onnxruntime takes a graph spread over many files (one per weight here) and computes the same
    const S = ckpt.vision.imageSize;
    const px = new ort.Tensor('float32', randomPixels(1, S, 8), [1, 3, S, S]);
    const outputs = async (p: PackedGraph) => {
      const session = await ort.InferenceSession.create(p.model, { externalData: p.files.map((f) => ({ path: f.location, data: f.data })) });
      const out = await session.run({ pixel_values: px });
      await session.release();
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
    };
    expect(perWeight.packed.files.length).toBe(weights.size);
    expect(await outputs(perWeight.packed)).toEqual(await outputs(merged.packed));
  });

  it('says which read came back short', async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'openclip', seed: 5 });
    const ckpt = await loadCheckpoint(memoryModelFiles(files));
    const graph = buildImageGraph(ckpt, { decompose: false });
    await expect(packExternalData(graph.model, async (loc, off, len) => files.get(loc)!.slice(off, off + len - 1))).rejects.toThrow(/reading \d+ bytes of open_clip_model.safetensors at \d+ returned \d+/);
  });
});

describe('packedFileName', () => {
  it('numbers the files of a stem before its extension', () => {
    expect(packedFileName('image-weights.bin', 3)).toBe('image-weights.3.bin');
    expect(packedFileName('weights', 0)).toBe('weights.0');
  });
});

describe('planReads', () => {
  const slot = (from: string, offset: number, length: number) => ({ from, offset, length });
  const spans = (runs: ReturnType<typeof planReads>) => runs.map((r) => [r.from, r.offset, r.end, r.slots.length]);

  it('merges touching and overlapping ranges of one file, in file order', () => {
    const runs = planReads([slot('a', 100, 50), slot('a', 0, 100), slot('a', 120, 10), slot('b', 150, 10), slot('a', 151, 9)]);
    expect(spans(runs)).toEqual([['a', 0, 150, 3], ['a', 151, 160, 1], ['b', 150, 160, 1]]);
  });

  it('merges across a gap up to mergeGap and never past maxRead (a weight larger than maxRead is one read)', () => {
    expect(spans(planReads([slot('a', 0, 10), slot('a', 15, 10)], { mergeGap: 5 }))).toEqual([['a', 0, 25, 2]]);
    expect(spans(planReads([slot('a', 0, 10), slot('a', 16, 10)], { mergeGap: 5 }))).toEqual([['a', 0, 10, 1], ['a', 16, 26, 1]]);
    expect(spans(planReads([slot('a', 0, 10), slot('a', 10, 10), slot('a', 20, 30)], { maxRead: 20 }))).toEqual([['a', 0, 20, 2], ['a', 20, 50, 1]]);
  });
});
