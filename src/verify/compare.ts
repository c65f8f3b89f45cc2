/**
 * Published values against a model's, value by value (pure: embeddings in, report out). Each value
 * passes within its source's tolerance; the report keeps every value, not only the verdict.
 */
import type { VerifyGroup, VerifyPhoto, VerifyReport, VerifyValue } from '../api/explorer.ts';
import type { EmbeddingEntries, ReferenceSet } from './referenceSet.ts';

type Vec = ArrayLike<number>;

/** what the model computed for the reference */
export interface MeasuredValues {
  /** per reference photo found: its unit and unnormalised image embedding */
  images: ReadonlyMap<string, { unit: Vec; raw: Vec }>;
  /** unit text embeddings of the similarity table's prompts, in row order (absent: no table) */
  similarityTexts?: readonly Vec[];
  /** unnormalised text embeddings, by exact prompt */
  rawTexts: ReadonlyMap<string, Vec>;
}

export interface PhotoSearch {
  photoStatus: VerifyPhoto[];
  unmatchedFiles: string[];
}

function cosine(a: Vec, b: Vec): number {
  if (a.length !== b.length) throw new RangeError(`embedding widths differ: ${a.length} and ${b.length}`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

const short = (text: string, n = 28) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

function entriesTitle(e: EmbeddingEntries): string {
  const range = `entries ${e.offset}–${e.offset + e.values.length - 1}`;
  return e.of === 'image' ? `unnormalised image embedding of ${e.photo}, ${range}` : `unnormalised text embedding of "${e.text}", ${range}`;
}

export function compareWithReference(ref: ReferenceSet, measured: MeasuredValues, photos: PhotoSearch): VerifyReport {
  const groups: VerifyGroup[] = [];
  const values: VerifyValue[] = [];
  const judge = (v: Omit<VerifyValue, 'diff' | 'pass' | 'group' | 'tolerance'>, group: number, tolerance: number) => {
    const diff = v.computed - v.published;
    // NaN never passes
    values.push({ ...v, group, tolerance, diff, pass: Math.abs(diff) <= tolerance });
  };

  const sim = ref.similarities;
  if (sim) {
    const g = groups.length;
    const { source, obtained, tolerance, toleranceWhy } = sim;
    groups.push({ kind: 'similarity', title: 'image–text cosine similarity table', source, obtained, tolerance, toleranceWhy, compared: 0, failing: 0, maxAbsDiff: 0 });
    const texts = measured.similarityTexts;
    if (texts && texts.length !== sim.texts.length) throw new RangeError(`${texts.length} text embeddings for ${sim.texts.length} reference texts`);
    sim.photos.forEach((photo, col) => {
      const img = measured.images.get(photo);
      if (!img || !texts) return;
      sim.texts.forEach((text, row) => {
        judge({ kind: 'similarity', row, col, label: `cos("${short(sim.promptPrefix + text)}", ${photo})`, computed: cosine(texts[row], img.unit), published: sim.values[row][col] }, g, tolerance);
      });
    });
    if (!texts) groups[g].notCompared = 'the model has no text tower';
  }
  for (const e of ref.embeddings) {
    const g = groups.length;
    const { source, obtained, tolerance, toleranceWhy } = e;
    const kind = e.of === 'image' ? 'image-embedding' : 'text-embedding';
    groups.push({ kind, title: entriesTitle(e), source, obtained, tolerance, toleranceWhy, compared: 0, failing: 0, maxAbsDiff: 0 });
    const vec = e.of === 'image' ? measured.images.get(e.photo!)?.raw : measured.rawTexts.get(e.text!);
    if (!vec) {
      groups[g].notCompared = e.of === 'image' ? `photo ${e.photo} not found` : 'the model has no text tower';
      continue;
    }
    if (e.offset + e.values.length > vec.length) {
      groups[g].notCompared = `the model's embedding has ${vec.length} entries, the reference gives entries up to ${e.offset + e.values.length - 1}`;
      continue;
    }
    const name = e.of === 'image' ? `u(${e.photo})` : `t("${short(e.text!, 20)}")`;
    e.values.forEach((published, k) => {
      const index = e.offset + k;
      judge({ kind, index, label: `${name}[${index}]`, computed: vec[index], published }, g, tolerance);
    });
  }

  let maxAbsDiff = 0;
  for (const v of values) {
    const g = groups[v.group];
    g.compared++;
    if (!v.pass) g.failing++;
    g.maxAbsDiff = Math.max(g.maxAbsDiff, Math.abs(v.diff));
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v.diff));
  }
  for (const g of groups) if (g.compared === 0 && !g.notCompared) g.notCompared = 'none of its photos was found';
  const failing = values.filter((v) => !v.pass).length;
  return {
    reference: { name: ref.name, model: ref.model },
    texts: sim ? [...sim.texts] : [],
    promptPrefix: sim?.promptPrefix ?? '',
    photos: sim ? [...sim.photos] : [],
    photoStatus: photos.photoStatus,
    unmatchedFiles: photos.unmatchedFiles,
    groups,
    values,
    compared: values.length,
    failing,
    maxAbsDiff,
    pass: values.length > 0 && failing === 0,
  };
}
