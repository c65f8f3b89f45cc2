/**
 * The one entry through which every graph runs, on onnxruntime-node and onnxruntime-web alike:
 * feeds are checked against the graph's declared inputs (onnx/graphSpec.ts) before a runtime sees them,
 * a runtime failure names every input's dtype and dims, and outputs come back as tensors carrying
 * the graph's shape letters.
 */
import { dimsSize, tensor, type Tensor } from '../../math/tensor.ts';
import type { BuiltGraph } from '../onnx/builtGraph.ts';
import type { GraphFeed } from '../onnx/graphSpec.ts';

/** one output as a runtime returns it */
export interface RawOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** a runtime's own run: feeds already checked, outputs by name */
export type RawRun = (feeds: Record<string, GraphFeed>, outputNames?: readonly string[]) => Promise<Record<string, RawOutput>>;

type GraphContract = Pick<BuiltGraph, 'kind' | 'inputs' | 'outputs'>;

const dtypeOf = (f: GraphFeed): 'int64' | 'float32' => ('dtype' in f && f.dtype === 'int64' ? 'int64' : 'float32');

/** `name: dtype[dims]` for each feed, for messages */
export function describeFeeds(feeds: Record<string, GraphFeed>): string {
  return Object.entries(feeds).map(([k, f]) => `${k}: ${dtypeOf(f)}[${f.dims.join(', ')}]`).join('; ') || 'none';
}

/** throws a message naming the input, its declared dtype and shape letters, and what was given */
export function checkFeeds(graph: GraphContract, feeds: Record<string, GraphFeed>): void {
  for (const input of graph.inputs) {
    const feed = feeds[input.name];
    if (!feed) throw new Error(`graph ${graph.kind} needs input ${input.name} (given: ${Object.keys(feeds).join(', ') || 'none'})`);
    const rank = input.shape.split(' ').length;
    const given = `${dtypeOf(feed)}[${feed.dims.join(', ')}]`;
    if (dtypeOf(feed) !== input.dtype || feed.dims.length !== rank || feed.data.length !== dimsSize(feed.dims)) {
      throw new RangeError(`graph ${graph.kind}: input ${input.name} must be ${input.dtype} [${input.shape}], got ${given} with ${feed.data.length} values`);
    }
  }
  const unknown = Object.keys(feeds).filter((k) => !graph.inputs.some((i) => i.name === k));
  if (unknown.length > 0) {
    throw new Error(`graph ${graph.kind} has no input ${unknown.join(', ')} (its inputs: ${graph.inputs.map((i) => i.name).join(', ') || 'none'})`);
  }
}

/** the runtime's error, prefixed with the graph and its inputs; name and cause kept for recovery (explorer/recovery.ts) */
function runFailure(graph: GraphContract, feeds: Record<string, GraphFeed>, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  const wrapped = new Error(`running the ${graph.kind} graph failed (inputs ${describeFeeds(feeds)}): ${message}`, { cause: err });
  if (err instanceof Error) wrapped.name = err.name;
  return wrapped;
}

/** checks, runs and shapes: what every GraphSession.run does */
export async function runGraph(graph: GraphContract, run: RawRun, feeds: Record<string, GraphFeed>, outputNames?: readonly string[]): Promise<Record<string, Tensor>> {
  checkFeeds(graph, feeds);
  let raw: Record<string, RawOutput>;
  try {
    raw = await run(feeds, outputNames);
  } catch (err) {
    throw runFailure(graph, feeds, err);
  }
  const shapes = new Map(graph.outputs.map((o) => [o.name, o.shape]));
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(raw)) {
    if (outputNames && !outputNames.includes(name)) continue;
    out[name] = tensor(shapes.get(name) ?? t.dims.map((_, i) => `X${i}`).join(' '), t.data, t.dims);
  }
  return out;
}
