/**
 * Architecture of a CLIP model as read from its files (never inferred from a model name).
 * Both towers are pre-LN transformers; see ../shared/docs/METHOD.md section 1. Plain data: the
 * model info the worker sends to the UI carries it, so it lives with the worker contract.
 */
export type Activation = 'gelu' | 'quick_gelu';

export interface VisionArch {
  /** residual width w */
  width: number;
  /** number of residual blocks L */
  layers: number;
  /** attention heads per layer H */
  heads: number;
  /** per-head width dh (= width / heads) */
  headWidth: number;
  /** MLP hidden width */
  mlpWidth: number;
  /** patch size p */
  patchSize: number;
  /** input side S */
  imageSize: number;
  /** joint embedding width D */
  embedDim: number;
  act: Activation;
  layerNormEps: number;
}

export interface TextArch {
  width: number;
  layers: number;
  heads: number;
  headWidth: number;
  mlpWidth: number;
  /** context length (77 for CLIP) */
  contextLength: number;
  vocabSize: number;
  embedDim: number;
  act: Activation;
  layerNormEps: number;
  /** start-of-text id (49406 for CLIP's vocabulary) */
  bosTokenId: number;
  /** end-of-text id the text tower pools at (49407 for CLIP's vocabulary) */
  eosTokenId: number;
  /** padding id (CLIP pads with 0) */
  padTokenId: number;
}

export interface PreprocessConfig {
  /** output side S (square) */
  size: number;
  /** resize the short side to this before the centre crop */
  resizeShortSide: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  interpolation: 'bicubic';
}
