/**
 * The built-in text sets' UI state against a stand-in worker that behaves as ImageExplorer does
 * (setLabels / setPool reject with code 'cancelled' once cancelTextSets is called while they run):
 * running, done, cancelled and failed are told apart, Resume asks only for the set still missing,
 * and a run of a replaced model writes nothing.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CodedError } from '../../api/errors.ts';
import type { Progress } from '../../api/explorer.ts';
import type { ModelSummary } from '../../api/types.ts';
import { useAppStore } from '../store.ts';

type Call = { method: string; finish: () => void; fail: (err: unknown) => void; onProgress?: (p: Progress) => void };

const worker = vi.hoisted(() => {
  const calls: { method: string }[] = [];
  /** setLabels / setPool calls not yet answered */
  const running: Call[] = [];
  const answers: Record<string, object> = { setLabels: { classes: 2, encoded: 6, cached: 0 }, setPool: { texts: 3, encoded: 3, cached: 0 } };
  const textSet = (method: string) => (_set: unknown, onProgress?: (p: Progress) => void) => {
    calls.push({ method });
    return new Promise((resolve, reject) => {
      const call: Call = {
        method,
        onProgress,
        finish: () => (settle(), resolve(answers[method])),
        fail: (err) => (settle(), reject(err)),
      };
      const settle = () => running.splice(running.indexOf(call), 1);
      running.push(call);
    });
  };
  const api = {
    setLabels: textSet('setLabels'),
    setPool: textSet('setPool'),
    async cancelTextSets() {
      calls.push({ method: 'cancelTextSets' });
      const stopped = [...running];
      for (const c of stopped) c.fail(new CodedError('cancelled', 'text embedding cancelled after 64 of 96 texts (those are kept)', undefined, 'TextEmbeddingCancelled'));
      return { cancelled: stopped.length };
    },
  };
  return { api, calls, running };
});

vi.mock('../workerClient.ts', () => ({ modelWorker: () => worker.api, callbackProxy: <F>(fn: F) => fn, progressProxy: <F>(fn: F) => fn }));

const { abandonTextSets, cancelTextSets, loadTextSets } = await import('./textSets.ts');

const FILES: Record<string, string> = { '/data/labels.json': JSON.stringify({ classes: ['cat', 'dog'], templates: ['a {}', 'the {}', 'my {}'] }), '/data/descriptions.tsv': 'colour\tred\ncolour\tblue\nshape\tround' };
const flush = () => new Promise((r) => setTimeout(r, 0));
const state = () => useAppStore.getState();
const methods = () => worker.calls.map((c) => c.method);

/** waits until the worker was asked `method` (the action fetches a file first) and returns that call */
async function asked(method: string): Promise<Call> {
  for (let i = 0; i < 50; i++) {
    const c = worker.running.find((r) => r.method === method);
    if (c) return c;
    await flush();
  }
  throw new Error(`the worker was never asked ${method} (asked: ${methods().join(', ')})`);
}

describe('loadTextSets / cancelTextSets', () => {
  beforeEach(() => {
    abandonTextSets();
    worker.calls.length = 0;
    worker.running.length = 0;
    vi.stubGlobal('fetch', async (url: string) => new Response(FILES[url] ?? 'missing', { status: FILES[url] ? 200 : 404, headers: { 'content-type': 'text/plain' } }));
    const summary = { fingerprint: 'fp', text: {}, vision: { layers: 2 } } as unknown as ModelSummary;
    useAppStore.setState({ model: { summary, source: { kind: 'demo', id: 'demo', label: 'demo' } }, labels: undefined, pool: undefined, textSets: undefined, errors: [], notices: [], progress: undefined });
  });

  it('running with the worker’s progress, then done with both sets; the one progress bar is left alone', async () => {
    const run = loadTextSets();
    expect(state().textSets).toEqual({ state: 'running' });
    const labels = await asked('setLabels');
    labels.onProgress?.({ phase: 'embedding the label set', done: 64, total: 96 });
    expect(state().textSets).toEqual({ state: 'running', progress: { phase: 'embedding the label set', done: 64, total: 96 } });
    expect(state().progress).toBeUndefined();
    labels.finish();
    (await asked('setPool')).finish();
    await run;
    expect(state().textSets).toEqual({ state: 'done' });
    expect(state().labels).toEqual({ classes: 2, source: 'data/labels.json', encoded: 6, cached: 0 });
    expect(state().pool).toEqual({ texts: 3, source: 'data/descriptions.tsv', encoded: 3, cached: 0 });
    expect(state().errors).toEqual([]);
  });

  it('Cancel during the label set: the worker is asked to cancel, the state says cancelled (no error), the pool is not asked; later progress is not shown', async () => {
    const run = loadTextSets();
    const labels = await asked('setLabels');
    labels.onProgress?.({ phase: 'embedding the label set', done: 64, total: 96 });
    const cancelling = cancelTextSets();
    // shown at once, while the worker finishes the chunk under way
    expect(state().textSets).toEqual({ state: 'running', progress: { phase: 'embedding the label set', done: 64, total: 96 }, cancelling: true });
    await cancelling;
    await run;
    expect(methods()).toEqual(['setLabels', 'cancelTextSets']);
    expect(state().textSets).toEqual({ state: 'cancelled' });
    expect(state().labels).toBeUndefined();
    expect(state().errors).toEqual([]);
    labels.onProgress?.({ phase: 'embedding the label set', done: 96, total: 96 });
    expect(state().textSets).toEqual({ state: 'cancelled' });
  });

  it('Resume after a cancel during the pool asks only for the pool, then done', async () => {
    const run = loadTextSets();
    (await asked('setLabels')).finish();
    await asked('setPool');
    await cancelTextSets();
    await run;
    expect(state().textSets).toEqual({ state: 'cancelled' });
    expect(state().labels?.classes).toBe(2);
    const resumed = loadTextSets();
    (await asked('setPool')).finish();
    await resumed;
    expect(methods()).toEqual(['setLabels', 'setPool', 'cancelTextSets', 'setPool']);
    expect(state().textSets).toEqual({ state: 'done' });
  });

  it('a failure other than a cancel: state failed with its reason, and the error is shown', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const run = loadTextSets();
    (await asked('setLabels')).fail(new CodedError('out-of-memory', 'failed to allocate 3 GB'));
    await run;
    expect(state().textSets?.state).toBe('failed');
    expect(state().textSets?.error).toMatch(/allocate/);
    expect(state().errors).toHaveLength(1);
  });

  it('a cancel while a file is still fetched stops before the worker is asked', async () => {
    const run = loadTextSets();
    await cancelTextSets();
    await run;
    expect(methods()).toEqual(['cancelTextSets']); // asked, though nothing ran there yet
    expect(state().textSets).toEqual({ state: 'cancelled' });
  });

  it('another model: the old run, stopped by the worker, writes nothing over the new model’s run', async () => {
    const old = loadTextSets();
    const oldLabels = await asked('setLabels');
    abandonTextSets(); // models.ts, once the worker installed the new model (which cancelled the old sets)
    useAppStore.setState({ labels: undefined, pool: undefined, textSets: undefined });
    const fresh = loadTextSets();
    oldLabels.fail(new CodedError('cancelled', 'text embedding cancelled'));
    await old;
    expect(state().textSets).toEqual({ state: 'running' });
    (await asked('setLabels')).finish();
    (await asked('setPool')).finish();
    await fresh;
    expect(state().textSets).toEqual({ state: 'done' });
  });
});
