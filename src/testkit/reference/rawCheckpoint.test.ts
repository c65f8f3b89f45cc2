import { describe, expect, it } from 'vitest';
import { readRawCheckpoint } from './rawCheckpoint.ts';
import { makeToyClipWeights, TOY_SPEC, toyCheckpointFiles, type ToyClipSpec } from './toyCheckpoint.ts';
import { readTextTower, readVisionTower } from './towers.ts';

const SPEC: ToyClipSpec = { ...TOY_SPEC, vision: { ...TOY_SPEC.vision, layers: 2 } };

describe('readRawCheckpoint', () => {
  it('detects the layout from the file names and decodes every tensor exactly', () => {
    const weights = makeToyClipWeights(SPEC);
    const openclip = readRawCheckpoint(toyCheckpointFiles(SPEC, 'openclip'));
    expect(openclip.layout).toBe('openclip');
    expect(openclip.tensors).toEqual(weights);
    expect((openclip.config as { model_cfg: { embed_dim: number } }).model_cfg.embed_dim).toBe(SPEC.embedDim);

    const hf = readRawCheckpoint(toyCheckpointFiles(SPEC, 'hf'));
    expect(hf.layout).toBe('hf');
    expect(hf.tensors.get('vision_model.embeddings.position_ids')!.data).toEqual(Float64Array.from({ length: 10 }, (_, k) => k));
    expect(hf.tensors.get('vision_model.embeddings.class_embedding')).toEqual(weights.get('visual.class_embedding'));
  });

  it('accepts paths, prefers OpenCLIP when both layouts are present, and honours options.layout', () => {
    const both = new Map<string, Uint8Array>();
    for (const [name, bytes] of toyCheckpointFiles(SPEC, 'hf')) both.set(`repo/${name}`, bytes);
    for (const [name, bytes] of toyCheckpointFiles(SPEC, 'openclip')) both.set(`repo/${name}`, bytes);
    expect(readRawCheckpoint(both).layout).toBe('openclip');
    expect(readRawCheckpoint(both, { layout: 'hf' }).layout).toBe('hf');
    expect(() => readRawCheckpoint(toyCheckpointFiles(SPEC, 'hf'), { layout: 'openclip' })).toThrow(/do not hold a 'openclip'/);
    expect(() => readRawCheckpoint(new Map([['config.json', new Uint8Array(2)]]))).toThrow(/no CLIP checkpoint among \[config\.json\]/);
  });

  it('reads sharded checkpoints (index.json + shards) to the same tensors', () => {
    for (const layout of ['hf', 'openclip'] as const) {
      const sharded = toyCheckpointFiles(SPEC, layout, { shards: 3 });
      const base = layout === 'hf' ? 'model' : 'open_clip_model';
      expect([...sharded.keys()].filter((n) => n.endsWith('.safetensors'))).toEqual([1, 2, 3].map((k) => `${base}-0000${k}-of-00003.safetensors`));
      expect(readRawCheckpoint(sharded).tensors).toEqual(readRawCheckpoint(toyCheckpointFiles(SPEC, layout)).tensors);
      sharded.delete(`${base}-00002-of-00003.safetensors`);
      expect(() => readRawCheckpoint(sharded)).toThrow(/names shard '.*-00002-of-00003\.safetensors', which is not among the files/);
    }
  });

  it('parses vocab.json when present', () => {
    const files = toyCheckpointFiles(SPEC, 'hf');
    files.set('vocab.json', new TextEncoder().encode(JSON.stringify({ a: 0, '<|endoftext|>': 5 })));
    expect(readRawCheckpoint(files).vocab).toEqual({ a: 0, '<|endoftext|>': 5 });
  });
});

describe('readVisionTower / readTextTower (the oracle\'s own name mapping)', () => {
  it('gives identical float64 weights from the HF and OpenCLIP layouts of one weight set', () => {
    const hf = readRawCheckpoint(toyCheckpointFiles(SPEC, 'hf'));
    const oc = readRawCheckpoint(toyCheckpointFiles(SPEC, 'openclip'));
    expect(readVisionTower(hf)).toEqual(readVisionTower(oc));
    expect(readTextTower(hf)).toEqual(readTextTower(oc));
  });

  it('reads sizes from the tensors and heads, activation, eps from the config', () => {
    const spec: ToyClipSpec = { ...SPEC, act: 'quick_gelu', layerNormEps: 1e-6 };
    const v = readVisionTower(readRawCheckpoint(toyCheckpointFiles(spec, 'hf')));
    expect({ w: v.width, L: v.layers, H: v.heads, dh: v.headWidth, m: v.mlpWidth, p: v.patchSize, G: v.grid, T: v.tokens, S: v.imageSize, D: v.embedDim })
      .toEqual({ w: 16, L: 2, H: 4, dh: 4, m: 64, p: 2, G: 3, T: 10, S: 6, D: 8 });
    expect([v.act, v.layerNormEps]).toEqual(['quick_gelu', 1e-6]);
    const t = readTextTower(readRawCheckpoint(toyCheckpointFiles(spec, 'openclip')));
    expect({ w: t.width, L: t.layers, H: t.heads, ctx: t.contextLength, V: t.vocabSize, D: t.embedDim, act: t.act, eps: t.layerNormEps })
      .toEqual({ w: 12, L: 2, H: 3, ctx: 7, V: 20, D: 8, act: 'quick_gelu', eps: 1e-5 });
  });

  it('keeps the Q, K, V row blocks of the fused in_proj in order (HF q_proj = rows 0..w-1, …)', () => {
    const hf = readRawCheckpoint(toyCheckpointFiles(SPEC, 'hf'));
    const w = SPEC.vision.width;
    const block = readVisionTower(hf).blocks[1];
    ['q', 'k', 'v'].forEach((part, k) => {
      const weight = hf.tensors.get(`vision_model.encoder.layers.1.self_attn.${part}_proj.weight`)!.data;
      expect(block.inProjWeight.subarray(k * w * w, (k + 1) * w * w)).toEqual(weight);
    });
  });

  it('reads F16 and BF16 checkpoints to the values they store', () => {
    for (const dtype of ['F16', 'BF16'] as const) {
      const spec: ToyClipSpec = { ...SPEC, dtype };
      expect(readRawCheckpoint(toyCheckpointFiles(spec, 'openclip')).tensors).toEqual(makeToyClipWeights(spec));
    }
  });

  it('refuses shapes and configs it cannot interpret', () => {
    const weights = makeToyClipWeights(SPEC);
    weights.set('visual.ln_post.bias', { shape: [3], data: new Float64Array(3) });
    expect(() => readVisionTower(readRawCheckpoint(toyCheckpointFiles(SPEC, 'openclip', { weights }))))
      .toThrow(/'visual\.ln_post\.bias' has shape \[3\], expected \[16\]/);
    const files = toyCheckpointFiles(SPEC, 'openclip');
    const config = JSON.parse(new TextDecoder().decode(files.get('open_clip_config.json')));
    config.model_cfg.vision_cfg.ls_init_value = 0.1;
    files.set('open_clip_config.json', new TextEncoder().encode(JSON.stringify(config)));
    expect(() => readVisionTower(readRawCheckpoint(files))).toThrow(/ls_init_value = 0\.1 is not supported/);
  });
});
