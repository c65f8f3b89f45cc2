import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModelSummary } from '../../api/types.ts';
import { useAppStore } from '../store.ts';

/**
 * A stand-in worker that answers every method with a plausible value and records each call with
 * the image ids found in its arguments (strings and arrays of strings, at any depth).
 */
const worker = vi.hoisted(() => {
  const calls: { method: string; imageIds: string[] }[] = [];
  const known = new Set<string>();
  const idsIn = (v: unknown): string[] =>
    typeof v === 'string' ? (known.has(v) ? [v] : []) : Array.isArray(v) ? v.flatMap(idsIn) : v && typeof v === 'object' ? Object.values(v).flatMap(idsIn) : [];
  const heatmap = () => ({ grid: 2, patchSize: 16, maps: [new Float32Array(4)], min: 0, max: 1 });
  const answers: Record<string, (...args: never[]) => unknown> = {
    addImage: (id: string) => (known.add(id), { display: { width: 1, height: 1, rgba: new Uint8ClampedArray(4) }, bitmap: {}, sourceSize: [1, 1] }),
    memoryUse: () => ({ images: known.size, componentBytes: 0, imagesWithCells: 0, cellsBytes: 0, cellsBudgetBytes: 1 }),
    headGrid: () => ({ values: new Float32Array(4), ablated: new Uint8Array(4) }),
    headTextspan: () => ({ layer: 0, head: 0, source: 'images', imagesUsed: known.size, texts: [{ text: 'a dog', varianceExplained: 0.1 }] }),
    headTopImages: () => [],
    headSimilarImages: () => [],
    headTokenMap: heatmap,
    heatmap,
    heatmaps: (_req: unknown, ids: string[]) => ids.map(heatmap),
    segmentation: () => ({ mask: new Uint8Array(4), size: 2, target: 'a dog', threshold: 0.5, normalised: new Float32Array(4) }),
    segmentations: (ids: string[]) => ids.map(() => ({ mask: new Uint8Array(4), size: 2, target: 'a dog', threshold: 0.5, normalised: new Float32Array(4) })),
    setAblation: (spec: string) => ({ canonical: spec }),
    topClasses: (ids: string[]) => ids.map((imageId) => ({ imageId, classes: [], original: [] })),
  };
  const api = new Proxy(
    {},
    {
      get: (_t, method: string) => (...args: never[]) => {
        calls.push({ method, imageIds: idsIn(args) });
        const answer = answers[method];
        return answer ? Promise.resolve(answer(...args)) : Promise.reject(new Error(`the test worker has no ${method}`));
      },
    },
  );
  return { api, calls };
});

vi.mock('../workerClient.ts', () => ({
  modelWorker: () => worker.api,
  callbackProxy: <F>(fn: F) => fn,
  progressProxy: <F>(fn: F) => fn,
  transferBytes: (b: Uint8Array) => b,
}));
// bitmaps need a browser; the count is about worker traffic
vi.mock('../imageCache.ts', () => ({ cacheImageBitmap: () => {}, dropImageBitmap: () => {} }));

const { addImages } = await import('./images.ts');
const { applyAblation } = await import('./ablation.ts');
const views = await import('./views.ts');

/** what App's useRefreshes runs when the set of ready images changes */
async function refreshAfterImagesChanged(): Promise<void> {
  await Promise.all([views.refreshGrid(), views.refreshHeadDetail(), views.refreshHeatmaps(), views.refreshTop5()]);
}

/** a PNG signature plus bytes that make each image's id distinct */
const png = (k: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, k & 255, k >> 8]);

/** adds images 1..n one by one; per image: the worker calls and image ids it took */
let added = 0;
async function addOneByOne(n: number): Promise<{ calls: number; imageIds: number; byMethod: Record<string, number> }[]> {
  const costs = [];
  for (let i = 1; i <= n; i++) {
    const k = ++added;
    const before = worker.calls.length;
    await addImages([{ name: `photo${k}.png`, bytes: png(k) }]);
    await refreshAfterImagesChanged();
    const made = worker.calls.slice(before);
    const byMethod: Record<string, number> = {};
    for (const c of made) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
    costs.push({ calls: made.length, imageIds: made.reduce((s, c) => s + c.imageIds.length, 0), byMethod });
  }
  return costs;
}

describe('adding the k-th image asks the worker about that image only', () => {
  beforeEach(() => {
    worker.calls.length = 0;
    const summary = { fingerprint: `fp${Math.random()}`, text: {} } as unknown as ModelSummary;
    useAppStore.setState({
      model: { summary, source: { kind: 'demo', id: 'demo', label: 'demo' } },
      images: [],
      selectedImage: undefined,
      heatmaps: {},
      segmentations: {},
      top5: {},
      ablationCanonical: '',
      labels: { classes: 15, source: 'built-in' },
      pool: { texts: 20, source: 'built-in' },
      showSegmentation: true,
      view: { ...useAppStore.getState().view, mode: 'variance', prompt: 'a dog', contrast: ['a cat'], head: { layer: 1, head: 2 } },
      errors: [],
    });
  });

  it('addImages + the refreshes: the same worker calls and image ids for the 2nd and the 12th image', async () => {
    const costs = await addOneByOne(12);
    // from the 2nd image on (the 1st also becomes the selected image), every addition costs the same
    for (const c of costs.slice(2)) expect(c).toEqual(costs[1]);
    // one batched call per per-image view, each for the new image alone
    expect(costs[11].byMethod).toMatchObject({ addImage: 1, heatmaps: 1, segmentations: 1, topClasses: 1 });
    expect(costs[11].byMethod.heatmap).toBeUndefined();
    expect(costs[11].byMethod.topClasses).toBe(1);
    const last = worker.calls.slice(-costs[11].calls);
    const newest = useAppStore.getState().images.at(-1)!.id;
    for (const m of ['heatmaps', 'segmentations', 'topClasses']) expect(last.find((c) => c.method === m)?.imageIds).toEqual([newest]);
    expect(useAppStore.getState().images).toHaveLength(12);
    expect(Object.keys(useAppStore.getState().heatmaps)).toHaveLength(12);
    expect(Object.keys(useAppStore.getState().segmentations)).toHaveLength(12);
    expect(Object.keys(useAppStore.getState().top5)).toHaveLength(12);
    expect(useAppStore.getState().errors).toEqual([]);
  });

  it('a new prompt asks for every image again, in one call', async () => {
    await addOneByOne(5);
    const before = worker.calls.length;
    useAppStore.getState().patchView({ prompt: 'a horse' });
    await views.refreshHeatmaps();
    const made = worker.calls.slice(before);
    expect(made.map((c) => c.method).sort()).toEqual(['heatmaps', 'segmentations']);
    expect(made.map((c) => c.imageIds.length)).toEqual([5, 5]);
  });

  it('with an ablation set, a new image changes the means: top-5 of every image in one call', async () => {
    await addOneByOne(3);
    expect(await applyAblation('L0')).toBe(true);
    await views.refreshTop5();
    const before = worker.calls.length;
    await addOneByOne(1);
    const top5Calls = worker.calls.slice(before).filter((c) => c.method === 'topClasses');
    expect(top5Calls).toHaveLength(1);
    expect(top5Calls[0].imageIds).toHaveLength(4);
  });
});
