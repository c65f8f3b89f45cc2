/**
 * "Verify this model": compares a model's image-text cosine similarities with a published matrix
 * (OpenAI ViT-B/32 on skimage photos, `reference_values.json` of ../shared/data/reference) cell by
 * cell, within a tolerance. Pure: embeddings in, per-cell differences and a verdict out.
 *
 * The reference file is not shipped with the app (../shared may not be copied into the repo); the
 * user drops it, and `parseReferenceSimilarities` reads it.
 */
import { tensor, type Tensor } from '../math/tensor.ts';
import type { VerifyCell, VerifyReport } from '../api/explorer.ts';

/** the published matrix: rows = texts, columns = images */
export interface ReferenceSimilarities {
  /** where the numbers come from (shown beside the result) */
  source: string;
  model: string;
  /** how a description becomes the prompt: `prefix + description` */
  promptPrefix: string;
  /** the descriptions (rows) */
  texts: readonly string[];
  /** image names without extension (columns), e.g. 'astronaut' */
  images: readonly string[];
  /** [rows, cols] cosine similarities */
  matrix: Tensor<'C N', Float64Array>;
  caveat?: string;
}

export const verifyDefaults = { tolerance: 0.02 } as const;

/** the key of reference_values.json that holds the matrix */
export const REFERENCE_KEY = 'openai_vitb32_skimage_cosine_similarity';

const fail = (what: string): never => {
  throw new Error(`not a reference file: ${what} (expected reference_values.json with "${REFERENCE_KEY}")`);
};

/** reads the similarity matrix out of reference_values.json (text or parsed), checking its shape */
export function parseReferenceSimilarities(json: string | unknown): ReferenceSimilarities {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (err) {
      fail(`it is not JSON (${(err as Error).message})`);
    }
  }
  const entry = (doc as Record<string, unknown> | null)?.[REFERENCE_KEY] as Record<string, unknown> | undefined;
  if (!entry || typeof entry !== 'object') return fail(`no "${REFERENCE_KEY}" entry`);
  const texts = entry.rows_texts;
  const images = entry.cols_images_skimage;
  const rows = entry.matrix_rows_text_cols_image;
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
  if (!isStrings(texts)) return fail('"rows_texts" is not a list of strings');
  if (!isStrings(images)) return fail('"cols_images_skimage" is not a list of strings');
  if (!Array.isArray(rows) || rows.length !== texts.length) return fail(`the matrix needs ${texts.length} rows`);
  const data = new Float64Array(texts.length * images.length);
  rows.forEach((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== images.length || !row.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      fail(`matrix row ${r} needs ${images.length} finite numbers`);
    }
    data.set(row as number[], r * images.length);
  });
  // "'This is ' + description" -> prefix 'This is '
  const promptMatch = /^'([^']*)'\s*\+\s*description$/.exec(String(entry.text_prompt ?? '').trim());
  return {
    source: String(entry.source ?? 'unknown source'),
    model: String(entry.model ?? 'unknown model'),
    promptPrefix: promptMatch ? promptMatch[1] : '',
    texts,
    images,
    matrix: tensor('C N', data, [texts.length, images.length]),
    ...(typeof entry.caveat === 'string' ? { caveat: entry.caveat } : {}),
  };
}

/** the prompts of the reference rows, in order */
export function referencePrompts(ref: ReferenceSimilarities): string[] {
  return ref.texts.map((t) => ref.promptPrefix + t);
}

/** an image file's column name: its base name without folders and extension ('x/page.png' -> 'page') */
export function referenceColumnOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base).toLowerCase();
}

function unitRows(x: Tensor<string, Float32Array | Float64Array>): Float64Array {
  const [n, d] = x.dims;
  const out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x.data[r * d + k] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < d; k++) out[r * d + k] = x.data[r * d + k] * inv;
  }
  return out;
}

export interface VerifyInput {
  ref: ReferenceSimilarities;
  /** one row per reference text, in the reference's row order */
  textEmbeddings: Tensor<'C D', Float32Array | Float64Array>;
  /** embeddings of the images at hand, [N', D] */
  imageEmbeddings: Tensor<'N D', Float32Array | Float64Array>;
  /** the reference column of each image row (names as in `ref.images`) */
  imageColumns: readonly string[];
  tolerance?: number;
}

/**
 * Cosine similarity of every (text, available image) pair against the published value. Passes when
 * every compared cell is within the tolerance; columns without an image are listed as missing and
 * do not count either way (but at least one column must be compared).
 */
export function verifySimilarities(input: VerifyInput): VerifyReport {
  const { ref, textEmbeddings, imageEmbeddings, imageColumns } = input;
  const tolerance = input.tolerance ?? verifyDefaults.tolerance;
  const C = ref.texts.length;
  const N = ref.images.length;
  const [ct, D] = textEmbeddings.dims;
  const [ni, Di] = imageEmbeddings.dims;
  if (ct !== C) throw new RangeError(`${ct} text embeddings for ${C} reference texts`);
  if (ni !== imageColumns.length) throw new RangeError(`${ni} image embeddings but ${imageColumns.length} column names`);
  if (ni > 0 && Di !== D) throw new RangeError(`image embeddings have width ${Di}, text embeddings ${D}`);
  const T = unitRows(textEmbeddings);
  const I = unitRows(imageEmbeddings);
  const rowOfColumn = new Map<string, number>();
  imageColumns.forEach((name, i) => {
    const col = ref.images.indexOf(name);
    if (col < 0) throw new RangeError(`image '${name}' is not a column of the reference (${ref.images.join(', ')})`);
    if (rowOfColumn.has(name)) throw new RangeError(`image '${name}' is given twice`);
    rowOfColumn.set(name, i);
  });
  const cells: VerifyCell[] = [];
  let maxAbsDiff = 0;
  for (let r = 0; r < C; r++) {
    for (let c = 0; c < N; c++) {
      const i = rowOfColumn.get(ref.images[c]);
      if (i === undefined) continue;
      let s = 0;
      for (let k = 0; k < D; k++) s += T[r * D + k] * I[i * D + k];
      const published = ref.matrix.data[r * N + c];
      const diff = s - published;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(diff));
      cells.push({ row: r, col: c, computed: s, published, diff, pass: Math.abs(diff) <= tolerance });
    }
  }
  const compared = ref.images.filter((name) => rowOfColumn.has(name));
  const failing = cells.filter((x) => !x.pass).length;
  return {
    texts: [...ref.texts],
    images: [...ref.images],
    comparedImages: compared,
    missingImages: ref.images.filter((name) => !rowOfColumn.has(name)),
    cells,
    tolerance,
    maxAbsDiff,
    failing,
    pass: cells.length > 0 && failing === 0,
    source: ref.source,
    model: ref.model,
    ...(ref.caveat ? { caveat: ref.caveat } : {}),
  };
}
