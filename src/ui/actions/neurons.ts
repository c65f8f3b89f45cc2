/**
 * The Neurons view (METHOD §9) and "Explain this image" (METHOD §10): each refresh asks the worker
 * for one small summary (a ranking, a neuron's panel and token map, a few picked texts) and writes
 * it into the store; a per-view ticket keeps only the latest answer when requests overlap.
 */
import { headLabel } from '../../analysis/partNames.ts';
import type { Progress } from '../../api/explorer.ts';
import { explainError } from '../lib/errors.ts';
import type { AppState } from '../store.ts';
import { modelWorker, progressProxy } from '../workerClient.ts';
import { store, ticket } from './feedback.ts';

/** the layer the Neurons view shows: the URL's, else the last layer with neuron effects (L − 2) */
export function shownNeuronLayer(s: Pick<AppState, 'view' | 'model'>): number | undefined {
  const layers = s.model?.summary.vision.layers;
  if (!layers || layers < 2) return undefined;
  return s.view.neuronLayer ?? layers - 2;
}

/** why a layer has no neuron view, or undefined when it has one */
export function neuronLayerProblem(layer: number, layers: number): string | undefined {
  if (layer === layers - 1) return `Layer ${layer} is the last layer: no later attention heads carry its neurons’ effects to the class token (METHOD §9). Pick a layer 0–${layers - 2}.`;
  if (layer < 0 || layer > layers - 2) return `The model has no layer ${layer} with neuron effects: pick a layer 0–${layers - 2}.`;
  return undefined;
}

const readyIds = (s: AppState): string[] => s.images.filter((i) => i.status === 'ready').map((i) => i.id);

/** ranks the shown layer's neurons by mean ‖φ_n‖ over the loaded images (computing their effects first) */
export async function refreshNeuronRanking(): Promise<void> {
  const s = store.getState();
  if (s.view.view !== 'neurons') return;
  const isLatest = ticket('neuron-ranking');
  const layer = shownNeuronLayer(s);
  const ready = readyIds(s);
  if (!s.model || layer === undefined || ready.length === 0) {
    s.set({ neuronRanking: undefined, neuronRankingError: undefined, neuronProgress: undefined });
    return;
  }
  const problem = neuronLayerProblem(layer, s.model.summary.vision.layers);
  if (problem) {
    s.set({ neuronRanking: undefined, neuronRankingError: problem, neuronProgress: undefined });
    return;
  }
  // the old ranking stays on screen while another layer or a new image is computed; the view says which layer it shows
  s.set({ neuronRankingError: undefined });
  const onProgress = progressProxy((p: Progress) => {
    if (!isLatest()) return;
    // one store update per report: the view's indicator and the page's progress bar together
    store.getState().set({ neuronProgress: { ...p, layer }, progress: { label: `neuron effects of layer ${layer}`, done: p.done, total: p.total, unit: 'items' } });
  });
  try {
    const ranking = await modelWorker().neuronRanking(layer, onProgress);
    if (isLatest()) store.getState().set({ neuronRanking: ranking });
  } catch (err) {
    if (isLatest()) store.getState().set({ neuronRanking: undefined, neuronRankingError: explainError(err, 'analysis').detail });
  } finally {
    if (isLatest()) store.getState().set({ neuronProgress: undefined, progress: undefined });
  }
}

/** the picked neuron: its words and top images (neuronPanel), and its token map on the selected image */
export async function refreshNeuronDetail(): Promise<void> {
  const s = store.getState();
  if (s.view.view !== 'neurons') return;
  const isLatest = ticket('neuron-detail');
  const layer = shownNeuronLayer(s);
  const neuron = s.view.neuron;
  // the panel waits for the ranking of its layer: both need the layer's effects, computed once
  if (!s.model || layer === undefined || neuron === null || s.neuronRanking?.layer !== layer) {
    if (neuron === null || layer !== s.neuronDetail?.layer) s.set({ neuronDetail: undefined });
    return;
  }
  const same = s.neuronDetail?.layer === layer && s.neuronDetail.neuron === neuron;
  s.set({ neuronDetail: same ? s.neuronDetail : { layer, neuron } });
  const api = modelWorker();
  const prompt = s.model.summary.text && s.view.prompt.trim() ? s.view.prompt.trim() : undefined;
  const selected = s.images.find((i) => i.id === s.selectedImage && i.status === 'ready')?.id;
  try {
    const [panel, tokenMap] = await Promise.all([api.neuronPanel(layer, neuron), selected ? api.neuronTokenMap(selected, layer, neuron, prompt) : Promise.resolve(undefined)]);
    const probe = prompt ? ({ kind: 'prompt', prompt } as const) : ({ kind: 'direction' } as const);
    if (isLatest()) store.getState().set({ neuronDetail: { layer, neuron, panel, tokenMap, probe } });
  } catch (err) {
    if (isLatest()) store.getState().set({ neuronDetail: { layer, neuron, error: explainError(err, 'analysis').detail } });
  }
}

/** "Explain this image": the pool texts METHOD §10 picks for the selected image's embedding and the selected head's term */
export async function refreshExplanations(): Promise<void> {
  const s = store.getState();
  if (s.view.view !== 'heads') return;
  const isLatest = ticket('explain');
  const imageId = s.images.find((i) => i.id === s.selectedImage && i.status === 'ready')?.id;
  if (!s.model?.summary.text || !s.pool || !imageId) {
    s.set({ explanation: undefined });
    return;
  }
  const head = s.view.head;
  const api = modelWorker();
  try {
    const [embedding, headTerm] = await Promise.all([api.explainImage(imageId, 'embedding'), head ? api.explainImage(imageId, headLabel(head.layer, head.head)) : Promise.resolve(undefined)]);
    if (isLatest()) store.getState().set({ explanation: { imageId, embedding, head: headTerm } });
  } catch (err) {
    if (isLatest()) store.getState().set({ explanation: { imageId, error: explainError(err, 'analysis').detail } });
  }
}
