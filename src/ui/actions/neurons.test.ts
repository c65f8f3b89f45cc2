/**
 * The Neurons view's and "Explain this image"'s refreshes against a stand-in worker: what they ask,
 * when (only with their tab open; the panel after its layer's ranking), and what lands in the store.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModelSummary } from '../../api/types.ts';
import { useAppStore } from '../store.ts';

const worker = vi.hoisted(() => {
  const calls: { method: string; args: unknown[] }[] = [];
  const ranking = (layer: number) => ({ layer, mlpWidth: 2, images: 1, neurons: [{ neuron: 1, label: `L${layer}.N1`, meanNorm: 2, maxNorm: 3 }, { neuron: 0, label: `L${layer}.N0`, meanNorm: 1, maxNorm: 1 }] });
  const answers: Record<string, (...args: never[]) => unknown> = {
    neuronRanking: (layer: number, onProgress?: (p: unknown) => void) => (onProgress?.({ phase: 'x', done: 0, total: 1 }), ranking(layer)),
    neuronPanel: (layer: number, neuron: number) => ({ layer, neuron, label: `L${layer}.N${neuron}`, meanNorm: 2, topImages: [], directionShare: 1, texts: [], cosine: [] }),
    neuronTokenMap: () => ({ grid: 2, patchSize: 16, maps: [new Float32Array(4)], min: 0, max: 1 }),
    explainImage: (imageId: string, part: string) => ({ imageId, part, poolSize: 3, texts: [{ index: 2, text: 'a dog', coefficient: 0.5 }], cosine: [0.5] }),
  };
  const api = new Proxy(
    {},
    {
      get: (_t, method: string) => (...args: never[]) => {
        calls.push({ method, args });
        const answer = answers[method];
        return answer ? Promise.resolve(answer(...args)) : Promise.reject(new Error(`the test worker has no ${method}`));
      },
    },
  );
  return { api, calls };
});

vi.mock('../workerClient.ts', () => ({ modelWorker: () => worker.api, callbackProxy: <F>(fn: F) => fn, progressProxy: <F>(fn: F) => fn }));

const { refreshNeuronRanking, refreshNeuronDetail, refreshExplanations, neuronLayerProblem } = await import('./neurons.ts');
const methods = () => worker.calls.map((c) => c.method);

describe('Neurons view and "Explain this image" refreshes', () => {
  beforeEach(() => {
    worker.calls.length = 0;
    const summary = { fingerprint: 'fp', text: {}, vision: { layers: 6 } } as unknown as ModelSummary;
    useAppStore.setState({
      model: { summary, source: { kind: 'demo', id: 'demo', label: 'demo' } },
      images: [{ id: 'a', name: 'a.png', status: 'ready' }],
      selectedImage: 'a',
      pool: { texts: 3, source: 'built-in' },
      neuronRanking: undefined,
      neuronDetail: undefined,
      explanation: undefined,
      view: { ...useAppStore.getState().view, view: 'heads', neuronLayer: null, neuron: null, head: { layer: 3, head: 5 }, prompt: '' },
    });
  });

  it('refreshNeuronRanking asks nothing outside the Neurons tab, then ranks layer L − 2 by default', async () => {
    await refreshNeuronRanking();
    expect(methods()).toEqual([]);
    useAppStore.getState().patchView({ view: 'neurons' });
    await refreshNeuronRanking();
    expect(worker.calls[0]).toMatchObject({ method: 'neuronRanking', args: [4, expect.any(Function)] });
    expect(useAppStore.getState().neuronRanking?.layer).toBe(4);
    expect(useAppStore.getState().neuronProgress).toBeUndefined();
  });

  it('the last layer is refused in the view with the reason, without asking the worker', async () => {
    useAppStore.getState().patchView({ view: 'neurons', neuronLayer: 5 });
    await refreshNeuronRanking();
    expect(methods()).toEqual([]);
    expect(useAppStore.getState().neuronRankingError).toBe(neuronLayerProblem(5, 6));
    expect(useAppStore.getState().neuronRankingError).toMatch(/last layer: no later attention heads carry its neurons’ effects/);
  });

  it('refreshNeuronDetail waits for its layer’s ranking, then asks the panel and the token map (prompt when typed, else none = its direction)', async () => {
    useAppStore.getState().patchView({ view: 'neurons', neuronLayer: 2, neuron: 1 });
    await refreshNeuronDetail();
    expect(methods()).toEqual([]);
    await refreshNeuronRanking();
    await refreshNeuronDetail();
    expect(worker.calls.slice(1).map((c) => [c.method, ...c.args])).toEqual([
      ['neuronPanel', 2, 1],
      ['neuronTokenMap', 'a', 2, 1, undefined],
    ]);
    expect(useAppStore.getState().neuronDetail).toMatchObject({ layer: 2, neuron: 1, probe: { kind: 'direction' } });
    useAppStore.getState().patchView({ prompt: 'a cat' });
    await refreshNeuronDetail();
    expect(worker.calls.at(-1)!.args).toEqual(['a', 2, 1, 'a cat']);
    expect(useAppStore.getState().neuronDetail?.probe).toEqual({ kind: 'prompt', prompt: 'a cat' });
  });

  it('refreshExplanations explains the selected image’s embedding and the selected head’s term', async () => {
    await refreshExplanations();
    expect(worker.calls.map((c) => [c.method, ...c.args])).toEqual([
      ['explainImage', 'a', 'embedding'],
      ['explainImage', 'a', 'L3.H5'],
    ]);
    const e = useAppStore.getState().explanation!;
    expect(e.imageId).toBe('a');
    expect(e.embedding?.part).toBe('embedding');
    expect(e.head?.part).toBe('L3.H5');
  });
});
