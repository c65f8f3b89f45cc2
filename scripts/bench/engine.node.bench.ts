/**
 * Plain forward vs decomposition of a ViT-B/16-shaped checkpoint in onnxruntime-node (2 threads):
 * same process, same session options, batch 1; the decomposition outputs cells for all layers and
 * per-cell terms for the last 4. Prints medians of N runs (interleaved), their ratio, peak RSS.
 *
 *   node --import tsx scripts/bench/engine.node.bench.ts [--runs 10] [--threads 2]
 */
import { tensor } from '../../src/math/tensor.ts';
import { createNodeEngine } from '../../src/model/engine.node.ts';
import { fmtMiB, fmtMs, median, rssSampler, vitB16Checkpoint } from './common.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

export async function benchEngineNode(runs = arg('runs', 10), threads = arg('threads', 2)) {
  const { ckpt } = await vitB16Checkpoint();
  const mem = rssSampler(() => [process.pid]);
  const S = ckpt.vision.imageSize;
  const pixels = new Float32Array(3 * S * S);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.sin(i * 0.013) * 1.2;
  const px = tensor('C S S', pixels, [3, S, S]);
  const L = ckpt.vision.layers;
  const tokenLayers = [L - 4, L - 3, L - 2, L - 1];

  const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads });
  let t = performance.now();
  await engine.embed(px); // creates the plain session + warm-up
  const plainSessionMs = performance.now() - t;
  const peakPlain = mem.peak();
  t = performance.now();
  await engine.decompose(px, { tokenLayers }); // creates the decomposed session + warm-up
  const decompSessionMs = performance.now() - t;

  const plain: number[] = [];
  const decomp: number[] = [];
  for (let r = 0; r < runs; r++) {
    t = performance.now();
    await engine.embed(px);
    plain.push(performance.now() - t);
    t = performance.now();
    await engine.decompose(px, { tokenLayers });
    decomp.push(performance.now() - t);
  }
  const peakAll = mem.peak();
  mem.stop();
  await engine.release();
  const result = {
    runtime: `onnxruntime-node cpu, ${threads} threads`,
    runs,
    plainMs: median(plain),
    decompositionMs: median(decomp),
    ratio: median(decomp) / median(plain),
    sessionCreateMs: { plain: plainSessionMs, decomposed: decompSessionMs },
    peakRssBytes: { afterPlain: peakPlain, afterBoth: peakAll },
  };
  console.log(`[node] ${result.runtime}: plain ${fmtMs(result.plainMs)}, decomposition ${fmtMs(result.decompositionMs)} (median of ${runs}), ratio ${result.ratio.toFixed(3)}`);
  console.log(`[node] session creation incl. first run: plain ${fmtMs(plainSessionMs)}, decomposed ${fmtMs(decompSessionMs)}; peak RSS ${fmtMiB(peakPlain)} (plain only), ${fmtMiB(peakAll)} (both sessions)`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEngineNode();
