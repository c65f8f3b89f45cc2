/** The text sets the worker encodes: the label set (top-5), the TEXTSPAN pool, and opened atlases. */
import { CodedError, ERROR_CODES, errorCode } from '../../api/errors.ts';
import type { Progress } from '../../api/explorer.ts';
import { FALLBACK_LABELS, FALLBACK_POOL } from '../fallbackText.ts';
import { explainError } from '../lib/errors.ts';
import type { TextSetsState } from '../store.ts';
import { modelWorker, progressProxy } from '../workerClient.ts';
import { BASE, clearProgress, fail, notice, store, workerProgress } from './feedback.ts';

async function fetchText(path: string): Promise<string | undefined> {
  const res = await fetch(`${BASE}${path}`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const type = res.headers.get('content-type') ?? '';
  // a SPA fallback may answer index.html for a missing file
  if (type.includes('text/html')) return undefined;
  return res.text();
}

/** the built-in text sets' run now: a newer run (another model) or a cancel makes it stop reporting */
let current: AbortController | undefined;

function setTextSets(textSets: TextSetsState): void {
  store.getState().set({ textSets });
}

/**
 * the app's label set and description pool (or the small fallbacks, said so), embedded in the
 * background: the state shows running / cancelled / done / failed. A set already in the store is
 * not asked again, so after a cancel this resumes: the worker encodes only texts its per-model
 * cache lacks.
 */
export async function loadTextSets(): Promise<void> {
  const api = modelWorker();
  if (!store.getState().model?.summary.text) {
    notice('This model has no text tower: prompts, top-5 and TEXTSPAN are unavailable.');
    return;
  }
  current?.abort();
  const mine = new AbortController();
  current = mine;
  const live = () => current === mine && !mine.signal.aborted;
  // a cancel that came while a file was fetched stops before the worker is asked
  const stopIfCancelled = () => {
    if (mine.signal.aborted) throw new CodedError(ERROR_CODES.cancelled, 'text sets cancelled');
  };
  const onProgress = progressProxy((p: Progress) => {
    if (live()) setTextSets({ state: 'running', progress: p });
  });
  setTextSets({ state: 'running' });
  try {
    if (!store.getState().labels) {
      const labelsText = await fetchText('data/labels.json');
      const labels = labelsText ? (JSON.parse(labelsText) as { classes: string[]; templates: string[] }) : FALLBACK_LABELS;
      if (!labelsText) notice('No label set found at data/labels.json: top-5 uses a small built-in list of 15 classes.');
      const source = labelsText ? 'data/labels.json' : 'built-in (15 classes)';
      stopIfCancelled();
      const r = await api.setLabels({ ...labels, source }, onProgress);
      if (current !== mine) return;
      if (r.warning) notice(r.warning);
      store.getState().set({ labels: { classes: r.classes, source, encoded: r.encoded, cached: r.cached } });
    }
    if (!store.getState().pool) {
      const poolText = await fetchText('data/descriptions.tsv');
      if (!poolText) notice('No description pool found at data/descriptions.tsv: TEXTSPAN uses a small built-in pool.');
      stopIfCancelled();
      const p = await api.setPool(poolText ?? FALLBACK_POOL, onProgress);
      if (current !== mine) return;
      store.getState().set({ pool: { texts: p.texts, source: poolText ? 'data/descriptions.tsv' : 'built-in', encoded: p.encoded, cached: p.cached } });
    }
    if (current === mine) setTextSets({ state: 'done' });
  } catch (err) {
    // a newer run (another model) owns the state now
    if (current !== mine) return;
    if (errorCode(err) === ERROR_CODES.cancelled) setTextSets({ state: 'cancelled' });
    else {
      setTextSets({ state: 'failed', error: explainError(err, 'analysis').detail });
      fail(err, 'analysis', '(label set / pool)');
    }
  } finally {
    if (current === mine) current = undefined;
  }
}

/** the Cancel button: stops the built-in text sets between two text-tower runs, keeping what was embedded */
export async function cancelTextSets(): Promise<void> {
  if (!current) return;
  current.abort();
  const now = store.getState().textSets;
  if (now?.state === 'running') setTextSets({ ...now, cancelling: true });
  await modelWorker().cancelTextSets();
}

/** another model is being loaded: the old model's run stops reporting (the worker stops it on install) */
export function abandonTextSets(): void {
  current?.abort();
  current = undefined;
}

/** a user's set stopped by a cancel (another model, the text sets' Cancel): the set it replaced stays, no error */
function failUnlessCancelled(err: unknown, name: string): void {
  if (errorCode(err) === ERROR_CODES.cancelled) notice(`${name} was not embedded (cancelled).`);
  else fail(err, 'analysis', name);
}

export async function loadUserLabels(file: File): Promise<void> {
  try {
    const text = await file.text();
    const parsed = file.name.endsWith('.json')
      ? (JSON.parse(text) as { classes: string[]; templates?: string[] })
      : { classes: text.split('\n').map((l) => l.trim()).filter(Boolean) };
    const labels = { classes: parsed.classes, templates: parsed.templates ?? FALLBACK_LABELS.templates };
    const r = await modelWorker().setLabels({ ...labels, source: file.name }, workerProgress('encoding the label set'));
    if (r.warning) notice(r.warning);
    store.getState().set({ labels: { classes: r.classes, source: file.name, encoded: r.encoded, cached: r.cached } });
  } catch (err) {
    failUnlessCancelled(err, file.name);
  } finally {
    clearProgress();
  }
}

export async function loadUserPool(file: File): Promise<void> {
  try {
    const p = await modelWorker().setPool(await file.text(), workerProgress('encoding the TEXTSPAN pool'));
    store.getState().set({ pool: { texts: p.texts, source: file.name, encoded: p.encoded, cached: p.cached } });
  } catch (err) {
    failUnlessCancelled(err, file.name);
  } finally {
    clearProgress();
  }
}

export async function loadUserAtlas(file: File): Promise<void> {
  try {
    const r = await modelWorker().loadAtlas(await file.text());
    notice(`Atlas ${file.name} opened: TEXTSPAN lists of ${r.heads} heads over ${r.images} images.`);
  } catch (err) {
    fail(err, 'analysis', file.name);
  }
}
