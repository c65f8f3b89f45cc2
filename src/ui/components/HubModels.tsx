/**
 * Models from the Hugging Face hub: the known CLIP repos (each says whether it fits this browser
 * before anything is downloaded), any repo at a pinned revision, the models stored in this browser,
 * and the running download (cancel; retry resumes from the last stored byte).
 */
import { useEffect, useState } from 'react';
import type { FitReport, KnownModelInfo, StoredModelInfo } from '../../api/types.ts';
import { cancelHubDownload, deleteStoredModel, downloadAndLoadHubModel, estimateHubFit, listKnownHubModels, listStoredModels, hubTokenSet, setHubToken } from '../actions/hub.ts';
import { loadStoredModel } from '../actions/models.ts';
import { formatBytes } from '../lib/format.ts';
import { useAppStore } from '../store.ts';

type Provider = 'wasm' | 'webgpu';

function FitBadge({ fit, provider }: { fit: Pick<FitReport, 'wasm' | 'webgpu'>; provider: Provider }) {
  const v = fit[provider];
  return (
    <span className={`badge ${v.fits ? "" : "warn"}`} title={v.reason} data-fits={v.fits}>
      {v.fits ? `fits ${provider.toUpperCase()}` : `too big for ${provider.toUpperCase()}`}
    </span>
  );
}

export function HubModels() {
  const busy = useAppStore((s) => Boolean(s.progress));
  const runtime = useAppStore((s) => s.runtime);
  const download = useAppStore((s) => s.hubDownload);
  const loadedId = useAppStore((s) => (s.model?.source.kind === 'stored' ? s.model.source.id : ''));
  const [stored, setStored] = useState<StoredModelInfo[]>([]);
  const [known, setKnown] = useState<KnownModelInfo[]>([]);
  const [repo, setRepo] = useState('openai/clip-vit-base-patch32');
  const [revision, setRevision] = useState('main');
  const [fit, setFit] = useState<FitReport>();
  useEffect(() => {
    if (!busy) void listStoredModels().then(setStored);
  }, [busy]);
  useEffect(() => {
    if (runtime) void listKnownHubModels().then(setKnown);
  }, [runtime]);
  const provider: Provider = runtime?.provider ?? 'wasm';
  const running = download?.state === 'running';
  const start = (r: string, rev: string) => void downloadAndLoadHubModel(r, rev);

  return (
    <details className="small hub">
      <summary>Hugging Face hub {stored.length > 0 && <span className="muted">({stored.length} stored)</span>}</summary>
      {stored.length > 0 && (
        <ul className="stored" aria-label="models stored in this browser">
          {stored.map((m) => (
            <li key={m.id} className="row">
              <button type="button" className="link" disabled={busy || m.id === loadedId} onClick={() => void loadStoredModel(m.id, m.repo)} title={`${m.repo}@${m.revision.slice(0, 8)}`}>
                {m.repo}
              </button>
              <span className="muted">
                {formatBytes(m.storedBytes)}
                {m.complete ? '' : ` of ${formatBytes(m.totalBytes)} (incomplete)`}
              </span>
              <button type="button" className="icon" aria-label={`delete ${m.repo} from this browser`} onClick={() => void deleteStoredModel(m.id).then(listStoredModels).then(setStored)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {known.length > 0 && (
        <ul className="known" aria-label="known CLIP models" data-testid="known-models">
          {known.map((k) => (
            <li key={k.repo} className="row" data-repo={k.repo}>
              <button type="button" className="link" disabled={busy} onClick={() => start(k.repo, 'main')} title={`download ${k.repo}`}>
                {k.label}
              </button>
              <span className="muted">{formatBytes(k.downloadBytes)}</span>
              <FitBadge fit={k} provider={provider} />
            </li>
          ))}
        </ul>
      )}
      <form
        className="hub-form"
        onSubmit={(e) => {
          e.preventDefault();
          start(repo.trim(), revision.trim() || 'main');
        }}
      >
        <input className="mono" value={repo} onChange={(e) => { setRepo(e.target.value); setFit(undefined); }} aria-label="hub repository (owner/name)" />
        <input
          className="mono"
          type="password"
          autoComplete="off"
          placeholder={hubTokenSet() ? 'token set for this session' : 'token (gated repos)'}
          onChange={(e) => setHubToken(e.target.value)}
          aria-label="hub access token (hf_…; kept in memory for this session, sent only to the hub)"
        />
        <input className="mono" value={revision} onChange={(e) => { setRevision(e.target.value); setFit(undefined); }} aria-label="revision (branch, tag or commit; pinned to its commit)" />
        <button type="button" className="button small" disabled={busy || !repo.trim()} onClick={() => void estimateHubFit(repo.trim(), revision.trim() || 'main').then(setFit)}>
          Fit?
        </button>
        <button type="submit" className="button small" disabled={busy || !repo.trim()}>
          Download
        </button>
      </form>
      {fit && (
        <p className={fit[provider].fits ? 'muted' : 'warning'}>
          {formatBytes(fit.downloadBytes)} to download; on {provider.toUpperCase()}: {fit[provider].fits ? 'fits' : 'does not fit'} ({fit[provider].reason})
        </p>
      )}
      {download && (
        <p className="row" data-testid="hub-download" data-state={download.state}>
          {running ? (
            <button type="button" className="button small" onClick={() => void cancelHubDownload(download.repo, download.revision)}>
              Cancel download
            </button>
          ) : (
            <>
              <span className="muted">
                {download.repo}: download {download.state}; what was stored is kept.
              </span>
              <button type="button" className="button small" disabled={busy} onClick={() => start(download.repo, download.revision)}>
                Retry (resume)
              </button>
            </>
          )}
        </p>
      )}
    </details>
  );
}
