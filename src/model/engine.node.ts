/** A ClipEngine over onnxruntime-node, for the CLI, the tests and the benchmarks. */
import type { ClipCheckpoint } from './checkpoint/types.ts';
import { ClipEngine, type ClipEngineOptions } from './engine.ts';
import { createOrtNodeSession, type OrtNodeSessionOptions } from './runtime/ortNode.node.ts';
import { clipTokenizerFromFiles } from './tokenizer/tokenizerFiles.ts';

export async function createNodeEngine(ckpt: ClipCheckpoint, options: OrtNodeSessionOptions & ClipEngineOptions = {}): Promise<ClipEngine> {
  const tokenizer = ckpt.tokenizerFiles?.size ? await clipTokenizerFromFiles(ckpt.tokenizerFiles) : undefined;
  const { precision, ...sessionOptions } = options;
  return new ClipEngine(ckpt, (graph, c) => createOrtNodeSession(graph, c, sessionOptions), tokenizer, { precision });
}
