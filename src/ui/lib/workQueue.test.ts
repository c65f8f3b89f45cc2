import { describe, expect, it } from 'vitest';
import { WorkQueue, type QueueState } from './workQueue.ts';

const item = (name: string) => ({ name });

/** a process() whose items finish only when the test says so */
function gated() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const process = (it: { name: string }) =>
    new Promise<void>((resolve) => {
      started.push(it.name);
      gates.set(it.name, resolve);
    });
  const finish = async (name: string) => {
    gates.get(name)!();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { started, process, finish };
}

const tick = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('WorkQueue', () => {
  it('processes items one at a time, in order, reporting done/total/current', async () => {
    const g = gated();
    const states: (QueueState | undefined)[] = [];
    const q = new WorkQueue({ process: g.process, onChange: (s) => states.push(s) });
    const run = q.enqueue(['a', 'b', 'c'].map(item));
    await tick();
    expect(g.started).toEqual(['a']);
    expect(q.state).toEqual({ done: 0, total: 3, current: 'a', cancelling: false });
    await g.finish('a');
    expect(g.started).toEqual(['a', 'b']);
    expect(q.state).toMatchObject({ done: 1, total: 3, current: 'b' });
    await g.finish('b');
    await g.finish('c');
    expect(await run).toEqual({ processed: 3, dropped: 0, cancelled: false });
    expect(q.state).toBeUndefined();
    expect(states.at(-1)).toBeUndefined();
  });

  it('items enqueued during a run join it and grow the total', async () => {
    const g = gated();
    const q = new WorkQueue({ process: g.process });
    const first = q.enqueue([item('a')]);
    await tick();
    const second = q.enqueue([item('b'), item('c')]);
    expect(second).toBe(first);
    expect(q.state).toMatchObject({ done: 0, total: 3, current: 'a' });
    for (const n of ['a', 'b', 'c']) await g.finish(n);
    expect((await first).processed).toBe(3);
  });

  it('cancel lets the current item finish and drops the waiting ones, handing them back', async () => {
    const g = gated();
    const dropped: string[] = [];
    const q = new WorkQueue({ process: g.process, onDropped: (items) => dropped.push(...items.map((i) => i.name)) });
    const run = q.enqueue(['a', 'b', 'c', 'd'].map(item));
    await tick();
    await g.finish('a');
    q.cancel();
    expect(q.state).toMatchObject({ current: 'b', cancelling: true });
    await g.finish('b');
    expect(await run).toEqual({ processed: 2, dropped: 2, cancelled: true });
    expect(g.started).toEqual(['a', 'b']);
    expect(dropped).toEqual(['c', 'd']);
    // the queue is usable again
    const again = q.enqueue([item('e')]);
    await tick();
    await g.finish('e');
    expect(await again).toEqual({ processed: 1, dropped: 0, cancelled: false });
  });

  it('a failing item is reported and the run goes on', async () => {
    const errors: string[] = [];
    const q = new WorkQueue({
      process: async (it: { name: string }) => {
        if (it.name === 'bad') throw new Error('corrupt');
      },
      onError: (it, err) => errors.push(`${it.name}: ${(err as Error).message}`),
    });
    expect(await q.enqueue(['a', 'bad', 'c'].map(item))).toEqual({ processed: 3, dropped: 0, cancelled: false });
    expect(errors).toEqual(['bad: corrupt']);
  });
});
