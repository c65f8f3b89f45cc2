/**
 * Reference values a model is verified against, in clipscope's reference format (docs/FORMATS.md §8):
 * photos named by the sha256 of their pixels (photoHash.ts), an image–text cosine-similarity table
 * and leading entries of unnormalised embeddings, each with its source, how it was obtained and a
 * tolerance argued from that. `PUBLISHED_OPENAI_VIT_B32` is the set shipped with clipscope.
 */
import { CodedError, ERROR_CODES } from '../api/errors.ts';
import published from './openaiVitB32.reference.json' with { type: 'json' };

export interface ReferencePhoto {
  /** the name the tables use, e.g. 'astronaut' */
  name: string;
  /** the file it is usually found as (shown to the user; matching is by pixels only) */
  file: string;
  /** photoHash.ts; null when the pixels the values were computed on are not known */
  pixelsSha256: string | null;
  /** why the photo cannot be compared (with pixelsSha256 null) */
  unavailable?: string;
  /** shipped in clipscope's gallery */
  inGallery: boolean;
}

interface Provenance {
  /** where the numbers were published */
  source: string;
  /** how they were computed and transcribed */
  obtained: string;
  /** largest |computed − published| that passes */
  tolerance: number;
  /** the argument for that tolerance */
  toleranceWhy: string;
}

export interface SimilarityTable extends Provenance {
  /** prompt = promptPrefix + text */
  promptPrefix: string;
  /** rows */
  texts: string[];
  /** columns: photo names */
  photos: string[];
  /** [texts][photos] cosine similarities */
  values: number[][];
}

export interface EmbeddingEntries extends Provenance {
  of: 'image' | 'text';
  /** of: 'image' */
  photo?: string;
  /** of: 'text': the exact prompt */
  text?: string;
  /** index of values[0] in the embedding */
  offset: number;
  /** entries of the unnormalised embedding (u = LN_post(r)·Π, t = LN_final(x_eot)·Π_text) */
  values: number[];
}

export interface ReferenceSet {
  format: 'clipscope-reference';
  version: 1;
  name: string;
  model: string;
  photos: ReferencePhoto[];
  similarities?: SimilarityTable;
  embeddings: EmbeddingEntries[];
}

/** a file that is not a reference set: the user's to fix (code bad-request across the worker) */
class ReferenceFormatError extends CodedError {
  constructor(message: string) {
    super(ERROR_CODES.badRequest, message, undefined, 'ReferenceFormatError');
  }
}

const bad = (where: string, what: string): never => {
  throw new ReferenceFormatError(`not a clipscope reference file: ${where} ${what}`);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Record<string, unknown>, key: string, where: string): string => (typeof o[key] === 'string' ? (o[key] as string) : bad(where, `needs a string "${key}"`));
const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const numbers = (v: unknown, n: number | undefined, where: string): number[] =>
  Array.isArray(v) && v.length > 0 && (n === undefined || v.length === n) && v.every(finite) ? (v as number[]) : bad(where, `needs ${n ?? 'some'} finite numbers`);
const strings = (v: unknown, where: string): string[] => (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : bad(where, 'needs a list of strings'));

function provenance(o: Record<string, unknown>, where: string): Provenance {
  const tolerance = o.tolerance;
  if (!finite(tolerance) || (tolerance as number) <= 0) bad(where, 'needs a positive "tolerance"');
  return { source: str(o, 'source', where), obtained: str(o, 'obtained', where), tolerance: tolerance as number, toleranceWhy: str(o, 'toleranceWhy', where) };
}

/** reads and checks a reference file (text or parsed JSON), saying what is wrong */
export function parseReferenceSet(json: string | unknown): ReferenceSet {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (err) {
      bad('the file', `is not JSON (${(err as Error).message})`);
    }
  }
  if (!isObject(doc) || doc.format !== 'clipscope-reference') return bad('the file', 'lacks "format": "clipscope-reference"');
  if (doc.version !== 1) bad('the file', `has version ${JSON.stringify(doc.version)}; this clipscope reads version 1`);
  if (!Array.isArray(doc.photos)) bad('the file', 'needs a "photos" list');
  const photos = (doc.photos as unknown[]).map((p, i): ReferencePhoto => {
    const where = `photos[${i}]`;
    if (!isObject(p)) return bad(where, 'is not an object');
    const hash = p.pixelsSha256;
    if (hash !== null && !(typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash))) bad(where, 'needs "pixelsSha256": 64 hex digits or null');
    return {
      name: str(p, 'name', where),
      file: typeof p.file === 'string' ? p.file : str(p, 'name', where),
      pixelsSha256: hash as string | null,
      ...(typeof p.unavailable === 'string' ? { unavailable: p.unavailable } : {}),
      inGallery: p.inGallery === true,
    };
  });
  const names = new Set(photos.map((p) => p.name));
  if (names.size !== photos.length) bad('"photos"', 'names a photo twice');
  const knownPhoto = (name: string, where: string) => (names.has(name) ? name : bad(where, `names photo '${name}', which "photos" does not list`));

  let similarities: SimilarityTable | undefined;
  if (doc.similarities !== undefined) {
    const s = doc.similarities;
    const where = '"similarities"';
    if (!isObject(s)) return bad(where, 'is not an object');
    const texts = strings(s.texts, `${where}.texts`);
    const cols = strings(s.photos, `${where}.photos`).map((p) => knownPhoto(p, `${where}.photos`));
    if (!Array.isArray(s.values) || s.values.length !== texts.length) bad(`${where}.values`, `needs ${texts.length} rows`);
    const values = (s.values as unknown[]).map((row, r) => numbers(row, cols.length, `${where}.values[${r}]`));
    similarities = { ...provenance(s, where), promptPrefix: typeof s.promptPrefix === 'string' ? s.promptPrefix : '', texts, photos: cols, values };
  }
  const embeddings = (Array.isArray(doc.embeddings) ? doc.embeddings : []).map((e: unknown, i: number): EmbeddingEntries => {
    const where = `embeddings[${i}]`;
    if (!isObject(e)) return bad(where, 'is not an object');
    const offset = e.offset ?? 0;
    if (!Number.isInteger(offset) || (offset as number) < 0) bad(where, 'needs a non-negative integer "offset"');
    const base = { ...provenance(e, where), offset: offset as number, values: numbers(e.values, undefined, `${where}.values`) };
    if (e.of === 'image') return { ...base, of: 'image', photo: knownPhoto(str(e, 'photo', where), where) };
    if (e.of === 'text') return { ...base, of: 'text', text: str(e, 'text', where) };
    return bad(where, 'needs "of": "image" or "text"');
  });
  if (!similarities && embeddings.length === 0) bad('the file', 'holds no values ("similarities" or "embeddings")');
  return { format: 'clipscope-reference', version: 1, name: str(doc, 'name', 'the file'), model: str(doc, 'model', 'the file'), photos, ...(similarities ? { similarities } : {}), embeddings };
}

/** OpenAI CLIP ViT-B/32's published numbers (openaiVitB32.reference.json), shipped with the app and the CLI */
export const PUBLISHED_OPENAI_VIT_B32: ReferenceSet = parseReferenceSet(published);
