/**
 * Plain forward vs decomposition of a ViT-B/16-shaped checkpoint in onnxruntime-node (2 threads):
 * same process, same session options, batch 1; the decomposition outputs cells for all layers and
 * per-cell terms for the last 4. Three rounds of N interleaved runs, each printed as absolute
 * medians and their ratio; peak RSS; and onnxruntime's profile of both graphs, with the
 * decomposition's extra time split by operator type and by the binding's copies (ortProfile.ts).
 *
 *   node --import tsx scripts/bench/engine.node.bench.ts [--runs 10] [--threads 2]
 */
import { tensor } from '../../src/math/tensor.ts';
import { createNodeEngine } from '../../src/model/engine.node.ts';
import { buildImageGraph } from '../../src/model/onnx/imageGraph.ts';
import { BENCH_DIR, fmtMiB, fmtMs, median, rssSampler, vitB16Checkpoint } from './common.ts';
import { extraTime, profileGraph } from './ortProfile.ts';

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

  // three rounds, each `runs` interleaved plain/decomposition pairs: one ratio per round
  const rounds: { plainMs: number; decompositionMs: number; ratio: number }[] = [];
  for (let round = 0; round < 3; round++) {
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
    rounds.push({ plainMs: median(plain), decompositionMs: median(decomp), ratio: median(decomp) / median(plain) });
  }
  const peakAll = mem.peak();
  mem.stop();
  await engine.release();

  // where the extra time goes: onnxruntime's profiler on fresh sessions of the same two graphs
  const feeds = { pixel_values: tensor('B C S S', pixels, [1, 3, S, S]) };
  const profileRuns = Math.max(3, runs >> 1);
  const profiles = {
    plain: await profileGraph(buildImageGraph(ckpt, { decompose: false }), ckpt, feeds, profileRuns, threads, BENCH_DIR),
    decomposed: await profileGraph(buildImageGraph(ckpt, { decompose: true, tokenLayers }), ckpt, feeds, profileRuns, threads, BENCH_DIR),
  };
  const extra = extraTime(profiles.plain, profiles.decomposed);

  const ratios = rounds.map((r) => r.ratio);
  const result = {
    runtime: `onnxruntime-node cpu, ${threads} threads`,
    runs,
    rounds,
    plainMs: median(rounds.map((r) => r.plainMs)),
    decompositionMs: median(rounds.map((r) => r.decompositionMs)),
    ratio: median(ratios),
    worstRatio: Math.max(...ratios),
    sessionCreateMs: { plain: plainSessionMs, decomposed: decompSessionMs },
    peakRssBytes: { afterPlain: peakPlain, afterBoth: peakAll },
    profile: { runs: profileRuns, ...profiles, extra },
  };
  for (const [i, r] of rounds.entries()) {
    console.log(`[node] ${result.runtime}, round ${i + 1}/3: plain ${fmtMs(r.plainMs)}, decomposition ${fmtMs(r.decompositionMs)} (medians of ${runs}, interleaved), ratio ${r.ratio.toFixed(3)} (goal ≤ 1.2)`);
  }
  console.log(`[node] session creation incl. first run: plain ${fmtMs(plainSessionMs)}, decomposed ${fmtMs(decompSessionMs)}; peak RSS ${fmtMiB(peakPlain)} (plain only), ${fmtMiB(peakAll)} (both sessions)`);
  const p = profiles;
  console.log(`[node] profiler (median of ${profileRuns}): plain wall ${fmtMs(p.plain.wallMs)} (ORT model_run ${fmtMs(p.plain.modelRunMs)}), decomposition wall ${fmtMs(p.decomposed.wallMs)} (model_run ${fmtMs(p.decomposed.modelRunMs)}); extra time by where it goes:`);
  console.log(`[node]   ${extra.filter((e) => Math.abs(e.ms) >= 0.5).map((e) => `${e.what} ${e.ms >= 0 ? '+' : ''}${e.ms.toFixed(1)} ms`).join('; ')}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEngineNode();
