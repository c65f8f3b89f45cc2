/**
 * The runtime seam: what the engine asks of an onnxruntime session, whichever build (node, web)
 * implements it. The engine depends on this contract; the runtimes implement it.
 */
import type { Tensor } from '../../math/tensor.ts';
import type { ClipCheckpoint } from '../checkpoint/types.ts';
import type { BuiltGraph } from '../onnx/builtGraph.ts';
import type { GraphFeed } from '../onnx/graphSpec.ts';

export interface GraphSession {
  run(feeds: Record<string, GraphFeed>, outputNames?: readonly string[]): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

export type SessionFactory = (graph: BuiltGraph, ckpt: ClipCheckpoint) => Promise<GraphSession>;
