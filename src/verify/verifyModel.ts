/**
 * Verification of a loaded model (app and CLI): finds the reference photos among the candidates by
 * their pixels, runs the model on them and on the reference texts, and compares (compare.ts).
 */
import type { ProgressCallback, VerifyPhoto, VerifyReport, VerifyRequest } from '../api/explorer.ts';
import type { ClipEngine } from '../model/engine.ts';
import { decodeImage } from '../model/preprocess/decode.ts';
import type { DecodedImage } from '../model/preprocess/image.ts';
import { preprocessPixels } from '../model/preprocess/transform.ts';
import { compareWithReference, type MeasuredValues, type PhotoSearch } from './compare.ts';
import { photoPixelsSha256 } from './photoHash.ts';
import type { ReferenceSet } from './referenceSet.ts';

export type CandidatePhoto = VerifyRequest['images'][number];

/** the reference photos among the candidates (earlier candidates win), and how each was found */
export async function findReferencePhotos(ref: ReferenceSet, candidates: readonly CandidatePhoto[]): Promise<{ found: Map<string, DecodedImage>; search: PhotoSearch }> {
  const byHash = new Map(ref.photos.filter((p) => p.pixelsSha256).map((p) => [p.pixelsSha256!, p]));
  const found = new Map<string, DecodedImage>();
  const matched = new Map<string, CandidatePhoto>();
  const unmatchedFiles: string[] = [];
  for (const c of candidates) {
    const image = await decodeImage(c.bytes, c.name);
    const photo = byHash.get(photoPixelsSha256(image));
    if (!photo) {
      // the explorer's other images are not worth a mention; photos given to verify are
      if (c.origin === 'given') unmatchedFiles.push(c.name);
      continue;
    }
    if (found.has(photo.name)) continue;
    found.set(photo.name, image);
    matched.set(photo.name, c);
  }
  const photoStatus = ref.photos.map((p): VerifyPhoto => {
    const m = matched.get(p.name);
    if (m) return { name: p.name, file: p.file, status: m.origin === 'gallery' ? 'gallery' : 'given', matchedFile: m.name };
    if (!p.pixelsSha256) return { name: p.name, file: p.file, status: 'unavailable', ...(p.unavailable ? { note: p.unavailable } : {}) };
    return { name: p.name, file: p.file, status: 'missing' };
  });
  return { found, search: { photoStatus, unmatchedFiles } };
}

/** the whole check on one engine (decomposed graph for images: its û and ‖u‖ give u) */
export async function verifyEngine(engine: ClipEngine, ref: ReferenceSet, candidates: readonly CandidatePhoto[], onProgress?: ProgressCallback): Promise<VerifyReport> {
  const { found, search } = await findReferencePhotos(ref, candidates);
  const images: MeasuredValues['images'] = new Map(
    await sequential([...found], async ([name, image], i) => {
      onProgress?.({ phase: `embedding the reference photo ${name}`, done: i, total: found.size });
      const parts = await engine.decompose(preprocessPixels(image, engine.checkpoint.preprocess));
      const unit = parts.embedding.data;
      const norm = parts.norm.data[0];
      return [name, { unit, raw: Array.from(unit, (x) => x * norm) }] as const;
    }),
  );
  const measured: { -readonly [K in keyof MeasuredValues]: MeasuredValues[K] } = { images, rawTexts: new Map() };
  if (engine.checkpoint.text && engine.tokenizer) {
    onProgress?.({ phase: 'embedding the reference texts', done: found.size, total: found.size });
    const sim = ref.similarities;
    if (sim) {
      const unit = await engine.encodeText(sim.texts.map((t) => sim.promptPrefix + t));
      const D = unit.dims[1];
      measured.similarityTexts = sim.texts.map((_, r) => unit.data.subarray(r * D, (r + 1) * D));
    }
    const prompts = [...new Set(ref.embeddings.filter((e) => e.of === 'text').map((e) => e.text!))];
    if (prompts.length > 0) {
      const raw = await engine.encodeTextUnnormalised(prompts);
      const D = raw.dims[1];
      measured.rawTexts = new Map(prompts.map((p, r) => [p, raw.data.subarray(r * D, (r + 1) * D)]));
    }
  }
  return compareWithReference(ref, measured, search);
}

/** one at a time: the engine runs one graph at a time anyway, and progress stays in order */
async function sequential<T, R>(items: readonly T[], fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const [i, item] of items.entries()) out.push(await fn(item, i));
  return out;
}
