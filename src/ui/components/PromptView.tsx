/**
 * Heatmaps of the prompt over each image's patches: one shared colour scale with its legend,
 * opacity, contrastive prompts, which heads are summed, and the segmentation overlay.
 */
import { thresholdMask } from '../lib/segmentation.ts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { refreshHeatmaps } from '../actions/views.ts';
import { legendSvg } from '../charts/legend.ts';
import { COLOR_MAPS, isColorMapName, valueScale, type ValueScale } from '../lib/colorScale.ts';
import { canvasToPng, saveBlob } from '../lib/saveFile.ts';
import { exportFileName } from '../lib/exportFormats.ts';
import { formatValue } from '../lib/format.ts';
import { useDebouncedCommit } from '../lib/useDebounced.ts';
import { useAppStore, type ImageItem } from '../store.ts';
import { Legend } from './ChartSvg.tsx';
import { HeatmapCanvas } from './HeatmapCanvas.tsx';
import { headLabel } from '../../analysis/partNames.ts';

function HeadsChoice() {
  const heads = useAppStore((s) => s.view.heads);
  const head = useAppStore((s) => s.view.head);
  const layers = useAppStore((s) => s.model?.summary.vision.layers ?? 0);
  const patchView = useAppStore((s) => s.patchView);
  const [draft, setDraft] = useState(heads);
  useEffect(() => setDraft(heads), [heads]);
  useDebouncedCommit(draft, (v) => v !== useAppStore.getState().view.heads && patchView({ heads: v.trim() }), 600);
  const lastFour = layers > 4 ? `L${layers - 4}-${layers - 1}.H*` : '';
  const presets: [string, string][] = [
    ['all heads', ''],
    ...(lastFour ? ([[`last 4 layers`, lastFour]] as [string, string][]) : []),
    ...(head ? ([[`only ${headLabel(head.layer, head.head)}`, headLabel(head.layer, head.head)]] as [string, string][]) : []),
  ];
  return (
    <fieldset className="control">
      <legend>Heads summed</legend>
      <div className="row wrap">
        {presets.map(([label, spec]) => (
          <button key={label} type="button" className={`chip${heads === spec ? ' on' : ''}`} aria-pressed={heads === spec} onClick={() => patchView({ heads: spec })}>
            {label}
          </button>
        ))}
      </div>
      <input type="text" className="mono" aria-label="heads summed, ablation syntax" placeholder="all (or e.g. L9-11.H*,L4.H3)" value={draft} onChange={(e) => setDraft(e.target.value)} />
    </fieldset>
  );
}

function ContrastChoice() {
  const contrast = useAppStore((s) => s.view.contrast);
  const patchView = useAppStore((s) => s.patchView);
  const [draft, setDraft] = useState(contrast.join('\n'));
  useEffect(() => setDraft(contrast.join('\n')), [contrast]);
  useDebouncedCommit(draft, (v) => {
    const list = v.split('\n').map((p) => p.trim()).filter(Boolean);
    if (list.join('\n') !== useAppStore.getState().view.contrast.join('\n')) patchView({ contrast: list });
  }, 500);
  return (
    <fieldset className="control">
      <legend>Contrast with</legend>
      <textarea rows={2} placeholder={'one prompt a line, e.g.\na photo of a dog'} value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="contrastive prompts, one a line" data-testid="contrast-input" />
      <p className="muted small">Each map minus the mean over all prompts: where this prompt wins over the others.</p>
    </fieldset>
  );
}

function ImageCard({ img, prompts, scale }: { img: ImageItem; prompts: string[]; scale: ValueScale }) {
  const heatmap = useAppStore((s) => s.heatmaps[img.id]);
  const seg = useAppStore((s) => s.segmentations[img.id]);
  const opacity = useAppStore((s) => s.opacity);
  const showSeg = useAppStore((s) => s.showSegmentation);
  const segThreshold = useAppStore((s) => s.segThreshold);
  const smooth = useAppStore((s) => s.smoothMaps);
  const canvases = useRef<(HTMLCanvasElement | null)[]>([]);
  // the worker's mask uses the map's mean (METHOD 5.2); a chosen threshold re-cuts the same map here
  const shownSeg = useMemo(
    () => (seg && segThreshold !== undefined ? { ...seg, mask: thresholdMask(seg.normalised, segThreshold), threshold: segThreshold } : seg),
    [seg, segThreshold],
  );
  if (!heatmap) return null;
  return (
    <figure className="image-card" data-testid="heatmap-card" data-name={img.name}>
      <div className="row wrap">
        {heatmap.maps.map((m, k) => (
          <div key={k} className="map-cell">
            <HeatmapCanvas
              ref={(el) => {
                canvases.current[k] = el;
              }}
              imageId={img.id}
              map={m}
              grid={heatmap.grid}
              scale={scale}
              opacity={opacity}
              segmentation={k === 0 && showSeg ? shownSeg : undefined}
              {...(smooth ? { smoothWithPatch: heatmap.patchSize } : {})}
              label={`heatmap of “${prompts[k]}” over ${img.name}`}
              testId="heatmap"
            />
            {heatmap.maps.length > 1 && <div className="small center">{prompts[k]}</div>}
            <button
              type="button"
              className="link small"
              data-testid="export-png"
              onClick={() => {
                const c = canvases.current[k];
                if (c) void canvasToPng(c).then((b) => saveBlob(exportFileName([img.name, prompts[k]], 'png'), b));
              }}
            >
              PNG
            </button>
          </div>
        ))}
      </div>
      <figcaption className="small">
        {img.name}
        {showSeg && shownSeg && (
          <span className="muted" data-testid="segmentation-caption">
            {' '}
            · segmentation for “{shownSeg.target}”, threshold {formatValue(shownSeg.threshold)}
            {segThreshold === undefined ? ' (mean of the normalised map)' : ''}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

/** threshold of the segmentation overlay: each map's mean by default (METHOD 5.2), or one chosen value */
function ThresholdControl() {
  const segThreshold = useAppStore((s) => s.segThreshold);
  const set = useAppStore((s) => s.set);
  return (
    <div>
      <label className="row">
        threshold
        <input
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={segThreshold ?? 0.5}
          onChange={(e) => set({ segThreshold: Number(e.target.value) })}
          aria-valuetext={segThreshold === undefined ? 'mean of each map' : segThreshold.toFixed(2)}
          data-testid="seg-threshold"
        />
        <span className="num small">{segThreshold === undefined ? 'mean' : segThreshold.toFixed(2)}</span>
      </label>
      {segThreshold !== undefined && (
        <button type="button" className="link small block" onClick={() => set({ segThreshold: undefined })}>
          use each map’s mean
        </button>
      )}
    </div>
  );
}

export function PromptView() {
  const view = useAppStore((s) => s.view);
  const images = useAppStore((s) => s.images);
  const heatmaps = useAppStore((s) => s.heatmaps);
  const colorMap = useAppStore((s) => s.colorMap);
  const opacity = useAppStore((s) => s.opacity);
  const showSeg = useAppStore((s) => s.showSegmentation);
  const smoothMaps = useAppStore((s) => s.smoothMaps);
  const set = useAppStore((s) => s.set);
  const prompts = [view.prompt, ...view.contrast].filter(Boolean);
  const contrastive = prompts.length > 1;
  const scale = useMemo(() => {
    const all = Object.values(heatmaps);
    if (all.length === 0) return undefined;
    const lo = Math.min(...all.map((h) => h.min));
    const hi = Math.max(...all.map((h) => h.max));
    return valueScale([lo, hi], { colorMap, symmetric: contrastive });
  }, [heatmaps, colorMap, contrastive]);
  const ready = images.filter((i) => i.status === 'ready');

  return (
    <div className="prompt-view">
      <aside className="panel controls" aria-label="heatmap settings">
        <ContrastChoice />
        <HeadsChoice />
        <fieldset className="control">
          <legend>Display</legend>
          <label className="row">
            colour map
            <select value={colorMap} onChange={(e) => isColorMapName(e.target.value) && set({ colorMap: e.target.value })}>
              {Object.keys(COLOR_MAPS).map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          <label className="row">
            opacity
            <input type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => set({ opacity: Number(e.target.value) })} aria-valuetext={`${Math.round(opacity * 100)}%`} data-testid="opacity" />
            <span className="num small">{Math.round(opacity * 100)}%</span>
          </label>
          <label className="row">
            <input type="checkbox" checked={smoothMaps} onChange={(e) => set({ smoothMaps: e.target.checked })} data-testid="smooth-maps" />
            smooth (bilinear, as the paper)
          </label>
          <label className="row">
            <input
              type="checkbox"
              checked={showSeg}
              onChange={(e) => {
                set({ showSegmentation: e.target.checked });
                void refreshHeatmaps();
              }}
            />
            segmentation outline
          </label>
          {showSeg && <ThresholdControl />}
        </fieldset>
      </aside>
      <section className="panel grow" aria-labelledby="maps-h">
        <div className="row spread">
          <h2 id="maps-h">{prompts.length ? `Where “${prompts[0]}” shows${contrastive ? ` (against ${prompts.length - 1} other${prompts.length > 2 ? 's' : ''})` : ''}` : 'Prompt heatmaps'}</h2>
          {scale && <Legend svg={legendSvg(scale, { title: contrastive ? 'similarity minus the prompts’ mean' : '⟨patch term, prompt⟩', id: 'heat-legend', width: 260 })} />}
        </div>
        <p className="muted small">
          Each patch’s direct contribution to the image–prompt similarity{view.heads ? `, summed over ${view.heads}` : ', summed over all heads'}. One colour scale across images.
        </p>
        {!view.prompt ? (
          <p className="empty">Type a prompt above.</p>
        ) : ready.length === 0 ? (
          <p className="empty">Add images.</p>
        ) : !scale ? (
          <p className="empty">Computing…</p>
        ) : (
          <div className="cards">
            {ready.map((img) => (
              <ImageCard key={img.id} img={img} prompts={prompts} scale={scale} />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
