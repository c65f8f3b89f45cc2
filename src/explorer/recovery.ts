/**
 * Runtime failures the worker can name and recover from:
 * - out of memory (a failed allocation in JS, the WASM heap, onnxruntime or WebGPU): re-thrown as an
 *   OutOfMemoryError that says how much the model needs and what to try;
 * - WebGPU device lost (the device's `lost` promise, or a run failing because of it): the sessions
 *   are dropped and recreated on WASM, the user is told, and the failed request is run again once.
 * Platform-neutral: the worker supplies how to switch runtimes; tests supply fakes.
 */
import { ERROR_CODES } from '../api/errors.ts';
import type { RuntimeEvent } from '../api/explorer.ts';
import type { VisionArch } from '../model/arch.ts';
import { decompositionActivationBytes } from '../hub/catalog.ts';

export type { RuntimeEvent };

export type RuntimeFailure = 'out-of-memory' | 'device-lost' | 'other';

function nameAndMessage(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  if (err && typeof err === 'object' && 'message' in err) return { name: String((err as { name?: unknown }).name ?? ''), message: String((err as { message: unknown }).message) };
  return { name: '', message: String(err) };
}

// what allocation failures say: V8 (ArrayBuffer), Emscripten (WASM heap), onnxruntime (C++), WebGPU
const OUT_OF_MEMORY = /out of memory|\bOOM\b|bad_alloc|failed to allocate|allocation failed|cannot enlarge memory|could not allocate|GPUOutOfMemoryError/i;
const DEVICE_LOST = /device (?:was |is |has been )?lost|GPUDevice.*\blost\b|DeviceLost|device.*\bdestroyed\b/i;

export function classifyRuntimeError(err: unknown): RuntimeFailure {
  const { name, message } = nameAndMessage(err);
  if (name === 'OutOfMemoryError' || OUT_OF_MEMORY.test(name) || OUT_OF_MEMORY.test(message)) return 'out-of-memory';
  if (DEVICE_LOST.test(message) || name === 'GPUDeviceLostInfo') return 'device-lost';
  return 'other';
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;
export const formatMemory = (bytes: number): string => (bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / MiB))} MB`);

/**
 * Rough memory a loaded model needs while it runs: every weight as f32 (what the sessions hold)
 * plus the activations of one decomposed image.
 */
export function modelMemoryEstimate(ckpt: { vision: VisionArch; weights: ReadonlyMap<string, { shape: readonly number[] }> }): number {
  let params = 0;
  for (const w of ckpt.weights.values()) params += w.shape.reduce((a, b) => a * b, 1);
  return 4 * params + decompositionActivationBytes(ckpt.vision, ckpt.vision.embedDim);
}

export class OutOfMemoryError extends Error {
  override name = 'OutOfMemoryError';
  readonly code = ERROR_CODES.outOfMemory;
  constructor(readonly needBytes: number, readonly provider: string, cause: unknown) {
    const advice = provider === 'webgpu' ? 'try a smaller model or WASM' : 'try a smaller model, fewer images, or close other tabs';
    super(`out of memory: the model needs about ${formatMemory(needBytes)}; ${advice} (${nameAndMessage(cause).message})`);
  }
}

export interface RecoveryHooks {
  /** the provider sessions are created on now */
  provider(): 'webgpu' | 'wasm';
  /** drop every session and make new ones use WASM */
  switchToWasm(reason: string): Promise<void>;
  /** bytes the loaded model needs (for the out-of-memory message); undefined when none is loaded */
  memoryNeed(): number | undefined;
  notify(event: RuntimeEvent): void;
}

/** runs worker requests, turning runtime failures into recoveries or specific errors */
export class RuntimeGuard {
  private recovering?: Promise<void>;

  constructor(private readonly hooks: RecoveryHooks) {}

  /** the WebGPU device was lost (its `lost` promise resolved): move to WASM now, not at the next failure */
  deviceLost(reason: string): Promise<void> {
    if (this.hooks.provider() !== 'webgpu') return this.recovering ?? Promise.resolve();
    this.recovering ??= (async () => {
      await this.hooks.switchToWasm(reason);
      this.hooks.notify({
        kind: 'device-lost',
        reason,
        provider: 'wasm',
        message: `The WebGPU device was lost (${reason}); the model now runs on WASM (slower). Loaded images and results are kept.`,
      });
    })().finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.recovering) await this.recovering;
    try {
      return await op();
    } catch (err) {
      const kind = classifyRuntimeError(err);
      if (kind === 'device-lost' && this.hooks.provider() === 'webgpu') {
        await this.deviceLost(nameAndMessage(err).message);
        return this.retryOnce(op);
      }
      if (kind === 'device-lost' && this.recovering) {
        await this.recovering;
        return this.retryOnce(op);
      }
      throw this.specific(err, kind);
    }
  }

  private async retryOnce<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw this.specific(err, classifyRuntimeError(err));
    }
  }

  private specific(err: unknown, kind: RuntimeFailure): unknown {
    if (kind !== 'out-of-memory' || err instanceof OutOfMemoryError) return err;
    const need = this.hooks.memoryNeed();
    return need === undefined ? err : new OutOfMemoryError(need, this.hooks.provider(), err);
  }
}
