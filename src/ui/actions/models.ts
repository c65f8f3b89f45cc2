/** Loading a model into the worker: the demo model, a local folder, or one stored in this browser. */
import { CodedError, ERROR_CODES } from '../../api/errors.ts';
import type { ModelFileInput } from '../../api/types.ts';
import { dropImageBitmap } from '../imageCache.ts';
import { modelRefOfStoredId } from '../lib/urlState.ts';
import type { ModelSource } from '../store.ts';
import { modelWorker } from '../workerClient.ts';
import { BASE, clearProgress, fail, setProgress, store } from './feedback.ts';
import { abandonTextSets, loadTextSets } from './textSets.ts';

interface DemoManifest {
  name: string;
  warning: string;
  files: { name: string; size: number }[];
}

async function fetchWithProgress(url: string, label: string, onBytes: (n: number) => void): Promise<Blob> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new CodedError(ERROR_CODES.http, `GET ${url}: HTTP ${res.status} (${label})`, label);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    onBytes(value.byteLength);
  }
  return new Blob(chunks as BlobPart[]);
}

/** a new model replaces everything computed with the old one */
async function afterModelLoaded(source: ModelSource, files: ModelFileInput[] | { storedId: string }): Promise<void> {
  const api = modelWorker();
  setProgress(`building the ${source.label} graphs`, 0, 0);
  // the decomposition session is built (and run once) as soon as the worker has read the model,
  // while the user picks a photo; before the text sets, so they wait for it
  const prepare = { prepare: { warmUp: true } };
  const summary = 'storedId' in files ? await api.loadStoredModel(files.storedId, prepare) : await api.loadModel(files, prepare);
  // the worker stopped the old model's text sets when it installed this one: their run reports no more
  abandonTextSets();
  for (const img of store.getState().images) dropImageBitmap(img.id);
  store.getState().set({
    model: { summary, source },
    images: [],
    linkOffer: undefined,
    selectedImage: undefined,
    grid: undefined,
    headDetail: undefined,
    heatmaps: {},
    segmentations: {},
    top5: {},
    layerEffects: undefined,
    ablationCanonical: '',
    labels: undefined,
    pool: undefined,
    textSets: undefined,
    memory: undefined,
  });
  // a link names a stored hub model as owner/name@commit, so it means the same weights everywhere
  store.getState().patchView({ model: source.kind === 'stored' ? modelRefOfStoredId(source.id) : source.id });
  clearProgress();
  // the text sets embed in the background (their own status, cancellable): a shared link's photos
  // and everything else that does not need them go ahead now
  void loadTextSets();
  // an ablation set from a shared URL applies once images are in
}

export async function loadDemoModel(): Promise<void> {
  try {
    const res = await fetch(`${BASE}demo/manifest.json`);
    if (!res.ok) throw new CodedError(ERROR_CODES.http, `the demo model is missing from this build (GET demo/manifest.json: HTTP ${res.status}); run npm run build`);
    const manifest = (await res.json()) as DemoManifest;
    const total = manifest.files.reduce((s, f) => s + f.size, 0);
    let done = 0;
    setProgress('downloading the demo model', 0, total, 'bytes');
    const files: ModelFileInput[] = [];
    for (const f of manifest.files) {
      const blob = await fetchWithProgress(`${BASE}demo/${f.name}`, f.name, (n) => {
        done += n;
        setProgress('downloading the demo model', done, total, 'bytes');
      });
      files.push({ name: f.name, blob });
    }
    await afterModelLoaded({ kind: 'demo', id: 'demo', label: `demo (${manifest.name})`, warning: manifest.warning }, files);
  } catch (err) {
    clearProgress();
    fail(err, 'model', 'the demo model');
  }
}

export async function loadModelFolder(list: File[]): Promise<void> {
  if (list.length === 0) return;
  const files: ModelFileInput[] = list.map((f) => ({ name: f.name, blob: f }));
  const folder = (list[0] as File & { webkitRelativePath?: string }).webkitRelativePath?.split('/')[0] || 'local model';
  try {
    await afterModelLoaded({ kind: 'folder', id: '', label: folder }, files);
  } catch (err) {
    clearProgress();
    fail(err, 'model', folder);
  }
}

export async function loadStoredModel(id: string, label: string): Promise<void> {
  try {
    await afterModelLoaded({ kind: 'stored', id, label }, { storedId: id });
  } catch (err) {
    clearProgress();
    fail(err, 'model', label);
  }
}
