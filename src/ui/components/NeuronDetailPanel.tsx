/**
 * One neuron of the Neurons view (METHOD §9): its words (METHOD §10 of its direction d_n over the
 * loaded description pool), the loaded images where it acts most (‖φ_n‖), and its token map on the
 * selected image, drawn as the head token maps are: scored against the typed prompt, else against
 * the neuron's own direction (the view says which).
 */
import { useMemo, useRef } from 'react';
import { neuronLabel } from '../../analysis/partNames.ts';
import { applyAblation } from '../actions/ablation.ts';
import { legendSvg } from '../charts/legend.ts';
import { hasItem, toggleItem } from '../lib/ablationSet.ts';
import { valueScale } from '../lib/colorScale.ts';
import { canvasToPng, saveBlob, saveText } from '../lib/saveFile.ts';
import { exportFileName, neuronPanelToJson, textExplanationToCsv } from '../lib/exportFormats.ts';
import { formatPercent, formatValue } from '../lib/format.ts';
import { useAppStore } from '../store.ts';
import { Legend } from './ChartSvg.tsx';
import { RankedImages } from './HeadDetailPanel.tsx';
import { HeatmapCanvas } from './HeatmapCanvas.tsx';
import { TextPicks } from './TextPicks.tsx';
import { TextSetNeeded } from './TextSetsStatus.tsx';

export function NeuronDetailPanel({ layer }: { layer: number }) {
  const neuron = useAppStore((s) => s.view.neuron);
  const detail = useAppStore((s) => s.neuronDetail);
  const images = useAppStore((s) => s.images);
  const selectedImage = useAppStore((s) => s.selectedImage);
  const pool = useAppStore((s) => s.pool);
  const colorMap = useAppStore((s) => s.colorMap);
  const opacity = useAppStore((s) => s.opacity);
  const fingerprint = useAppStore((s) => s.model?.summary.fingerprint ?? '');
  const ablate = useAppStore((s) => s.view.ablate);
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const d = detail && detail.layer === layer && detail.neuron === neuron ? detail : undefined;
  const tokenScale = useMemo(() => (d?.tokenMap ? valueScale([d.tokenMap.min, d.tokenMap.max], { colorMap }) : undefined), [d?.tokenMap, colorMap]);

  if (neuron === null) {
    return (
      <section className="panel detail" aria-label="neuron detail">
        <h2>Neuron</h2>
        <p className="empty">Pick a neuron in the ranking (click, or arrows + Enter) to see its words, its images and where it acts.</p>
      </section>
    );
  }
  const label = neuronLabel(layer, neuron);
  const nameOf = (id: string) => images.find((i) => i.id === id)?.name ?? id;
  const panel = d?.panel;
  const imageName = selectedImage ? nameOf(selectedImage) : '';
  const probeText = d?.probe?.kind === 'prompt' ? `the prompt “${d.probe.prompt}”` : 'the neuron’s own direction d_n (no prompt typed)';

  return (
    <section className="panel detail" aria-labelledby="neuron-h" data-testid="neuron-detail" data-neuron={label}>
      <div className="row spread">
        <h2 id="neuron-h">Neuron {label}</h2>
        <button
          type="button"
          className={`button small${hasItem(ablate, label) ? ' on' : ''}`}
          aria-pressed={hasItem(ablate, label)}
          title="in the what-if view: replace this neuron’s effect by its mean over the loaded images"
          onClick={() => void applyAblation(toggleItem(ablate, label))}
          data-testid="toggle-neuron"
        >
          {hasItem(ablate, label) ? 'Switch on' : 'Switch off'}
        </button>
      </div>
      {d?.error && <p className="message error small">{d.error}</p>}
      {panel && (
        <p className="muted small" data-testid="neuron-summary" data-mean-norm={panel.meanNorm} data-direction-share={panel.directionShare}>
          Mean ‖φ_n‖ {formatValue(panel.meanNorm)} over the loaded images; its direction d_n carries {formatPercent(panel.directionShare)} of its top images’ squared effect.
        </p>
      )}
      <h3>Words</h3>
      {panel ? (
        pool ? (
          <>
            <p className="muted small">
              Texts of {pool.source} ({pool.texts}) whose unit embeddings make up d_n (METHOD §10), with their coefficients; the bar is the cosine of the fit after each pick.
            </p>
            <TextPicks picks={panel} label={`words of ${label}`} testId="neuron-words" part={label} />
            <div className="row">
              <button type="button" className="link small" onClick={() => saveText(exportFileName([label, 'words'], 'csv'), textExplanationToCsv(panel, label), 'text/csv')}>
                words CSV
              </button>
              <button type="button" className="link small" onClick={() => saveText(exportFileName([label], 'json'), neuronPanelToJson(panel, { model: fingerprint }), 'application/json')} data-testid="export-neuron-json">
                neuron JSON
              </button>
            </div>
          </>
        ) : (
          <TextSetNeeded what="the description pool" otherwise="No description pool loaded." />
        )
      ) : (
        <p className="empty">{d?.error ? '' : 'Computing…'}</p>
      )}
      <h3>Images where it acts most</h3>
      {panel?.topImages.length ? (
        <>
          <p className="muted small">ranked by ‖φ_n‖ on each image</p>
          <RankedImages images={panel.topImages.map((t) => ({ id: t.id, score: t.norm }))} nameOf={nameOf} testId="neuron-top-images" />
        </>
      ) : (
        <p className="empty">{panel ? 'No images yet.' : 'Computing…'}</p>
      )}
      <h3>Token map</h3>
      {d?.tokenMap && tokenScale && selectedImage ? (
        <>
          <p className="muted small" data-testid="neuron-probe" data-probe={d.probe?.kind ?? ''}>
            Where, in {imageName}, this neuron’s effect (its summand at each patch, carried by the later heads) points towards {probeText}.
          </p>
          <HeatmapCanvas ref={canvas} imageId={selectedImage} map={d.tokenMap.maps[0]} grid={d.tokenMap.grid} scale={tokenScale} opacity={opacity} size={200} label={`token map of ${label} on ${imageName}`} testId="neuron-token-map" />
          <Legend svg={legendSvg(tokenScale, { title: `${label} · ⟨token summand, ${d.probe?.kind === 'prompt' ? 'prompt' : 'd_n'}⟩`, id: 'neuron-token-legend', width: 220 })} />
          <button
            type="button"
            className="link small"
            onClick={() => {
              if (canvas.current) void canvasToPng(canvas.current).then((b) => saveBlob(exportFileName([imageName, label, 'tokens'], 'png'), b));
            }}
            data-testid="export-neuron-png"
          >
            PNG
          </button>
        </>
      ) : (
        <p className="empty">{selectedImage ? (d?.error ? '' : 'Computing…') : 'Select an image to see where this neuron acts on it.'}</p>
      )}
    </section>
  );
}
