import { describe, expect, it } from 'vitest';
import { createDrawQueue } from './drawQueue.ts';

/** a clock each draw advances by `cost` ms, and tasks the test runs one at a time */
function harness(cost: number) {
  let t = 0;
  const tasks: (() => void)[] = [];
  const queue = createDrawQueue({ budgetMs: 8, now: () => t, nextTask: (fn) => tasks.push(fn) });
  const drawn: number[][] = [];
  const runTask = () => {
    drawn.push([]);
    tasks.shift()!();
  };
  const draw = (k: number) => () => {
    t += cost;
    drawn.at(-1)!.push(k);
  };
  return { queue, tasks, drawn, runTask, draw };
}

describe('createDrawQueue({budgetMs: 8})', () => {
  it('24 draws of 3 ms each run 3 to a task (9 ms), in order, over 8 tasks', () => {
    const h = harness(3);
    for (let k = 0; k < 24; k++) h.queue.schedule(h.draw(k));
    expect(h.tasks).toHaveLength(1);
    while (h.tasks.length > 0) h.runTask();
    expect(h.drawn).toHaveLength(8);
    expect(h.drawn.every((task) => task.length === 3)).toBe(true);
    expect(h.drawn.flat()).toEqual(Array.from({ length: 24 }, (_, k) => k));
  });

  it('a cancelled draw never runs; a queue left with only cancelled draws schedules no task', () => {
    const h = harness(1);
    const cancels = [0, 1, 2].map((k) => h.queue.schedule(h.draw(k)));
    cancels[1]();
    h.runTask();
    expect(h.drawn.flat()).toEqual([0, 2]);
    const cancel = h.queue.schedule(h.draw(3));
    cancel();
    h.runTask();
    expect(h.drawn.flat()).toEqual([0, 2]);
    expect(h.tasks).toHaveLength(0);
  });

  it('a draw longer than the budget runs alone in its task', () => {
    const h = harness(20);
    for (let k = 0; k < 3; k++) h.queue.schedule(h.draw(k));
    while (h.tasks.length > 0) h.runTask();
    expect(h.drawn).toEqual([[0], [1], [2]]);
  });
});
