/**
 * "Verify this model": one click compares this model with the published OpenAI ViT-B/32 values
 * shipped with clipscope (image–text similarities on the reference photos, leading entries of the
 * unnormalised embeddings), value by value, each within a tolerance argued from how it was obtained.
 * The user may add page.png and motorcycle_right.png (which cannot ship) or another reference file.
 */
import { useState, type ChangeEvent } from 'react';
import type { VerifyGroup, VerifyReport, VerifyValue } from '../../api/explorer.ts';
import { verifyModel } from '../actions/verify.ts';
import { toUploads } from '../lib/dropFiles.ts';
import type { Upload } from '../lib/intake.ts';
import { useAppStore } from '../store.ts';

const fixed = (v: number, digits: number) => (Number.isNaN(v) ? 'NaN' : v.toFixed(digits).replace('-', '−'));
const signed = (v: number, digits: number) => (v >= 0 ? '+' : '') + fixed(v, digits);

function ValueCell({ v, digits }: { v: VerifyValue; digits: number }) {
  return (
    <td
      className={v.pass ? 'pass' : 'fail'}
      data-testid="verify-value"
      data-kind={v.kind}
      data-label={v.label}
      data-row={v.row}
      data-col={v.col}
      data-index={v.index}
      data-computed={v.computed}
      data-published={v.published}
      data-diff={v.diff}
      data-pass={v.pass}
      title={`${v.label}: computed ${fixed(v.computed, 5)}, published ${v.published}, difference ${signed(v.diff, 5)} (tolerance ±${v.tolerance})`}
    >
      {fixed(v.computed, digits)}
      <br />
      <span className="muted">{v.published}</span>
    </td>
  );
}

function SimilarityTable({ report, values }: { report: VerifyReport; values: VerifyValue[] }) {
  const cols = report.photos.map((name, col) => ({ name, col })).filter(({ col }) => values.some((v) => v.col === col));
  return (
    <table className="verify-table" aria-label="cosine similarity per text and photo: this model (top), published (below)">
      <thead>
        <tr>
          <th className="text">“{report.promptPrefix}…” \ photo</th>
          {cols.map(({ name }) => (
            <th key={name} scope="col">
              {name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {report.texts.map((text, row) => (
          <tr key={text}>
            <th className="text" scope="row" title={text}>
              {text}
            </th>
            {cols.map(({ col }) => (
              <ValueCell key={col} v={values.find((v) => v.row === row && v.col === col)!} digits={3} />
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EntriesTable({ values }: { values: VerifyValue[] }) {
  return (
    <table className="verify-table" aria-label="embedding entries: this model (top), published (below)">
      <thead>
        <tr>
          {values.map((v) => (
            <th key={v.index} scope="col">
              [{v.index}]
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          {values.map((v) => (
            <ValueCell key={v.index} v={v} digits={4} />
          ))}
        </tr>
      </tbody>
    </table>
  );
}

function GroupView({ report, group, index }: { report: VerifyReport; group: VerifyGroup; index: number }) {
  const values = report.values.filter((v) => v.group === index);
  return (
    <section className="verify-group" data-testid="verify-group" data-kind={group.kind} data-compared={group.compared} data-failing={group.failing}>
      <h4>
        {group.title}: {group.notCompared ? <span className="muted">not compared ({group.notCompared})</span> : `${group.compared - group.failing} of ${group.compared} within ±${group.tolerance}, largest difference ${fixed(group.maxAbsDiff, 4)}`}
      </h4>
      <div style={{ overflowX: 'auto' }}>{values.length > 0 && (group.kind === 'similarity' ? <SimilarityTable report={report} values={values} /> : <EntriesTable values={values} />)}</div>
      <details className="muted">
        <summary>where these numbers come from, and why ±{group.tolerance}</summary>
        <p>Source: {group.source}</p>
        <p>Obtained: {group.obtained}</p>
        <p>Tolerance: {group.toleranceWhy}</p>
      </details>
    </section>
  );
}

function ReportView({ report }: { report: VerifyReport }) {
  return (
    <div data-testid="verify-report" data-pass={report.pass} data-failing={report.failing} data-compared={report.compared}>
      <p className="small">
        <span className={`verdict ${report.pass ? 'pass' : 'fail'}`} data-testid="verify-verdict">
          {report.pass ? 'PASS' : 'FAIL'}
        </span>{' '}
        {report.compared - report.failing} of {report.compared} values within their tolerance. Reference: {report.reference.name} ({report.reference.model}).
      </p>
      <ul className="verify-photos small">
        {report.photoStatus.map((p) => (
          <li key={p.name} data-testid="verify-photo" data-name={p.name} data-status={p.status}>
            <strong>{p.name}</strong>:{' '}
            {p.status === 'gallery' || p.status === 'given' ? `${p.status === 'gallery' ? 'gallery' : 'added'} ${p.matchedFile}` : p.status === 'missing' ? <span className="muted">not found (add {p.file} to compare it)</span> : <span className="muted">cannot be compared: {p.note}</span>}
          </li>
        ))}
        {report.unmatchedFiles.length > 0 && <li className="muted">not reference photos: {report.unmatchedFiles.join(', ')}</li>}
      </ul>
      {report.groups.map((g, i) => (
        <GroupView key={g.title} report={report} group={g} index={i} />
      ))}
      <p className="muted small">Each cell: this model (top) and published (below); red cells are outside their tolerance. Photos are recognised by the sha256 of their pixels, not by name.</p>
    </div>
  );
}

export function VerifyPanel() {
  const model = useAppStore((s) => s.model);
  const busy = useAppStore((s) => Boolean(s.progress));
  const [reference, setReference] = useState<{ name: string; text: string }>();
  const [photos, setPhotos] = useState<Upload[]>([]);
  const [report, setReport] = useState<VerifyReport>();
  const [running, setRunning] = useState(false);
  if (!model) return null;

  const onFiles = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = '';
    const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
    if (json) setReference({ name: json.name, text: await json.text() });
    const images = await toUploads(files.filter((f) => f !== json));
    if (images.length) setPhotos((old) => [...old.filter((o) => !images.some((i) => i.name === o.name)), ...images]);
  };
  const run = async () => {
    setRunning(true);
    setReport(await verifyModel({ photos, ...(reference ? { referenceJson: reference.text } : {}) }));
    setRunning(false);
  };

  return (
    <details className="small verify" data-testid="verify-panel">
      <summary>Verify this model</summary>
      <p className="muted">
        Compares this model with the numbers published for OpenAI CLIP ViT-B/32: the image–text similarities of the reference photos and the first 15 entries of the astronaut’s unnormalised image
        and text embeddings, value by value. With the real ViT-B/32 weights it should pass; any other model fails. Five reference photos are in the gallery; to compare <code>page.png</code> and{' '}
        <code>motorcycle_right.png</code> too, drop scikit-image’s copies on the page or add them here (photos are recognised by their pixels, whatever their names).
      </p>
      <div className="row wrap">
        <button type="button" className="button small" disabled={running || busy} onClick={() => void run()} data-testid="verify-run">
          {running ? 'Verifying…' : 'Verify'}
        </button>
        <label className="button small">
          Add photos or a reference file…
          <input type="file" multiple accept=".json,image/png,image/jpeg" hidden onChange={(e) => void onFiles(e)} data-testid="verify-files" />
        </label>
      </div>
      {(reference || photos.length > 0) && (
        <p className="muted">
          {reference ? `reference: ${reference.name}` : 'reference: the published OpenAI ViT-B/32 values'}
          {photos.length > 0 && `; added photos: ${photos.map((p) => p.name).join(', ')}`}
        </p>
      )}
      {model.source.warning && report && <p className="warning">{model.source.warning}</p>}
      {report && <ReportView report={report} />}
    </details>
  );
}
