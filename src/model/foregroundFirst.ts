/**
 * Foreground work first: requests a user waits for (an image decomposed, a prompt embedded) run
 * as `run(work)`; background work (embedding the built-in label set and pool, thousands of texts)
 * calls `yield()` between its steps, which returns only once no foreground work is running.
 *
 * Why: the engine's runs take turns on one onnxruntime module (WASM runs also block the worker
 * thread while they compute). Without this, a photo dropped while the text sets were being
 * embedded had its session's weights read between text batches, one awaited read per batch, and
 * was ready after ~200 s instead of ~15 s (scripts/bench/app.browser.bench.ts, loaded machine).
 */
export class ForegroundFirst {
  private running = 0;
  private waiting: (() => void)[] = [];

  /** runs foreground work; background steps wait while any is running */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      if (this.running === 0) for (const wake of this.waiting.splice(0)) wake();
    }
  }

  /** for background work between its steps: a macrotask turn (queued requests start), then no foreground work running */
  async yield(): Promise<void> {
    await new Promise((r) => setTimeout(r, 0));
    while (this.running > 0) await new Promise<void>((r) => this.waiting.push(r));
  }

  /** foreground work running now */
  get busy(): boolean {
    return this.running > 0;
  }

  /** how many foreground requests are running or waiting now */
  get count(): number {
    return this.running;
  }
}
