/**
 * Neuron effects (METHOD §9) of all neurons of layer 9 of a ViT-B/16-shaped checkpoint for one
 * image: the time they add to a decomposition of the same image, as a ratio to one plain forward
 * in the same run (goal ≤ 0.5), in onnxruntime-node (2 threads) and Chromium WASM (2 threads);
 * and `explain` (METHOD §10) over a 4,000-text pool once the pool is embedded (goal < 50 ms).
 *
 *   node --import tsx scripts/bench/neurons.bench.ts [--runs 5] [--only node,chromium,explain]
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openHarness } from '../../e2e/lib/harness.ts';
import { sparseTextDecomposition } from '../../src/analysis/sparseText.ts';
import { gaussianArray, seededRandom } from '../../src/math/random.ts';
import { tensor } from '../../src/math/tensor.ts';
import { createNodeEngine } from '../../src/model/engine.node.ts';
import { checkpointFiles, fmtMs, median, vitB16Checkpoint } from './common.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const LAYER = 9;

interface Timings {
  plainMs: number[];
  decompositionMs: number[];
  withNeuronsMs: number[];
}

function report(label: string, t: Timings) {
  const plain = median(t.plainMs);
  const decomposition = median(t.decompositionMs);
  const withNeurons = median(t.withNeuronsMs);
  const added = withNeurons - decomposition;
  const result = { plainMs: plain, decompositionMs: decomposition, withNeuronsMs: withNeurons, addedMs: added, addedOverPlain: added / plain };
  console.log(
    `[neurons] ${label}: plain ${fmtMs(plain)}, decomposition ${fmtMs(decomposition)}, with layer-${LAYER} neuron effects ${fmtMs(withNeurons)} ` +
      `(medians of ${t.plainMs.length}); added ${fmtMs(added)} = ${result.addedOverPlain.toFixed(3)} × plain (goal ≤ 0.5)`,
  );
  return result;
}

export async function benchNeuronsNode(runs: number) {
  const { ckpt } = await vitB16Checkpoint();
  const S = ckpt.vision.imageSize;
  const px = tensor('C S S', Float32Array.from({ length: 3 * S * S }, (_, i) => Math.sin(i * 0.013) * 1.2), [3, S, S]);
  const engine = await createNodeEngine(ckpt, { intraOpNumThreads: 2 });
  const timed = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  const plain = () => engine.embed(px);
  const decomposition = () => engine.decompose(px, { tokenLayers: [] });
  const withNeurons = () => engine.decompose(px, { tokenLayers: [], neuronLayer: LAYER });
  await plain();
  await decomposition();
  await withNeurons();
  const t: Timings = { plainMs: [], decompositionMs: [], withNeuronsMs: [] };
  for (let r = 0; r < runs; r++) {
    t.plainMs.push(await timed(plain));
    t.decompositionMs.push(await timed(decomposition));
    t.withNeuronsMs.push(await timed(withNeurons));
  }
  await engine.release();
  return report('onnxruntime-node cpu, 2 threads', t);
}

export async function benchNeuronsChromium(runs: number) {
  const { dir } = await vitB16Checkpoint();
  const files = checkpointFiles(dir).map((name) => ({ name, url: `/model/${name}`, size: statSync(join(dir, name)).size }));
  const h = await openHarness({ '/model/': dir });
  try {
    const r = await h.page.evaluate((req) => window.harness.benchNeurons(req), { files, runs, layer: LAYER });
    if (r.runtime.provider !== 'wasm' || r.runtime.threads !== 2) throw new Error(`unexpected runtime ${JSON.stringify(r.runtime)}`);
    return report(`Chromium onnxruntime-web wasm, ${r.runtime.threads} threads`, r);
  } finally {
    await h.close();
  }
}

/** METHOD §10 over 4,000 unit texts of width 512 (ViT-B/16's D), 10 texts, medians of `runs` */
export function benchExplain(runs: number) {
  const M = 4000, D = 512;
  const texts = tensor('M D', Float32Array.from(gaussianArray(seededRandom(3), M * D)), [M, D]);
  const times: number[] = [];
  const scans: number[] = [];
  for (let r = 0; r < runs; r++) {
    const target = gaussianArray(seededRandom(100 + r), D);
    let t = performance.now();
    sparseTextDecomposition(target, texts, { maxTexts: 10 });
    times.push(performance.now() - t);
    // the floor on a loaded machine: the 10 bare pool·target scans any 10-pick pursuit needs
    t = performance.now();
    let sink = 0;
    for (let k = 0; k < 10; k++) for (let j = 0; j < M; j++) for (let d = 0; d < D; d++) sink += texts.data[j * D + d] * target[d];
    scans.push(performance.now() - t);
    if (Number.isNaN(sink)) throw new Error('unreachable');
  }
  const result = { poolSize: M, width: D, texts: 10, medianMs: median(times), bareScansMs: median(scans), ratioToBareScans: median(times) / median(scans) };
  console.log(
    `[neurons] explain over ${M} texts (D ${D}, 10 texts, texts embedded beforehand): ${fmtMs(result.medianMs)} median of ${runs} (goal < 50 ms); ` +
      `10 bare pool scans ${fmtMs(result.bareScansMs)}, ratio ${result.ratioToBareScans.toFixed(2)}`,
  );
  return result;
}

export async function benchNeurons(runs: number, only?: Set<string>) {
  const want = (name: string) => !only || only.has(name);
  return {
    ...(want('explain') ? { explain: benchExplain(Math.max(runs, 10)) } : {}),
    ...(want('node') ? { node: await benchNeuronsNode(runs) } : {}),
    ...(want('chromium') ? { chromium: await benchNeuronsChromium(runs) } : {}),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = arg('only', '');
  await benchNeurons(Number(arg('runs', '5')), only ? new Set(only.split(',')) : undefined);
}
