/**
 * The shareable part of the view, kept in the page URL's query string:
 * `?model=demo&head=L3.H7&prompt=a+dog&prompts=cat|dog&ablate=L4.H3,mlp&mode=prompt&view=heads`.
 * Decoding is forgiving (unknown or malformed fields are dropped, never thrown); encoding writes
 * only fields that differ from the defaults, so the plain URL means the default view.
 */
import type { HeadGridMode } from '../../api/explorer.ts';
import { headLabel } from '../../analysis/partNames.ts';

export const VIEWS = ['heads', 'prompt', 'layers'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface ViewState {
  /** 'demo', a stored model id, or '' when a local folder is loaded (not shareable) */
  model: string;
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
}

export const DEFAULT_VIEW: ViewState = {
  model: '',
  view: 'heads',
  mode: 'norm',
  head: null,
  prompt: '',
  contrast: [],
  ablate: '',
  heads: '',
};

const MODES: readonly HeadGridMode[] = ['norm', 'prompt', 'variance'];
const HEAD_RE = /^L(\d{1,3})\.H(\d{1,3})$/;
/** '|' separates contrast prompts; a literal '|' in a prompt is rare enough to drop */
const LIST_SEP = '|';

export function encodeViewState(state: ViewState): string {
  const q = new URLSearchParams();
  if (state.model) q.set('model', state.model);
  if (state.view !== DEFAULT_VIEW.view) q.set('view', state.view);
  if (state.mode !== DEFAULT_VIEW.mode) q.set('mode', state.mode);
  if (state.head) q.set('head', headLabel(state.head.layer, state.head.head));
  if (state.prompt) q.set('prompt', state.prompt);
  const contrast = state.contrast.map((p) => p.replaceAll(LIST_SEP, ' ').trim()).filter(Boolean);
  if (contrast.length) q.set('contrast', contrast.join(LIST_SEP));
  if (state.ablate) q.set('ablate', state.ablate);
  if (state.heads) q.set('heads', state.heads);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function decodeViewState(search: string): ViewState {
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const out: ViewState = { ...DEFAULT_VIEW, contrast: [] };
  const model = q.get('model');
  if (model && /^[\w.\-/:@]{1,200}$/.test(model)) out.model = model;
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
  return out;
}
