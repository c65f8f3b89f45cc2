import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, isRetryable } from './download.ts';
import { HubError } from './errors.ts';
import { ProgressMeter } from './progress.ts';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ProgressMeter', () => {
  it('rate is bytes over elapsed seconds; eta is bytes left over the rate', () => {
    const c = clock();
    const m = new ProgressMeter(10_000, { now: c.now, windowSeconds: 5 });
    expect(m.rate()).toBe(0);
    expect(m.eta()).toBeNull();
    c.advance(1000);
    m.add(1000);
    expect(m.rate()).toBe(1000);
    expect(m.eta()).toBe(9);
    c.advance(1000);
    m.add(3000);
    expect(m.rate()).toBe(2000); // 4000 bytes in 2 s
    expect(m.eta()).toBe(3); // 6000 left at 2000 B/s
  });

  it('the rate forgets transfers older than the window and decays while stalled', () => {
    const c = clock();
    const m = new ProgressMeter(1e9, { now: c.now, windowSeconds: 2 });
    for (let i = 0; i < 10; i++) {
      c.advance(1000);
      m.add(i < 5 ? 100 : 10_000); // slow, then fast
    }
    // the window holds the last ~2 s of fast transfer (plus one sample before it)
    expect(m.rate()).toBeCloseTo(10_000, 5);
    c.advance(8000); // stalled
    expect(m.rate()).toBeCloseTo(20_000 / 10, 5);
  });

  it('bytes found stored (resume) count as done but not towards the rate', () => {
    const c = clock();
    const m = new ProgressMeter(1000, { now: c.now });
    m.skip(600);
    c.advance(2000);
    m.add(200);
    expect(m.bytesDone).toBe(800);
    expect(m.rate()).toBe(100);
    expect(m.eta()).toBe(2);
    m.add(200);
    expect(m.eta()).toBe(0);
    expect(m.snapshot('id', 'download', 'f')).toMatchObject({ modelId: 'id', bytesDone: 1000, bytesTotal: 1000, etaSeconds: 0, file: 'f' });
  });
});

describe('retry policy', () => {
  it('backoffDelay doubles from the base and stops at the maximum', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, DEFAULT_RETRY))).toEqual([250, 500, 1000, 2000, 8000]);
  });

  it('isRetryable: lost connections and 5xx/429 yes; 404, checksum and range errors no', () => {
    expect(isRetryable(new TypeError('terminated'))).toBe(true);
    expect(isRetryable(new HubError('network', 'x'))).toBe(true);
    expect(isRetryable(new HubError('http', 'GET u answered 503'))).toBe(true);
    expect(isRetryable(new HubError('http', 'GET u answered 429'))).toBe(true);
    expect(isRetryable(new HubError('http', 'GET u answered 403'))).toBe(false);
    expect(isRetryable(new HubError('not-found', 'x'))).toBe(false);
    expect(isRetryable(new HubError('sha256-mismatch', 'x'))).toBe(false);
    expect(isRetryable(new HubError('range-mismatch', 'x'))).toBe(false);
  });
});
