/** Picking a model (demo, local folder), what is loaded, and the text sets used with it. */
import type { ChangeEvent } from 'react';
import { loadDemoModel, loadModelFolder } from '../actions/models.ts';
import { loadUserAtlas, loadUserLabels, loadUserPool } from '../actions/textSets.ts';
import { useAppStore } from '../store.ts';
import { HubModels } from './HubModels.tsx';
import { TextSetsStatus } from './TextSetsStatus.tsx';
import { VerifyPanel } from './VerifyPanel.tsx';

export function ModelPanel() {
  const model = useAppStore((s) => s.model);
  const persisted = useAppStore((s) => s.storagePersisted);
  const runtime = useAppStore((s) => s.runtime);
  const busy = useAppStore((s) => Boolean(s.progress));
  const labels = useAppStore((s) => s.labels);
  const pool = useAppStore((s) => s.pool);
  const textSetsStopped = useAppStore((s) => s.textSets?.state === 'cancelled' || s.textSets?.state === 'failed');

  const onFolder = (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = '';
    void loadModelFolder(files);
  };
  const onFile = (fn: (f: File) => Promise<void>) => (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (f) void fn(f);
  };

  return (
    <section className="panel" aria-labelledby="model-h">
      <h2 id="model-h">Model</h2>
      <div className="row wrap">
        <button type="button" className="button small" disabled={busy || !runtime} onClick={() => void loadDemoModel()} data-testid="load-demo">
          Demo model (random weights)
        </button>
        <label className={`button small${busy || !runtime ? ' disabled' : ''}`} title="a folder with model.safetensors and its config (Hugging Face or OpenCLIP layout)">
          Open folder…
          <input type="file" multiple hidden disabled={busy || !runtime} onChange={onFolder} {...{ webkitdirectory: '' }} />
        </label>
      </div>
      <HubModels />
      {model ? (
        <dl className="facts" data-testid="model" data-fingerprint={model.summary.fingerprint}>
          <dt>model</dt>
          <dd>{model.source.label}</dd>
          <dt>tower</dt>
          <dd>
            ViT {model.summary.vision.layers} layers × {model.summary.vision.heads} heads, width {model.summary.vision.width}, patch {model.summary.vision.patchSize}, {model.summary.vision.imageSize} px
          </dd>
          <dt>embedding</dt>
          <dd>D = {model.summary.vision.embedDim}{model.summary.text ? '' : ' (no text tower)'}</dd>
          <dt>fingerprint</dt>
          <dd className="mono">{model.summary.fingerprint.slice(0, 12)}</dd>
          {model.source.kind === 'stored' && (
            <>
              <dt>stored</dt>
              <dd data-testid="storage-persisted" data-persisted={persisted}>
                in this browser{persisted === true ? ', persistent (not evicted under storage pressure)' : persisted === false ? '; the browser may evict it under storage pressure' : ''}
              </dd>
            </>
          )}
          <dt>load</dt>
          <dd>{model.summary.loadMs < 1000 ? `${Math.round(model.summary.loadMs)} ms` : `${(model.summary.loadMs / 1000).toFixed(1)} s`} on {model.summary.runtime.provider.toUpperCase()}</dd>
        </dl>
      ) : (
        <p className="muted small">No model yet. The demo model loads offline in a second; its weights are random, so its numbers mean nothing.</p>
      )}
      {model?.source.warning && (
        <p className="warning small" role="note" data-testid="model-warning">
          {model.source.warning}
        </p>
      )}
      {model?.summary.text && <TextSetsStatus />}
      {model?.summary.text && (
        <details className="small">
          <summary>
            Text sets: {labels ? `${labels.classes} classes` : textSetsStopped ? 'label set not embedded' : '…'}, {pool ? `${pool.texts} descriptions` : textSetsStopped ? 'pool not embedded' : '…'}
          </summary>
          <p className="muted">
            labels: {labels?.source ?? 'loading'}; TEXTSPAN pool: {pool?.source ?? 'loading'}
          </p>
          {(labels?.encoded !== undefined || pool?.encoded !== undefined) && (
            <p className="muted" data-testid="text-cache" data-pool-encoded={pool?.encoded} data-pool-cached={pool?.cached} data-labels-encoded={labels?.encoded} data-labels-cached={labels?.cached}>
              text embeddings: {(labels?.encoded ?? 0) + (pool?.encoded ?? 0)} encoded now, {(labels?.cached ?? 0) + (pool?.cached ?? 0)} from this browser’s cache (kept per model)
            </p>
          )}
          <div className="row wrap">
            <label className="button small">
              Label set…
              <input type="file" accept=".json,.txt" hidden data-testid="labels-file" onChange={onFile(loadUserLabels)} />
            </label>
            <label className="button small">
              Description pool…
              <input type="file" accept=".txt,.tsv" hidden onChange={onFile(loadUserPool)} />
            </label>
            <label className="button small" title="an atlas.json written by clipscope textspan">
              Atlas…
              <input type="file" accept=".json" hidden onChange={onFile(loadUserAtlas)} />
            </label>
          </div>
        </details>
      )}
      {/* a new model starts with no report: the last one described another model */}
      <VerifyPanel key={model?.summary.fingerprint} />
    </section>
  );
}
