/**
 * Plain forward vs decomposition of the ViT-B/16-shaped checkpoint in headless Chromium through
 * the app's worker: onnxruntime-web WASM, 2 threads, cross-origin isolation asserted. Prints medians
 * of N runs, their ratio, model load time and the peak resident memory of all Chromium processes.
 *
 *   node --import tsx scripts/bench/engine.browser.bench.ts [--runs 10]
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openHarness } from '../../e2e/lib/harness.ts';
import { checkpointFiles, fmtMiB, fmtMs, median, pidsMatching, rssSampler, vitB16Checkpoint } from './common.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

export async function benchEngineBrowser(runs = arg('runs', 10)) {
  const { dir } = await vitB16Checkpoint();
  const files = checkpointFiles(dir).map((name) => ({ name, url: `/model/${name}`, size: statSync(join(dir, name)).size }));
  const h = await openHarness({ '/model/': dir });
  const mem = rssSampler(() => pidsMatching('chromium'));
  try {
    const isolated = await h.page.evaluate(() => window.harness.crossOriginIsolated());
    if (!isolated) throw new Error('the bench page is not cross-origin isolated: WASM would run on one thread');
    const r = await h.page.evaluate((req) => window.harness.benchEngine(req), { files, runs, tokenLayersFromEnd: 4 });
    if (r.runtime.provider !== 'wasm' || r.runtime.threads !== 2) throw new Error(`unexpected runtime ${JSON.stringify(r.runtime)}`);
    const result = {
      runtime: `Chromium onnxruntime-web wasm, ${r.runtime.threads} threads, crossOriginIsolated=${r.runtime.crossOriginIsolated}`,
      runs,
      modelLoadMs: r.loadMs,
      firstRunMs: { plain: r.plainFirstMs, decomposition: r.decompFirstMs },
      plainMs: median(r.plainMs),
      decompositionMs: median(r.decompositionMs),
      ratio: median(r.decompositionMs) / median(r.plainMs),
      peakChromiumRssBytes: mem.peak(),
    };
    console.log(`[chromium] ${result.runtime}: plain ${fmtMs(result.plainMs)}, decomposition ${fmtMs(result.decompositionMs)} (median of ${runs}), ratio ${result.ratio.toFixed(3)}`);
    console.log(`[chromium] model load (header + configs) ${fmtMs(r.loadMs)}; first plain run incl. session ${fmtMs(r.plainFirstMs)}, first decomposition incl. session ${fmtMs(r.decompFirstMs)}; peak RSS of all Chromium processes ${fmtMiB(result.peakChromiumRssBytes)}`);
    return result;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${h.consoleLines.slice(-20).join('\n')}`);
  } finally {
    mem.stop();
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEngineBrowser();
