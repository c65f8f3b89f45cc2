/**
 * What every action shares: turning failures into page errors, notices, the one progress bar, and
 * a latest-wins guard for views that can be re-requested while an older request is in flight.
 */
import type { Progress } from '../../api/explorer.ts';
import { explainError, type ErrorContext } from '../lib/errors.ts';
import { useAppStore } from '../store.ts';
import { progressProxy } from '../workerClient.ts';

export const store = useAppStore;
/** where the app's static files (demo model, gallery, text sets) are served from */
export const BASE = import.meta.env.BASE_URL;

export function fail(err: unknown, context: ErrorContext, subject = ''): void {
  console.error(err);
  store.getState().pushError(explainError(err, context, subject));
}

export function notice(text: string): void {
  store.setState((s) => ({ notices: s.notices.includes(text) ? s.notices : [...s.notices, text] }));
}

export function setProgress(label: string, done: number, total: number, unit?: 'bytes' | 'items'): void {
  store.getState().set({ progress: { label, done, total, ...(unit ? { unit } : {}) } });
}

export function clearProgress(): void {
  store.getState().set({ progress: undefined });
}

/** a worker progress callback that drives the progress bar */
export const workerProgress = (label: string) => progressProxy((p: Progress) => setProgress(`${label}: ${p.phase}`, p.done, p.total, 'items'));

const seq: Record<string, number> = {};
/** latest-wins guard per view: the returned check is true while no newer request for `view` began */
export function ticket(view: string): () => boolean {
  const n = (seq[view] = (seq[view] ?? 0) + 1);
  return () => seq[view] === n;
}
