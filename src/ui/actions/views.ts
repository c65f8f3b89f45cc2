/**
 * The view refreshes: each asks the worker for one view's small result and writes it into the
 * store; a per-view ticket keeps only the latest answer when requests overlap.
 */
import type { Heatmap, SegmentationResult, Top5 } from '../../api/explorer.ts';
import { explainError } from '../lib/errors.ts';
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

export async function refreshHeatmaps(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('heatmap');
  const prompts = [s.view.prompt, ...s.view.contrast].map((p) => p.trim()).filter(Boolean);
  const ready = s.images.filter((i) => i.status === 'ready');
  if (!s.model?.summary.text || prompts.length === 0 || ready.length === 0) {
    s.set({ heatmaps: {}, segmentations: {} });
    return;
  }
  const api = modelWorker();
  try {
    const heatmaps: Record<string, Heatmap> = {};
    const segmentations: Record<string, SegmentationResult> = {};
    // all requests go out at once: the worker runs them back to back without a round trip between
    await Promise.all(
      ready.map(async (img) => {
        const [map, seg] = await Promise.all([
          api.heatmap({ imageId: img.id, prompts, contrastive: prompts.length > 1, ...(s.view.heads ? { heads: s.view.heads } : {}) }),
          s.showSegmentation ? api.segmentation(img.id, prompts[0]) : Promise.resolve(undefined),
        ]);
        heatmaps[img.id] = map;
        if (seg) segmentations[img.id] = seg;
      }),
    );
    if (!isLatest()) return;
    store.getState().set({ heatmaps, segmentations });
  } catch (err) {
    if (isLatest()) fail(err, 'analysis', '(heatmap)');
  }
}

export async function refreshTop5(): Promise<void> {
  const s = store.getState();
  const isLatest = ticket('top5');
  const ready = s.images.filter((i) => i.status === 'ready');
  if (!s.model || !s.labels || ready.length === 0) return;
  try {
    const top5: Record<string, Top5> = {};
    for (const img of ready) top5[img.id] = await modelWorker().topClasses(img.id, 5);
    if (isLatest()) store.getState().set({ top5 });
  } catch (err) {
    if (isLatest()) fail(err, 'analysis', '(top-5)');
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
