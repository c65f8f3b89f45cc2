/**
 * TEXTSPAN for many heads on several worker threads (heads are independent). Each worker gets the
 * pool embeddings once; a head's [K, D] matrix is transferred in and its result transferred back.
 * Every head's matrix products run on onnxruntime-node in float64 (linalgKernels.node.ts).
 */
import { Worker } from 'node:worker_threads';
import { tensor, type Tensor } from '../math/tensor.ts';
import type { TextspanPick } from '../analysis/textspan.ts';
import { createOrtLinalgKernels } from '../model/runtime/linalgKernels.node.ts';
import { OneAtATime } from '../model/runtime/oneAtATime.ts';
import type { HeadTextspan, HeadTextspanRunner } from './atlas.ts';
import { headTextspanRunner } from './textspanRunner.ts';

export interface TextspanWorkers {
  run: HeadTextspanRunner;
  close(): Promise<void>;
}

interface Reply {
  id: number;
  error?: string;
  picks?: TextspanPick[];
  imagesUsed?: number;
  spanRank?: number;
  totalVariance?: number;
  reconstruction?: Float32Array;
  dims?: number[];
}

const WORKER_MODULE = new URL('./textspanWorker.node.ts', import.meta.url).href;
/**
 * tsx's API resolved from here: an eval'd worker resolves bare names from the process's working
 * directory, which is the user's (not the checkout) when `clipscope` runs from elsewhere.
 */
const TSX_API = import.meta.resolve('tsx/esm/api');

export function startTextspanWorkers(pool: Tensor<'M D', Float32Array>, threads: number): TextspanWorkers {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  // workers do not inherit the tsx loader: register it, then load the worker module
  const bootstrap = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_MODULE)}); });`;
  const workers = Array.from({ length: threads }, () => new Worker(bootstrap, { eval: true, workerData: { pool: pool.data, dims: pool.dims } }));
  const waiting = new Map<number, { resolve: (r: HeadTextspan) => void; reject: (e: Error) => void }>();
  const busy = workers.map(() => 0);
  let next = 0;
  for (const w of workers) {
    w.on('message', (r: Reply) => {
      const job = waiting.get(r.id);
      if (!job) return;
      waiting.delete(r.id);
      busy[workers.indexOf(w)]--;
      if (r.error) return job.reject(new Error(r.error));
      job.resolve({
        picks: r.picks!,
        imagesUsed: r.imagesUsed!,
        spanRank: r.spanRank!,
        totalVariance: r.totalVariance!,
        ...(r.reconstruction ? { reconstruction: tensor('K D', r.reconstruction, r.dims!) } : {}),
      });
    });
    w.on('error', (err) => {
      for (const job of waiting.values()) job.reject(err);
      waiting.clear();
    });
  }
  return {
    run(C, options) {
      const id = next++;
      // the least busy worker takes the head
      const k = busy.indexOf(Math.min(...busy));
      busy[k]++;
      const data = C.data.slice();
      return new Promise<HeadTextspan>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        workers[k].postMessage({ id, data, dims: C.dims, ...options }, [data.buffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * TEXTSPAN on `threads` threads: this thread (one head at a time) plus threads − 1 workers (one
 * head each at a time), fed from one queue: a thread takes the next head when it is free. So a
 * thread that starts late (a worker's start-up: its loader, modules and onnxruntime sessions) or runs
 * slower takes fewer heads, instead of a share fixed when the heads are handed over (buildAtlas
 * hands over a whole group at once). This thread would otherwise only wait for the workers, so it
 * takes heads too; it notices a worker's result between its own products (each onnxruntime run
 * yields to the event loop).
 */
export async function startTextspanRunner(pool: Tensor<'M D', Float32Array>, threads: number): Promise<TextspanWorkers> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const kernels = await createOrtLinalgKernels();
  const inThread = headTextspanRunner(pool, kernels);
  if (threads === 1) {
    // one head at a time: each holds [K, D] buffers
    const queue = new OneAtATime();
    return { run: (C, options) => queue.run(() => inThread(C, options)), close: () => kernels.release() };
  }
  const workers = startTextspanWorkers(pool, threads - 1);
  const waiting: { C: Tensor<'K D', Float32Array>; options: Parameters<HeadTextspanRunner>[1]; resolve: (r: HeadTextspan) => void; reject: (e: unknown) => void }[] = [];
  let thisThreadFree = true;
  let inWorkers = 0;
  const dispatch = (): void => {
    while (waiting.length > 0 && inWorkers < threads - 1) {
      const job = waiting.shift()!;
      inWorkers++;
      workers
        .run(job.C, job.options)
        .then(job.resolve, job.reject)
        .finally(() => {
          inWorkers--;
          dispatch();
        });
    }
    if (waiting.length > 0 && thisThreadFree) {
      const job = waiting.shift()!;
      thisThreadFree = false;
      inThread(job.C, job.options)
        .then(job.resolve, job.reject)
        .finally(() => {
          thisThreadFree = true;
          dispatch();
        });
    }
  };
  return {
    run(C, options) {
      return new Promise<HeadTextspan>((resolve, reject) => {
        waiting.push({ C, options, resolve, reject });
        dispatch();
      });
    },
    async close() {
      await Promise.all([workers.close(), kernels.release()]);
    },
  };
}
