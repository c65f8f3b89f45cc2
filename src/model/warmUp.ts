/**
 * Warms onnxruntime-web's WASM module up before a model is chosen. A fresh module creates its first
 * session and makes its first run with code from V8's baseline WASM compiler, compiled lazily as
 * functions are first called and tiered up to the optimising compiler while they run. Measured in
 * Chromium (ViT-B/16 shape, 2 threads): the decomposed session's creation took 3.1 s in a fresh
 * module and 0.9 s in one that had built a session before; its first run 1.7 s against 0.7 s.
 * Building and running a small random model through the same graph builder (the same operators,
 * graph optimisations and kernels) does that work while the user is still choosing a model.
 *
 * What counts is the warm-up model's depth, not its width or the number of runs
 * (`node --import tsx scripts/bench/engine.browser.bench.ts --shapes vit-b16-shaped`, idle, the
 * B/16 decomposition's first run after each warm-up): width 384 with 2 layers × 3 runs, 1.56 s;
 * width 768, 1 layer × 3 runs, 1.52 s; width 768, 2 layers × 8 runs, 1.49 s; width 384, 4 layers,
 * 1.48 s; but 12 layers at width 192, 384 or 768, one run each, 0.75 / 0.75 / 0.72 s (steady).
 * So the warm-up model has ViT-B's 12 layers at a narrow width: it costs what the 2-layer one did
 * (about 2.7 s from page start) and the B/16 model chosen after it is decomposed in about 2.4 s.
 */
import { loadCheckpoint } from './checkpoint/load.ts';
import { generateCheckpoint, type CheckpointSpec } from './checkpoint/checkpointGenerator.ts';
import { memoryModelFiles } from './checkpoint/sources.ts';
import { tensor } from '../math/tensor.ts';
import { ClipEngine } from './engine.ts';
import type { SessionFactory } from './runtime/graphSession.ts';

/** 224 px, patch 16, 12 layers, heads of width 64: ViT-B/16's token count, depth and head width, at a quarter of its width */
export const WARM_UP_SPEC: CheckpointSpec = {
  name: 'runtime-warm-up',
  vision: { width: 192, layers: 12, heads: 3, patchSize: 16, imageSize: 224 },
  text: { width: 32, layers: 1, heads: 4, contextLength: 16, vocabSize: 100 },
  embedDim: 128,
  act: 'gelu',
};

export interface WarmUpTiming {
  totalMs: number;
  runs: number;
}

/** the per-token terms the app asks for: its last 4 layers */
const WARM_UP_TOKEN_LAYERS = Array.from({ length: 4 }, (_, i) => WARM_UP_SPEC.vision.layers - 4 + i);

/** builds the warm-up model's decomposed session, runs it `runs` times, releases it */
export async function warmUpRuntime(createSession: SessionFactory, runs = 1): Promise<WarmUpTiming> {
  const t0 = performance.now();
  const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(WARM_UP_SPEC, { layout: 'openclip', seed: 1, visionOnly: true }), 'runtime warm-up model'));
  const engine = new ClipEngine(ckpt, createSession);
  const S = ckpt.vision.imageSize;
  const pixels = new Float32Array(3 * S * S);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.sin(i * 0.01);
  try {
    for (let r = 0; r < runs; r++) await engine.decompose(tensor('C S S', pixels, [3, S, S]), { tokenLayers: WARM_UP_TOKEN_LAYERS });
  } finally {
    await engine.release();
  }
  return { totalMs: performance.now() - t0, runs };
}
