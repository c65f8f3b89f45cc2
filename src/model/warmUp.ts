/**
 * Warms onnxruntime-web's WASM module up before a model is chosen. A fresh module creates its first
 * session and makes its first run with code from V8's baseline WASM compiler, compiled lazily as
 * functions are first called and tiered up to the optimising compiler while they run. Measured in
 * Chromium (ViT-B/16 shape, 2 threads): the decomposed session's creation took 3.1 s in a fresh
 * module and 0.9 s in one that had built a session before; its first run 1.7 s against 0.7 s.
 * Building and running a small random model through the same graph builder (the same operators,
 * graph optimisations and kernels) compiles those paths while the user is still choosing a model.
 */
import { loadCheckpoint } from './checkpoint/load.ts';
import { generateCheckpoint, type CheckpointSpec } from './checkpoint/checkpointGenerator.ts';
import { memoryModelFiles } from './checkpoint/sources.ts';
import { tensor } from '../math/tensor.ts';
import { ClipEngine } from './engine.ts';
import type { SessionFactory } from './runtime/graphSession.ts';

/** 224 px, patch 16: the token count of ViT-B/16, at a fraction of its width and depth */
export const WARM_UP_SPEC: CheckpointSpec = {
  name: 'runtime-warm-up',
  vision: { width: 384, layers: 2, heads: 6, patchSize: 16, imageSize: 224 },
  text: { width: 32, layers: 1, heads: 4, contextLength: 16, vocabSize: 100 },
  embedDim: 256,
  act: 'gelu',
};

export interface WarmUpTiming {
  totalMs: number;
  runs: number;
}

/** builds the warm-up model's decomposed session, runs it `runs` times, releases it */
export async function warmUpRuntime(createSession: SessionFactory, runs = 3): Promise<WarmUpTiming> {
  const t0 = performance.now();
  const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(WARM_UP_SPEC, { layout: 'openclip', seed: 1, visionOnly: true }), 'runtime warm-up model'));
  const engine = new ClipEngine(ckpt, createSession);
  const S = ckpt.vision.imageSize;
  const pixels = new Float32Array(3 * S * S);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.sin(i * 0.01);
  try {
    for (let r = 0; r < runs; r++) await engine.decompose(tensor('C S S', pixels, [3, S, S]), { tokenLayers: [1] });
  } finally {
    await engine.release();
  }
  return { totalMs: performance.now() - t0, runs };
}
