/**
 * Where a graph's time goes, from onnxruntime's own profiler: per run, the wall time of
 * `session.run` in JavaScript, ORT's `model_run` span inside it, and the kernel time summed per
 * operator type. wall − model_run is what the binding spends around the graph (feed and output
 * copies between ORT and typed arrays).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClipCheckpoint } from '../../src/model/checkpoint/types.ts';
import type { BuiltGraph } from '../../src/model/onnx/builtGraph.ts';
import { createOrtNodeSession } from '../../src/model/runtime/ortNode.node.ts';
import type { GraphFeed } from '../../src/model/onnx/graphSpec.ts';
import { median } from './common.ts';

export interface RunProfile {
  wallMs: number;
  modelRunMs: number;
  /** operator type → kernel ms per run */
  kernelMs: Record<string, number>;
  /** node kind (op type + name without numbers) → how many per run, ms per run, in run order */
  nodes: { kind: string; op: string; ms: number }[];
}

interface TraceEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

export async function profileGraph(graph: BuiltGraph, ckpt: ClipCheckpoint, feeds: Record<string, GraphFeed>, runs: number, threads: number, dir: string): Promise<RunProfile> {
  const prefix = join(dir, `ort-profile-${graph.model.length}`);
  const session = await createOrtNodeSession(graph, ckpt, { intraOpNumThreads: threads, profileFilePrefix: prefix });
  try {
    await session.run(feeds); // warm-up, excluded below
    const walls: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      await session.run(feeds);
      walls.push(performance.now() - t);
    }
    const file = session.endProfiling();
    const trace = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[];
    rmSync(file, { force: true });
    const modelRuns = trace.filter((e) => e.cat === 'Session' && e.name === 'model_run').map((e) => e.dur / 1000);
    const timed = modelRuns.slice(-runs);
    const kernelMs: Record<string, number> = {};
    const nodes = trace.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
    // the last `runs` runs' share of the nodes (every run executes the same nodes)
    const perRun = nodes.length / modelRuns.length;
    const byNode = new Map<string, { kind: string; op: string; ms: number }>();
    for (const e of nodes.slice(nodes.length - perRun * runs)) {
      const op = e.args?.op_name ?? 'other';
      kernelMs[op] = (kernelMs[op] ?? 0) + e.dur / 1000 / runs;
      const node = byNode.get(e.name) ?? { kind: `${op}:${e.name.replace(/_kernel_time$/, '').replace(/\d+/g, '')}`, op, ms: 0 };
      node.ms += e.dur / 1000 / runs;
      byNode.set(e.name, node);
    }
    return { wallMs: median(walls), modelRunMs: median(timed), kernelMs, nodes: [...byNode.values()] };
  } finally {
    await session.release();
  }
}

/**
 * The decomposition's own time, split by where it goes. Nodes of the decomposed graph are matched
 * to the plain graph's by kind (op type and name without numbers; ORT keeps the names the graph
 * builder gave), as many of each kind as the plain graph has: those are the shared forward, the
 * rest the decomposition's own kernels. Comparing per-node kinds rather than per-op totals keeps
 * the (noisy, dominant) Gemm time of the forward out of the extra time.
 */
export function extraTime(plain: RunProfile, decomposed: RunProfile): { what: string; ms: number }[] {
  const budget = new Map<string, number>();
  for (const n of plain.nodes) budget.set(n.kind, (budget.get(n.kind) ?? 0) + 1);
  const own = new Map<string, number>();
  let shared = 0;
  for (const n of decomposed.nodes) {
    const left = budget.get(n.kind) ?? 0;
    if (left > 0) {
      budget.set(n.kind, left - 1);
      shared += n.ms;
    } else {
      own.set(n.op, (own.get(n.op) ?? 0) + n.ms);
    }
  }
  const kernels = (p: RunProfile) => p.nodes.reduce((a, n) => a + n.ms, 0);
  const rows = [...own].map(([op, ms]) => ({ what: `own ${op} kernels`, ms }));
  rows.sort((a, b) => b.ms - a.ms);
  return [
    ...rows,
    { what: 'ORT between kernels (model_run − kernels)', ms: decomposed.modelRunMs - kernels(decomposed) - (plain.modelRunMs - kernels(plain)) },
    { what: 'binding: feeds + outputs to typed arrays (wall − model_run)', ms: decomposed.wallMs - decomposed.modelRunMs - (plain.wallMs - plain.modelRunMs) },
    { what: 'shared forward kernels (decomposed − plain: interference or noise)', ms: shared - kernels(plain) },
  ];
}
