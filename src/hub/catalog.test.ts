import { describe, expect, it } from 'vitest';
import { estimateForCatalogEntry, fitsThisBrowser, GiB, KNOWN_MODELS, MiB, WASM_HEAP_BYTES } from './catalog.ts';
import type { ModelSizeEstimate } from '../api/hub.ts';

const entry = (repo: string) => estimateForCatalogEntry(KNOWN_MODELS.find((e) => e.repo === repo)!);
const GPU = { wasmHeapBytes: WASM_HEAP_BYTES, webgpu: { maxBufferSize: 1 * GiB, maxStorageBufferBindingSize: 128 * MiB } };

describe('fitsThisBrowser', () => {
  it('counts weights as stored + as f32 + activations against the WASM heap, exactly', () => {
    const est: ModelSizeEstimate = {
      params: { vision: 100, text: 50 },
      bytes: { vision: 200, text: 100 },
      bytesPerParam: 2,
      largestWeightF32: { vision: 40, text: 80 },
      activationBytes: 7,
    };
    const v = fitsThisBrowser(est, ['vision'], { wasmHeapBytes: 607, webgpu: { maxBufferSize: 80, maxStorageBufferBindingSize: 40 } });
    expect(v.wasm).toMatchObject({ fits: true, needBytes: 200 + 400 + 7, limitBytes: 607 });
    expect(v.webgpu).toMatchObject({ fits: true, needBytes: 40, limitBytes: 40 });
    const both = fitsThisBrowser(est, ['vision', 'text'], { wasmHeapBytes: 607, webgpu: { maxBufferSize: 80, maxStorageBufferBindingSize: 40 } });
    expect(both.wasm).toMatchObject({ fits: false, needBytes: 300 + 600 + 7 });
    expect(both.webgpu).toMatchObject({ fits: false, needBytes: 80 });
    expect(fitsThisBrowser(est, ['vision'], { wasmHeapBytes: 607 }).webgpu.fits).toBe(false);
  });

  it('known repos: ViT-B/16 and L/14 image towers fit a 4 GiB WASM heap; H-14 does not; text towers exceed a 128 MiB binding', () => {
    expect(fitsThisBrowser(entry('openai/clip-vit-base-patch16'), ['vision', 'text'], GPU).wasm.fits).toBe(true);
    expect(fitsThisBrowser(entry('openai/clip-vit-large-patch14'), ['vision'], GPU).wasm.fits).toBe(true);
    const h = fitsThisBrowser(entry('laion/CLIP-ViT-H-14-laion2B-s32B-b79K'), ['vision'], GPU);
    expect(h.wasm.fits).toBe(false);
    expect(h.wasm.reason).toMatch(/GiB WASM heap/);
    expect(fitsThisBrowser(entry('openai/clip-vit-base-patch32'), ['vision'], GPU).webgpu.fits).toBe(true);
    // the token embedding [49408, 768] as f32 is 145 MiB
    expect(fitsThisBrowser(entry('openai/clip-vit-large-patch14'), ['vision', 'text'], GPU).webgpu.fits).toBe(false);
  });

  it('known repo sizes agree with their published checkpoint sizes (fp32, within 1%)', () => {
    // model.safetensors of openai/clip-vit-base-patch32 is 605 MB; of clip-vit-large-patch14, 1.71 GB
    const b32 = entry('openai/clip-vit-base-patch32');
    expect(Math.abs((b32.bytes.vision + b32.bytes.text) / 605e6 - 1)).toBeLessThan(0.01);
    const l14 = entry('openai/clip-vit-large-patch14');
    expect(Math.abs((l14.bytes.vision + l14.bytes.text) / 1.71e9 - 1)).toBeLessThan(0.01);
  });
});
