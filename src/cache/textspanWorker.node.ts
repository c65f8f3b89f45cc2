/** Worker side of textspanWorkers.node.ts: TEXTSPAN of one head per message, products on onnxruntime-node in float64. */
import { parentPort, workerData } from 'node:worker_threads';
import { tensor } from '../math/tensor.ts';
import { createOrtLinalgKernels } from '../model/runtime/linalgKernels.node.ts';
import { headTextspanRunner } from './textspanRunner.ts';

const { pool, dims } = workerData as { pool: Float32Array; dims: number[] };
const run = headTextspanRunner(tensor('M D', pool, dims), await createOrtLinalgKernels());

parentPort!.on('message', async (msg: { id: number; data: Float32Array; dims: number[]; m: number; rank: number; reconstruction: boolean }) => {
  try {
    const r = await run(tensor('K D', msg.data, msg.dims), { m: msg.m, rank: msg.rank, reconstruction: msg.reconstruction });
    const rec = r.reconstruction?.data;
    parentPort!.postMessage(
      { id: msg.id, picks: r.picks, imagesUsed: r.imagesUsed, spanRank: r.spanRank, totalVariance: r.totalVariance, ...(rec ? { reconstruction: rec, dims: r.reconstruction!.dims } : {}) },
      rec ? [rec.buffer as ArrayBuffer] : [],
    );
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
