/**
 * The explorer: model and images on the left; the head grid, prompt heatmaps and layer views in
 * tabs; every long task behind a progress bar; the view kept in the URL.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ExecutionProvider } from '../api/types.ts';
import { applyAblation } from './actions/ablation.ts';
import { addImages } from './actions/images.ts';
import { startRuntime } from './actions/runtime.ts';
import { refreshExplanations, refreshNeuronDetail, refreshNeuronRanking } from './actions/neurons.ts';
import { openLinkedView } from './actions/sharedLink.ts';
import { refreshGrid, refreshHeadDetail, refreshHeatmaps, refreshLayerEffects, refreshTop5 } from './actions/views.ts';
import { HeadsView } from './components/HeadsView.tsx';
import { LinkOfferPanel } from './components/LinkOfferPanel.tsx';
import { ImagesPanel } from './components/ImagesPanel.tsx';
import { LayersView } from './components/LayersView.tsx';
import { Messages } from './components/Messages.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { NeuronsView } from './components/NeuronsView.tsx';
import { ProgressBar } from './components/ProgressBar.tsx';
import { PromptBar } from './components/PromptBar.tsx';
import { PromptView } from './components/PromptView.tsx';
import { filesFromDataTransfer, toUploads } from './lib/dropFiles.ts';
import { decodeViewState, encodeViewState, parseModelRef, VIEWS, type ViewName } from './lib/urlState.ts';
import { useAppStore } from './store.ts';

const TAB_LABELS: Record<ViewName, string> = { heads: 'Heads', prompt: 'Prompt heatmaps', layers: 'Layers & what-if', neurons: 'Neurons' };

function runtimeFromUrl(): ExecutionProvider | 'auto' {
  const r = new URLSearchParams(location.search).get('runtime');
  return r === 'wasm' || r === 'webgpu' ? r : 'auto';
}

/** `?precision=f16` opts into f16 compute on WebGPU */
function precisionFromUrl(): 'f32' | 'f16' {
  return new URLSearchParams(location.search).get('precision') === 'f16' ? 'f16' : 'f32';
}

/** keeps the URL equal to the view (replaceState: no history entry per keystroke) */
function useUrlSync(): void {
  const view = useAppStore((s) => s.view);
  // gallery photos in the view are part of what a link reproduces (dropped files cannot travel)
  const gallery = useAppStore((s) => s.images.filter((i) => i.gallery && i.status === 'ready').map((i) => i.gallery!).join('|'));
  // until a shared link's model and photos are in, the URL keeps naming them
  const offer = useAppStore((s) => s.linkOffer);
  useEffect(() => {
    // page settings that are not view state stay in the URL: runtime, precision, and the hub endpoint
    const page = new URLSearchParams(location.search);
    const kept = new URLSearchParams();
    for (const k of ['runtime', 'precision', 'hub']) if (page.get(k)) kept.set(k, page.get(k)!);
    const images = offer ? offer.images : gallery ? gallery.split('|') : [];
    const q = encodeViewState({ ...view, images, ...(offer ? { model: `${offer.repo}@${offer.commit}` } : {}) });
    const extra = kept.toString() ? `${q ? '&' : '?'}${kept}` : '';
    const next = `${location.pathname}${q}${extra}`;
    if (next !== `${location.pathname}${location.search}`) history.replaceState(null, '', next);
  }, [view, gallery, offer]);
}

/** re-asks the worker for each view when what it depends on changes */
function useRefreshes(): void {
  const fp = useAppStore((s) => s.model?.summary.fingerprint ?? '');
  const ready = useAppStore((s) => s.images.filter((i) => i.status === 'ready').map((i) => i.id).join('|'));
  const selected = useAppStore((s) => s.selectedImage ?? '');
  const { mode, prompt, contrast, heads, head } = useAppStore((s) => s.view);
  const ablation = useAppStore((s) => s.ablationCanonical);
  // the label set itself, not just whether there is one: a newly loaded set re-ranks top-5
  const labels = useAppStore((s) => s.labels);
  const hasPool = useAppStore((s) => Boolean(s.pool));
  const contrastKey = contrast.join('\n');
  const headKey = head ? `${head.layer}.${head.head}` : '';
  useEffect(() => void refreshGrid(), [fp, ready, selected, mode, prompt, ablation]);
  useEffect(() => void refreshHeadDetail(), [fp, ready, selected, headKey, prompt, hasPool]);
  useEffect(() => void refreshHeatmaps(), [fp, ready, prompt, contrastKey, heads, ablation]);
  useEffect(() => void refreshTop5(), [fp, ready, labels, ablation]);
  useEffect(() => void refreshLayerEffects(), [fp, selected, prompt, ablation]);
}

/**
 * The Neurons view's and "Explain this image"'s refreshes, in a component of their own so that their
 * answers (a ranking arriving) re-render only it, not the whole app. They ask only while their tab is
 * open: neuron effects cost a forward per image.
 */
function NeuronRefreshes(): null {
  const fp = useAppStore((s) => s.model?.summary.fingerprint ?? '');
  const ready = useAppStore((s) => s.images.filter((i) => i.status === 'ready').map((i) => i.id).join('|'));
  const selected = useAppStore((s) => s.selectedImage ?? '');
  const tab = useAppStore((s) => s.view.view);
  const neuronLayer = useAppStore((s) => s.view.neuronLayer);
  const neuron = useAppStore((s) => s.view.neuron);
  const prompt = useAppStore((s) => s.view.prompt);
  const headKey = useAppStore((s) => (s.view.head ? `${s.view.head.layer}.${s.view.head.head}` : ''));
  // the pool itself, not whether there is one: another pool changes the words and the explanations
  const pool = useAppStore((s) => s.pool);
  const selectedReady = useAppStore((s) => s.images.some((i) => i.id === s.selectedImage && i.status === 'ready'));
  const ranking = useAppStore((s) => s.neuronRanking);
  useEffect(() => void refreshNeuronRanking(), [fp, ready, tab, neuronLayer]);
  useEffect(() => void refreshNeuronDetail(), [fp, ranking, selected, selectedReady, tab, neuronLayer, neuron, prompt, pool]);
  // an explanation is of one image: other images coming and going leave it as it is
  useEffect(() => void refreshExplanations(), [fp, selected, selectedReady, tab, headKey, pool]);
  return null;
}

/** an ablation set from a shared URL is applied once the model and its first images are in */
function usePendingAblation(pending: string): void {
  const ready = useAppStore((s) => s.images.some((i) => i.status === 'ready'));
  const fp = useAppStore((s) => s.model?.summary.fingerprint);
  const [done, setDone] = useState(!pending);
  useEffect(() => {
    if (done || !fp || !ready) return;
    setDone(true);
    void applyAblation(pending);
  }, [done, fp, ready, pending]);
}

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState(() => localStorage.getItem('clipscope-theme') ?? 'auto');
  useEffect(() => {
    if (theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    localStorage.setItem('clipscope-theme', theme);
  }, [theme]);
  const next = () => setTheme((t) => (t === 'auto' ? 'dark' : t === 'dark' ? 'light' : 'auto'));
  return [theme, next];
}

function usePageDropAndPaste(): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overFn = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer || !hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      void filesFromDataTransfer(e.dataTransfer).then(toUploads).then(addImages);
    };
    const paste = (e: ClipboardEvent) => {
      const files = Array.from(e.clipboardData?.files ?? []);
      if (files.length === 0) return;
      e.preventDefault();
      void toUploads(files).then(addImages);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overFn);
    window.addEventListener('drop', drop);
    window.addEventListener('paste', paste);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('drop', drop);
      window.removeEventListener('paste', paste);
    };
  }, []);
  return over;
}

function Tabs() {
  const view = useAppStore((s) => s.view.view);
  const patchView = useAppStore((s) => s.patchView);
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = VIEWS.indexOf(view);
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const next = VIEWS[(i + d + VIEWS.length) % VIEWS.length];
    patchView({ view: next });
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="views" onKeyDown={onKey}>
      {VIEWS.map((v) => (
        <button key={v} id={`tab-${v}`} type="button" role="tab" aria-selected={view === v} aria-controls={`panel-${v}`} tabIndex={view === v ? 0 : -1} className={view === v ? 'on' : ''} onClick={() => patchView({ view: v })} data-testid={`tab-${v}`}>
          {TAB_LABELS[v]}
        </button>
      ))}
    </div>
  );
}

function RuntimeBadge() {
  const runtime = useAppStore((s) => s.runtime);
  if (!runtime) return <span className="badge muted">starting runtime…</span>;
  const gpu = `WebGPU${runtime.precision === 'f16' ? ' f16' : ''}`;
  const text = runtime.provider === 'webgpu' ? `${gpu}${runtime.adapter ? ` · ${runtime.adapter.description || 'adapter'}` : ''}` : `WASM · ${runtime.threads} thread${runtime.threads === 1 ? '' : 's'}`;
  return (
    <span className="badge" data-testid="runtime" data-provider={runtime.provider} data-precision={runtime.precision ?? 'f32'} title={runtime.fallbackReason ? `WebGPU not used: ${runtime.fallbackReason}` : undefined}>
      {text}
    </span>
  );
}

export function App() {
  const [initial] = useState(() => decodeViewState(location.search));
  const set = useAppStore((s) => s.set);
  const view = useAppStore((s) => s.view.view);
  const model = useAppStore((s) => s.model);
  const linkOffer = useAppStore((s) => s.linkOffer);
  const progress = useAppStore((s) => s.progress);
  const [theme, nextTheme] = useTheme();
  const dropping = usePageDropAndPaste();
  const [copied, setCopied] = useState(false);
  const started = useRef(false);

  useEffect(() => {
    // once per page (StrictMode runs effects twice in development)
    if (started.current) return;
    started.current = true;
    set({ view: { ...initial, ablate: '' } });
    void startRuntime(runtimeFromUrl(), precisionFromUrl()).then(() => openLinkedView(parseModelRef(initial.model), initial.images));
  }, [initial, set]);
  useUrlSync();
  useRefreshes();
  usePendingAblation(initial.ablate);

  return (
    <div className={`app${dropping ? ' dropping' : ''}`}>
      <header className="top">
        <div className="brand">
          <h1>clipscope</h1>
          <span className="muted small">what each CLIP head writes into the image embedding</span>
        </div>
        <div className="row">
          {model?.source.kind === 'demo' && (
            <span className="badge warn" title={model.source.warning} data-testid="demo-badge">
              demo · random weights · meaningless
            </span>
          )}
          <RuntimeBadge />
          <button
            type="button"
            className="button small"
            onClick={() => {
              void navigator.clipboard?.writeText(location.href).then(() => {
                setCopied(true);
                setTimeout(() => setCopied(false), 1500);
              });
            }}
            title="copy a link to this view (model, head, prompt, ablation set)"
          >
            {copied ? 'Link copied' : 'Share view'}
          </button>
          <button type="button" className="button small" onClick={nextTheme} aria-label={`colour theme: ${theme}`} title="theme: auto / dark / light">
            {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
          </button>
        </div>
      </header>
      <NeuronRefreshes />
      <ProgressBar progress={progress} />
      <Messages />
      <div className="layout">
        <aside className="sidebar">
          <ModelPanel />
          <ImagesPanel />
        </aside>
        <main className="main">
          <PromptBar />
          <Tabs />
          <div id={`panel-${view}`} role="tabpanel" aria-labelledby={`tab-${view}`} className="tabpanel">
            {!model && linkOffer ? (
              <LinkOfferPanel offer={linkOffer} />
            ) : !model ? (
              <div className="panel welcome">
                <h2>Open up a CLIP vision transformer</h2>
                <p>
                  clipscope splits an image’s CLIP embedding exactly into what each layer, attention head and image patch contributes (Gandelsman, Efros &amp; Steinhardt, ICLR 2024), and
                  explains heads with text (TEXTSPAN). Everything runs in this tab.
                </p>
                <ol>
                  <li>Pick a model on the left (the demo model needs no download but its weights are random).</li>
                  <li>Drop images, a folder, or pick from the gallery.</li>
                  <li>Click heads, type prompts, switch parts of the model off.</li>
                </ol>
              </div>
            ) : view === 'heads' ? (
              <HeadsView />
            ) : view === 'prompt' ? (
              <PromptView />
            ) : view === 'neurons' ? (
              <NeuronsView />
            ) : (
              <LayersView />
            )}
          </div>
        </main>
      </div>
      {dropping && (
        <div className="drop-overlay" aria-hidden>
          Drop images or a folder
        </div>
      )}
    </div>
  );
}
