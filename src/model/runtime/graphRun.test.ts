import { describe, expect, it } from 'vitest';
import { tensor } from '../../math/tensor.ts';
import { runGraph, type RawRun } from './graphRun.ts';
import { IMAGE_INPUT, int64Input, TEXT_INPUTS } from '../onnx/graphSpec.ts';

const imageGraph = { kind: 'image', inputs: [IMAGE_INPUT], outputs: [{ name: 'embedding', shape: 'B D', dtype: 'float32' }] } as const;
const textGraph = { kind: 'text', inputs: TEXT_INPUTS, outputs: [{ name: 'text_embedding', shape: 'B D', dtype: 'float32' }] } as const;
const pixels = (dims: number[]) => tensor(dims.map((_, i) => `X${i}`).join(' '), new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);

/** a runtime that records what reached it and answers a [1, 2] embedding */
function fakeRuntime() {
  const seen: string[][] = [];
  const run: RawRun = async (feeds) => {
    seen.push(Object.keys(feeds));
    return { embedding: { data: Float32Array.from([0.6, 0.8]), dims: [1, 2] }, extra: { data: new Float32Array(3), dims: [3] } };
  };
  return { run, seen };
}

describe('runGraph(graph, run, feeds): the one entry of every graph run', () => {
  it('checked feeds reach the runtime; outputs carry the graph’s shape letters, unknown ones generic letters', async () => {
    const rt = fakeRuntime();
    const out = await runGraph(imageGraph, rt.run, { pixel_values: pixels([1, 3, 4, 4]) });
    expect(rt.seen).toEqual([['pixel_values']]);
    expect(out.embedding).toMatchObject({ shape: 'B D', dims: [1, 2] });
    expect(out.extra.shape).toBe('X0');
    expect(Object.keys(await runGraph(imageGraph, rt.run, { pixel_values: pixels([1, 3, 4, 4]) }, ['embedding']))).toEqual(['embedding']);
  });

  it('a missing, misshapen, mistyped or unknown input is refused before the runtime, naming what was expected', async () => {
    const rt = fakeRuntime();
    await expect(runGraph(imageGraph, rt.run, {})).rejects.toThrow('graph image needs input pixel_values (given: none)');
    await expect(runGraph(imageGraph, rt.run, { pixel_values: pixels([3, 4, 4]) })).rejects.toThrow('graph image: input pixel_values must be float32 [B C S S], got float32[3, 4, 4] with 48 values');
    await expect(runGraph(textGraph, rt.run, { input_ids: pixels([1, 2]) as never, eot_row: int64Input([1], [1]) })).rejects.toThrow(/input input_ids must be int64 \[B N\], got float32\[1, 2\]/);
    await expect(runGraph(textGraph, rt.run, { input_ids: int64Input([1, 2, 3], [1, 2]), eot_row: int64Input([1], [1]) })).rejects.toThrow(/got int64\[1, 2\] with 3 values/);
    await expect(runGraph(imageGraph, rt.run, { pixel_values: pixels([1, 3, 4, 4]), mask: pixels([1, 1, 1, 1]) })).rejects.toThrow('graph image has no input mask (its inputs: pixel_values)');
    expect(rt.seen).toEqual([]);
  });

  it('a runtime failure reports every input’s dtype and dims, keeping the error’s name and cause', async () => {
    const cause = Object.assign(new Error('device was lost'), { name: 'GPUDeviceLostError' });
    const failing: RawRun = () => Promise.reject(cause);
    const err = await runGraph(textGraph, failing, { input_ids: int64Input([49406, 320, 49407], [1, 3]), eot_row: int64Input([2], [1]) }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'GPUDeviceLostError', message: 'running the text graph failed (inputs input_ids: int64[1, 3]; eot_row: int64[1]): device was lost', cause });
  });
});
