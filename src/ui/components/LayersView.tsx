/**
 * Layer views and the live what-if: direct effect per layer for the selected image, zero-shot top-5
 * of every image with and without the ablation set, and the set itself (switch layers, heads, MLPs
 * off; each is replaced by its mean over the loaded images).
 */
import { useEffect, useState } from 'react';
import { applyAblation, exportContributions } from '../actions/ablation.ts';
import { layerEffectsSvg } from '../charts/layerEffects.ts';
import { layerLabel } from '../../analysis/partNames.ts';
import { hasItem, splitItems, toggleItem } from '../lib/ablationSet.ts';
import { saveText } from '../lib/saveFile.ts';
import { contributionsToCsv, contributionsToJson, exportFileName } from '../lib/exportFormats.ts';
import { formatValue } from '../lib/format.ts';
import { useAppStore } from '../store.ts';
import { ChartSvg } from './ChartSvg.tsx';
import { TextSetNeeded } from './TextSetsStatus.tsx';

function AblationEditor() {
  const ablate = useAppStore((s) => s.view.ablate);
  const layers = useAppStore((s) => s.model?.summary.vision.layers ?? 0);
  const [draft, setDraft] = useState(ablate);
  useEffect(() => setDraft(ablate), [ablate]);
  const toggle = (item: string) => void applyAblation(toggleItem(ablate, item));
  const items = splitItems(ablate);
  return (
    <section className="panel" aria-labelledby="ablate-h">
      <h2 id="ablate-h">What if… (mean-ablation)</h2>
      <p className="muted small">Switched-off parts are replaced by their mean over the loaded images; predictions and maps update at once. Heads: click “Switch off” on a head, or x in the grid.</p>
      <div className="row wrap" role="group" aria-label="switch whole layers off">
        {Array.from({ length: layers }, (_, l) => {
          const off = hasItem(ablate, layerLabel(l));
          return (
            <button key={l} type="button" className={`chip${off ? ' off' : ''}`} aria-pressed={off} onClick={() => toggle(layerLabel(l))} title={`attention layer ${l} ${off ? 'off' : 'on'}`}>
              L{l}
            </button>
          );
        })}
        {(['mlp', 'embed'] as const).map((item) => (
          <button key={item} type="button" className={`chip${hasItem(ablate, item) ? ' off' : ''}`} aria-pressed={hasItem(ablate, item)} onClick={() => toggle(item)}>
            {item === 'mlp' ? 'all MLPs' : 'embedding'}
          </button>
        ))}
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void applyAblation(draft.trim());
        }}
      >
        <input className="mono grow" type="text" value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="ablation set" placeholder="nothing switched off (e.g. L9-11.H*,L4.H3,mlp)" data-testid="ablation-input" />
        <button type="submit" className="button small">
          Apply
        </button>
        <button type="button" className="button small" disabled={!ablate} onClick={() => void applyAblation('')}>
          Reset
        </button>
      </form>
      <p className="small" data-testid="ablation-state">
        {items.length ? (
          <>
            off: <span className="mono">{ablate}</span>
          </>
        ) : (
          <span className="muted">nothing switched off</span>
        )}
      </p>
    </section>
  );
}

function Top5Table() {
  const images = useAppStore((s) => s.images);
  const top5 = useAppStore((s) => s.top5);
  const labels = useAppStore((s) => s.labels);
  const ablate = useAppStore((s) => s.view.ablate);
  const ready = images.filter((i) => i.status === 'ready');
  return (
    <section className="panel" aria-labelledby="top5-h">
      <h2 id="top5-h">Zero-shot top-5{labels ? <span className="muted small"> over {labels.classes} classes</span> : null}</h2>
      {!labels ? (
        <TextSetNeeded what="the label set" />
      ) : ready.length === 0 ? (
        <p className="empty">Add images.</p>
      ) : (
        <div className="top5-grid">
          {ready.map((img) => {
            const t = top5[img.id];
            if (!t) return null;
            const orig = new Map(t.original.map((c) => [c.index, c.logit]));
            return (
              <table key={img.id} className="top5" data-testid="top5" data-image={img.name} data-logits={JSON.stringify(t.classes.map((c) => [c.label, Number(c.logit.toPrecision(6))]))}>
                <caption>{img.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">class</th>
                    <th scope="col" className="num">
                      logit
                    </th>
                    {ablate && (
                      <th scope="col" className="num" title="change from the model as is">
                        Δ
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {t.classes.map((c) => {
                    const before = orig.get(c.index);
                    return (
                      <tr key={c.index}>
                        <td>{c.label}</td>
                        <td className="num">{formatValue(c.logit)}</td>
                        {ablate && <td className="num muted">{before === undefined ? 'new' : formatValue(c.logit - before)}</td>}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            );
          })}
        </div>
      )}
    </section>
  );
}

function LayerEffectsPanel() {
  const effects = useAppStore((s) => s.layerEffects);
  const selected = useAppStore((s) => s.images.find((i) => i.id === s.selectedImage));
  const model = useAppStore((s) => s.model);
  const ablate = useAppStore((s) => s.view.ablate);
  const save = async (kind: 'json' | 'csv') => {
    if (!selected || !model) return;
    const c = await exportContributions(selected.id);
    const name = exportFileName([selected.name, 'contributions'], kind);
    if (kind === 'json') saveText(name, contributionsToJson(c, { model: model.summary.fingerprint, image: selected.name, ablation: ablate }), 'application/json');
    else saveText(name, contributionsToCsv(c), 'text/csv');
  };
  return (
    <section className="panel" aria-labelledby="layers-h">
      <div className="row spread">
        <h2 id="layers-h">Direct effect per layer{selected ? <span className="muted small"> — {selected.name}</span> : null}</h2>
        <div className="row">
          <button type="button" className="link small" disabled={!selected} onClick={() => void save('json')} data-testid="export-json">
            contributions JSON
          </button>
          <button type="button" className="link small" disabled={!selected} onClick={() => void save('csv')}>
            CSV
          </button>
        </div>
      </div>
      {effects ? (
        <ChartSvg svg={layerEffectsSvg(effects)} fileName={exportFileName([selected?.name ?? 'image', 'layers'], 'svg')} testId="layer-effects" />
      ) : (
        <p className="empty">{selected ? 'Computing…' : 'Select an image.'}</p>
      )}
      {effects && <p className="muted small">Embedding term {formatValue(effects.embed)}. {effects.measure === 'prompt' ? 'Projection on the prompt.' : 'Norms; type a prompt for projections.'}</p>}
    </section>
  );
}

export function LayersView() {
  return (
    <div className="layers-view">
      <div className="col">
        <AblationEditor />
        <LayerEffectsPanel />
      </div>
      <Top5Table />
    </div>
  );
}
