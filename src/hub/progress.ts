/**
 * Download progress maths: bytes done, a transfer rate over a sliding time window, and the ETA
 * at that rate. Bytes found already stored (a resumed download) count as done but not towards
 * the rate. The clock is injectable so tests can drive it.
 */
import type { DownloadPhase, DownloadProgress } from '../api/hub.ts';

export interface ProgressMeterOptions {
  /** seconds of history the rate is measured over (default 5) */
  windowSeconds?: number;
  /** milliseconds clock (default performance.now) */
  now?: () => number;
}

export class ProgressMeter {
  private done = 0;
  private readonly samples: { t: number; bytes: number }[] = [];
  private readonly windowMs: number;
  private readonly now: () => number;
  retries = 0;

  constructor(
    readonly total: number,
    options: ProgressMeterOptions = {},
  ) {
    this.windowMs = (options.windowSeconds ?? 5) * 1000;
    this.now = options.now ?? (() => performance.now());
    this.samples.push({ t: this.now(), bytes: 0 });
  }

  /** bytes that were stored before this meter started (resume) */
  skip(bytes: number): void {
    this.done += bytes;
  }

  /** bytes received now */
  add(bytes: number): void {
    this.done += bytes;
    const t = this.now();
    const transferred = this.samples[this.samples.length - 1].bytes + bytes;
    this.samples.push({ t, bytes: transferred });
    // keep one sample at or before the window's start so the rate spans the whole window
    while (this.samples.length > 2 && this.samples[1].t <= t - this.windowMs) this.samples.shift();
  }

  get bytesDone(): number {
    return this.done;
  }

  /**
   * bytes per second since the oldest kept sample (the last one at or before the window's start),
   * measured to now: a stalled transfer's rate decays towards 0
   */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (this.now() - first.t) / 1000;
    return seconds > 0 ? (last.bytes - first.bytes) / seconds : 0;
  }

  /** seconds left at the current rate, null while the rate is unknown */
  eta(): number | null {
    const r = this.rate();
    const left = Math.max(0, this.total - this.done);
    if (left === 0) return 0;
    return r > 0 ? left / r : null;
  }

  snapshot(modelId: string, phase: DownloadPhase, file: string): DownloadProgress {
    return {
      modelId,
      phase,
      bytesDone: this.done,
      bytesTotal: this.total,
      rateBps: this.rate(),
      etaSeconds: this.eta(),
      file,
      retries: this.retries,
    };
  }
}
