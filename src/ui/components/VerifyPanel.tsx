/**
 * "Verify this model": this model's cosine similarities on the reference photos against the ones
 * published for OpenAI ViT-B/32, cell by cell, within ±0.02. The reference numbers are not shipped
 * with the app (they live in the project's read-only data, which may not be copied into it): the user
 * drops reference_values.json here, with page.png and motorcycle_right.png if they have them.
 */
import { useState, type ChangeEvent } from 'react';
import type { VerifyReport } from '../../api/explorer.ts';
import { verifyModel } from '../actions/verify.ts';
import type { Upload } from '../lib/intake.ts';
import { toUploads } from '../lib/dropFiles.ts';
import { useAppStore } from '../store.ts';

const fixed = (v: number, digits: number) => v.toFixed(digits).replace('-', '−');

function ReportView({ report }: { report: VerifyReport }) {
  const compared = report.comparedImages;
  const cellAt = (row: number, name: string) => report.cells.find((c) => c.row === row && report.images[c.col] === name);
  return (
    <div data-testid="verify-report" data-pass={report.pass} data-failing={report.failing} data-cells={report.cells.length}>
      <p className="small">
        <span className={`verdict ${report.pass ? 'pass' : 'fail'}`} data-testid="verify-verdict">
          {report.pass ? 'PASS' : 'FAIL'}
        </span>{' '}
        {report.cells.length - report.failing} of {report.cells.length} similarities within ±{report.tolerance}; largest difference {fixed(report.maxAbsDiff, 3)}.
        {report.missingImages.length > 0 && <> Not compared (no photo): {report.missingImages.join(', ')}.</>}
      </p>
      <div style={{ overflowX: 'auto' }}>
        <table className="verify-table" aria-label="computed / published cosine similarity per text and photo">
          <thead>
            <tr>
              <th className="text">“This is …” \ photo</th>
              {compared.map((name) => (
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
                {compared.map((name) => {
                  const c = cellAt(row, name)!;
                  return (
                    <td
                      key={name}
                      className={c.pass ? 'pass' : 'fail'}
                      data-testid="verify-cell"
                      data-row={row}
                      data-col={c.col}
                      data-computed={c.computed}
                      data-published={c.published}
                      data-diff={c.diff}
                      title={`computed ${c.computed.toFixed(4)}, published ${c.published.toFixed(2)}, difference ${fixed(c.diff, 4)}`}
                    >
                      {fixed(c.computed, 3)}
                      <br />
                      <span className="muted">{fixed(c.published, 2)}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        Each cell: this model (top) and published (below). Reference: {report.model}; {report.source}.{report.caveat ? ` ${report.caveat}.` : ''}
      </p>
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
  if (!model?.summary.text) return null;

  const onFiles = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = '';
    const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
    if (json) setReference({ name: json.name, text: await json.text() });
    const images = await toUploads(files.filter((f) => f !== json));
    if (images.length) setPhotos((old) => [...old.filter((o) => !images.some((i) => i.name === o.name)), ...images]);
  };
  const run = async () => {
    if (!reference) return;
    setRunning(true);
    setReport(await verifyModel(reference.text, photos));
    setRunning(false);
  };

  return (
    <details className="small verify" data-testid="verify-panel">
      <summary>Verify this model</summary>
      <p className="muted">
        Compares this model’s image–text similarities on the gallery photos with those published for OpenAI ViT-B/32 (tolerance ±0.02). With the real ViT-B/32 weights it should pass; any other
        model fails. Add <code>reference_values.json</code> (from the project’s reference data; not shipped with the app) and, to compare all 8 photos, <code>page.png</code> and{' '}
        <code>motorcycle_right.png</code>.
      </p>
      <div className="row wrap">
        <label className="button small">
          Reference file and photos…
          <input type="file" multiple accept=".json,image/png,image/jpeg" hidden onChange={(e) => void onFiles(e)} data-testid="verify-files" />
        </label>
        <button type="button" className="button small" disabled={!reference || running || busy} onClick={() => void run()} data-testid="verify-run">
          {running ? 'Verifying…' : 'Verify this model'}
        </button>
      </div>
      <p className="muted">
        {reference ? `reference: ${reference.name}` : 'no reference file yet'}
        {photos.length > 0 && `; extra photos: ${photos.map((p) => p.name).join(', ')}`}
      </p>
      {model.source.warning && report && <p className="warning">{model.source.warning}</p>}
      {report && <ReportView report={report} />}
    </details>
  );
}
