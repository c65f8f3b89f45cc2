/**
 * Session factory for ClipEngine in the browser: onnxruntime-web with in-memory external data.
 * Each session gets exactly the weights its graph reads, as a few in-memory files (one per read
 * of the model's files: Blob, OPFS or a partial download), dropped once the session exists; the
 * whole checkpoint file is never held in memory.
 */
import type { SessionCreationTiming } from '../../api/explorer.ts';
import type { ClipCheckpoint } from '../checkpoint/types.ts';
import type { GraphFeed } from '../onnx/graphSpec.ts';
import type { GraphSession, SessionFactory } from './graphSession.ts';
import { materializeDerivedBlob } from '../onnx/externalData.ts';
import { packExternalData } from '../onnx/packExternalData.ts';
import type { Tensor } from '../../math/tensor.ts';
import { runGraph, type RawRun } from './graphRun.ts';
import { measureStep } from '../../api/stepTimings.ts';
import { createWebSession, releaseWebSession, runWebSession, type ExternalFile, type FeedValue } from './ortWeb.ts';

const creationLog: SessionCreationTiming[] = [];

/** every session created in this worker so far, oldest first */
export function sessionCreationLog(): SessionCreationTiming[] {
  return creationLog.map((t) => ({ ...t }));
}

/** `log: false`: sessions left out of sessionCreationLog (the runtime warm-up's) */
export function webSessionFactory(options: { log?: boolean } = {}): SessionFactory {
  return async (graph, ckpt: ClipCheckpoint): Promise<GraphSession> => {
    const t0 = performance.now();
    const derived = new Set(graph.externalData.derived.map((b) => b.location));
    const packed = await packExternalData(
      graph.model,
      async (location, offset, length) => {
        const src = ckpt.files.get(location);
        if (!src) throw new Error(`the ${graph.kind} graph reads weights from ${location}, which the model folder lacks`);
        return src.read(offset, length);
      },
      `${graph.kind}-weights.bin`,
      derived,
    );
    const tPacked = measureStep('session:pack', t0, graph.kind);
    const external: ExternalFile[] = packed.files.map((f) => ({ path: f.location, data: f.data }));
    for (const blob of graph.externalData.derived) {
      external.push({ path: blob.location, data: await materializeDerivedBlob(blob, ckpt.files) });
    }
    if (graph.externalData.derived.length > 0) measureStep('session:derive', tPacked, graph.kind);
    const t1 = measureStep('session:read', t0, graph.kind);
    const session = await createWebSession(packed.model, external);
    const timing: SessionCreationTiming = {
      graph: `${graph.kind} (${graph.outputs.length} outputs)`,
      weightBytes: external.reduce((n, f) => n + f.data.byteLength, 0),
      readMs: t1 - t0,
      createMs: performance.now() - t1,
    };
    if (options.log !== false) creationLog.push(timing);
    const rawRun: RawRun = async (feeds) => {
      const webFeeds: Record<string, FeedValue> = {};
      for (const [name, f] of Object.entries(feeds)) {
        webFeeds[name] = 'dtype' in f && f.dtype === 'int64'
          ? { type: 'int64', data: f.data, dims: f.dims }
          : { type: 'float32', data: (f as Tensor<string, Float32Array>).data, dims: f.dims };
      }
      const t = performance.now();
      const out = await runWebSession(session, webFeeds);
      timing.firstRunMs ??= performance.now() - t;
      return out;
    };
    return {
      run: (feeds: Record<string, GraphFeed>, outputNames?: readonly string[]) => runGraph(graph, rawRun, feeds, outputNames),
      release: () => releaseWebSession(session),
    };
  };
}
