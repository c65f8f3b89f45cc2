/**
 * "Explain this image": the few pool texts whose embeddings make up the selected image's
 * embedding, and the selected head's term for that image (METHOD §10, orthogonal matching pursuit
 * over the loaded description pool), with their coefficients and the cosine after each pick.
 */
import type { ImageExplanation } from '../../api/explorer.ts';
import { headLabel } from '../../analysis/partNames.ts';
import { TextSetNeeded } from './TextSetsStatus.tsx';
import { saveText } from '../lib/saveFile.ts';
import { explanationToJson, exportFileName, textExplanationToCsv } from '../lib/exportFormats.ts';
import { useAppStore } from '../store.ts';
import { TextPicks } from './TextPicks.tsx';

function Picks({ e, imageName, what }: { e: ImageExplanation; imageName: string; what: string }) {
  const fingerprint = useAppStore((s) => s.model?.summary.fingerprint ?? '');
  const slug = e.part === 'embedding' ? 'embedding' : e.part;
  return (
    <>
      <TextPicks picks={e} label={`pool texts making up ${what} of ${imageName}`} testId={e.part === 'embedding' ? 'explain-embedding' : 'explain-head'} part={e.part} />
      <div className="row">
        <button type="button" className="link small" onClick={() => saveText(exportFileName([imageName, 'explain', slug], 'csv'), textExplanationToCsv(e, e.part), 'text/csv')}>
          CSV
        </button>
        <button type="button" className="link small" onClick={() => saveText(exportFileName([imageName, 'explain', slug], 'json'), explanationToJson(e, { model: fingerprint, image: imageName }), 'application/json')} data-testid={`export-explain-${slug}`}>
          JSON
        </button>
      </div>
    </>
  );
}

export function ExplainPanel() {
  const explanation = useAppStore((s) => s.explanation);
  const image = useAppStore((s) => s.images.find((i) => i.id === s.selectedImage));
  const head = useAppStore((s) => s.view.head);
  const pool = useAppStore((s) => s.pool);
  const hasText = useAppStore((s) => Boolean(s.model?.summary.text));
  const current = explanation && explanation.imageId === image?.id ? explanation : undefined;
  const poolNote = pool ? `over the ${pool.texts} texts of ${pool.source}` : '';

  let empty = '';
  if (!hasText) empty = 'This model has no text tower: nothing to explain with.';
  else if (!image) empty = 'Select an image to explain it.';
  else if (pool && !current) empty = 'Computing…';

  return (
    <section className="panel explain" aria-labelledby="explain-h" data-testid="explain-panel" data-image={image?.name ?? ''}>
      <h2 id="explain-h">Explain this image{image ? <span className="muted small"> — {image.name}</span> : null}</h2>
      <p className="muted small">
        The few pool texts whose unit embeddings, added with the coefficients shown, come closest to the target (orthogonal matching pursuit, METHOD §10) {poolNote}; the bar is the
        cosine of that sum with the target after each pick.
      </p>
      {current?.error && <p className="message error small">{current.error}</p>}
      {!empty && !pool ? (
        <TextSetNeeded what="the description pool" />
      ) : empty ? (
        <p className="empty">{empty}</p>
      ) : current?.embedding ? (
        <>
          <h3>Image embedding</h3>
          <Picks e={current.embedding} imageName={image!.name} what="the embedding" />
          <h3>{head ? `Head ${headLabel(head.layer, head.head)}’s term` : 'A head’s term'}</h3>
          {current.head ? <Picks e={current.head} imageName={image!.name} what={`head ${current.head.part}’s term`} /> : <p className="empty">Select a head in the grid to explain its term for this image.</p>}
        </>
      ) : null}
    </section>
  );
}
