import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decompositionActivationBytes } from '../hub/catalog.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { memoryModelFiles } from '../model/checkpoint/sources.ts';
import { ClipEngine, type GraphSession } from '../model/engine.ts';
import { initNodeImageDecoders } from '../model/preprocess/decode.node.ts';
import { createOrtNodeSession } from '../model/runtime/ortNode.node.ts';
import { generateCheckpoint, TINY_P16_GELU } from '../model/checkpoint/checkpointGenerator.ts';
import { galleryPath } from '../testkit/shared.ts';
import { classifyRuntimeError, formatMemory, modelMemoryEstimate, OutOfMemoryError, RuntimeGuard, type RecoveryHooks, type RuntimeEvent } from './recovery.ts';
import { ImageExplorer } from './imageExplorer.ts';

describe('classifyRuntimeError', () => {
  it.each([
    [new RangeError('Array buffer allocation failed'), 'out-of-memory'],
    [new Error('RuntimeError: Aborted(OOM)'), 'out-of-memory'],
    [new Error('Cannot enlarge memory arrays to size 4294967296 bytes'), 'out-of-memory'],
    [new Error('[ORT] std::bad_alloc'), 'out-of-memory'],
    [new Error("Failed to allocate a buffer of size 1073741824 for 'onnx::MatMul_12'"), 'out-of-memory'],
    [{ name: 'GPUOutOfMemoryError', message: 'createBuffer failed' }, 'out-of-memory'],
    [new Error('Device was lost: destroyed'), 'device-lost'],
    [new Error('[WebGPU] GPUDevice lost (unknown): GPU process crashed'), 'device-lost'],
    [new Error('Failed to execute mapAsync: device is lost'), 'device-lost'],
    [new RangeError('pixels must be [3, 224, 224] for this model, got [3, 96, 96]'), 'other'],
    [new Error("no image 'x' is loaded"), 'other'],
    ['something else', 'other'],
  ])('%s -> %s', (err, kind) => {
    expect(classifyRuntimeError(err)).toBe(kind);
  });
});

describe('modelMemoryEstimate', () => {
  it('is every weight as f32 plus one decomposed image’s activations', () => {
    const vision = { width: 64, layers: 2, heads: 4, headWidth: 16, mlpWidth: 256, patchSize: 16, imageSize: 64, embedDim: 32, act: 'gelu' as const, layerNormEps: 1e-5 };
    const weights = new Map([['a', { shape: [10, 10] }], ['b', { shape: [5] }]]);
    expect(modelMemoryEstimate({ vision, weights })).toBe(4 * 105 + decompositionActivationBytes(vision, 32));
    expect(formatMemory(1.25 * 2 ** 30)).toBe('1.3 GB');
    expect(formatMemory(300 * 2 ** 20)).toBe('300 MB');
  });
});

/** hooks that record what the guard did; the provider starts on WebGPU */
function fakeHooks(need: number | undefined = 2 ** 30, onSwitch: () => Promise<void> = async () => {}) {
  const events: RuntimeEvent[] = [];
  let provider: 'webgpu' | 'wasm' = 'webgpu';
  let switches = 0;
  const hooks: RecoveryHooks = {
    provider: () => provider,
    switchToWasm: async () => {
      switches++;
      await onSwitch();
      provider = 'wasm';
    },
    memoryNeed: () => need,
    notify: (e) => events.push(e),
  };
  return { hooks, events, switches: () => switches, provider: () => provider };
}

describe('RuntimeGuard', () => {
  it('an allocation failure becomes "out of memory: the model needs about X; try a smaller model or WASM"', async () => {
    const { hooks } = fakeHooks(1.5 * 2 ** 30);
    const guard = new RuntimeGuard(hooks);
    const err = await guard.run(async () => {
      throw new RangeError('Array buffer allocation failed');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect((err as Error).message).toBe('out of memory: the model needs about 1.5 GB; try a smaller model or WASM (Array buffer allocation failed)');
  });

  it('other errors pass through unchanged', async () => {
    const guard = new RuntimeGuard(fakeHooks().hooks);
    const original = new Error("no image 'x' is loaded");
    await expect(guard.run(async () => Promise.reject(original))).rejects.toBe(original);
  });

  it('the device’s lost promise moves to WASM once (also when reported twice) and says so', async () => {
    const f = fakeHooks();
    const guard = new RuntimeGuard(f.hooks);
    await Promise.all([guard.deviceLost('destroyed'), guard.deviceLost('destroyed')]);
    expect(f.switches()).toBe(1);
    expect(f.provider()).toBe('wasm');
    expect(f.events).toEqual([expect.objectContaining({ kind: 'device-lost', reason: 'destroyed', provider: 'wasm' })]);
    expect(f.events[0].message).toMatch(/WebGPU device was lost \(destroyed\); the model now runs on WASM/);
    await guard.deviceLost('again');
    expect(f.switches()).toBe(1);
  });

  it('a request that fails with a lost device is run again once on WASM; on WASM the same failure is not retried', async () => {
    const f = fakeHooks();
    const guard = new RuntimeGuard(f.hooks);
    let calls = 0;
    const op = async () => {
      calls++;
      if (f.provider() === 'webgpu') throw new Error('Device was lost: unknown');
      return 'ok';
    };
    expect(await guard.run(op)).toBe('ok');
    expect(calls).toBe(2);
    expect(f.events).toHaveLength(1);
    await expect(guard.run(async () => Promise.reject(new Error('Device was lost')))).rejects.toThrow('Device was lost');
    expect(f.switches()).toBe(1);
  });

  it('requests arriving during a recovery wait for it', async () => {
    let release!: () => void;
    const f = fakeHooks(undefined, () => new Promise<void>((r) => (release = r)));
    const guard = new RuntimeGuard(f.hooks);
    const lost = guard.deviceLost('destroyed');
    const seen: string[] = [];
    const later = guard.run(async () => seen.push(f.provider()));
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([]);
    release();
    await Promise.all([lost, later]);
    expect(seen).toEqual(['wasm']);
  });
});

describe('RuntimeGuard over a real engine: a simulated device loss mid-run', () => {
  it('drops the failed sessions, recreates them, and the image is added with the same result', async () => {
    await initNodeImageDecoders();
    const ckpt = await loadCheckpoint(memoryModelFiles(generateCheckpoint(TINY_P16_GELU, { layout: 'hf', seed: 3 })));
    const created: string[] = [];
    let gpuAlive = true;
    // sessions made "on WebGPU" fail once the device is gone, like onnxruntime-web's do
    const engine = new ClipEngine(ckpt, async (graph, c) => {
      const onGpu = gpuAlive;
      created.push(`${graph.kind}:${onGpu ? 'webgpu' : 'wasm'}`);
      const real = await createOrtNodeSession(graph, c);
      const session: GraphSession = {
        run: (feeds, names) => (onGpu && !gpuAlive ? Promise.reject(new Error('[WebGPU] GPUDevice lost (destroyed)')) : real.run(feeds, names)),
        release: () => real.release(),
      };
      return session;
    });
    const explorer = new ImageExplorer(engine);
    const f = fakeHooks(modelMemoryEstimate(ckpt), async () => {
      await engine.release();
      gpuAlive = false;
    });
    const guard = new RuntimeGuard(f.hooks);
    const bytes = (name: string) => new Uint8Array(readFileSync(galleryPath(name)));

    const first = await guard.run(() => explorer.addImage('a', 'astronaut.png', bytes('astronaut.png')));
    gpuAlive = false; // the device goes away between requests, unnoticed until the next run
    const second = await guard.run(() => explorer.addImage('b', 'astronaut.png', bytes('astronaut.png')));

    expect(created.filter((k) => k.startsWith('image'))).toEqual(['image:webgpu', 'image:wasm']);
    expect(f.events).toHaveLength(1);
    expect(f.provider()).toBe('wasm');
    const [ea, eb] = await Promise.all([explorer.exportContributions('a'), explorer.exportContributions('b')]);
    expect(Array.from(eb.embedding_D)).toEqual(Array.from(ea.embedding_D));
    expect(second.sourceSize).toEqual(first.sourceSize);
    await engine.release();
  });
});
