/**
 * Architecture and preprocessing read from a checkpoint's config files (never from its name).
 *
 * Missing keys take the defaults of the library that wrote the file: transformers'
 * CLIPVisionConfig / CLIPTextConfig / CLIPConfig, OpenCLIP's CLIPVisionCfg / CLIPTextCfg /
 * PreprocessCfg. Features the decomposition does not cover are refused by name.
 */
import type { Activation, PreprocessConfig, TextArch, VisionArch } from '../arch.ts';
import { CheckpointError } from './errors.ts';

export const OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const OPENAI_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** special-token ids found in a tokenizer's vocab.json */
export interface TokenizerSpecials {
  readonly vocabSize: number;
  readonly bosTokenId?: number;
  readonly eosTokenId?: number;
}

type Json = Record<string, unknown>;

class Reader {
  constructor(
    readonly file: string,
    readonly obj: Json,
    readonly where: string,
  ) {}

  private fail(key: string, v: unknown, want: string): never {
    throw new CheckpointError('bad-config', `${this.file}: ${this.where}${key} is ${JSON.stringify(v)}, expected ${want}`, this.file);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  int(key: string, dflt: number, min = 1): number {
    const v = this.obj[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) this.fail(key, v, `an integer >= ${min}`);
    return v;
  }

  num(key: string, dflt: number): number {
    const v = this.obj[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(key, v, 'a positive number');
    return v;
  }

  /** an int, or a square [h, w] pair (OpenCLIP allows tuples for sizes) */
  square(key: string, dflt: number): number {
    const v = this.obj[key] ?? dflt;
    if (Array.isArray(v) && v.length === 2 && v[0] === v[1]) return new Reader(this.file, { [key]: v[0] }, this.where).int(key, dflt);
    if (Array.isArray(v)) {
      throw new CheckpointError(
        'unsupported-architecture',
        `${this.file}: ${this.where}${key} ${JSON.stringify(v)} is not square; clipscope supports square images and patches only`,
        this.file,
      );
    }
    return this.int(key, dflt);
  }

  triple(key: string, dflt: readonly [number, number, number]): readonly [number, number, number] {
    const v = this.obj[key] ?? dflt;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      this.fail(key, v, 'three numbers (one per RGB channel)');
    }
    return [v[0], v[1], v[2]] as const;
  }

  child(key: string): Reader {
    const v = this.obj[key] ?? {};
    if (typeof v !== 'object' || Array.isArray(v) || v === null) this.fail(key, v, 'an object');
    return new Reader(this.file, v as Json, `${this.where}${key}.`);
  }
}

function parseJson(text: string, file: string): Json {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('bad-config', `${file}: not valid JSON (${(e as Error).message})`, file);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CheckpointError('bad-config', `${file}: expected a JSON object`, file);
  }
  return json as Json;
}

function unsupported(file: string, feature: string): CheckpointError {
  return new CheckpointError(
    'unsupported-architecture',
    `${file}: ${feature} is not supported: the decomposition covers plain pre-LN CLIP ViTs with class-token pooling`,
    file,
  );
}

function activation(file: string, where: string, name: unknown): Activation {
  if (name === 'gelu' || name === 'quick_gelu') return name;
  throw unsupported(file, `activation ${where}hidden_act = ${JSON.stringify(name)} (only "gelu" and "quick_gelu")`);
}

function headWidthOf(file: string, where: string, width: number, heads: number): number {
  if (width % heads !== 0) {
    throw new CheckpointError('bad-config', `${file}: ${where}width ${width} is not divisible by ${heads} heads`, file);
  }
  return width / heads;
}

/** bos/eos/size from a vocab.json (CLIP's `<|startoftext|>` and `<|endoftext|>`) */
export function tokenizerSpecials(vocabJsonText: string, fileName = 'vocab.json'): TokenizerSpecials {
  const vocab = parseJson(vocabJsonText, fileName);
  let maxId = -1;
  for (const id of Object.values(vocab)) if (typeof id === 'number' && id > maxId) maxId = id;
  const bos = vocab['<|startoftext|>'];
  const eos = vocab['<|endoftext|>'];
  return {
    vocabSize: maxId + 1,
    bosTokenId: typeof bos === 'number' ? bos : undefined,
    eosTokenId: typeof eos === 'number' ? eos : undefined,
  };
}

function checkTokenIds(file: string, t: TextArch): TextArch {
  for (const [key, id] of [['bos', t.bosTokenId], ['eos', t.eosTokenId], ['pad', t.padTokenId]] as const) {
    if (!Number.isSafeInteger(id) || id < 0 || id >= t.vocabSize) {
      throw new CheckpointError('bad-config', `${file}: ${key} token id ${id} is outside the vocabulary of ${t.vocabSize}`, file);
    }
  }
  return t;
}

// ---------------------------------------------------------------- Hugging Face config.json

export interface ParsedArchitecture {
  readonly vision: VisionArch;
  /** what the config says about the text tower (the loader drops it when its tensors are absent) */
  readonly text?: TextArch;
}

function hfVision(r: Reader, embedDim: number): VisionArch {
  const width = r.int('hidden_size', 768);
  const heads = r.int('num_attention_heads', 12);
  if (r.has('num_channels') && r.int('num_channels', 3) !== 3) throw unsupported(r.file, `${r.where}num_channels ${r.obj.num_channels} (RGB only)`);
  return {
    width,
    layers: r.int('num_hidden_layers', 12),
    heads,
    headWidth: headWidthOf(r.file, r.where, width, heads),
    mlpWidth: r.int('intermediate_size', 3072),
    patchSize: r.int('patch_size', 32),
    imageSize: r.int('image_size', 224),
    embedDim,
    act: activation(r.file, r.where, r.obj.hidden_act ?? 'quick_gelu'),
    layerNormEps: r.num('layer_norm_eps', 1e-5),
  };
}

function hfText(r: Reader, embedDim: number, specials?: TokenizerSpecials): TextArch {
  const width = r.int('hidden_size', 512);
  const heads = r.int('num_attention_heads', 8);
  const vocabSize = r.int('vocab_size', 49408);
  let bos = r.int('bos_token_id', 49406, 0);
  let eos = r.int('eos_token_id', 49407, 0);
  if (eos === 2) {
    // Legacy configs say eos 2 / bos 0 while transformers pools at the largest id: CLIP's end token.
    eos = specials?.eosTokenId ?? vocabSize - 1;
    bos = specials?.bosTokenId ?? vocabSize - 2;
  }
  return checkTokenIds(r.file, {
    width,
    layers: r.int('num_hidden_layers', 12),
    heads,
    headWidth: headWidthOf(r.file, r.where, width, heads),
    mlpWidth: r.int('intermediate_size', 2048),
    contextLength: r.int('max_position_embeddings', 77),
    vocabSize,
    embedDim,
    act: activation(r.file, r.where, r.obj.hidden_act ?? 'quick_gelu'),
    layerNormEps: r.num('layer_norm_eps', 1e-5),
    bosTokenId: bos,
    eosTokenId: eos,
    padTokenId: 0, // CLIP's tokenizer pads with zeros; config pad_token_id (1) is not what it uses
  });
}

/** a transformers `config.json` of model_type "clip" (both towers) or "clip_vision_model" */
export function parseHfConfig(text: string, fileName: string, specials?: TokenizerSpecials): ParsedArchitecture {
  const root = new Reader(fileName, parseJson(text, fileName), '');
  const modelType = root.obj.model_type;
  if (modelType === 'clip_vision_model') {
    return { vision: hfVision(root, root.int('projection_dim', 512)) };
  }
  if (modelType !== 'clip') {
    throw new CheckpointError(
      'unsupported-architecture',
      `${fileName}: model_type ${JSON.stringify(modelType)} is not supported: clipscope reads CLIP ViT models (model_type "clip")`,
      fileName,
    );
  }
  const embedDim = root.int('projection_dim', 512);
  // transformers < 4.23 wrote the sub-configs as *_config_dict; those values win, as in CLIPConfig
  const merged = (key: string): Reader => {
    const base = root.child(key).obj;
    const legacy = root.child(`${key}_dict`).obj;
    return new Reader(fileName, { ...base, ...legacy }, `${key}.`);
  };
  return { vision: hfVision(merged('vision_config'), embedDim), text: hfText(merged('text_config'), embedDim, specials) };
}

// ------------------------------------------------------- Hugging Face preprocessor_config.json

/** `size` (int or {shortest_edge}) and `crop_size` (int or {height, width}); older files use ints */
export function parseHfPreprocessorConfig(text: string, fileName: string, imageSize: number): PreprocessConfig {
  const r = new Reader(fileName, parseJson(text, fileName), '');
  const crop = r.obj.crop_size;
  let size = imageSize;
  if (typeof crop === 'number') size = r.int('crop_size', imageSize);
  else if (crop !== undefined && crop !== null) {
    const c = r.child('crop_size');
    const h = c.int('height', imageSize);
    const w = c.int('width', imageSize);
    if (h !== w) throw unsupported(fileName, `a non-square crop_size ${h}x${w}`);
    size = h;
  }
  const rawSize = r.obj.size;
  let resizeShortSide = size;
  if (typeof rawSize === 'number') resizeShortSide = r.int('size', size);
  else if (rawSize !== undefined && rawSize !== null) {
    const s = r.child('size');
    if (!s.has('shortest_edge')) throw unsupported(fileName, `resizing to ${JSON.stringify(rawSize)} (only size.shortest_edge)`);
    resizeShortSide = s.int('shortest_edge', size);
  }
  if (r.has('resample') && r.obj.resample !== 3) throw unsupported(fileName, `resample ${JSON.stringify(r.obj.resample)} (only 3 = bicubic)`);
  if (r.obj.do_center_crop === false) throw unsupported(fileName, 'do_center_crop false');
  return {
    size,
    resizeShortSide,
    mean: r.triple('image_mean', OPENAI_MEAN),
    std: r.triple('image_std', OPENAI_STD),
    interpolation: 'bicubic',
  };
}

/** preprocessing when a repo has no preprocessing config: CLIP's evaluation transform */
export function defaultPreprocess(imageSize: number): PreprocessConfig {
  return { size: imageSize, resizeShortSide: imageSize, mean: OPENAI_MEAN, std: OPENAI_STD, interpolation: 'bicubic' };
}

// ------------------------------------------------------------------ OpenCLIP open_clip_config.json

export interface ParsedOpenClipConfig extends ParsedArchitecture {
  /** from preprocess_cfg; absent when the file has none */
  readonly preprocess?: PreprocessConfig;
}

const TRUTHY_VISION_FEATURES: readonly [string, string][] = [
  ['attentional_pool', 'attentional pooling (vision_cfg.attentional_pool)'],
  ['global_average_pool', 'average pooling (vision_cfg.global_average_pool)'],
  ['no_ln_pre', 'a vision tower without ln_pre (vision_cfg.no_ln_pre)'],
  ['input_patchnorm', 'patch normalisation (vision_cfg.input_patchnorm)'],
  ['qk_norm', 'query/key normalisation (vision_cfg.qk_norm)'],
  ['scaled_cosine_attn', 'scaled cosine attention (vision_cfg.scaled_cosine_attn)'],
  ['scale_heads', 'per-head scaling (vision_cfg.scale_heads)'],
  ['scale_attn_inner', 'inner attention norm (vision_cfg.scale_attn_inner)'],
  ['scale_attn', 'attention output norm (vision_cfg.scale_attn)'],
  ['scale_fc', 'MLP norm (vision_cfg.scale_fc)'],
];

function nonEmpty(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v as object).length === 0);
}

function eps(r: Reader): number {
  const norm = r.obj.norm_kwargs;
  if (norm && typeof norm === 'object' && 'eps' in norm) return r.child('norm_kwargs').num('eps', 1e-5);
  return 1e-5;
}

function openClipVision(r: Reader, embedDim: number, act: Activation): VisionArch {
  const f = r.file;
  if (Array.isArray(r.obj.layers)) throw unsupported(f, 'the ModifiedResNet image tower (vision_cfg.layers is a list)');
  if (nonEmpty(r.obj.timm_model_name)) throw unsupported(f, `the timm image tower ${JSON.stringify(r.obj.timm_model_name)} (vision_cfg.timm_model_name)`);
  if (nonEmpty(r.obj.ls_init_value)) throw unsupported(f, `layer scale (vision_cfg.ls_init_value = ${JSON.stringify(r.obj.ls_init_value)})`);
  for (const [key, feature] of TRUTHY_VISION_FEATURES) if (r.obj[key]) throw unsupported(f, feature);
  const pool = r.obj.pool_type ?? 'tok';
  if (pool !== 'tok') throw unsupported(f, `pooling ${JSON.stringify(pool)} (vision_cfg.pool_type; only class-token pooling "tok")`);
  const pos = r.obj.pos_embed_type ?? 'learnable';
  if (pos !== 'learnable') throw unsupported(f, `position embedding ${JSON.stringify(pos)} (vision_cfg.pos_embed_type)`);
  if (r.obj.block_type !== undefined && r.obj.block_type !== null && r.obj.block_type !== 'default') {
    throw unsupported(f, `block type ${JSON.stringify(r.obj.block_type)} (vision_cfg.block_type)`);
  }
  if (nonEmpty(r.obj.act_kwargs)) throw unsupported(f, 'custom activation arguments (vision_cfg.act_kwargs)');
  const width = r.int('width', 768);
  const headWidth = r.int('head_width', 64);
  if (width % headWidth !== 0) {
    throw new CheckpointError('bad-config', `${f}: vision_cfg.width ${width} is not divisible by head_width ${headWidth}`, f);
  }
  return {
    width,
    layers: r.int('layers', 12),
    heads: width / headWidth,
    headWidth,
    mlpWidth: Math.floor(width * r.num('mlp_ratio', 4)),
    patchSize: r.square('patch_size', 16),
    imageSize: r.square('image_size', 224),
    embedDim,
    act,
    layerNormEps: eps(r),
  };
}

function openClipText(r: Reader, embedDim: number, act: Activation, specials?: TokenizerSpecials): TextArch {
  const f = r.file;
  if (nonEmpty(r.obj.hf_model_name)) throw unsupported(f, `the Hugging Face text tower ${JSON.stringify(r.obj.hf_model_name)} (text_cfg.hf_model_name)`);
  if (nonEmpty(r.obj.ls_init_value)) throw unsupported(f, `layer scale (text_cfg.ls_init_value = ${JSON.stringify(r.obj.ls_init_value)})`);
  if (r.obj.embed_cls) throw unsupported(f, 'a text class token (text_cfg.embed_cls)');
  if (r.obj.no_causal_mask) throw unsupported(f, 'a text tower without causal mask (text_cfg.no_causal_mask)');
  if (r.obj.proj_bias) throw unsupported(f, 'a text projection bias (text_cfg.proj_bias)');
  const pool = r.obj.pool_type ?? 'argmax';
  if (pool !== 'argmax') throw unsupported(f, `text pooling ${JSON.stringify(pool)} (text_cfg.pool_type; only "argmax")`);
  const projType = r.obj.proj_type ?? 'linear';
  if (projType !== 'linear') throw unsupported(f, `text projection ${JSON.stringify(projType)} (text_cfg.proj_type)`);
  if (nonEmpty(r.obj.act_kwargs)) throw unsupported(f, 'custom activation arguments (text_cfg.act_kwargs)');
  const width = r.int('width', 512);
  const heads = r.int('heads', 8);
  const vocabSize = r.int('vocab_size', 49408);
  return checkTokenIds(f, {
    width,
    layers: r.int('layers', 12),
    heads,
    headWidth: headWidthOf(f, 'text_cfg.', width, heads),
    mlpWidth: Math.floor(width * r.num('mlp_ratio', 4)),
    contextLength: r.int('context_length', 77),
    vocabSize,
    embedDim,
    act,
    layerNormEps: eps(r),
    // argmax pooling finds the end token because it is the largest id of CLIP's vocabulary
    bosTokenId: specials?.bosTokenId ?? vocabSize - 2,
    eosTokenId: specials?.eosTokenId ?? vocabSize - 1,
    padTokenId: r.int('pad_id', 0, 0),
  });
}

function openClipPreprocess(r: Reader, imageSize: number): PreprocessConfig {
  const interpolation = r.obj.interpolation ?? 'bicubic';
  if (interpolation !== 'bicubic') throw unsupported(r.file, `interpolation ${JSON.stringify(interpolation)} (preprocess_cfg.interpolation; only "bicubic")`);
  const resizeMode = r.obj.resize_mode ?? 'shortest';
  if (resizeMode !== 'shortest') throw unsupported(r.file, `resize mode ${JSON.stringify(resizeMode)} (preprocess_cfg.resize_mode; only "shortest")`);
  const size = r.square('size', imageSize);
  return {
    size,
    resizeShortSide: size,
    mean: r.triple('mean', OPENAI_MEAN),
    std: r.triple('std', OPENAI_STD),
    interpolation: 'bicubic',
  };
}

/** only the preprocess_cfg of an open_clip_config.json (undefined when it has none) */
export function parseOpenClipPreprocess(text: string, fileName: string, imageSize: number): PreprocessConfig | undefined {
  const root = new Reader(fileName, parseJson(text, fileName), '');
  return root.has('preprocess_cfg') ? openClipPreprocess(root.child('preprocess_cfg'), imageSize) : undefined;
}

/** an OpenCLIP `open_clip_config.json` ({ model_cfg, preprocess_cfg }) */
export function parseOpenClipConfig(text: string, fileName: string, specials?: TokenizerSpecials): ParsedOpenClipConfig {
  const root = new Reader(fileName, parseJson(text, fileName), '');
  if (!root.has('model_cfg')) throw new CheckpointError('bad-config', `${fileName}: has no model_cfg`, fileName);
  const model = root.child('model_cfg');
  if (nonEmpty(model.obj.multimodal_cfg)) throw unsupported(fileName, 'a CoCa multimodal decoder (model_cfg.multimodal_cfg)');
  if (!model.has('embed_dim')) throw new CheckpointError('bad-config', `${fileName}: model_cfg.embed_dim is missing`, fileName);
  const embedDim = model.int('embed_dim', 512);
  const act: Activation = model.obj.quick_gelu ? 'quick_gelu' : 'gelu';
  const vision = openClipVision(model.child('vision_cfg'), embedDim, act);
  const text_ = openClipText(model.child('text_cfg'), embedDim, act, specials);
  const preprocess = root.has('preprocess_cfg') ? openClipPreprocess(root.child('preprocess_cfg'), vision.imageSize) : undefined;
  return { vision, text: text_, preprocess };
}
