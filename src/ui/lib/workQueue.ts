/**
 * A cancellable one-at-a-time queue (a dropped folder's images): items are processed in order;
 * items enqueued while it runs join the same run; cancel() lets the current item finish and drops
 * the rest, handing them back so the caller can take them off the screen.
 */

export interface QueueState {
  /** items finished in this run (processed or failed) */
  done: number;
  /** done + running + waiting */
  total: number;
  /** the item being processed */
  current?: string;
  cancelling: boolean;
}

export interface WorkQueueOptions<T> {
  process(item: T): Promise<void>;
  onChange?(state: QueueState | undefined): void;
  /** a failure of one item (the run goes on); default: rethrown into the console */
  onError?(item: T, err: unknown): void;
  /** items dropped by cancel(), never processed */
  onDropped?(items: T[]): void;
}

export interface RunSummary {
  processed: number;
  dropped: number;
  cancelled: boolean;
}

export class WorkQueue<T extends { name: string }> {
  private waiting: T[] = [];
  private done = 0;
  private current?: T;
  private cancelling = false;
  private run?: Promise<RunSummary>;

  constructor(private readonly options: WorkQueueOptions<T>) {}

  get state(): QueueState | undefined {
    if (!this.run) return undefined;
    const total = this.done + (this.current ? 1 : 0) + this.waiting.length;
    return { done: this.done, total, ...(this.current ? { current: this.current.name } : {}), cancelling: this.cancelling };
  }

  /** adds items; resolves when the run they joined ends (drained or cancelled) */
  enqueue(items: readonly T[]): Promise<RunSummary> {
    this.waiting.push(...items);
    this.run ??= this.drain();
    this.changed();
    return this.run;
  }

  /** the current item finishes; the waiting ones are dropped */
  cancel(): void {
    if (!this.run || this.cancelling) return;
    this.cancelling = true;
    this.changed();
  }

  private changed(): void {
    this.options.onChange?.(this.state);
  }

  private async drain(): Promise<RunSummary> {
    // let enqueue() return the run before the first item starts
    await Promise.resolve();
    while (this.waiting.length > 0 && !this.cancelling) {
      this.current = this.waiting.shift()!;
      this.changed();
      try {
        await this.options.process(this.current);
      } catch (err) {
        // one bad item does not stop the run
        this.options.onError?.(this.current, err);
      }
      this.done++;
      this.current = undefined;
    }
    const dropped = this.waiting;
    const summary: RunSummary = { processed: this.done, dropped: dropped.length, cancelled: this.cancelling };
    this.waiting = [];
    this.done = 0;
    this.cancelling = false;
    this.run = undefined;
    if (dropped.length > 0) this.options.onDropped?.(dropped);
    this.changed();
    return summary;
  }
}
