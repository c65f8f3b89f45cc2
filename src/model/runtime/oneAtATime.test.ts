import { describe, expect, it } from 'vitest';
import { OneAtATime } from './oneAtATime.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OneAtATime', () => {
  it('never overlaps tasks and runs them in call order, whatever their durations', async () => {
    const lock = new OneAtATime();
    let active = 0;
    let maxActive = 0;
    const order: number[] = [];
    const durations = [9, 1, 5, 0, 3, 7, 2];
    const results = await Promise.all(
      durations.map((ms, i) =>
        lock.run(async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          order.push(i);
          await tick(ms);
          active--;
          return i * 10;
        }),
      ),
    );
    expect(maxActive).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(lock.pending).toBe(0);
  });

  it('a failing task rejects only its own caller; the next task still runs after it settles', async () => {
    const lock = new OneAtATime();
    const log: string[] = [];
    const failing = lock.run(async () => {
      await tick(3);
      log.push('fail');
      throw new Error('boom');
    });
    const next = lock.run(async () => {
      log.push('next');
      return 'ok';
    });
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    expect(log).toEqual(['fail', 'next']);
  });

  it('a task that throws synchronously is a rejection, not an exception at the call site', async () => {
    const lock = new OneAtATime();
    const p = lock.run(() => {
      throw new Error('sync');
    });
    await expect(p).rejects.toThrow('sync');
    await expect(lock.run(async () => 1)).resolves.toBe(1);
  });
});
