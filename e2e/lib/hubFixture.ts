/** The checkpoint the app's hub tests download: small, but with the explorer's full shape. */
import type { CheckpointSpec } from '../../src/model/checkpoint/checkpointGenerator.ts';

/** 4 layers x 4 heads, 64 px at patch 16 (a 4x4 grid), with a text tower and a tokenizer */
export const APP_HUB_SPEC: CheckpointSpec = {
  name: 'tiny-app-hub',
  vision: { width: 64, layers: 4, heads: 4, patchSize: 16, imageSize: 64 },
  text: { width: 64, layers: 2, heads: 4, contextLength: 32, vocabSize: 0 },
  embedDim: 32,
  act: 'gelu',
};
