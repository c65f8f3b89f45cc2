/**
 * The decomposition session built before any image (ClipEngine.prepareDecomposition, called by the
 * app when a model is chosen) is the one the first image then uses, and changes no number; the
 * runtime warm-up (warmUp.ts) builds, runs and releases its own session.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../math/tensor.ts';
import { randomPixels } from '../testkit/pixels.ts';
import { generateCheckpoint, TINY_P16_GELU } from './checkpoint/checkpointGenerator.ts';
import { loadCheckpoint } from './checkpoint/load.ts';
import { memoryModelFiles } from './checkpoint/sources.ts';
import { ClipEngine, type SessionFactory } from './engine.ts';
import { createOrtNodeSession } from './runtime/ortNode.node.ts';
import { warmUpRuntime, WARM_UP_SPEC } from './warmUp.ts';

/** onnxruntime-node sessions, with every creation, run and release logged by graph kind */
function countingFactory(runMs = 0) {
  const log: string[] = [];
  const factory: SessionFactory = async (graph, ckpt) => {
    const s = await createOrtNodeSession(graph, ckpt);
    const name = `${graph.kind}:${graph.outputs.length}`;
    log.push(`create ${name}`);
    return {
      // runMs: a run as long as a real model's, so a request stays in flight for a while
      run: async (feeds, outputNames) => (log.push(`run ${name}`), await new Promise((r) => setTimeout(r, runMs)), s.run(feeds, outputNames)),
      release: () => (log.push(`release ${name}`), s.release()),
    };
  };
  return { log, factory };
}

/** every output of `expected` present in `got` with the same values, exactly */
function expectSameOutputs(got: object, expected: object): void {
  const g = got as Record<string, { data: ArrayLike<number> }>;
  const entries = Object.entries(expected as Record<string, { data: ArrayLike<number> }>);
  expect(entries.length).toBeGreaterThan(5);
  for (const [name, t] of entries) expect(Array.from(g[name].data), name).toEqual(Array.from(t.data));
}

async function tinyEngine(factory: SessionFactory) {
  const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P16_GELU, { layout: 'openclip', seed: 9 })));
  return new ClipEngine(ckpt, factory);
}

/** a tiny engine whose sessions are logged, and one random image for it */
async function loggedEngine(pixelSeed: number, runMs = 0) {
  const { log, factory } = countingFactory(runMs);
  const engine = await tinyEngine(factory);
  const S = engine.checkpoint.vision.imageSize;
  return { log, engine, px: tensor('C S S', randomPixels(1, S, pixelSeed), [3, S, S]) };
}

const steps = (log: string[]): string[] => log.map((e) => e.split(' ')[0]);

describe('ClipEngine.prepareDecomposition', () => {
  it('builds the session the first image then uses (one creation), with outputs equal to an unprepared engine', async () => {
    const { log, engine, px } = await loggedEngine(3);
    await engine.prepareDecomposition({ tokenLayers: [1] });
    expect(log).toEqual([expect.stringMatching(/^create image:/)]);
    const prepared = await engine.decompose(px, { tokenLayers: [1] });
    expect(log.filter((e) => e.startsWith('create'))).toHaveLength(1);

    const plainEngine = await tinyEngine(countingFactory().factory);
    const expected = await plainEngine.decompose(px, { tokenLayers: [1] });
    expectSameOutputs(prepared, expected);
    await engine.release();
    await plainEngine.release();
  });

  it('warmUp: one run on a blank image right after creation; later images give the same numbers', async () => {
    const { log, engine, px } = await loggedEngine(4);
    const expected = await (await tinyEngine(countingFactory().factory)).decompose(px);
    await engine.prepareDecomposition({}, { warmUp: true });
    expect(steps(log)).toEqual(['create', 'run']);
    const got = await engine.decompose(px);
    expect(steps(log)).toEqual(['create', 'run', 'run']);
    expectSameOutputs(got, expected);
    await engine.release();
  });

  it('an image given while the session is being prepared shares the one session and skips the warm-up run', async () => {
    const { log, engine, px } = await loggedEngine(5, 50);
    await Promise.all([engine.prepareDecomposition({}, { warmUp: true }), engine.decompose(px)]);
    expect(steps(log)).toEqual(['create', 'run']);
    await engine.release();
  });
});

/**
 * Sessions whose run answers without giving the event loop a turn, as a WASM run in
 * onnxruntime-web does (it blocks the worker thread until done): outputs of the right shapes,
 * computed once at creation.
 */
function blockingFactory() {
  const log: string[] = [];
  const factory: SessionFactory = async (graph, ckpt) => {
    const s = await createOrtNodeSession(graph, ckpt);
    const S = ckpt.vision.imageSize;
    const outputs = await s.run({ pixel_values: tensor('B C S S', new Float32Array(3 * S * S), [1, 3, S, S]) });
    log.push('create');
    return {
      run: (_feeds, outputNames) => (log.push('run'), Promise.resolve(outputNames ? Object.fromEntries(outputNames.map((n) => [n, outputs[n]])) : outputs)),
      release: () => s.release(),
    };
  };
  return { log, factory };
}

describe('ClipEngine.prepareDecomposition with runs that block (onnxruntime-web WASM)', () => {
  it('a photo that runs on the new session before the warm-up turn makes the warm-up run needless: it is skipped', async () => {
    const { log, factory } = blockingFactory();
    const engine = await tinyEngine(factory);
    const S = engine.checkpoint.vision.imageSize;
    await Promise.all([engine.prepareDecomposition({}, { warmUp: true }), engine.decompose(tensor('C S S', randomPixels(1, S, 6), [3, S, S]))]);
    expect(log).toEqual(['create', 'run']);
    await engine.release();
  });

  it('a photo still being decoded (imageWork) when the session is ready: the warm-up run is skipped', async () => {
    const { log, factory } = blockingFactory();
    const engine = await tinyEngine(factory);
    const S = engine.checkpoint.vision.imageSize;
    let decoded!: () => void;
    const decoding = new Promise<void>((r) => (decoded = r));
    const photo = engine.imageWork(async () => {
      await decoding;
      return engine.decompose(tensor('C S S', randomPixels(1, S, 7), [3, S, S]));
    });
    await engine.prepareDecomposition({}, { warmUp: true });
    expect(log).toEqual(['create']);
    decoded();
    await photo;
    expect(log).toEqual(['create', 'run']);
    await engine.release();
  });

  it('with no photo coming, the warm-up run still happens', async () => {
    const { log, factory } = blockingFactory();
    const engine = await tinyEngine(factory);
    await engine.prepareDecomposition({}, { warmUp: true });
    expect(log).toEqual(['create', 'run']);
    await engine.release();
  });
});

describe('warmUpRuntime', () => {
  it("builds the warm-up model's decomposed session at ViT-B/16's token count and depth, runs it, releases it", async () => {
    const { log, factory } = countingFactory();
    const timing = await warmUpRuntime(factory, 2);
    expect(timing.runs).toBe(2);
    expect(timing.totalMs).toBeGreaterThan(0);
    expect(steps(log)).toEqual(['create', 'run', 'run', 'release']);
    expect((WARM_UP_SPEC.vision.imageSize / WARM_UP_SPEC.vision.patchSize) ** 2 + 1).toBe(197);
    // the depth is what makes the next model's first run steady (measured: see warmUp.ts)
    expect(WARM_UP_SPEC.vision.layers).toBe(12);
    expect(WARM_UP_SPEC.vision.width / WARM_UP_SPEC.vision.heads).toBe(64);
  });
});
