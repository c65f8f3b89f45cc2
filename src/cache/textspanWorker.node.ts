/** Worker side of textspanWorkers.node.ts: TEXTSPAN of one head per message. */
import { parentPort, workerData } from 'node:worker_threads';
import { textspan } from '../analysis/textspan.ts';
import { tensor } from '../math/tensor.ts';

const { pool, dims } = workerData as { pool: Float32Array; dims: number[] };
const R = tensor('M D', pool, dims);

parentPort!.on('message', (msg: { id: number; data: Float32Array; dims: number[]; m: number; rank: number; reconstruction: boolean }) => {
  try {
    const r = textspan(tensor('K D', msg.data, msg.dims), R, { m: msg.m, rank: msg.rank });
    const rec = msg.reconstruction ? (r.reconstruction.data as Float32Array) : undefined;
    parentPort!.postMessage(
      { id: msg.id, picks: r.picks, imagesUsed: r.imagesUsed, spanRank: r.spanRank, totalVariance: r.totalVariance, ...(rec ? { reconstruction: rec, dims: r.reconstruction.dims } : {}) },
      rec ? [rec.buffer as ArrayBuffer] : [],
    );
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
