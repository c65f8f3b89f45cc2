/**
 * ortWeb.ts never calls into onnxruntime-web concurrently: session creation, runs (with their
 * output reads) and releases from many callers at once reach the module one at a time, in call
 * order. onnxruntime-web is replaced by a stand-in with its API's shape (InferenceSession.create /
 * run / release, Tensor) whose every call takes a few event-loop turns and records how many calls
 * are inside it, so an overlap would be seen; the real module corrupts itself on one instead (see
 * ortWeb.ts).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const probe = vi.hoisted(() => ({ active: 0, maxActive: 0, calls: [] as string[], builds: [] as string[] }));

/** the stand-in module; each session creation records which onnxruntime-web build it went to */
const standIn = vi.hoisted(() => {
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 1));
  };
  /** enters the stand-in module for one call, like an Asyncify export suspended across GPU work */
  async function inside<T>(label: string, n: number, body: () => T): Promise<T> {
    probe.active++;
    probe.maxActive = Math.max(probe.maxActive, probe.active);
    probe.calls.push(`${label}:start`);
    await turns(n);
    const out = body();
    probe.calls.push(`${label}:end`);
    probe.active--;
    return out;
  }
  class Tensor {
    constructor(readonly type: string, readonly data: Float32Array | BigInt64Array, readonly dims: readonly number[]) {}
  }
  class InferenceSession {
    constructor(private readonly name: string) {}
    static create(model: Uint8Array) {
      const name = new TextDecoder().decode(model);
      return inside(`create ${name}`, 3, () => new InferenceSession(name));
    }
    run(feeds: Record<string, Tensor>) {
      const x = feeds.x.data as Float32Array;
      // the output is read back on the GPU path (getData), still inside the same queued call
      return inside(`run ${this.name}`, 1 + (x[0] % 4), () => ({
        y: { type: 'float32', location: 'gpu-buffer', dims: [x.length], getData: () => inside(`read ${this.name}`, 1, () => x.map((v) => 2 * v)), dispose() {} },
      }));
    }
    release() {
      return inside(`release ${this.name}`, 2, () => undefined);
    }
  }
  return (build: string) => {
    class InferenceSessionOfBuild extends InferenceSession {
      static override create(model: Uint8Array) {
        probe.builds.push(build);
        return InferenceSession.create(model);
      }
    }
    return { env: { wasm: {}, webgpu: {} }, Tensor, InferenceSession: InferenceSessionOfBuild };
  };
});
vi.mock('onnxruntime-web/webgpu', () => standIn('webgpu'));
vi.mock('onnxruntime-web/wasm', () => standIn('wasm'));

const { createWebSession, initWebRuntime, releaseWebSession, runWebSession } = await import('./ortWeb.ts');

describe('ortWeb: one call into onnxruntime-web at a time', () => {
  beforeEach(async () => {
    probe.active = 0;
    probe.maxActive = 0;
    probe.calls.length = 0;
    await initWebRuntime({ provider: 'wasm', threads: 1 });
  });

  it('sessions created, run and released from concurrent callers never overlap, and every run gets its own result', async () => {
    const names = ['text', 'image', 'projection'];
    const sessions = await Promise.all(names.map((n) => createWebSession(new TextEncoder().encode(n), [])));
    expect(probe.maxActive).toBe(1);
    // text batches and image runs requested at once, as when a photo is added while text sets are embedded
    const jobs = Array.from({ length: 12 }, (_, i) => {
      const x = Float32Array.from([i, i + 0.5]);
      return runWebSession(sessions[i % 3], { x: { type: 'float32', data: x, dims: [2] } }).then((out) => ({ i, y: [...out.y.data] }));
    });
    const results = await Promise.all(jobs);
    expect(probe.maxActive).toBe(1);
    for (const { i, y } of results) expect(y).toEqual([2 * i, 2 * i + 1]);
    await Promise.all(sessions.map((s) => releaseWebSession(s)));
    expect(probe.maxActive).toBe(1);
    // call order is kept: each run's read follows its own run, before the next run starts
    const runsAndReads = probe.calls.filter((c) => c.startsWith('run') || c.startsWith('read'));
    const expected = Array.from({ length: 12 }, (_, i) => [`run ${names[i % 3]}:start`, `run ${names[i % 3]}:end`, `read ${names[i % 3]}:start`, `read ${names[i % 3]}:end`]).flat();
    expect(runsAndReads).toEqual(expected);
  });

  it('a run that fails does not stop the runs queued behind it', async () => {
    const s = await createWebSession(new TextEncoder().encode('image'), []);
    const bad = runWebSession(s, { y: { type: 'float32', data: new Float32Array(1), dims: [1] } });
    const good = runWebSession(s, { x: { type: 'float32', data: Float32Array.from([3]), dims: [1] } });
    await expect(bad).rejects.toThrow();
    await expect(good).resolves.toMatchObject({ y: { data: Float32Array.from([6]) } });
  });
});

describe('ortWeb: the onnxruntime-web build follows the runtime', () => {
  const fakeAdapter = { features: { has: () => false }, limits: { maxBufferSize: 1 << 30 }, info: { vendor: 'test' } };

  /** ortWeb.ts as freshly loaded in a worker (no build imported yet), with `gpu` as navigator.gpu */
  async function freshOrtWeb(gpu?: object) {
    vi.resetModules();
    vi.stubGlobal('navigator', gpu ? { gpu, hardwareConcurrency: 2 } : { hardwareConcurrency: 2 });
    probe.builds.length = 0;
    return import('./ortWeb.ts');
  }

  it('WASM: sessions go to the CPU-only build, loaded with the first session', async () => {
    const web = await freshOrtWeb();
    await web.initWebRuntime({ provider: 'wasm', threads: 1 });
    await web.createWebSession(new TextEncoder().encode('image'), []);
    await web.createWebSession(new TextEncoder().encode('text'), []);
    expect(probe.builds).toEqual(['wasm', 'wasm']);
    vi.unstubAllGlobals();
  });

  it('WebGPU: sessions go to the WebGPU build; after a lost device, WASM sessions stay in that build', async () => {
    const web = await freshOrtWeb({ requestAdapter: async () => fakeAdapter });
    expect((await web.initWebRuntime({ provider: 'webgpu', threads: 1 })).provider).toBe('webgpu');
    await web.createWebSession(new TextEncoder().encode('image'), []);
    await web.initWebRuntime({ provider: 'wasm', threads: 1 });
    await web.createWebSession(new TextEncoder().encode('image'), []);
    expect(probe.builds).toEqual(['webgpu', 'webgpu']);
    vi.unstubAllGlobals();
  });

  it('WebGPU asked for once the CPU-only build runs: refused, saying to reload', async () => {
    const web = await freshOrtWeb({ requestAdapter: async () => fakeAdapter });
    await web.initWebRuntime({ provider: 'wasm', threads: 1 });
    await web.createWebSession(new TextEncoder().encode('image'), []);
    await web.initWebRuntime({ provider: 'webgpu', threads: 1 });
    await expect(web.createWebSession(new TextEncoder().encode('image'), [])).rejects.toThrow(/CPU-only onnxruntime-web build was loaded; reload the page/);
    vi.unstubAllGlobals();
  });
});
