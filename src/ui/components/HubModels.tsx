/** Models from the Hugging Face hub: the ones stored in this browser, and downloading another. */
import { useEffect, useState } from 'react';
import type { FitReport, StoredModelInfo } from '../../api/types.ts';
import { deleteStoredModel, downloadAndLoadHubModel, estimateHubFit, listStoredModels, loadStoredModel } from '../actions.ts';
import { formatBytes } from '../lib/format.ts';
import { useAppStore } from '../store.ts';

export function HubModels() {
  const busy = useAppStore((s) => Boolean(s.progress));
  const runtime = useAppStore((s) => s.runtime);
  const loadedId = useAppStore((s) => (s.model?.source.kind === 'stored' ? s.model.source.id : ''));
  const [stored, setStored] = useState<StoredModelInfo[]>([]);
  const [repo, setRepo] = useState('openai/clip-vit-base-patch32');
  const [fit, setFit] = useState<FitReport>();
  useEffect(() => {
    if (!busy) void listStoredModels().then(setStored);
  }, [busy]);
  const provider = runtime?.provider ?? 'wasm';
  return (
    <details className="small hub">
      <summary>Hugging Face hub {stored.length > 0 && <span className="muted">({stored.length} stored)</span>}</summary>
      {stored.length > 0 && (
        <ul className="stored">
          {stored.map((m) => (
            <li key={m.id} className="row">
              <button type="button" className="link" disabled={busy || m.id === loadedId} onClick={() => void loadStoredModel(m.id, m.repo)} title={`${m.repo}@${m.revision.slice(0, 8)}`}>
                {m.repo}
              </button>
              <button type="button" className="icon" aria-label={`delete ${m.repo} from this browser`} onClick={() => void deleteStoredModel(m.id).then(listStoredModels).then(setStored)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void downloadAndLoadHubModel(repo.trim());
        }}
      >
        <input className="mono grow" value={repo} onChange={(e) => { setRepo(e.target.value); setFit(undefined); }} aria-label="hub repository (owner/name)" />
        <button type="button" className="button small" disabled={busy || !repo.trim()} onClick={() => void estimateHubFit(repo.trim()).then(setFit)}>
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
    </details>
  );
}
