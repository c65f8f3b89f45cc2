/**
 * The Neurons view (METHOD §9): pick an MLP layer; its neurons ranked by their mean second-order
 * effect norm over the loaded images (bars for one page of ranks with a colour legend, and the
 * curve of every neuron by rank); pick a neuron for its words, images and token map.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { neuronLabel } from '../../analysis/partNames.ts';
import { neuronLayerProblem, shownNeuronLayer } from '../actions/neurons.ts';
import { legendSvg } from '../charts/legend.ts';
import { neuronRankCurveSvg } from '../charts/neuronRanking.ts';
import { valueScale } from '../lib/colorScale.ts';
import { saveText } from '../lib/saveFile.ts';
import { exportFileName, neuronRankingToCsv, neuronRankingToJson } from '../lib/exportFormats.ts';
import { useAppStore } from '../store.ts';
import { ChartSvg, Legend } from './ChartSvg.tsx';
import { NeuronDetailPanel } from './NeuronDetailPanel.tsx';
import { NEURON_PAGE, NeuronRankingChart } from './NeuronRankingChart.tsx';

const NEURON_RE = /^(?:L(\d+)\.N)?(\d+)$/i;

function LayerPicker({ layers, layer }: { layers: number; layer: number }) {
  const patchView = useAppStore((s) => s.patchView);
  const lastWhy = `layer ${layers - 1} is the last layer: no later attention heads carry its neurons’ effects`;
  return (
    <div className="row wrap" role="radiogroup" aria-label="MLP layer">
      {Array.from({ length: layers }, (_, l) => {
        const last = l === layers - 1;
        return (
          <button
            key={l}
            type="button"
            role="radio"
            aria-checked={l === layer}
            className={`chip${l === layer ? ' on' : ''}`}
            disabled={last}
            title={last ? lastWhy : `the MLP neurons of layer ${l}`}
            onClick={() => patchView({ neuronLayer: l, neuron: null })}
            data-testid={`neuron-layer-${l}`}
          >
            L{l}
          </button>
        );
      })}
    </div>
  );
}

function GoToNeuron({ layer, width }: { layer: number; width: number }) {
  const patchView = useAppStore((s) => s.patchView);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const m = NEURON_RE.exec(draft.trim());
    const l = m?.[1] === undefined ? layer : Number(m[1]);
    const n = m ? Number(m[2]) : NaN;
    if (!m || !(n < width)) return setProblem(`give a neuron 0–${width - 1}, or ${neuronLabel(layer, 0)}`);
    setProblem('');
    patchView({ neuronLayer: l, neuron: n });
  };
  return (
    <form className="row" onSubmit={submit}>
      <input className="mono" type="text" value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="go to neuron" placeholder={neuronLabel(layer, 0)} size={10} data-testid="neuron-input" />
      <button type="submit" className="button small">
        Go
      </button>
      {problem && <span className="small message error">{problem}</span>}
    </form>
  );
}

export function NeuronsView() {
  const model = useAppStore((s) => s.model);
  const view = useAppStore((s) => s.view);
  const ranking = useAppStore((s) => s.neuronRanking);
  const rankingError = useAppStore((s) => s.neuronRankingError);
  const progress = useAppStore((s) => s.neuronProgress);
  const colorMap = useAppStore((s) => s.colorMap);
  const patchView = useAppStore((s) => s.patchView);
  const ablation = useAppStore((s) => s.ablationCanonical);
  const imageCount = useAppStore((s) => s.images.filter((i) => i.status === 'ready').length);
  const bars = useRef<HTMLDivElement>(null);
  const layers = model?.summary.vision.layers ?? 0;
  const layer = shownNeuronLayer({ view, model });
  const shown = ranking && ranking.layer === layer ? ranking : undefined;
  const [start, setStart] = useState(0);
  const selectedRank = useMemo(() => (shown && view.neuron !== null ? shown.neurons.findIndex((n) => n.neuron === view.neuron) : -1), [shown, view.neuron]);
  // a new ranking, or a neuron picked from the URL or the go-to field: show the page holding it
  useEffect(() => setStart(selectedRank >= 0 ? Math.floor(selectedRank / NEURON_PAGE) * NEURON_PAGE : 0), [shown, selectedRank]);
  const scale = useMemo(() => (shown ? valueScale([0, shown.neurons[0]?.meanNorm ?? 1], { colorMap }) : undefined), [shown, colorMap]);
  const curve = useMemo(
    () => (shown ? neuronRankCurveSvg(shown, { highlight: [start, Math.min(shown.neurons.length, start + NEURON_PAGE)], ...(selectedRank >= 0 ? { selectedRank } : {}) }) : ''),
    [shown, start, selectedRank],
  );

  if (layer === undefined) return <p className="empty">This model has a single layer: no neuron has later heads to act through.</p>;
  const problem = neuronLayerProblem(layer, layers) ?? rankingError;
  const saveBarsSvg = () => {
    const svg = bars.current?.querySelector('svg');
    if (svg && shown) saveText(exportFileName([`L${shown.layer}`, 'neurons', `ranks-${start + 1}`], 'svg'), new XMLSerializer().serializeToString(svg), 'image/svg+xml');
  };

  return (
    <div className="heads-view neurons-view">
      <section className="panel grow" aria-labelledby="neurons-h">
        <div className="row spread">
          <h2 id="neurons-h">MLP neurons by their effect{shown ? <span className="muted small"> — layer {shown.layer}, {shown.images} image{shown.images === 1 ? '' : 's'}</span> : null}</h2>
          <GoToNeuron layer={layer} width={model?.summary.vision.mlpWidth ?? 0} />
        </div>
        <LayerPicker layers={layers} layer={layer} />
        <p className="muted small">
          A neuron’s second-order effect φ_n is what it writes at every token and the later attention heads carry to the class token (METHOD §9), so the last layer ({layers - 1}) has
          none. Neurons are ranked by mean ‖φ_n‖ over the loaded images. Arrows move, PageUp/PageDown change the page, Enter picks.
          {ablation && ' The ranking is of the model as is: the switched-off parts of the what-if view are not applied here.'}
        </p>
        {progress && progress.layer === layer && (
          <div className="small" data-testid="neuron-progress" aria-live="polite">
            computing neuron effects of layer {layer}: {progress.done} of {progress.total} images
            <progress max={Math.max(1, progress.total)} value={progress.done} aria-label={`neuron effects of layer ${layer}`} />
          </div>
        )}
        {problem ? (
          <p className="message error small" data-testid="neuron-problem">
            {problem}
          </p>
        ) : imageCount === 0 ? (
          <p className="empty">Add images: neurons are ranked by their effect on the loaded images.</p>
        ) : shown && scale ? (
          <>
            <div className="grid-and-legend" ref={bars}>
              <NeuronRankingChart ranking={shown} scale={scale} selected={view.neuron} onSelect={(n) => patchView({ neuronLayer: shown.layer, neuron: n })} start={start} onPage={setStart} />
              <div className="row">
                <button type="button" className="button small" disabled={start === 0} onClick={() => setStart(Math.max(0, start - NEURON_PAGE))}>
                  {start > 0 ? `← ranks ${start - NEURON_PAGE + 1}–${start}` : '← previous'}
                </button>
                <button type="button" className="button small" disabled={start + NEURON_PAGE >= shown.neurons.length} onClick={() => setStart(start + NEURON_PAGE)}>
                  {start + NEURON_PAGE < shown.neurons.length ? `ranks ${start + NEURON_PAGE + 1}–${Math.min(shown.neurons.length, start + 2 * NEURON_PAGE)} →` : 'next →'}
                </button>
                <button type="button" className="link small" onClick={saveBarsSvg}>
                  Save SVG
                </button>
              </div>
              <Legend svg={legendSvg(scale, { title: 'mean ‖φ_n‖ over the loaded images', id: 'neuron-legend', width: 260 })} />
            </div>
            <ChartSvg svg={curve} fileName={exportFileName([`L${shown.layer}`, 'neurons', 'curve'], 'svg')} testId="neuron-curve" />
            <div className="row">
              <button type="button" className="link small" onClick={() => saveText(exportFileName([`L${shown.layer}`, 'neurons'], 'csv'), neuronRankingToCsv(shown), 'text/csv')}>
                ranking CSV
              </button>
              <button
                type="button"
                className="link small"
                onClick={() => saveText(exportFileName([`L${shown.layer}`, 'neurons'], 'json'), neuronRankingToJson(shown, { model: model?.summary.fingerprint ?? '' }), 'application/json')}
                data-testid="export-neurons-json"
              >
                ranking JSON
              </button>
            </div>
          </>
        ) : (
          <p className="empty">Computing…</p>
        )}
      </section>
      <NeuronDetailPanel layer={layer} />
    </div>
  );
}
