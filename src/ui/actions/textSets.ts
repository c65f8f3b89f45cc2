/** The text sets the worker encodes: the label set (top-5), the TEXTSPAN pool, and opened atlases. */
import { FALLBACK_LABELS, FALLBACK_POOL } from '../fallbackText.ts';
import { modelWorker } from '../workerClient.ts';
import { BASE, clearProgress, fail, notice, store, workerProgress } from './feedback.ts';

async function fetchText(path: string): Promise<string | undefined> {
  const res = await fetch(`${BASE}${path}`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const type = res.headers.get('content-type') ?? '';
  // a SPA fallback may answer index.html for a missing file
  if (type.includes('text/html')) return undefined;
  return res.text();
}

/** the app's label set and description pool (or the small fallbacks, said so) */
export async function loadTextSets(): Promise<void> {
  const api = modelWorker();
  if (!store.getState().model?.summary.text) {
    notice('This model has no text tower: prompts, top-5 and TEXTSPAN are unavailable.');
    return;
  }
  try {
    const labelsText = await fetchText('data/labels.json');
    const labels = labelsText ? (JSON.parse(labelsText) as { classes: string[]; templates: string[] }) : FALLBACK_LABELS;
    if (!labelsText) notice('No label set found at data/labels.json: top-5 uses a small built-in list of 15 classes.');
    const source = labelsText ? 'data/labels.json' : 'built-in (15 classes)';
    const r = await api.setLabels({ ...labels, source }, workerProgress('encoding the label set'));
    if (r.warning) notice(r.warning);
    store.getState().set({ labels: { classes: r.classes, source, encoded: r.encoded, cached: r.cached } });
    const poolText = await fetchText('data/descriptions.tsv');
    if (!poolText) notice('No description pool found at data/descriptions.tsv: TEXTSPAN uses a small built-in pool.');
    const p = await api.setPool(poolText ?? FALLBACK_POOL, workerProgress('encoding the TEXTSPAN pool'));
    store.getState().set({ pool: { texts: p.texts, source: poolText ? 'data/descriptions.tsv' : 'built-in', encoded: p.encoded, cached: p.cached } });
  } catch (err) {
    fail(err, 'analysis', '(label set / pool)');
  } finally {
    clearProgress();
  }
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
    fail(err, 'analysis', file.name);
  } finally {
    clearProgress();
  }
}

export async function loadUserPool(file: File): Promise<void> {
  try {
    const p = await modelWorker().setPool(await file.text(), workerProgress('encoding the TEXTSPAN pool'));
    store.getState().set({ pool: { texts: p.texts, source: file.name, encoded: p.encoded, cached: p.cached } });
  } catch (err) {
    fail(err, 'analysis', file.name);
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
