/** A ClipEngine over onnxruntime-node, for the CLI, the tests and the benchmarks. */
import type { ClipCheckpoint } from './checkpoint/types.ts';
import { ClipEngine } from './engine.ts';
import { createOrtNodeSession, type OrtNodeSessionOptions } from './runtime/ortNode.node.ts';
import { clipTokenizerFromFiles } from './tokenizer/tokenizerFiles.ts';

export async function createNodeEngine(ckpt: ClipCheckpoint, options: OrtNodeSessionOptions = {}): Promise<ClipEngine> {
  const tokenizer = ckpt.tokenizerFiles?.size ? await clipTokenizerFromFiles(ckpt.tokenizerFiles) : undefined;
  return new ClipEngine(ckpt, (graph, c) => createOrtNodeSession(graph, c, options), tokenizer);
}
