/**
 * Test-only: a clipscope reference file for a generated checkpoint, computed by the independent
 * float64 oracle (src/testkit/reference) and rounded the way the published OpenAI values are
 * (similarities to 2 decimals as printed in the figure, embedding entries to 5 significant digits
 * as PyTorch prints an fp16 tensor), with the published set's tolerances. Verifying the same
 * checkpoint against it must PASS; a checkpoint with one thing wrong must FAIL.
 */
import type { PreprocessConfig } from '../model/arch.ts';
import { decodeImage } from '../model/preprocess/decode.ts';
import { preprocessPixels } from '../model/preprocess/transform.ts';
import { ClipTokenizer } from '../model/tokenizer/clipTokenizer.ts';
import { photoPixelsSha256 } from '../verify/photoHash.ts';
import { PUBLISHED_OPENAI_VIT_B32, type ReferenceSet } from '../verify/referenceSet.ts';
import { referenceImageForward } from './reference/imageForward.ts';
import { readRawCheckpoint } from './reference/rawCheckpoint.ts';
import { referenceTextForward, referenceTextUnnormalised } from './reference/textForward.ts';
import { readTextTower, readVisionTower } from './reference/towers.ts';

export interface OracleReferenceOptions {
  /** the checkpoint's files (weights, configs, vocab.json + merges.txt) */
  files: ReadonlyMap<string, Uint8Array>;
  /** photos by reference name */
  photos: { name: string; file: string; bytes: Uint8Array }[];
  /** the normalisation the checkpoint was made with (the oracle does not read preprocessing configs) */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  texts: string[];
  promptPrefix: string;
  /** photo whose unnormalised image embedding entries are given, and the prompt for the text entries */
  embeddingPhoto: string;
  embeddingText: string;
  /** entries 0..entries-1 (default 15, at most the embedding width) */
  entries?: number;
}

const twoDecimals = (x: number) => Math.round(x * 100) / 100;
const fiveSignificant = (x: number) => Number(x.toPrecision(5));

export async function referenceSetFromOracle(o: OracleReferenceOptions): Promise<ReferenceSet> {
  const raw = readRawCheckpoint(new Map(o.files));
  const vision = readVisionTower(raw);
  const text = readTextTower(raw);
  const dec = new TextDecoder();
  const tokenizer = ClipTokenizer.fromHuggingFaceFiles(dec.decode(o.files.get('vocab.json')), dec.decode(o.files.get('merges.txt')));
  const ids = (prompt: string) => Array.from(tokenizer.tokenize(prompt, text.contextLength).ids);
  const S = vision.imageSize;
  const cfg: PreprocessConfig = { size: S, resizeShortSide: S, mean: o.mean, std: o.std, interpolation: 'bicubic' };

  const photos: ReferenceSet['photos'] = [];
  const images = new Map<string, { uHat: Float64Array; u: Float64Array }>();
  for (const p of o.photos) {
    const decoded = await decodeImage(p.bytes, p.file);
    photos.push({ name: p.name, file: p.file, pixelsSha256: photoPixelsSha256(decoded), inGallery: false });
    const fwd = referenceImageForward(raw, preprocessPixels(decoded, cfg).data, { explicitCells: false });
    images.set(p.name, { uHat: fwd.uHat.data, u: fwd.u.data });
  }
  const textUnit = o.texts.map((t) => referenceTextForward(raw, ids(o.promptPrefix + t)).data);
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);
  const n = Math.min(o.entries ?? 15, vision.embedDim);
  const published = PUBLISHED_OPENAI_VIT_B32;
  const [imageEntries, textEntries] = published.embeddings;
  const how = 'float64 oracle (src/testkit/reference) on a generated checkpoint';
  return {
    format: 'clipscope-reference',
    version: 1,
    name: 'generated checkpoint: float64 oracle, rounded like the published values',
    model: 'a generated test checkpoint',
    photos,
    similarities: {
      ...published.similarities!,
      source: how,
      obtained: `${how}; cosines rounded to 2 decimals`,
      promptPrefix: o.promptPrefix,
      texts: o.texts,
      photos: o.photos.map((p) => p.name),
      values: textUnit.map((t) => o.photos.map((p) => twoDecimals(dot(t, images.get(p.name)!.uHat)))),
    },
    embeddings: [
      { ...imageEntries, source: how, obtained: `${how}; 5 significant digits`, photo: o.embeddingPhoto, offset: 0, values: Array.from(images.get(o.embeddingPhoto)!.u.subarray(0, n), fiveSignificant) },
      { ...textEntries, source: how, obtained: `${how}; 5 significant digits`, text: o.embeddingText, offset: 0, values: Array.from(referenceTextUnnormalised(raw, ids(o.embeddingText)).data.subarray(0, n), fiveSignificant) },
    ],
  };
}
