/**
 * A FIFO lock: tasks passed to `run` execute one at a time, in call order, each starting only after
 * the previous one has settled (resolved or rejected). A failed task does not block later ones.
 */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** tasks queued or running */
  get pending(): number {
    return this.waiting;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(task);
    // the next task waits for this one to settle either way; its errors go to this caller only
    this.tail = result.then(
      () => void this.waiting--,
      () => void this.waiting--,
    );
    return result;
  }
}
