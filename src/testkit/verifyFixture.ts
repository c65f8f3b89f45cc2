/**
 * Test-only: the checkpoints and the oracle reference file of the verification tests (CLI and
 * browser). One QuickGELU checkpoint, a reference file for it from the float64 oracle, and the same
 * checkpoint with one thing wrong: GELU declared in its config, or other normalisation constants.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeImageDecoders } from '../model/preprocess/decode.node.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { PUBLISHED_OPENAI_VIT_B32, type ReferenceSet } from '../verify/referenceSet.ts';
import { generateCheckpoint, OPENAI_MEAN, OPENAI_STD, type CheckpointSpec } from '../model/checkpoint/checkpointGenerator.ts';
import { referenceSetFromOracle } from './referenceSetFromOracle.ts';
import { REPO_ROOT } from './shared.ts';

/** 6 QuickGELU layers: enough depth that declaring GELU moves some values past the published tolerances */
export const VERIFY_SPEC: CheckpointSpec = {
  name: 'verify-quickgelu-6x8',
  vision: { width: 64, layers: 6, heads: 8, patchSize: 16, imageSize: 64 },
  text: { width: 64, layers: 3, heads: 4, contextLength: 20, vocabSize: 0 },
  embedDim: 32,
  act: 'quick_gelu',
};
const SEED = 11;
export const EMBEDDING_TEXT = 'a portrait of an astronaut with the American flag';
/** the gallery photos the oracle reference is computed on (camera too: any pixels serve a generated model) */
export const VERIFY_PHOTOS = [
  ['astronaut', 'astronaut.png'],
  ['rocket', 'rocket.jpg'],
  ['chelsea', 'chelsea.png'],
  ['horse', 'horse.png'],
  ['coffee', 'coffee.png'],
  ['camera', 'camera.png'],
] as const;

export type VerifyVariant = 'right' | 'gelu' | 'mean-std';

export interface VerifyFixture {
  checkpoints: Record<VerifyVariant, Map<string, Uint8Array>>;
  reference: ReferenceSet;
}

export async function makeVerifyFixture(): Promise<VerifyFixture> {
  await initNodeImageDecoders();
  const sim = PUBLISHED_OPENAI_VIT_B32.similarities!;
  const tokenizer = generateBpeVocab([...sim.texts.map((t) => sim.promptPrefix + t), EMBEDDING_TEXT], 200);
  const right = generateCheckpoint(VERIFY_SPEC, { layout: 'hf', seed: SEED, tokenizer, mean: OPENAI_MEAN, std: OPENAI_STD });
  const config = JSON.parse(new TextDecoder().decode(right.get('config.json')));
  for (const tower of ['vision_config', 'text_config']) config[tower].hidden_act = 'gelu';
  const gelu = new Map(right).set('config.json', new TextEncoder().encode(JSON.stringify(config)));
  const meanStd = generateCheckpoint(VERIFY_SPEC, { layout: 'hf', seed: SEED, tokenizer, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
  const photos = VERIFY_PHOTOS.map(([name, file]) => ({ name, file, bytes: new Uint8Array(readFileSync(join(REPO_ROOT, 'public/gallery', file))) }));
  const reference = await referenceSetFromOracle({
    files: right,
    photos,
    mean: OPENAI_MEAN,
    std: OPENAI_STD,
    texts: sim.texts,
    promptPrefix: sim.promptPrefix,
    embeddingPhoto: 'astronaut',
    embeddingText: EMBEDDING_TEXT,
  });
  return { checkpoints: { right, gelu, 'mean-std': meanStd }, reference };
}
