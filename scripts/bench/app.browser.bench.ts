/**
 * The built explorer app with the ViT-B/16-shaped checkpoint in headless Chromium (onnxruntime-web
 * WASM, 2 threads, cross-origin isolated), driven as a user would:
 *
 *   model load        choosing the model folder -> the model panel shows it (headers, configs, graphs)
 *   decomposition     dropping 3 photos as soon as the model is shown, while the built-in text sets
 *                        are embedded -> each one listed ready (the first includes session creation)
 *   text sets         model shown -> the real label set and TEXTSPAN pool of public/data (494
 *                        classes x 16 templates, 3,926 descriptions) embedded, in the background
 *   prompt -> redraw  the Enter key that commits a prompt -> the last heatmap canvas drawn with the
 *                        new map (median of N; a new prompt includes encoding it, a repeated one is
 *                        served from the text-embedding cache), and typing without Enter (the input
 *                        event, through the prompt box's 300 ms debounce); with the 3 photos, then
 *                        with 24 images (21 synthetic ones added); beside each, the medians of its
 *                        steps, from the User Timing measures the page and the model worker record
 *                        (src/api/stepTimings.ts) and the canvas draws
 *
 *   node --import tsx scripts/bench/app.browser.bench.ts [--runs 10] [--small-text-sets] [--per-run]
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { dispatchDrop, dropFiles, openApp, stageDrop } from '../../e2e/lib/app.ts';
import { hasShared, sharedPath } from '../../src/testkit/shared.ts';
import { BENCH_DIR, descendantsCpuMs, fmtMs, median, vitB16Checkpoint } from './common.ts';
import { syntheticPhoto } from './mainThread.browser.bench.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const PHOTOS = ['chelsea.png', 'coffee.png', 'astronaut.png'];
const GALLERY = join(import.meta.dirname, '..', '..', 'public', 'gallery');
const NEW_PROMPTS = [
  'a photo of a cat', 'a cup of coffee', 'an astronaut', 'a red apple', 'the night sky', 'a wooden table', 'a dog on grass', 'a city street',
  'a bowl of soup', 'a blue car', 'a mountain lake', 'a person smiling', 'a yellow flower', 'a computer screen', 'an old building', 'a sandy beach',
];

/**
 * Page hooks: 2 hardware threads (so the app asks for 2 WASM threads on any machine), the time of
 * every Enter keydown and input event, and of every drawImage onto a heatmap canvas with the map it shows.
 */
const INIT_SCRIPT = `
Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 2 });
window.benchHooks = { enterAt: 0, inputAt: 0, dropAt: 0, draws: [] };
window.addEventListener('drop', () => { window.benchHooks.dropAt = performance.now(); }, true);
document.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.benchHooks.enterAt = e.timeStamp; }, true);
document.addEventListener('input', (e) => { window.benchHooks.inputAt = e.timeStamp; }, true);
const drawImage = CanvasRenderingContext2D.prototype.drawImage;
CanvasRenderingContext2D.prototype.drawImage = function (...args) {
  const c = this.canvas;
  if (c && c.getAttribute && c.getAttribute('data-testid') === 'heatmap') {
    window.benchHooks.draws.push({ t: performance.now(), image: c.getAttribute('data-image'), values: c.getAttribute('data-values') });
  }
  return drawImage.apply(this, args);
};
`;

interface Hooks {
  enterAt: number;
  inputAt: number;
  /** the drop event (the bench's decoding of the files before it is not the app's time) */
  dropAt: number;
  draws: { t: number; image: string; values: string }[];
}

function photo(name: string): { name: string; type: string; base64: string } {
  const path = hasShared() ? sharedPath('data', 'images', 'photos', name) : join(GALLERY, name);
  return { name, type: name.endsWith('.png') ? 'image/png' : 'image/jpeg', base64: readFileSync(path).toString('base64') };
}

const heatmapValues = (page: Page) =>
  page.locator('[data-testid="heatmap"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-image')}:${e.getAttribute('data-values')}`));

/** a User Timing measure (src/api/stepTimings.ts) on the page's clock: milliseconds since its timeOrigin */
interface Measure {
  name: string;
  start: number;
  end: number;
  /** which graph (onnxruntime calls) */
  detail?: string;
}

/**
 * workers that did not answer an evaluate: onnxruntime's WASM threads (workers of the same script,
 * parked in Atomics.wait, so an evaluate there never returns); asked once, then skipped
 */
const silentWorkers = new WeakSet<Worker>();

/** `worker.evaluate(fn)`, or [] (and the worker marked silent) when it has not answered within 3 s */
function evaluateOrSkip<T>(worker: Worker, fn: () => T[]): Promise<T[]> {
  if (silentWorkers.has(worker)) return Promise.resolve([]);
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<T[]>((resolve) => {
    timer = setTimeout(() => (silentWorkers.add(worker), resolve([])), 3_000);
  });
  const answer = worker.evaluate(fn).catch(() => [] as T[]);
  return Promise.race([answer.finally(() => clearTimeout(timer)), silent]);
}

/** the measures every thread (page and workers) recorded since the last call, on the page's clock; clears them */
async function takeMeasures(page: Page): Promise<Measure[]> {
  const read = () => {
    const origin = performance.timeOrigin;
    const out = (performance.getEntriesByType('measure') as PerformanceMeasure[]).map((e) => ({
      name: e.name,
      start: origin + e.startTime,
      end: origin + e.startTime + e.duration,
      ...(typeof e.detail === 'string' ? { detail: e.detail } : {}),
    }));
    performance.clearMeasures();
    return out;
  };
  const pageOrigin = await page.evaluate(() => performance.timeOrigin);
  const all = (await Promise.all([page.evaluate(read), ...page.workers().map((w) => evaluateOrSkip(w, read))])).flat();
  return all.map((m) => ({ ...m, start: m.start - pageOrigin, end: m.end - pageOrigin }));
}

/** one prompt change: end to end, and its steps (ms) */
interface Redraw {
  ms: number;
  steps: Record<string, number>;
}

/**
 * The steps of a prompt change, from its measures and the canvas draws, in order: each a
 * duration in ms (the sums of repeated ones, e.g. two text-tower runs).
 */
function redrawSteps(measures: Measure[], start: number, draws: number[]): Record<string, number> {
  const sum = (name: string) => measures.filter((m) => m.name === name).reduce((s, m) => s + m.end - m.start, 0);
  const last = (name: string) => measures.filter((m) => m.name === name).at(-1);
  const total = last('heatmaps:total');
  const call = last('heatmaps:worker-call');
  const steps: Record<string, number> = {};
  if (call) steps['Enter -> request sent (React)'] = call.start - start;
  if (call && total) steps['request -> worker starts'] = total.start - call.start;
  for (const name of ['heatmaps:text', 'text:store-get', 'ort:wait', 'ort:run', 'text:store-put', 'heatmaps:projections', 'heatmaps:probe', 'heatmaps:cells', 'heatmaps:maps']) steps[name.startsWith('heatmaps:') ? name : `  ${name}`] = sum(name);
  if (call && total) steps['worker ends -> answer on main thread'] = call.end - total.end;
  if (call && draws.length) steps['answer -> first canvas drawn'] = Math.min(...draws) - call.end;
  if (draws.length) steps['first -> last canvas drawn'] = Math.max(...draws) - Math.min(...draws);
  steps['  drawing (sum of the canvas draws)'] = sum('heatmaps:canvas-draw');
  return steps;
}

/**
 * Commits `prompt` (Enter, or only typing when `viaEnter` is false) and returns the milliseconds
 * from that event to the last heatmap canvas drawn with its new map, with the steps between.
 */
async function promptToRedraw(page: Page, prompt: string, viaEnter: boolean, images: number): Promise<Redraw> {
  if ((await page.inputValue('[data-testid="prompt-input"]')) === prompt) throw new Error(`'${prompt}' is already the prompt: nothing would be redrawn`);
  const before = await heatmapValues(page);
  await page.evaluate(() => {
    const h = (window as unknown as { benchHooks: Hooks }).benchHooks;
    h.draws.length = 0;
  });
  await takeMeasures(page);
  await page.fill('[data-testid="prompt-input"]', prompt);
  if (viaEnter) await page.press('[data-testid="prompt-input"]', 'Enter');
  await page.waitForFunction(
    ({ before, images }) => {
      const els = Array.from(document.querySelectorAll('[data-testid="heatmap"]'));
      if (els.length !== images) return false;
      const draws = (window as unknown as { benchHooks: Hooks }).benchHooks.draws;
      // every canvas shows a new map and has been drawn with it
      return els.every((e) => {
        const v = e.getAttribute('data-values');
        return v && !before.includes(`${e.getAttribute('data-image')}:${v}`) && draws.some((d) => d.image === e.getAttribute('data-image') && d.values === v);
      });
    },
    { before, images },
    { timeout: 120_000, polling: 'raf' },
  );
  const { start, draws } = await page.evaluate((viaEnter) => {
    const h = (window as unknown as { benchHooks: Hooks }).benchHooks;
    const current = new Map(Array.from(document.querySelectorAll('[data-testid="heatmap"]'), (e) => [e.getAttribute('data-image'), e.getAttribute('data-values')]));
    return { start: viaEnter ? h.enterAt : h.inputAt, draws: h.draws.filter((d) => current.get(d.image) === d.values).map((d) => d.t) };
  }, viaEnter);
  const measures = (await takeMeasures(page)).filter((m) => m.start >= start);
  return { ms: Math.max(...draws) - start, steps: redrawSteps(measures, start, draws) };
}

/** the median of each step over runs */
function stepMedians(runs: Redraw[]): Record<string, number> {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.steps)))];
  return Object.fromEntries(names.map((n) => [n.trim(), median(runs.map((r) => r.steps[n] ?? 0))]));
}

/** the median of each step over runs, as aligned lines */
function stepTable(runs: Redraw[]): string {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.steps)))];
  return names.map((n) => `[app]     ${n.padEnd(40)} ${fmtMs(median(runs.map((r) => r.steps[n] ?? 0))).padStart(10)}`).join('\n');
}

const stage = (text: string) => console.error(`[app] ${text}`);

/** of two cached prompts, the one the prompt box does not show now (so each change redraws), whatever `--runs` left there */
async function otherOf(page: Page, two: readonly [string, string]): Promise<string> {
  const current = await page.inputValue('[data-testid="prompt-input"]');
  return current === two[0] ? two[1] : two[0];
}

export async function benchAppBrowser(runs = arg('runs', 10)) {
  const { dir } = await vitB16Checkpoint();
  // public/data is served as built: the real label set and description pool are embedded
  // (--small-text-sets serves /data/ empty, so the app's small fallback sets are: a quick check of the bench)
  const small = process.argv.includes('--small-text-sets');
  const emptyData = join(BENCH_DIR, 'empty-data');
  if (small) mkdirSync(emptyData, { recursive: true });
  const app = await openApp('?runtime=wasm', { initScript: INIT_SCRIPT, ...(small ? { mounts: { '/data/': emptyData } } : {}) });
  const { page } = app;
  try {
    await page.waitForSelector('[data-testid="runtime"]', { timeout: 60_000 });
    const runtime = await page.locator('[data-testid="runtime"]').innerText();
    const isolated = await page.evaluate(() => crossOriginIsolated);
    if (!isolated || !/WASM · 2 threads/.test(runtime)) throw new Error(`expected WASM with 2 threads, cross-origin isolated; got '${runtime}', isolated=${isolated}`);

    stage(`${runtime}; loading the model folder ${dir}`);
    // model load: choosing the folder -> the model panel
    // the photos are made in the page before the timed span: a user's drop has no base64 to decode
    await stageDrop(page, PHOTOS.map(photo));
    await takeMeasures(page);
    const chosenOnPage = await page.evaluate(() => performance.now());
    const t0 = performance.now();
    await page.locator('section[aria-labelledby="model-h"] input[type="file"]').setInputFiles(dir);
    await page.waitForSelector('[data-testid="model"]', { timeout: 600_000 });
    const modelLoadMs = performance.now() - t0;
    const loadText = (await page.locator('[data-testid="model"] dd').last().innerText()).trim();
    stage(`model shown after ${fmtMs(modelLoadMs)}; dropping ${PHOTOS.length} photos while the built-in text sets are embedded`);
    const modelShownAt = performance.now();
    // text sets: embedded when the summary counts both and their status says done
    const textSetsDone = () =>
      Array.from(document.querySelectorAll('section[aria-labelledby="model-h"] summary')).some((e) => /\d+ classes, \d+ descriptions/.test(e.textContent ?? '')) &&
      document.querySelector('[data-testid="text-sets"]')?.getAttribute('data-state') === 'done';
    // decomposition per image: ready times of the three dropped photos
    await page.evaluate(() => {
      const w = window as unknown as { readyAt: Record<string, number> };
      w.readyAt = {};
      new MutationObserver(() => {
        for (const li of document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]')) {
          const name = li.getAttribute('data-name')!;
          w.readyAt[name] ??= performance.now();
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await dispatchDrop(page);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === n, PHOTOS.length, { timeout: 1_800_000 });
    const textSetsBeforeImages = await page.evaluate(textSetsDone);
    const { readyAt, dropAt } = await page.evaluate(() => {
      const w = window as unknown as { readyAt: Record<string, number>; benchHooks: Hooks };
      return { readyAt: w.readyAt, dropAt: w.benchHooks.dropAt };
    });
    const order = Object.entries(readyAt).sort((a, b) => a[1] - b[1]);
    const perImageMs = order.map(([name, t], i) => ({ name, ms: t - (i === 0 ? dropAt : order[i - 1][1]) }));
    const firstReadyOnPage = order[0][1];
    const timeline = (await takeMeasures(page)).filter((m) => m.name !== 'ort:wait' && m.end > chosenOnPage && m.start < firstReadyOnPage);
    stage(`steps between choosing the model and the first photo ready (ms after the choice; photos dropped at ${fmtMs(dropAt - chosenOnPage)}, first ready at ${fmtMs(firstReadyOnPage - chosenOnPage)}):`);
    for (const m of timeline.sort((a, b) => a.start - b.start)) stage(`  ${fmtMs(m.start - chosenOnPage).padStart(10)} ${m.name.padEnd(11)} ${fmtMs(m.end - m.start).padStart(10)}  ${m.detail ?? ''}`);
    stage(`decomposed: ${perImageMs.map((p) => fmtMs(p.ms)).join(', ')} (text sets ${textSetsBeforeImages ? 'already' : 'not yet'} embedded); waiting for the text sets`);
    await page.waitForFunction(textSetsDone, null, { timeout: 1_800_000, polling: 200 });
    const textSetsMs = performance.now() - modelShownAt;
    const textSets = (await page.locator('section[aria-labelledby="model-h"] summary').allInnerTexts()).find((t) => /classes/.test(t)) ?? '';

    stage(`text sets embedded ${fmtMs(textSetsMs)} after the model was shown (${textSets}); timing prompt changes`);
    // prompt -> redraw
    await page.click('[data-testid="tab-prompt"]');
    const promptRuns = async (images: number, prompts: readonly string[]) => {
      const newRuns: Redraw[] = [];
      let cpu = descendantsCpuMs();
      for (let i = 0; i < runs; i++) newRuns.push(await promptToRedraw(page, prompts[i % prompts.length], true, images));
      const newCpuMs = (descendantsCpuMs() - cpu) / runs;
      const cachedRuns: Redraw[] = [];
      cpu = descendantsCpuMs();
      for (let i = 0; i < runs; i++) cachedRuns.push(await promptToRedraw(page, await otherOf(page, [prompts[0], prompts[1]]), true, images));
      const cachedCpuMs = (descendantsCpuMs() - cpu) / runs;
      // the machine may be shared: the 1-minute load average when these timings end goes beside them
      return { newRuns, cachedRuns, newPrompt: newRuns.map((r) => r.ms), cachedPrompt: cachedRuns.map((r) => r.ms), newCpuMs, cachedCpuMs, load: loadavg()[0] };
    };
    const three = await promptRuns(PHOTOS.length, NEW_PROMPTS);
    // --per-run: each new-prompt change with its steps (medians hide which step made a slow run slow)
    if (process.argv.includes('--per-run')) {
      for (const r of three.newRuns) console.log(`[app]   run ${fmtMs(r.ms)}: ${Object.entries(r.steps).filter(([, v]) => v >= 0.05).map(([k, v]) => `${k.trim()} ${v.toFixed(1)}`).join(', ')}`);
    }
    const typed: number[] = [];
    // alternate between the two cached prompts, starting with the one not shown now
    for (let i = 0; i < Math.max(3, runs >> 1); i++) typed.push((await promptToRedraw(page, await otherOf(page, [NEW_PROMPTS[0], NEW_PROMPTS[1]]), false, PHOTOS.length)).ms);

    // 24 images: 21 synthetic photos more, then the same prompt timings with prompts not yet used
    const MANY = 24;
    stage(`adding ${MANY - PHOTOS.length} images for the ${MANY}-image prompt timings`);
    await dropFiles(page, Array.from({ length: MANY - PHOTOS.length }, (_, k) => syntheticPhoto(k)));
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="image-list"] li[data-status="ready"]').length === n, MANY, { timeout: 1_800_000 });
    const many = await promptRuns(MANY, NEW_PROMPTS.map((p) => `${p}, again`));

    const result = {
      runtime: `Chromium onnxruntime-web ${runtime}, crossOriginIsolated=${isolated}`,
      checkpoint: 'ViT-B/16-shaped (random weights, f32, OpenCLIP layout)',
      modelLoadMs,
      modelPanelLoad: loadText,
      textSetsMs,
      textSets,
      textSetsBeforeFirstImages: textSetsBeforeImages,
      firstDecompositionPerImageMs: perImageMs,
      promptToRedrawMs: {
        newPromptMedian: median(three.newPrompt),
        cachedPromptMedian: median(three.cachedPrompt),
        typedWithDebounceMedian: median(typed),
        newPrompt24Median: median(many.newPrompt),
        cachedPrompt24Median: median(many.cachedPrompt),
        runs,
        chromiumCpuMsPerChange: { newPrompt: three.newCpuMs, cachedPrompt: three.cachedCpuMs, newPrompt24: many.newCpuMs, cachedPrompt24: many.cachedCpuMs },
        stepMediansMs: { newPrompt: stepMedians(three.newRuns), cachedPrompt: stepMedians(three.cachedRuns), newPrompt24: stepMedians(many.newRuns), cachedPrompt24: stepMedians(many.cachedRuns) },
        loadAverage: { images3: three.load, images24: many.load },
        targetMs: { images3: 50, images24: 100 },
      },
    };
    const verdict = (ms: number, goal: number) => `${fmtMs(ms)} (goal < ${goal} ms: ${ms < goal ? 'met' : 'missed'})`;
    console.log(`[app] ${result.runtime}, ${result.checkpoint}`);
    console.log(`[app] model load (folder chosen -> model shown) ${fmtMs(modelLoadMs)} (panel: ${loadText})`);
    console.log(`[app] first decomposition per image, dropped as the model was shown (drop -> ready, in order): ${perImageMs.map((p) => `${p.name} ${fmtMs(p.ms)}`).join(', ')} (goal for the first ≤ 3 s: ${perImageMs[0].ms <= 3000 ? 'met' : 'missed'}); the text sets were ${textSetsBeforeImages ? 'already' : 'still being'} embedded then`);
    console.log(`[app] built-in text sets (${textSets}) embedded ${fmtMs(textSetsMs)} after the model was shown, in the background`);
    console.log(`[app] prompt change -> heatmaps redrawn, 3 images (median of ${runs}): new prompt ${verdict(median(three.newPrompt), 50)}, cached prompt ${fmtMs(median(three.cachedPrompt))}; typing without Enter (300 ms debounce) ${fmtMs(median(typed))}; load average then ${three.load.toFixed(1)}`);
    console.log(`[app]   Chromium CPU time per prompt change (all its processes, the bench's page polling included): new prompt ${fmtMs(three.newCpuMs)}, cached ${fmtMs(three.cachedCpuMs)}`);
    console.log(`[app]   steps, new prompt, 3 images (medians; indented: parts of the step above):\n${stepTable(three.newRuns)}`);
    console.log(`[app]   steps, cached prompt, 3 images (medians):\n${stepTable(three.cachedRuns)}`);
    console.log(`[app] prompt change -> heatmaps redrawn, ${MANY} images (median of ${runs}): new prompt ${verdict(median(many.newPrompt), 100)}, cached prompt ${fmtMs(median(many.cachedPrompt))}; load average then ${many.load.toFixed(1)}`);
    console.log(`[app]   Chromium CPU time per prompt change: new prompt ${fmtMs(many.newCpuMs)}, cached ${fmtMs(many.cachedCpuMs)}`);
    console.log(`[app]   steps, new prompt, ${MANY} images (medians):\n${stepTable(many.newRuns)}`);
    console.log(`[app]   steps, cached prompt, ${MANY} images (medians):\n${stepTable(many.cachedRuns)}`);
    return result;
  } catch (err) {
    await page.screenshot({ path: join(BENCH_DIR, 'app-bench-failure.png'), fullPage: true }).catch(() => {});
    const state = await page
      .evaluate(() => ({
        draws: (window as unknown as { benchHooks: Hooks }).benchHooks.draws.map((d) => `${d.image?.slice(0, 8)}:${d.values?.slice(0, 24)}`),
        canvases: Array.from(document.querySelectorAll('[data-testid="heatmap"]'), (e) => `${e.getAttribute('data-image')?.slice(0, 8)}:${e.getAttribute('data-values')?.slice(0, 24)}`),
      }))
      .catch(() => undefined);
    console.error(JSON.stringify(state));
    throw new Error(`${(err as Error).message}\n${app.consoleLines.slice(-20).join('\n')}`);
  } finally {
    await app.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchAppBrowser();
