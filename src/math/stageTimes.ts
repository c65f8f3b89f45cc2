/**
 * Time per named stage of an algorithm, for benches' breakdowns: `stageClock(times)` returns
 * `lap(stage)`, which adds the time since the previous lap (or since the clock started) to
 * `times.ms[stage]`. Without `times` it does nothing, so production calls cost a no-op.
 */
export interface StageTimes {
  /** milliseconds per stage, summed over laps */
  readonly ms: Map<string, number>;
  /** the clock in ms (default performance.now; e.g. the process's CPU time on a busy machine) */
  readonly now?: () => number;
}

export type Lap = (stage: string) => void;

const noLap: Lap = () => {};

export function stageClock(times: StageTimes | undefined): Lap {
  if (!times) return noLap;
  const now = times.now ?? (() => performance.now());
  let last = now();
  return (stage) => {
    const t = now();
    times.ms.set(stage, (times.ms.get(stage) ?? 0) + t - last);
    last = t;
  };
}
