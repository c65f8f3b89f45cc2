/**
 * Steps of a user-visible request, recorded as User Timing measures (`performance.measure`) where
 * they run — the worker and the main thread — so a profile (DevTools) or a bench
 * (scripts/bench/app.browser.bench.ts reads both threads) sees where the time goes. One name per
 * step; cheap enough to stay on in the app.
 */

/** a measure of one step from `start` (performance.now()) to now; returns now, the next step's start */
export function measureStep(name: string, start: number): number {
  const end = performance.now();
  performance.measure(name, { start, end });
  return end;
}
