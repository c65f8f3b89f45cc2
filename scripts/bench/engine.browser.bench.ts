/**
 * Plain forward vs decomposition in headless Chromium through the app's worker: onnxruntime-web
 * WASM, 2 threads, cross-origin isolation asserted; the decomposition asks what the node bench
 * asks (cells of every layer, per-cell terms of the last 4).
 *
 *   first result   model chosen (header + configs read) -> first image decomposed, incl. session
 *                  creation, split per session into reading the weights, onnxruntime-web's
 *                  InferenceSession.create and the first run; reported for the ViT-B/16, B/32
 *                  and L/14 shapes (random f32 weights)
 *   ratio          three rounds of N interleaved plain/decomposition runs (B/16), absolute medians
 *                  beside each ratio
 *
 *   node --import tsx scripts/bench/engine.browser.bench.ts [--runs 10] [--shapes vit-b16-shaped,vit-b32-shaped,vit-l14-shaped]
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openHarness } from '../../e2e/lib/harness.ts';
import type { SessionCreationTiming } from '../../src/api/explorer.ts';
import { checkpointFiles, fmtMiB, fmtMs, median, pidsMatching, rssSampler, shapedCheckpoint, type ShapedCheckpoint } from './common.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

const describeSessions = (sessions: SessionCreationTiming[]) =>
  sessions
    .map((s) => `${s.graph}: read ${fmtMiB(s.weightBytes)} ${fmtMs(s.readMs)}, create ${fmtMs(s.createMs)}, first run ${s.firstRunMs === undefined ? '-' : fmtMs(s.firstRunMs)}`)
    .join('; ');

async function benchShape(shape: ShapedCheckpoint, runs: number, rounds: number) {
  const { dir } = await shapedCheckpoint(shape);
  const files = checkpointFiles(dir).map((name) => ({ name, url: `/model/${name}`, size: statSync(join(dir, name)).size }));
  const h = await openHarness({ '/model/': dir });
  const mem = rssSampler(() => pidsMatching('chromium'));
  try {
    const isolated = await h.page.evaluate(() => window.harness.crossOriginIsolated());
    if (!isolated) throw new Error('the bench page is not cross-origin isolated: WASM would run on one thread');
    const r = await h.page.evaluate((req) => window.harness.benchEngine(req), { files, runs, rounds, tokenLayersFromEnd: 4 });
    if (r.runtime.provider !== 'wasm' || r.runtime.threads !== 2) throw new Error(`unexpected runtime ${JSON.stringify(r.runtime)}`);
    const firstResultMs = r.loadMs + r.decompFirstMs;
    console.log(`[chromium] ${shape}: model chosen -> first image decomposed ${fmtMs(firstResultMs)} (goal ≤ 3 s for B/16) = model load ${fmtMs(r.loadMs)} + first decomposition incl. session ${fmtMs(r.decompFirstMs)}; then the first plain run incl. its session ${fmtMs(r.plainFirstMs)}`);
    console.log(`[chromium] ${shape} sessions: ${describeSessions(r.sessions)}`);
    const roundMedians = r.rounds.map((x) => ({ plainMs: median(x.plainMs), decompositionMs: median(x.decompositionMs), ratio: median(x.decompositionMs) / median(x.plainMs) }));
    for (const [i, x] of roundMedians.entries()) {
      console.log(`[chromium] ${shape} round ${i + 1}/${rounds}: plain ${fmtMs(x.plainMs)}, decomposition ${fmtMs(x.decompositionMs)} (medians of ${runs}, interleaved), ratio ${x.ratio.toFixed(3)} (goal ≤ 1.15)`);
    }
    return { runtime: r.runtime, loadMs: r.loadMs, firstResultMs, firstRunMs: { decomposition: r.decompFirstMs, plain: r.plainFirstMs }, sessions: r.sessions, rounds: roundMedians, peakChromiumRssBytes: mem.peak() };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${h.consoleLines.slice(-20).join('\n')}`);
  } finally {
    mem.stop();
    await h.close();
  }
}

export async function benchEngineBrowser(runs = Number(arg('runs', '10')), shapes = arg('shapes', 'vit-b16-shaped,vit-b32-shaped,vit-l14-shaped').split(',') as ShapedCheckpoint[]) {
  const result: Record<string, unknown> = { runtime: 'Chromium onnxruntime-web wasm, 2 threads' };
  for (const shape of shapes) {
    // the ratio is the B/16 figure; the other shapes report their first result only
    try {
      const r = await benchShape(shape, runs, shape === 'vit-b16-shaped' ? 3 : 0);
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
