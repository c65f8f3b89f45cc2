/**
 * Canvas drawing in slices, so a redraw of many canvases (24 heatmaps after a prompt) is many short
 * main-thread tasks instead of one long one: queued draws run back to back until a time budget is
 * spent, then the rest wait for the next task, letting input and paint in between.
 */

export interface DrawQueueOptions {
  /** milliseconds of drawing per task (default 8: well under the 50 ms of a long task) */
  budgetMs?: number;
  now?: () => number;
  /** runs `fn` in a later task (default: a MessageChannel message, which setTimeout's clamping does not delay) */
  nextTask?: (fn: () => void) => void;
}

function messageChannelTask(): (fn: () => void) => void {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return (fn) => {
    waiting.push(fn);
    channel.port2.postMessage(null);
  };
}

export interface DrawQueue {
  /** queues a draw; the returned function cancels it if it has not run yet */
  schedule(draw: () => void): () => void;
}

export function createDrawQueue(options: DrawQueueOptions = {}): DrawQueue {
  const budgetMs = options.budgetMs ?? 8;
  const now = options.now ?? (() => performance.now());
  let nextTask = options.nextTask;
  const queue: { draw: () => void; cancelled: boolean }[] = [];
  let scheduled = false;

  const run = () => {
    scheduled = false;
    const start = now();
    while (queue.length > 0) {
      const item = queue.shift()!;
      if (item.cancelled) continue;
      item.draw();
      if (now() - start >= budgetMs) break;
    }
    if (queue.some((i) => !i.cancelled)) wake();
    else queue.length = 0;
  };
  const wake = () => {
    if (scheduled) return;
    scheduled = true;
    nextTask ??= messageChannelTask();
    nextTask(run);
  };

  return {
    schedule(draw) {
      const item = { draw, cancelled: false };
      queue.push(item);
      wake();
      return () => {
        item.cancelled = true;
      };
    },
  };
}

/** the app's one queue for heatmap canvases */
let shared: DrawQueue | undefined;
export function scheduleDraw(draw: () => void): () => void {
  shared ??= createDrawQueue();
  return shared.schedule(draw);
}
