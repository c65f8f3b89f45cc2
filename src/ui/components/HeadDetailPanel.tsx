/** One head: TEXTSPAN descriptions with the variance curve and role, its top images, its token map. */
import { useMemo } from 'react';
import { applyAblation } from '../actions/ablation.ts';
import { legendSvg } from '../charts/legend.ts';
import { varianceCurveSvg } from '../charts/varianceCurve.ts';
import { hasItem, toggleItem } from '../lib/ablationSet.ts';
import { finiteExtent, valueScale } from '../lib/colorScale.ts';
import { saveText } from '../lib/saveFile.ts';
import { exportFileName, textspanToCsv, textspanToJson } from '../lib/exportFormats.ts';
import { formatPercent, formatValue } from '../lib/format.ts';
import { useAppStore } from '../store.ts';
import { ChartSvg, Legend } from './ChartSvg.tsx';
import { HeatmapCanvas } from './HeatmapCanvas.tsx';
import type { RankedImage } from '../../api/explorer.ts';
import { headLabel } from '../../analysis/partNames.ts';
import { TextSetNeeded } from './TextSetsStatus.tsx';

export function HeadDetailPanel() {
  const head = useAppStore((s) => s.view.head);
  const detail = useAppStore((s) => s.headDetail);
  const prompt = useAppStore((s) => s.view.prompt);
  const ablate = useAppStore((s) => s.view.ablate);
  const selectedImage = useAppStore((s) => s.selectedImage);
  const images = useAppStore((s) => s.images);
  const colorMap = useAppStore((s) => s.colorMap);
  const opacity = useAppStore((s) => s.opacity);
  const fingerprint = useAppStore((s) => s.model?.summary.fingerprint ?? '');
  const tokenScale = useMemo(() => (detail?.tokenMap ? valueScale([detail.tokenMap.min, detail.tokenMap.max], { colorMap }) : undefined), [detail?.tokenMap, colorMap]);

  if (!head) {
    return (
      <section className="panel detail" aria-label="head detail">
        <h2>Head</h2>
        <p className="empty">Select a head in the grid to see what it encodes.</p>
      </section>
    );
  }
  const label = headLabel(head.layer, head.head);
  const ts = detail?.layer === head.layer && detail.head === head.head ? detail : undefined;
  const off = hasItem(ablate, headLabel(head.layer, head.head));
  const nameOf = (id: string) => images.find((i) => i.id === id)?.name ?? id;
  const tokenPrompt = prompt || ts?.textspan?.texts[0]?.text;

  return (
    <section className="panel detail" aria-labelledby="detail-h" data-testid="head-detail" data-head={label}>
      <div className="row spread">
        <h2 id="detail-h">
          Head {label}
          {ts?.textspan?.role && (
            <span className="badge" title={`dominant property among the top texts (${formatPercent(ts.textspan.role.confidence, 0)} of them)`} data-testid="head-role">
              {ts.textspan.role.property}
            </span>
          )}
        </h2>
        <button type="button" className={`button small${off ? ' on' : ''}`} aria-pressed={off} onClick={() => void applyAblation(toggleItem(ablate, headLabel(head.layer, head.head)))} data-testid="toggle-head">
          {off ? 'Switch on' : 'Switch off'}
        </button>
      </div>
      {ts?.error && <p className="message error small">{ts.error}</p>}
      <h3>TEXTSPAN descriptions</h3>
      {ts?.textspan ? (
        <>
          <p className="muted small">
            Texts whose directions explain the most of this head’s output variance over {ts.textspan.imagesUsed} image{ts.textspan.imagesUsed === 1 ? '' : 's'} ({ts.textspan.source === 'atlas' ? 'from the atlas' : 'the loaded images'}).
            {ts.textspan.source === 'images' && ts.textspan.imagesUsed <= ts.textspan.texts.length + 1 && ' Add images for a longer list: n images span at most n − 1 directions.'}
          </p>
          <ol className="textspan" data-testid="textspan-list" data-head={label}>
            {ts.textspan.texts.map((t, i) => {
              const gain = t.varianceExplained - (i > 0 ? ts.textspan!.texts[i - 1].varianceExplained : 0);
              return (
                <li key={i} data-text={t.text} data-variance={t.varianceExplained}>
                  <span className="ts-text">{t.text}</span>
                  <span className="tag">{t.property ?? ''}</span>
                  <span className="ts-bar" aria-label={`explains ${formatPercent(gain)} more, ${formatPercent(t.varianceExplained)} in total`}>
                    <span style={{ width: `${Math.max(0, Math.min(1, gain)) * 100}%` }} />
                  </span>
                  <span className="num">{formatPercent(t.varianceExplained)}</span>
                </li>
              );
            })}
          </ol>
          <ChartSvg svg={varianceCurveSvg(ts.textspan.texts, { title: `${label}: cumulative variance explained` })} fileName={exportFileName([label, 'variance'], 'svg')} testId="variance-curve" />
          <div className="row">
            <button type="button" className="link small" onClick={() => saveText(exportFileName([label, 'textspan'], 'csv'), textspanToCsv(ts.textspan!), 'text/csv')}>
              TEXTSPAN CSV
            </button>
            <button type="button" className="link small" onClick={() => saveText(exportFileName([label, 'textspan'], 'json'), textspanToJson(ts.textspan!, { model: fingerprint }), 'application/json')} data-testid="export-textspan-json">
              TEXTSPAN JSON
            </button>
          </div>
        </>
      ) : (
        ts ? <TextSetNeeded what="the description pool" otherwise="No description pool loaded." /> : <p className="empty">Computing…</p>
      )}
      <h3>Images scoring highest along this head</h3>
      {ts?.topImages?.length ? (
        <>
          {ts.rankedBy && <p className="muted small">ranked by {ts.rankedBy}</p>}
          <RankedImages images={ts.topImages} nameOf={nameOf} testId="top-images" />
        </>
      ) : (
        <p className="empty">{ts ? 'No images yet.' : 'Computing…'}</p>
      )}
      {selectedImage && ts?.similarImages?.length ? (
        <>
          <h3>Similar to {nameOf(selectedImage)} along this head</h3>
          <p className="muted small">⟨head term, head term of {nameOf(selectedImage)}⟩: the images this head alone finds alike.</p>
          <RankedImages images={ts.similarImages} nameOf={nameOf} testId="similar-images" />
        </>
      ) : null}
      <h3>Token map</h3>
      {ts?.tokenMap && tokenScale && selectedImage ? (
        <>
          <p className="muted small">
            Where, in {nameOf(selectedImage)}, this head writes towards “{tokenPrompt}”{prompt ? '' : ' (its top description; type a prompt to change it)'}.
          </p>
          <HeatmapCanvas imageId={selectedImage} map={ts.tokenMap.maps[0]} grid={ts.tokenMap.grid} scale={tokenScale} opacity={opacity} size={200} label={`token map of ${label} for ${tokenPrompt}`} testId="token-map" />
          <Legend svg={legendSvg(tokenScale, { title: `${label} · ⟨token term, prompt⟩`, id: 'token-legend', width: 220 })} />
        </>
      ) : (
        <p className="empty">{ts ? 'Type a prompt or load a description pool to see the map.' : 'Computing…'}</p>
      )}
    </section>
  );
}

/** images with a score each (a head's top images, a neuron's images by ‖φ_n‖) */
export function RankedImages({ images, nameOf, testId }: { images: RankedImage[]; nameOf: (id: string) => string; testId: string }) {
  return (
    <ol className="top-images" data-testid={testId}>
      {images.map((r) => (
        <li key={r.id} data-id={r.id} data-score={r.score}>
          <HeatmapCanvas imageId={r.id} opacity={0} size={56} label={nameOf(r.id)} />
          <span className="small">{nameOf(r.id)}</span>
          <span className="num small">{formatValue(r.score)}</span>
        </li>
      ))}
    </ol>
  );
}
