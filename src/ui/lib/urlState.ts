/**
 * The shareable part of the view, kept in the page URL's query string:
 * `?model=openai/clip-vit-base-patch32@<commit>&images=astronaut.png|coffee.png&head=L3.H7&prompt=a+dog&ablate=L4.H3,mlp&mode=prompt&view=heads`.
 * The Neurons view adds `neuron=L9.N123` (its layer with it) or, with no neuron picked, `nlayer=9`.
 * Decoding is forgiving (unknown or malformed fields are dropped, never thrown); encoding writes
 * only fields that differ from the defaults, so the plain URL means the default view.
 */
import type { HeadGridMode } from '../../api/explorer.ts';
import { headLabel, neuronLabel } from '../../analysis/partNames.ts';

export const VIEWS = ['heads', 'prompt', 'layers', 'neurons'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface ViewState {
  /** 'demo', a hub model `owner/name@commit`, or '' when a local folder is loaded (not shareable) */
  model: string;
  /** gallery photos in the view (file names in public/gallery); dropped files are not shareable */
  images: string[];
  view: ViewName;
  mode: HeadGridMode;
  head: { layer: number; head: number } | null;
  /** the prompt of the heatmap and of the 'prompt' head-grid mode */
  prompt: string;
  /** extra prompts of contrastive mode (each map minus the mean over all prompts) */
  contrast: string[];
  /** ablation set in docs/ABLATION_SYNTAX.md form; '' = none */
  ablate: string;
  /** heads summed in the heatmap, ablation syntax; '' = all */
  heads: string;
  /** the MLP layer of the Neurons view; null = the view's default (the last layer with neuron effects) */
  neuronLayer: number | null;
  /** the neuron picked in that layer */
  neuron: number | null;
}

export const DEFAULT_VIEW: ViewState = {
  model: '',
  images: [],
  view: 'heads',
  mode: 'norm',
  head: null,
  prompt: '',
  contrast: [],
  ablate: '',
  heads: '',
  neuronLayer: null,
  neuron: null,
};

const MODES: readonly HeadGridMode[] = ['norm', 'prompt', 'variance'];
const HEAD_RE = /^L(\d{1,3})\.H(\d{1,3})$/;
/** a gallery file name: no folders, an image extension */
const GALLERY_FILE = /^[\w][\w.\-]{0,99}\.(png|jpe?g)$/i;
/** a hub model as links name it: `owner/name@commit` (40 hex, so the link always means the same weights) */
const HUB_MODEL = /^([\w][\w.\-]{0,95})\/([\w][\w.\-]{0,95})@([0-9a-f]{40})$/;

export type ModelRef = { kind: 'demo' } | { kind: 'hub'; repo: string; commit: string };

/** what the URL's `model` names: the demo, a hub model at a commit, or nothing loadable */
export function parseModelRef(model: string): ModelRef | null {
  if (model === 'demo') return { kind: 'demo' };
  const m = HUB_MODEL.exec(model);
  if (!m || m[1].includes('--') || m[2].includes('--') || `${m[1]}/${m[2]}`.includes('..')) return null;
  return { kind: 'hub', repo: `${m[1]}/${m[2]}`, commit: m[3] };
}

/** the link name of a stored model: its id `owner--name@commit` (storage.ts) with the first `--` as `/` (hub names never hold `--`) */
export function modelRefOfStoredId(id: string): string {
  return id.replace('--', '/');
}
const NEURON_RE = /^L(\d{1,3})\.N(\d{1,6})$/;
/** '|' separates contrast prompts; a literal '|' in a prompt is rare enough to drop */
const LIST_SEP = '|';

export function encodeViewState(state: ViewState): string {
  const q = new URLSearchParams();
  if (state.model) q.set('model', state.model);
  if (state.images.length) q.set('images', state.images.join(LIST_SEP));
  if (state.view !== DEFAULT_VIEW.view) q.set('view', state.view);
  if (state.mode !== DEFAULT_VIEW.mode) q.set('mode', state.mode);
  if (state.head) q.set('head', headLabel(state.head.layer, state.head.head));
  if (state.prompt) q.set('prompt', state.prompt);
  const contrast = state.contrast.map((p) => p.replaceAll(LIST_SEP, ' ').trim()).filter(Boolean);
  if (contrast.length) q.set('contrast', contrast.join(LIST_SEP));
  if (state.ablate) q.set('ablate', state.ablate);
  if (state.heads) q.set('heads', state.heads);
  if (state.neuronLayer !== null && state.neuron !== null) q.set('neuron', neuronLabel(state.neuronLayer, state.neuron));
  else if (state.neuronLayer !== null) q.set('nlayer', String(state.neuronLayer));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function decodeViewState(search: string): ViewState {
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const out: ViewState = { ...DEFAULT_VIEW, contrast: [], images: [] };
  const model = q.get('model');
  if (model && /^[\w.\-/:@]{1,200}$/.test(model)) out.model = model;
  out.images = [...new Set((q.get('images') ?? '').split(LIST_SEP).filter((f) => GALLERY_FILE.test(f)))].slice(0, 64);
  const view = q.get('view');
  if (view && (VIEWS as readonly string[]).includes(view)) out.view = view as ViewName;
  const mode = q.get('mode');
  if (mode && (MODES as readonly string[]).includes(mode)) out.mode = mode as HeadGridMode;
  const head = HEAD_RE.exec(q.get('head') ?? '');
  if (head) out.head = { layer: Number(head[1]), head: Number(head[2]) };
  out.prompt = (q.get('prompt') ?? '').slice(0, 500);
  out.contrast = (q.get('contrast') ?? '')
    .split(LIST_SEP)
    .map((p) => p.trim())
    .filter(Boolean)
    .slice(0, 16);
  out.ablate = (q.get('ablate') ?? '').slice(0, 2000);
  out.heads = (q.get('heads') ?? '').slice(0, 2000);
  const neuron = NEURON_RE.exec(q.get('neuron') ?? '');
  const nlayer = /^\d{1,3}$/.exec(q.get('nlayer') ?? '');
  if (neuron) [out.neuronLayer, out.neuron] = [Number(neuron[1]), Number(neuron[2])];
  else if (nlayer) out.neuronLayer = Number(nlayer[0]);
  return out;
}
