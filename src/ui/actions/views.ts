/**
 * The view refreshes: each asks the worker for one view's small result and writes it into the
 * store; a per-view ticket keeps only the latest answer when requests overlap.
 */
import type { Heatmap, SegmentationResult, Top5 } from '../../api/explorer.ts';
import { measureStep } from '../../api/stepTimings.ts';
import { explainError } from '../lib/errors.ts';
import { IncrementalView } from '../lib/incrementalView.ts';
import type { AppState } from '../store.ts';
import { modelWorker } from '../workerClient.ts';
import { fail, store, ticket } from './feedback.ts';

export async function refreshGrid(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('grid');
  const { mode, prompt } = s.view;
  const ready = s.images.filter((i) => i.status === 'ready');
  if (!s.model || ready.length === 0 || (mode === 'prompt' && !prompt) || (mode === 'variance' && ready.length < 2) || !s.selectedImage) {
    s.set({ grid: undefined });
    return;
  }
  try {
    const grid = await modelWorker().headGrid({ mode, imageId: s.selectedImage, ...(mode === 'prompt' ? { prompt } : {}) });
    if (isLatest()) store.getState().set({ grid });
  } catch (err) {
    if (isLatest()) fail(err, 'analysis', '(head grid)');
  }
}

export async function refreshHeadDetail(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('head');
  const head = s.view.head;
  const ready = s.images.filter((i) => i.status === 'ready');
  if (!s.model || !head || ready.length === 0) {
    s.set({ headDetail: undefined });
    return;
  }
  const { layer, head: h } = head;
  const api = modelWorker();
  const keep = s.headDetail?.layer === layer && s.headDetail.head === h ? s.headDetail : { layer, head: h };
  s.set({ headDetail: keep });
  try {
    const prompt = s.model.summary.text && s.view.prompt ? s.view.prompt : undefined;
    const [textspan, topImages, similarImages] = await Promise.all([
      s.pool ? api.headTextspan(layer, h, { m: 10 }) : Promise.resolve(undefined),
      api.headTopImages(layer, h, 6, prompt),
      s.selectedImage ? api.headSimilarImages(layer, h, s.selectedImage, 6) : Promise.resolve(undefined),
    ]);
    // the token map follows the prompt, or the head's own first description when there is none
    const probe = s.view.prompt || textspan?.texts[0]?.text;
    const tokenMap = probe && s.selectedImage ? await api.headTokenMap(s.selectedImage, layer, h, probe) : undefined;
    const rankedBy = prompt ? `⟨head term, “${prompt}”⟩` : '‖head term‖';
    if (isLatest()) store.getState().set({ headDetail: { layer, head: h, textspan, topImages, rankedBy, similarImages, tokenMap } });
  } catch (err) {
    if (isLatest()) store.getState().set({ headDetail: { layer, head: h, error: explainError(err, 'analysis').detail } });
  }
}

/** heatmaps, segmentations and top-5 are per image: kept incrementally (see IncrementalView) */
const heatmapView = new IncrementalView<Heatmap>();
const segmentationView = new IncrementalView<SegmentationResult>();
const top5View = new IncrementalView<Top5>();

/** a stable number per object (the loaded model, the label set): a new one starts a view over */
const identities = new WeakMap<object, number>();
let nextIdentity = 1;
function identity(o: object | undefined): number {
  if (!o) return 0;
  let n = identities.get(o);
  if (n === undefined) identities.set(o, (n = nextIdentity++));
  return n;
}

const readyIds = (s: AppState): string[] => s.images.filter((i) => i.status === 'ready').map((i) => i.id);

/** asks the worker for the images a view lacks (one call, however many images are loaded) and stores the answer */
async function refreshIncremental<T>(view: IncrementalView<T>, key: string, ids: string[], request: (ids: string[]) => Promise<T[]>, write: (all: Record<string, T>) => void): Promise<void> {
  const plan = view.plan(key, ids);
  if (plan.ids.length === 0) return;
  try {
    const all = view.receive(plan, await request(plan.ids));
    if (all) write(all);
  } catch (err) {
    view.failed(plan);
    throw err;
  }
}

/** the worker round trip of a heatmaps request, as the measure 'heatmaps:worker-call' (src/api/stepTimings.ts) */
async function timedHeatmaps<T>(call: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await call();
  measureStep('heatmaps:worker-call', t0);
  return out;
}

export async function refreshHeatmaps(): Promise<void> {
  const s = store.getState();
  const prompts = [s.view.prompt, ...s.view.contrast].map((p) => p.trim()).filter(Boolean);
  const ready = readyIds(s);
  if (!s.model?.summary.text || prompts.length === 0 || ready.length === 0) {
    heatmapView.reset();
    segmentationView.reset();
    s.set({ heatmaps: {}, segmentations: {} });
    return;
  }
  const api = modelWorker();
  const model = identity(s.model);
  const req = { prompts, contrastive: prompts.length > 1, ...(s.view.heads ? { heads: s.view.heads } : {}) };
  if (!s.showSegmentation) {
    segmentationView.reset();
    s.set({ segmentations: {} });
  }
  try {
    await Promise.all([
      refreshIncremental(heatmapView, JSON.stringify([model, req, s.ablationCanonical]), ready, (ids) => timedHeatmaps(() => api.heatmaps(req, ids)), (heatmaps) => store.getState().set({ heatmaps })),
      s.showSegmentation
        ? refreshIncremental(segmentationView, JSON.stringify([model, prompts[0]]), ready, (ids) => api.segmentations(ids, prompts[0]), (segmentations) => store.getState().set({ segmentations }))
        : undefined,
    ]);
  } catch (err) {
    fail(err, 'analysis', '(heatmap)');
  }
}

export async function refreshTop5(): Promise<void> {
  const s = store.getState();
  const ready = readyIds(s);
  if (!s.model || !s.labels || ready.length === 0) {
    top5View.reset();
    return;
  }
  // mean-ablation replaces parts by their mean over the loaded images: a new image changes every
  // image's ablated top-5, so with an ablation set the key holds the image set
  const key = JSON.stringify([identity(s.model), identity(s.labels), s.ablationCanonical, s.ablationCanonical ? ready : []]);
  try {
    await refreshIncremental(top5View, key, ready, (ids) => modelWorker().topClasses(ids, 5), (top5) => store.getState().set({ top5 }));
  } catch (err) {
    fail(err, 'analysis', '(top-5)');
  }
}

export async function refreshLayerEffects(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('layers');
  if (!s.model || !s.selectedImage || !s.images.some((i) => i.id === s.selectedImage && i.status === 'ready')) {
    s.set({ layerEffects: undefined });
    return;
  }
  try {
    const e = await modelWorker().layerEffects(s.selectedImage, s.view.prompt || undefined);
    if (isLatest()) store.getState().set({ layerEffects: e });
  } catch (err) {
    if (isLatest()) fail(err, 'analysis', '(layer effects)');
  }
}
