/**
 * Plain forward vs decomposition in headless Chromium through the app's worker: onnxruntime-web
 * WASM, 2 threads, cross-origin isolation asserted; the decomposition asks what the node bench
 * asks (cells of every layer, per-cell terms of the last 4). The model is read as the app reads a
 * stored model: File objects from this origin's OPFS (`--source http`: HTTP range reads instead).
 * Each figure below comes from its own fresh page (a fresh onnxruntime-web module):
 *
 *   cold       no runtime warm-up; model chosen (header + configs read) and an image given at
 *              once -> first image decomposed = model load + reading the weights +
 *              InferenceSession.create + the first run + the rest (graph building, worker
 *              messages, output copies, summary); then the first plain run and the ratio rounds
 *   warmed     the app's runtime warm-up (RuntimeRequest.warmUp) has finished before the model is
 *              chosen (the user is choosing one meanwhile); image given at once; same split
 *   prepared   the app's way: warm-up as above, the decomposition session is built and run once
 *              when the model is chosen, the image is given --pick-delay-ms later (default 5000:
 *              picking a photo); "drop -> first image decomposed" and "model chosen -> first image
 *              decomposed" (load + delay + drop -> ready)
 *   ratio      three rounds of N interleaved plain/decomposition runs (B/16), absolute medians
 *              beside each ratio
 *   reported for the ViT-B/16, B/32 and L/14 shapes (random f32 weights)
 *
 *   node --import tsx scripts/bench/engine.browser.bench.ts [--runs 10] [--shapes vit-b16-shaped,vit-b32-shaped,vit-l14-shaped] [--pick-delay-ms 5000] [--source opfs|http]
 */
import { loadavg } from 'node:os';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openHarness } from '../../e2e/lib/harness.ts';
import type { SessionCreationTiming } from '../../src/api/explorer.ts';
import { checkpointFiles, descendantsCpuMs, fmtMiB, fmtMs, median, pidsMatching, rssSampler, shapedCheckpoint, type ShapedCheckpoint } from './common.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

const describeSession = (s: SessionCreationTiming, firstRun = 'first run') =>
  `${s.graph}: read ${fmtMiB(s.weightBytes)} ${fmtMs(s.readMs)}, create ${fmtMs(s.createMs)}, ${firstRun} ${s.firstRunMs === undefined ? '-' : fmtMs(s.firstRunMs)}`;

const load = () => `load average ${loadavg()[0].toFixed(1)}`;

type Run = { files: { name: string; url: string; size: number }[]; dir: string; runs: number; rounds: number; source: 'opfs' | 'http'; runtimeWarmUp: boolean; prepare?: { delayMs: number; warmUp: boolean } };

async function benchPage(run: Run) {
  const h = await openHarness({ '/model/': run.dir });
  const mem = rssSampler(() => pidsMatching('chromium'));
  const cpuAt = new Map<string, number>();
  h.page.on('console', (m) => {
    if (m.text().startsWith('[bench-mark] ')) cpuAt.set(m.text().slice('[bench-mark] '.length), descendantsCpuMs() / 1000);
  });
  try {
    const isolated = await h.page.evaluate(() => window.harness.crossOriginIsolated());
    if (!isolated) throw new Error('the bench page is not cross-origin isolated: WASM would run on one thread');
    const { dir: _, ...req } = run;
    const r = await h.page.evaluate((q) => window.harness.benchEngine(q), { ...req, tokenLayersFromEnd: 4 });
    if (r.runtime.provider !== 'wasm' || r.runtime.threads !== 2) throw new Error(`unexpected runtime ${JSON.stringify(r.runtime)}`);
    // CPU seconds of the whole browser from the model chosen to the first image decomposed
    const cpuS = (cpuAt.get('first-image') ?? NaN) - (cpuAt.get('model-chosen') ?? NaN);
    return { ...r, cpuS, peakChromiumRssBytes: mem.peak() };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${h.consoleLines.slice(-20).join('\n')}`);
  } finally {
    mem.stop();
    await h.close();
  }
}

/** model chosen -> first image decomposed, split into its parts */
function firstResult(r: Awaited<ReturnType<typeof benchPage>>) {
  const s = r.sessions[0];
  const firstRunMs = s.firstRunMs ?? NaN;
  return { totalMs: r.loadMs + r.decompFirstMs, cpuS: r.cpuS, loadMs: r.loadMs, readMs: s.readMs, weightBytes: s.weightBytes, createMs: s.createMs, firstRunMs, restMs: r.decompFirstMs - s.readMs - s.createMs - firstRunMs };
}

const describeFirst = (f: ReturnType<typeof firstResult>) =>
  `model chosen -> first image decomposed ${fmtMs(f.totalMs)} (goal ≤ 3 s for B/16; browser CPU ${f.cpuS.toFixed(1)} s) = model load ${fmtMs(f.loadMs)} + read ${fmtMiB(f.weightBytes)} ${fmtMs(f.readMs)} + session create ${fmtMs(f.createMs)} + first run ${fmtMs(f.firstRunMs)} + rest ${fmtMs(f.restMs)}`;

async function benchShape(shape: ShapedCheckpoint, runs: number, rounds: number, source: 'opfs' | 'http', delayMs: number) {
  const { dir } = await shapedCheckpoint(shape);
  const files = checkpointFiles(dir).map((name) => ({ name, url: `/model/${name}`, size: statSync(join(dir, name)).size }));
  const page = (runtimeWarmUp: boolean, roundsHere: number, prepare?: Run['prepare']) => benchPage({ files, dir, runs, rounds: roundsHere, source, runtimeWarmUp, ...(prepare ? { prepare } : {}) });

  const cold = await page(false, rounds);
  const coldFirst = firstResult(cold);
  console.log(`[chromium] ${shape} cold (fresh page, no warm-up, model chosen and image given at once, weights from ${cold.source}): ${describeFirst(coldFirst)}; ${load()}`);
  console.log(`[chromium] ${shape} cold, then the first plain run incl. its session ${fmtMs(cold.plainFirstMs)}; sessions: ${cold.sessions.map((x) => describeSession(x)).join('; ')}`);
  const roundMedians = cold.rounds.map((x) => ({ plainMs: median(x.plainMs), decompositionMs: median(x.decompositionMs), ratio: median(x.decompositionMs) / median(x.plainMs) }));
  for (const [i, x] of roundMedians.entries()) {
    console.log(`[chromium] ${shape} round ${i + 1}/${rounds}: plain ${fmtMs(x.plainMs)}, decomposition ${fmtMs(x.decompositionMs)} (medians of ${runs}, interleaved), ratio ${x.ratio.toFixed(3)} (goal ≤ 1.15)`);
  }

  const warmed = await page(true, 0);
  const warmedFirst = firstResult(warmed);
  console.log(`[chromium] ${shape} warmed (the app's runtime warm-up, ${fmtMs(warmed.warmUp?.totalMs ?? NaN)} in the background from page start, done before the model is chosen; image given at once): ${describeFirst(warmedFirst)}; ${load()}`);

  const prep = await page(true, 0, { delayMs, warmUp: true });
  const prepDone = prep.prepared?.doneMs;
  console.log(
    `[chromium] ${shape} prepared (the app's way: runtime warm-up as above; the session is built and run once on a blank image when the model is chosen, the image given ${fmtMs(delayMs)} later): drop -> first image decomposed ${fmtMs(prep.decompFirstMs)}` +
      `; model chosen -> first image decomposed ${fmtMs(prep.loadMs + delayMs + prep.decompFirstMs)} (load ${fmtMs(prep.loadMs)} + delay + drop -> ready; browser CPU ${prep.cpuS.toFixed(1)} s)` +
      `; preparation ${prepDone === undefined ? 'still running at the drop' : `answered ${fmtMs(prepDone)} after the model was chosen (as the page heard it: the worker answers once free)`} (read ${fmtMs(prep.sessions[0].readMs)}, create ${fmtMs(prep.sessions[0].createMs)}, its first run ${fmtMs(prep.sessions[0].firstRunMs ?? NaN)}: the warm-up unless the image came first); ${load()}`,
  );
  return {
    runtime: cold.runtime,
    loadMs: cold.loadMs,
    firstResultMs: coldFirst.totalMs,
    firstResult: { cold: coldFirst, warmed: { ...warmedFirst, warmUpMs: warmed.warmUp?.totalMs } },
    firstRunMs: { decomposition: cold.decompFirstMs, plain: cold.plainFirstMs },
    sessions: cold.sessions,
    rounds: roundMedians,
    prepared: { delayMs, dropToReadyMs: prep.decompFirstMs, chosenToReadyMs: prep.loadMs + delayMs + prep.decompFirstMs, sessionReadyMs: prepDone, session: prep.sessions[0] },
    peakChromiumRssBytes: Math.max(cold.peakChromiumRssBytes, warmed.peakChromiumRssBytes, prep.peakChromiumRssBytes),
  };
}

export async function benchEngineBrowser(runs = Number(arg('runs', '10')), shapes = arg('shapes', 'vit-b16-shaped,vit-b32-shaped,vit-l14-shaped').split(',') as ShapedCheckpoint[]) {
  const result: Record<string, unknown> = { runtime: 'Chromium onnxruntime-web wasm, 2 threads' };
  for (const shape of shapes) {
    // the ratio is the B/16 figure; the other shapes report their first result only
    try {
      const r = await benchShape(shape, runs, shape === 'vit-b16-shaped' ? 3 : 0, arg('source', 'opfs') as 'opfs' | 'http', Number(arg('pick-delay-ms', '5000')));
      result[shape] = r;
      console.log(`[chromium] ${shape}: peak RSS of all Chromium processes ${fmtMiB(r.peakChromiumRssBytes)}`);
    } catch (err) {
      if (shape === 'vit-b16-shaped') throw err;
      // a larger shape may not fit the browser's WASM memory: said, and the other figures still come
      const message = (err as Error).message.split('\n')[0];
      result[shape] = { error: message };
      console.log(`[chromium] ${shape}: no figure: ${message}`);
    }
  }
  const b16 = result['vit-b16-shaped'] as Awaited<ReturnType<typeof benchShape>> | undefined;
  if (b16) Object.assign(result, { ratio: median(b16.rounds.map((x) => x.ratio)), worstRatio: Math.max(...b16.rounds.map((x) => x.ratio)) });
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEngineBrowser();
