import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBF16, decodeF16, encodeBF16, encodeF16 } from '../../math/half.ts';
import type { TextArch, VisionArch } from '../arch.ts';
import { visionGrid } from '../arch.ts';
import {
  canonicalWeightValues,
  generateCheckpoint,
  TINY_P14_QUICKGELU,
  TINY_P16_48PX_F16,
  TINY_P16_GELU,
  TINY_P32_64PX,
  TINY_PRESETS,
  TINY_VISION_ONLY,
  type CheckpointSpec,
  type GenerateOptions,
  type WeightDType,
} from './checkpointGenerator.ts';
import { writeCheckpointDir } from './checkpointGenerator.node.ts';
import { OPENAI_MEAN, OPENAI_STD } from './config.ts';
import { CheckpointError } from './errors.ts';
import { loadCheckpoint, readWeightF32 } from './load.ts';
import { nodeModelDir } from './nodeSources.node.ts';
import { readSafetensorsHeader, readTensorF32 } from './safetensors.ts';
import { encodeSafetensors } from './safetensorsWriter.ts';
import { blobSource, fileListModelFiles, memoryModelFiles, memorySource, sourceModelFiles } from './sources.ts';
import type { ClipCheckpoint } from './types.ts';
import { weightName } from './types.ts';
import { errorOf } from '../../testkit/errorOf.ts';

const load = (spec: CheckpointSpec, options: GenerateOptions) => loadCheckpoint(memoryModelFiles(generateCheckpoint(spec, options)));

const checkpointErrorOf = (p: Promise<unknown>) => errorOf(p, CheckpointError);

function expectedVision(spec: CheckpointSpec): VisionArch {
  const v = spec.vision;
  return {
    width: v.width,
    layers: v.layers,
    heads: v.heads,
    headWidth: v.width / v.heads,
    mlpWidth: v.mlpWidth ?? 4 * v.width,
    patchSize: v.patchSize,
    imageSize: v.imageSize,
    embedDim: spec.embedDim,
    act: spec.act,
    layerNormEps: 1e-5,
  };
}

function expectedText(spec: CheckpointSpec): TextArch | undefined {
  const t = spec.text;
  if (!t) return undefined;
  return {
    width: t.width,
    layers: t.layers,
    heads: t.heads,
    headWidth: t.width / t.heads,
    mlpWidth: t.mlpWidth ?? 4 * t.width,
    contextLength: t.contextLength,
    vocabSize: t.vocabSize,
    embedDim: spec.embedDim,
    act: spec.act,
    layerNormEps: 1e-5,
    bosTokenId: t.vocabSize - 2,
    eosTokenId: t.vocabSize - 1,
    padTokenId: 0,
  };
}

/** exact equality of two float arrays; reports the first differing index (fast on big arrays) */
function expectSameValues(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let firstDiff = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      firstDiff = i;
      break;
    }
  }
  expect(firstDiff === -1 ? 'all equal' : `${label}[${firstDiff}]: ${actual[firstDiff]} != ${expected[firstDiff]}`).toBe('all equal');
}

/** what the stored values must be: the generator's float32 draws rounded to the storage dtype */
function roundTo(values: Float32Array, dtype: WeightDType): Float32Array {
  if (dtype === 'F16') return decodeF16(encodeF16(values));
  if (dtype === 'BF16') return decodeBF16(encodeBF16(values));
  return values;
}

/** a weight's values in canonical orientation ([out, in]; proj [D, w]) */
async function canonicalRead(ck: ClipCheckpoint, name: string): Promise<Float32Array> {
  const { ref, data } = await readWeightF32(ck, name);
  if (ref.layout !== 'in_out') return data;
  const [rows, cols] = ref.shape;
  const t = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = data[i * cols + j];
  return t;
}

function weightsToCheck(spec: CheckpointSpec): string[] {
  const last = spec.vision.layers - 1;
  const names = [
    weightName('vision', 'patch'),
    weightName('vision', 'pos'),
    weightName('vision', 'q.w', 0),
    weightName('vision', 'k.b', last),
    weightName('vision', 'v.w', last),
    weightName('vision', 'fc2.w', 0),
    weightName('vision', 'ln_post.b'),
    weightName('vision', 'proj'),
  ];
  if (spec.text) names.push(weightName('text', 'tok'), weightName('text', 'v.b', 0), weightName('text', 'proj'));
  return names;
}

describe.each(TINY_PRESETS.map((s) => [s.name, s] as const))('preset %s', (_, spec) => {
  const dtypes: WeightDType[] = ['F32', 'F16', 'BF16'];
  describe.each(['hf', 'openclip'] as const)('layout %s', (layout) => {
    it.each(dtypes)('round-trips generator -> loadCheckpoint in %s', async (dtype) => {
      const ck = await load(spec, { layout, dtype });
      expect(ck.layout).toBe(layout);
      expect(ck.vision).toEqual(expectedVision(spec));
      expect(ck.text).toEqual(expectedText(spec));
      expect(ck.preprocess).toEqual({
        size: spec.vision.imageSize,
        resizeShortSide: spec.vision.imageSize,
        mean: OPENAI_MEAN,
        std: OPENAI_STD,
        interpolation: 'bicubic',
      });
      // 16 per block + 8 vision globals (+ 5 text globals)
      const expectedCount = 16 * spec.vision.layers + 8 + (spec.text ? 16 * spec.text.layers + 5 : 0);
      expect(ck.weights.size).toBe(expectedCount);
      expect(ck.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      for (const ref of ck.weights.values()) {
        expect(ref.dtype).toBe(dtype);
        expect(ck.files.has(ref.fileName)).toBe(true);
        expect(ref.byteOffset + ref.byteLength).toBeLessThanOrEqual(ck.files.get(ref.fileName)!.size);
        expect(ref.byteLength).toBe(ref.shape.reduce((a, b) => a * b, 1) * (dtype === 'F32' ? 4 : 2));
      }
      const { tokens } = visionGrid(ck.vision);
      expect(ck.weights.get('v.pos')!.shape).toEqual([tokens, spec.vision.width]);
      for (const name of weightsToCheck(spec)) {
        const expected = roundTo(canonicalWeightValues(spec, name), dtype);
        expectSameValues(await canonicalRead(ck, name), expected, name);
      }
    });
  });
});

describe('byte ranges', () => {
  it('OpenCLIP q/k/v are the three contiguous row blocks of in_proj (no copies)', async () => {
    const w = TINY_P16_GELU.vision.width;
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'openclip' });
    const ck = await loadCheckpoint(memoryModelFiles(files));
    const header = await readSafetensorsHeader(memorySource('open_clip_model.safetensors', files.get('open_clip_model.safetensors')!));
    const inProj = header.tensors.get('visual.transformer.resblocks.1.attn.in_proj_weight')!;
    const inBias = header.tensors.get('visual.transformer.resblocks.1.attn.in_proj_bias')!;
    const parts = ['q', 'k', 'v'] as const;
    parts.forEach((p, i) => {
      const ref = ck.weights.get(weightName('vision', `${p}.w`, 1))!;
      expect(ref).toMatchObject({ byteOffset: inProj.byteOffset + i * w * w * 4, byteLength: w * w * 4, shape: [w, w] });
      expect(ref.source).toBe(`visual.transformer.resblocks.1.attn.in_proj_weight[${i}/3]`);
      const bias = ck.weights.get(weightName('vision', `${p}.b`, 1))!;
      expect(bias).toMatchObject({ byteOffset: inBias.byteOffset + i * w * 4, byteLength: w * 4, shape: [w] });
    });
  });

  it('projections: HF [D, w] out_in, OpenCLIP [w, D] in_out', async () => {
    const { width, } = TINY_P16_GELU.vision;
    const D = TINY_P16_GELU.embedDim;
    const hf = await load(TINY_P16_GELU, { layout: 'hf' });
    const oc = await load(TINY_P16_GELU, { layout: 'openclip' });
    expect(hf.weights.get('v.proj')).toMatchObject({ shape: [D, width], source: 'visual_projection.weight' });
    expect(hf.weights.get('v.proj')!.layout).toBeUndefined();
    expect(oc.weights.get('v.proj')).toMatchObject({ shape: [width, D], layout: 'in_out', source: 'visual.proj' });
    expect(oc.weights.get('t.proj')).toMatchObject({ layout: 'in_out', source: 'text_projection' });
  });
});

describe('HF and OpenCLIP layouts of the same seed', () => {
  it.each([TINY_P14_QUICKGELU, TINY_P32_64PX].map((s) => [s.name, s] as const))('%s holds identical weights', async (_, spec) => {
    const hf = await load(spec, { layout: 'hf', seed: 7 });
    const oc = await load(spec, { layout: 'openclip', seed: 7 });
    expect([...hf.weights.keys()].sort()).toEqual([...oc.weights.keys()].sort());
    expect(hf.vision).toEqual(oc.vision);
    expect(hf.text).toEqual(oc.text);
    for (const name of hf.weights.keys()) {
      expectSameValues(await canonicalRead(hf, name), await canonicalRead(oc, name), name);
    }
    expect(hf.fingerprint).not.toBe(oc.fingerprint);
  });
  it('a different seed (same architecture, byte-identical headers) gives different weights and a different fingerprint', async () => {
    const headerOf = async (seed: number) =>
      (await readSafetensorsHeader(memorySource('model.safetensors', generateCheckpoint(TINY_P16_GELU, { layout: 'hf', seed }).get('model.safetensors')!)))
        .headerBytes;
    expect(await headerOf(1)).toEqual(await headerOf(2)); // headers alone cannot tell them apart
    const a = await load(TINY_P16_GELU, { layout: 'hf', seed: 1 });
    const b = await load(TINY_P16_GELU, { layout: 'hf', seed: 2 });
    const again = await load(TINY_P16_GELU, { layout: 'hf', seed: 1 });
    expect(await canonicalRead(a, 'v.0.q.w')).not.toEqual(await canonicalRead(b, 'v.0.q.w'));
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.fingerprint).toBe(again.fingerprint);
  });
});

describe('sharded checkpoints', () => {
  it.each(['hf', 'openclip'] as const)('%s: 3 shards + index load like the single file', async (layout) => {
    const files = generateCheckpoint(TINY_P32_64PX, { layout, shards: 3 });
    const shardNames = [...files.keys()].filter((n) => /-0000\d-of-00003\.safetensors$/.test(n));
    expect(shardNames).toHaveLength(3);
    const sharded = await loadCheckpoint(memoryModelFiles(files));
    const single = await load(TINY_P32_64PX, { layout });
    expect(new Set([...sharded.weights.values()].map((r) => r.fileName)).size).toBe(3);
    expect([...sharded.files.keys()].sort()).toEqual(shardNames.sort());
    for (const name of ['v.patch', 'v.2.fc1.w', 't.1.o.b', 't.proj']) {
      expectSameValues(await canonicalRead(sharded, name), await canonicalRead(single, name), name);
    }
  });
  it("a shard named by the index but absent -> 'missing-file'", async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'hf', shards: 2 });
    files.delete('model-00002-of-00002.safetensors');
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(files)));
    expect(e.code).toBe('missing-file');
    expect(e.message).toContain('model-00002-of-00002.safetensors');
  });
});

describe('quirks of real repos', () => {
  it('ignores int64 position_ids and logit_scale', async () => {
    const ck = await load(TINY_P16_GELU, { layout: 'hf', positionIds: true, logitScale: true });
    const plain = await load(TINY_P16_GELU, { layout: 'hf' });
    expect(ck.weights.size).toBe(plain.weights.size);
    expectSameValues(await canonicalRead(ck, 't.0.q.w'), await canonicalRead(plain, 't.0.q.w'), 't.0.q.w');
    const oc = await load(TINY_P16_GELU, { layout: 'openclip', logitScale: true });
    expect(oc.weights.size).toBe(plain.weights.size);
  });

  it('integer size / crop_size and custom mean/std in preprocessor_config.json', async () => {
    const mean = [0.5, 0.5, 0.5] as const;
    const std = [0.25, 0.5, 0.75] as const;
    const ck = await load(TINY_P16_GELU, { layout: 'hf', integerPreprocessSizes: true, mean, std });
    expect(ck.preprocess).toEqual({ size: 32, resizeShortSide: 32, mean, std, interpolation: 'bicubic' });
    const oc = await load(TINY_P16_GELU, { layout: 'openclip', mean, std });
    expect(oc.preprocess.mean).toEqual(mean);
    expect(oc.preprocess.std).toEqual(std);
  });

  it('legacy eos_token_id 2 resolves to the vocabulary end token (vocab_size - 1 without tokenizer files)', async () => {
    const ck = await load(TINY_P16_GELU, { layout: 'hf', legacyEosTokenId: true });
    expect(ck.text!.eosTokenId).toBe(99);
    expect(ck.text!.bosTokenId).toBe(98);
    expect(ck.tokenizerFiles).toBeUndefined();
  });

  it('takes vocab_size and special ids from tokenizer files, and exposes them', async () => {
    // a toy vocabulary: 10 ordinary tokens, then the two specials at 10 and 11, then 3 more
    const vocab: Record<string, number> = {};
    for (let i = 0; i < 10; i++) vocab[`t${i}`] = i;
    vocab['<|startoftext|>'] = 10;
    vocab['<|endoftext|>'] = 11;
    for (let i = 12; i < 15; i++) vocab[`u${i}`] = i;
    const tokenizer = { vocabJson: JSON.stringify(vocab), mergesTxt: '#version: 0.2\nt 0\n' };
    for (const layout of ['hf', 'openclip'] as const) {
      const ck = await load(TINY_P16_GELU, { layout, tokenizer, legacyEosTokenId: true });
      expect(ck.text).toMatchObject({ vocabSize: 15, bosTokenId: 10, eosTokenId: 11, padTokenId: 0 });
      expect(ck.weights.get('t.tok')!.shape).toEqual([15, TINY_P16_GELU.text!.width]);
      expect([...ck.tokenizerFiles!.keys()].sort()).toEqual(['merges.txt', 'vocab.json']);
    }
  });

  it('visionOnly: a repo without text weights loads the vision tower only', async () => {
    for (const layout of ['hf', 'openclip'] as const) {
      const ck = await load(TINY_P16_GELU, { layout, visionOnly: true });
      expect(ck.text).toBeUndefined();
      expect([...ck.weights.keys()].every((n) => n.startsWith('v.'))).toBe(true);
    }
  });

  it('prefers OpenCLIP when a folder has both layouts, unless told otherwise; OpenCLIP preprocess_cfg wins', async () => {
    const mean = [0.5, 0.5, 0.5] as const;
    const files = new Map([
      ...generateCheckpoint(TINY_P16_GELU, { layout: 'hf' }),
      ...generateCheckpoint(TINY_P16_GELU, { layout: 'openclip', mean, std: mean }),
    ]);
    expect((await loadCheckpoint(memoryModelFiles(files))).layout).toBe('openclip');
    const hf = await loadCheckpoint(memoryModelFiles(files), { prefer: 'hf' });
    expect(hf.layout).toBe('hf');
    expect(hf.preprocess.mean).toEqual(mean); // from open_clip_config.json, not preprocessor_config.json
  });
});

describe('loadCheckpoint refuses broken folders with specific codes', () => {
  const editJson = (files: Map<string, Uint8Array>, name: string, edit: (j: any) => void) => {
    const j = JSON.parse(new TextDecoder().decode(files.get(name)));
    edit(j);
    files.set(name, new TextEncoder().encode(JSON.stringify(j)));
  };

  it("a tensor whose shape disagrees with the config -> 'wrong-shape' naming file, tensor, expected, found", async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'hf' });
    editJson(files, 'config.json', (j) => (j.vision_config.patch_size = 8)); // weights hold 16x16 patches
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(files)));
    expect(e.code).toBe('wrong-shape');
    expect(e.file).toBe('model.safetensors');
    expect(e.message).toContain('model.safetensors');
    expect(e.message).toContain('vision_model.embeddings.patch_embedding.weight');
    expect(e.message).toContain('has shape [32, 3, 16, 16], expected [32, 3, 8, 8]');
  });

  it("a missing tensor -> 'missing-tensor' naming file and tensor", async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'openclip' });
    editJson(files, 'open_clip_config.json', (j) => (j.model_cfg.vision_cfg.layers = 3)); // weights hold 2 blocks
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(files)));
    expect(e.code).toBe('missing-tensor');
    expect(e.tensor).toBe('visual.transformer.resblocks.2.ln_1.weight');
    expect(e.message).toContain('open_clip_model.safetensors');
    expect(e.message).toContain('visual.transformer.resblocks.2.ln_1.weight');
  });

  it("a pickle-only folder -> 'pickle'", async () => {
    const files = new Map(generateCheckpoint(TINY_P16_GELU, { layout: 'hf' }));
    files.delete('model.safetensors');
    files.set('pytorch_model.bin', new Uint8Array([0x80, 0x02]));
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(files)));
    expect(e.code).toBe('pickle');
    expect(e.message).toBe('pytorch_model.bin is a pickle checkpoint: use the safetensors file');
  });

  it("a folder with nothing usable -> 'missing-file'", async () => {
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(new Map([['README.md', new Uint8Array(3)]]), 'my-folder')));
    expect(e.code).toBe('missing-file');
    expect(e.message).toContain('my-folder');
    const noConfig = generateCheckpoint(TINY_P16_GELU, { layout: 'openclip' });
    noConfig.delete('open_clip_config.json');
    const e2 = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(noConfig)));
    expect(e2.code).toBe('missing-file');
    expect(e2.message).toContain('open_clip_config.json');
  });

  it("model_type siglip -> 'unsupported-architecture'", async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'hf' });
    editJson(files, 'config.json', (j) => (j.model_type = 'siglip'));
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(files)));
    expect(e.code).toBe('unsupported-architecture');
    expect(e.message).toContain('"siglip"');
  });

  it.each([
    ['ls_init_value', (c: any) => (c.ls_init_value = 1e-5), 'layer scale'],
    ['attentional_pool', (c: any) => (c.attentional_pool = true), 'attentional pooling'],
    ['pool_type avg', (c: any) => (c.pool_type = 'avg'), 'pooling "avg"'],
    ['global_average_pool', (c: any) => (c.global_average_pool = true), 'average pooling'],
  ])("OpenCLIP %s -> 'unsupported-architecture' naming the feature", async (_, edit, feature) => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'openclip' });
    editJson(files, 'open_clip_config.json', (j) => edit(j.model_cfg.vision_cfg));
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(files)));
    expect(e.code).toBe('unsupported-architecture');
    expect(e.message).toContain('open_clip_config.json');
    expect(e.message).toContain(feature);
  });

  it("a weight stored as F64 -> 'unknown-dtype' naming file and tensor", async () => {
    // re-encode the file with the class embedding as F64: readable, but not a weight dtype
    const files = generateCheckpoint(TINY_VISION_ONLY, { layout: 'hf' });
    const source = memorySource('model.safetensors', files.get('model.safetensors')!);
    const header = await readSafetensorsHeader(source);
    const target = 'vision_model.embeddings.class_embedding';
    const tensors = await Promise.all(
      [...header.tensors.values()].map(async (t) => {
        if (t.name !== target) return { name: t.name, dtype: t.dtype, shape: t.shape, bytes: await source.read(t.byteOffset, t.byteLength) };
        const f64 = Float64Array.from(await readTensorF32(source, t));
        return { name: t.name, dtype: 'F64' as const, shape: t.shape, bytes: new Uint8Array(f64.buffer) };
      }),
    );
    files.set('model.safetensors', encodeSafetensors(tensors));
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(files)));
    expect(e.code).toBe('unknown-dtype');
    expect(e.tensor).toBe(target);
    expect(e.message).toContain('model.safetensors');
    expect(e.message).toContain('F64');
  });

  it('a preprocessing crop that disagrees with image_size -> bad-config', async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'hf' });
    editJson(files, 'preprocessor_config.json', (j) => (j.crop_size = { height: 224, width: 224 }));
    const e = await checkpointErrorOf(loadCheckpoint(memoryModelFiles(files)));
    expect(e.code).toBe('bad-config');
    expect(e.message).toContain('preprocessor_config.json');
  });
});

describe('sources', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('nodeModelDir loads a generated checkpoint written to disk, same as from memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipscope-ck-'));
    dirs.push(dir);
    const files = generateCheckpoint(TINY_P16_48PX_F16, { layout: 'openclip', shards: 2, logitScale: true });
    writeCheckpointDir(dir, files);
    writeFileSync(join(dir, 'README.md'), 'hello');
    const fromDisk = await loadCheckpoint(nodeModelDir(dir));
    const fromMemory = await loadCheckpoint(memoryModelFiles(files));
    expect(fromDisk.fingerprint).toBe(fromMemory.fingerprint);
    expectSameValues(await canonicalRead(fromDisk, 'v.1.fc1.w'), await canonicalRead(fromMemory, 'v.1.fc1.w'), 'v.1.fc1.w');
  });

  it('browser Files and Blobs (paths with folders) load the same checkpoint', async () => {
    const files = generateCheckpoint(TINY_P16_GELU, { layout: 'hf' });
    const expected = (await loadCheckpoint(memoryModelFiles(files))).fingerprint;
    const asFiles = [...files].map(([name, bytes]) => new File([bytes as Uint8Array<ArrayBuffer>], name));
    const fromFiles = await loadCheckpoint(fileListModelFiles(asFiles));
    expect(fromFiles.fingerprint).toBe(expected);
    expectSameValues(await canonicalRead(fromFiles, 't.0.fc1.w'), canonicalWeightValues(TINY_P16_GELU, 't.0.fc1.w'), 't.0.fc1.w');
    const byPath = new Map([...files].map(([name, bytes]) => [`folder/sub/${name}`, blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]), name)]));
    expect((await loadCheckpoint(sourceModelFiles(byPath, 'folder'))).fingerprint).toBe(expected);
    // sources whose own names differ from the folder's names are renamed to the folder's names
    const renamed = new Map([...files].map(([name, bytes]) => [name, memorySource(`blob-${name}`, bytes)]));
    const ck = await loadCheckpoint(sourceModelFiles(renamed));
    expect([...ck.files.keys()]).toEqual(['model.safetensors']);
    expect((await readWeightF32(ck, 'v.cls')).data.length).toBe(TINY_P16_GELU.vision.width);
  });

  it("nodeModelDir on a missing directory -> 'missing-file'", async () => {
    const e = await checkpointErrorOf(loadCheckpoint(nodeModelDir(join(tmpdir(), 'clipscope-does-not-exist-42'))));
    expect(e.code).toBe('missing-file');
  });
});
