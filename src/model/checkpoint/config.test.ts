import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import {
  OPENAI_MEAN,
  OPENAI_STD,
  parseHfConfig,
  parseHfPreprocessorConfig,
  parseOpenClipConfig,
  parseOpenClipPreprocess,
  tokenizerSpecials,
} from './config.ts';
import { CheckpointError } from './errors.ts';

function codeOf(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

describe('parseHfConfig', () => {
  it('fills missing keys with the transformers defaults (openai/clip-vit-base-patch32)', () => {
    const { vision, text } = parseHfConfig('{"model_type":"clip"}', 'config.json');
    expect(vision).toEqual({
      width: 768, layers: 12, heads: 12, headWidth: 64, mlpWidth: 3072, patchSize: 32, imageSize: 224,
      embedDim: 512, act: 'quick_gelu', layerNormEps: 1e-5,
    });
    expect(text).toEqual({
      width: 512, layers: 12, heads: 8, headWidth: 64, mlpWidth: 2048, contextLength: 77, vocabSize: 49408,
      embedDim: 512, act: 'quick_gelu', layerNormEps: 1e-5, bosTokenId: 49406, eosTokenId: 49407, padTokenId: 0,
    });
  });

  it('reads a ViT-L/14-like config, and *_config_dict values win as in transformers', () => {
    const cfg = {
      model_type: 'clip',
      projection_dim: 768,
      vision_config: { hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, num_attention_heads: 16, patch_size: 14, hidden_act: 'gelu' },
      text_config: { hidden_size: 512 },
      text_config_dict: { hidden_size: 768, num_attention_heads: 12, intermediate_size: 3072 },
    };
    const { vision, text } = parseHfConfig(JSON.stringify(cfg), 'config.json');
    expect(vision).toMatchObject({ width: 1024, layers: 24, heads: 16, headWidth: 64, patchSize: 14, act: 'gelu', embedDim: 768 });
    expect(text).toMatchObject({ width: 768, heads: 12, mlpWidth: 3072, embedDim: 768 });
  });

  it('legacy eos_token_id 2 -> the tokenizer end token, else vocab_size - 1', () => {
    const cfg = JSON.stringify({ model_type: 'clip', text_config: { eos_token_id: 2, bos_token_id: 0, pad_token_id: 1 } });
    expect(parseHfConfig(cfg, 'config.json').text).toMatchObject({ eosTokenId: 49407, bosTokenId: 49406, padTokenId: 0 });
    const withVocab = parseHfConfig(cfg, 'config.json', { vocabSize: 49408, bosTokenId: 49406, eosTokenId: 49407 });
    expect(withVocab.text).toMatchObject({ eosTokenId: 49407, bosTokenId: 49406 });
    const small = JSON.stringify({ model_type: 'clip', text_config: { vocab_size: 20, eos_token_id: 2 } });
    expect(parseHfConfig(small, 'config.json', { vocabSize: 20, eosTokenId: 5, bosTokenId: 4 }).text).toMatchObject({ eosTokenId: 5, bosTokenId: 4 });
  });

  it('reads a vision-only config (model_type clip_vision_model)', () => {
    const r = parseHfConfig('{"model_type":"clip_vision_model","hidden_size":64,"num_attention_heads":4,"projection_dim":32}', 'config.json');
    expect(r.text).toBeUndefined();
    expect(r.vision).toMatchObject({ width: 64, heads: 4, headWidth: 16, embedDim: 32 });
  });

  it('refuses other model types, activations and bad values by name', () => {
    for (const t of ['siglip', 'chinese_clip', undefined]) {
      const e = codeOf(() => parseHfConfig(JSON.stringify({ model_type: t }), 'config.json'));
      expect(e.code).toBe('unsupported-architecture');
      expect(e.message).toContain('config.json');
    }
    const act = codeOf(() => parseHfConfig('{"model_type":"clip","vision_config":{"hidden_act":"relu"}}', 'config.json'));
    expect(act.code).toBe('unsupported-architecture');
    expect(act.message).toContain('vision_config.hidden_act');
    const heads = codeOf(() => parseHfConfig('{"model_type":"clip","vision_config":{"hidden_size":100,"num_attention_heads":12}}', 'config.json'));
    expect(heads.code).toBe('bad-config');
    const neg = codeOf(() => parseHfConfig('{"model_type":"clip","vision_config":{"patch_size":-3}}', 'config.json'));
    expect(neg.code).toBe('bad-config');
    expect(neg.message).toContain('vision_config.patch_size');
    expect(codeOf(() => parseHfConfig('{not json', 'config.json')).code).toBe('bad-config');
  });
});

describe('parseHfPreprocessorConfig', () => {
  it('reads dict sizes (new files) and integer sizes (old files)', () => {
    const modern = { crop_size: { height: 336, width: 336 }, size: { shortest_edge: 336 }, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], resample: 3 };
    expect(parseHfPreprocessorConfig(JSON.stringify(modern), 'p.json', 336)).toEqual({
      size: 336, resizeShortSide: 336, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], interpolation: 'bicubic',
    });
    const old = { crop_size: 224, size: 256, feature_extractor_type: 'CLIPFeatureExtractor' };
    expect(parseHfPreprocessorConfig(JSON.stringify(old), 'p.json', 224)).toEqual({
      size: 224, resizeShortSide: 256, mean: OPENAI_MEAN, std: OPENAI_STD, interpolation: 'bicubic',
    });
  });
  it('refuses non-square crops and non-bicubic resampling', () => {
    expect(codeOf(() => parseHfPreprocessorConfig('{"crop_size":{"height":224,"width":256}}', 'p.json', 224)).code).toBe('unsupported-architecture');
    expect(codeOf(() => parseHfPreprocessorConfig('{"resample":2}', 'p.json', 224)).message).toContain('resample');
    expect(codeOf(() => parseHfPreprocessorConfig('{"image_mean":[0.5,0.5]}', 'p.json', 224)).code).toBe('bad-config');
  });
});

describe('parseOpenClipConfig', () => {
  it('fills missing keys with OpenCLIP defaults (head_width 64, mlp_ratio 4, GELU, argmax pooling)', () => {
    const r = parseOpenClipConfig(JSON.stringify({ model_cfg: { embed_dim: 512, vision_cfg: {}, text_cfg: {} } }), 'open_clip_config.json');
    expect(r.vision).toEqual({
      width: 768, layers: 12, heads: 12, headWidth: 64, mlpWidth: 3072, patchSize: 16, imageSize: 224,
      embedDim: 512, act: 'gelu', layerNormEps: 1e-5,
    });
    expect(r.text).toEqual({
      width: 512, layers: 12, heads: 8, headWidth: 64, mlpWidth: 2048, contextLength: 77, vocabSize: 49408,
      embedDim: 512, act: 'gelu', layerNormEps: 1e-5, bosTokenId: 49406, eosTokenId: 49407, padTokenId: 0,
    });
    expect(r.preprocess).toBeUndefined();
  });

  it('reads ViT-H-14 (head width 80) with quick_gelu and its preprocess_cfg', () => {
    const cfg = {
      model_cfg: {
        embed_dim: 1024,
        quick_gelu: true,
        vision_cfg: { image_size: 224, layers: 32, width: 1280, head_width: 80, patch_size: 14 },
        text_cfg: { context_length: 77, vocab_size: 49408, width: 1024, heads: 16, layers: 24 },
      },
      preprocess_cfg: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], interpolation: 'bicubic', resize_mode: 'shortest' },
    };
    const r = parseOpenClipConfig(JSON.stringify(cfg), 'open_clip_config.json');
    expect(r.vision).toMatchObject({ width: 1280, heads: 16, headWidth: 80, mlpWidth: 5120, act: 'quick_gelu' });
    expect(r.text).toMatchObject({ width: 1024, heads: 16, layers: 24, act: 'quick_gelu' });
    expect(r.preprocess).toEqual({ size: 224, resizeShortSide: 224, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], interpolation: 'bicubic' });
  });

  it('accepts square tuples and norm_kwargs.eps', () => {
    const cfg = { model_cfg: { embed_dim: 8, vision_cfg: { image_size: [32, 32], patch_size: [16, 16], width: 16, head_width: 8, norm_kwargs: { eps: 1e-6 } } } };
    expect(parseOpenClipConfig(JSON.stringify(cfg), 'o.json').vision).toMatchObject({ imageSize: 32, patchSize: 16, layerNormEps: 1e-6, heads: 2 });
  });

  type Patch = { vision?: object; text?: object; model?: object };
  it.each<[Patch, string]>([
    [{ vision: { ls_init_value: 0.1 } }, 'layer scale'],
    [{ vision: { attentional_pool: true } }, 'attentional pooling'],
    [{ vision: { pool_type: 'avg' } }, 'pooling "avg"'],
    [{ vision: { global_average_pool: true } }, 'average pooling'],
    [{ vision: { layers: [3, 4, 6, 3] } }, 'ModifiedResNet'],
    [{ vision: { timm_model_name: 'vit_base_patch16_siglip_224' } }, 'timm'],
    [{ vision: { no_ln_pre: true } }, 'ln_pre'],
    [{ vision: { image_size: [224, 256] } }, 'not square'],
    [{ text: { hf_model_name: 'xlm-roberta-base' } }, 'Hugging Face text tower'],
    [{ text: { ls_init_value: 0.1 } }, 'layer scale'],
    [{ text: { pool_type: 'last' } }, 'text pooling'],
    [{ model: { multimodal_cfg: { width: 512 } } }, 'CoCa'],
  ])("refuses %j -> 'unsupported-architecture' naming %s", (patch, feature) => {
    const model = { embed_dim: 512, vision_cfg: { ...patch.vision }, text_cfg: { ...patch.text }, ...patch.model };
    const e = codeOf(() => parseOpenClipConfig(JSON.stringify({ model_cfg: model }), 'open_clip_config.json'));
    expect(e.code).toBe('unsupported-architecture');
    expect(e.message).toContain('open_clip_config.json');
    expect(e.message).toContain(feature);
  });

  it('refuses preprocessing it cannot reproduce, and a config without model_cfg', () => {
    const pp = (p: object) => JSON.stringify({ model_cfg: { embed_dim: 8, vision_cfg: { width: 64 } }, preprocess_cfg: p });
    expect(codeOf(() => parseOpenClipConfig(pp({ resize_mode: 'squash' }), 'o.json')).message).toContain('squash');
    expect(codeOf(() => parseOpenClipConfig(pp({ interpolation: 'bilinear' }), 'o.json')).message).toContain('bilinear');
    expect(parseOpenClipPreprocess(pp({ size: 64 }), 'o.json', 224)).toMatchObject({ size: 64, resizeShortSide: 64 });
    expect(codeOf(() => parseOpenClipConfig('{}', 'o.json')).code).toBe('bad-config');
    expect(codeOf(() => parseOpenClipConfig('{"model_cfg":{"vision_cfg":{}}}', 'o.json')).message).toContain('embed_dim');
  });
});

describe.runIf(hasShared())('tokenizerSpecials on the real CLIP vocabulary', () => {
  it('finds 49408 tokens, <|startoftext|> 49406 and <|endoftext|> 49407', () => {
    const text = readFileSync(sharedPath('data', 'vocab', 'vocab.json'), 'utf8');
    expect(tokenizerSpecials(text)).toEqual({ vocabSize: 49408, bosTokenId: 49406, eosTokenId: 49407 });
  });
});
