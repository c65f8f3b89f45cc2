/**
 * Steps of a user-visible request, recorded as User Timing measures (`performance.measure`) where
 * they run — the worker and the main thread — so a profile (DevTools) or a bench
 * (scripts/bench/app.browser.bench.ts reads both threads) sees where the time goes. One name per
 * step; cheap enough to stay on in the app.
 */

/**
 * a measure of one step from `start` (performance.now()) to now; returns now, the next step's start.
 * `detail` says which of several things the step worked on (e.g. the graph of an onnxruntime call).
 */
export function measureStep(name: string, start: number, detail?: string): number {
  const end = performance.now();
  performance.measure(name, detail === undefined ? { start, end } : { start, end, detail });
  return end;
}
