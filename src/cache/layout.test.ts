import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VisionArch } from '../model/arch.ts';
import { CacheError } from './errors.ts';
import {
  createCacheMeta,
  decodeValues,
  encodeIndexLine,
  encodeValues,
  INDEX_FILE,
  parseCacheMeta,
  parseIndex,
  QUANTITY_NAMES,
  serializeCacheMeta,
  type IndexEntry,
} from './layout.ts';
import type { CacheRecord } from './record.ts';
import { openAnalysisCacheDir } from './reader.node.ts';
import { tempDir } from '../testkit/cacheFixture.node.ts';
import { CacheWriter, LOCK_FILE } from './writer.node.ts';

const VISION: VisionArch = {
  width: 8, layers: 3, heads: 2, headWidth: 4, mlpWidth: 32, patchSize: 4, imageSize: 8, embedDim: 5, act: 'gelu', layerNormEps: 1e-5,
};
const MODEL = { fingerprint: 'f'.repeat(64), layout: 'hf', vision: VISION };
const [L, H, D] = [3, 2, 5];
const work = tempDir('layout');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bytes = (s: string) => new TextEncoder().encode(s);

/** record k: every value encodes (quantity, k, position) so misplaced bytes are visible */
function recordFor(k: number): CacheRecord {
  const fill = (q: number, n: number) => Float32Array.from({ length: n }, (_, i) => q * 1000 + k * 10 + i / 64);
  return { heads: fill(1, L * H * D), embed_mlp: fill(2, (L + 1) * D), class_class: fill(3, L * D), embedding: fill(4, D) };
}

function buildCache(dir: string, count: number): void {
  const w = CacheWriter.open(dir, { model: MODEL, durable: false });
  for (let k = 0; k < count; k++) w.appendRecord({ path: `img${k}.png`, size: 100 + k, mtimeMs: 5000 + k }, recordFor(k));
  w.appendSkipped({ path: 'bad.png', size: 3, mtimeMs: 1 }, 'not an image');
  w.close();
}

describe('cache layout', () => {
  it('encodeIndexLine / parseIndex round-trip ok and skipped entries, with consecutive rows', () => {
    const entries: IndexEntry[] = [
      { path: 'a/b.png', size: 10, mtimeMs: 1700000000123, status: 'ok', row: 0 },
      { path: 'weird\tname\n.png', size: 0, mtimeMs: 0, status: 'skipped', reason: 'not an image: x' },
      { path: 'c.jpg', size: 7, mtimeMs: 3, status: 'ok', row: 1 },
    ];
    const text = entries.map(encodeIndexLine).join('');
    expect(text.split('\n')).toHaveLength(4); // a newline in a path is escaped, never a line break
    const parsed = parseIndex(bytes(text));
    expect(parsed.entries).toEqual(entries);
    expect(parsed.rows).toBe(2);
    expect(parsed.completeBytes).toBe(bytes(text).byteLength);
  });

  it('parseIndex ignores a trailing partial line and reports where the complete lines end', () => {
    const complete = encodeIndexLine({ path: 'a.png', size: 1, mtimeMs: 2, status: 'ok', row: 0 });
    const parsed = parseIndex(bytes(`${complete}{"path":"b.png","si`));
    expect(parsed.entries.map((e) => e.path)).toEqual(['a.png']);
    expect(parsed.completeBytes).toBe(bytes(complete).byteLength);
  });

  it('parseIndex refuses a complete line that is not an entry, and rows out of sequence', () => {
    expect(() => parseIndex(bytes('{"path":"a.png"}\n'))).toThrow(/line 1 is not an index entry/);
    expect(() => parseIndex(bytes('garbage\n'))).toThrow(/line 1 is not valid JSON/);
    const skipRow = encodeIndexLine({ path: 'a.png', size: 1, mtimeMs: 2, status: 'ok', row: 1 });
    expect(() => parseIndex(bytes(skipRow))).toThrow(/row 1, expected 0/);
  });

  it('parseCacheMeta(serializeCacheMeta(meta)) round-trips; other formats, versions and layouts are refused', () => {
    const meta = createCacheMeta(MODEL, 'f16');
    expect(parseCacheMeta(serializeCacheMeta(meta))).toEqual(meta);
    expect(meta.quantities.heads).toMatchObject({ file: 'heads.bin', dims: [L, H, D], recordBytes: L * H * D * 2 });
    expect(meta.quantities.embed_mlp.dims).toEqual([L + 1, D]);
    expect(() => parseCacheMeta('{"format":"something-else"}')).toThrow(CacheError);
    expect(() => parseCacheMeta(JSON.stringify({ ...meta, version: 99 }))).toThrow(/version 99/);
    const wrong = { ...meta, quantities: { ...meta.quantities, heads: { ...meta.quantities.heads, recordBytes: 4 } } };
    expect(() => parseCacheMeta(JSON.stringify(wrong))).toThrow(/quantity 'heads' does not match/);
  });

  it('encodeValues / decodeValues: f32 exact, f16 rounded to nearest, from any byte offset', () => {
    const v = Float32Array.from([0, 1, -2.5, 1 / 3, 65504, 1e-3]);
    expect(decodeValues(encodeValues(v, 'f32'), 'f32')).toEqual(v);
    const half = decodeValues(encodeValues(v, 'f16'), 'f16');
    expect(Array.from(half.subarray(0, 3))).toEqual([0, 1, -2.5]);
    expect(half[3]).toBe(0.333251953125); // nearest f16 to 1/3
    expect(half[4]).toBe(65504);
    const padded = new Uint8Array(1 + 24);
    padded.set(encodeValues(v, 'f32'), 1);
    expect(decodeValues(padded.subarray(1), 'f32')).toEqual(v);
  });
});

describe('AnalysisCache reader', () => {
  it('openAnalysisCacheDir reads records and [K, D] slices at the right offsets', async () => {
    const dir = join(work, 'read');
    buildCache(dir, 4);
    const cache = await openAnalysisCacheDir(dir);
    expect(cache.count).toBe(4);
    expect(cache.skipped).toEqual([{ path: 'bad.png', size: 3, mtimeMs: 1, status: 'skipped', reason: 'not an image' }]);
    expect(cache.rowOf('img2.png')).toBe(2);
    expect(cache.rowOf('bad.png')).toBe(-1);
    const rec = await cache.recordOf(2);
    for (const q of QUANTITY_NAMES) expect(rec[q]).toEqual(recordFor(2)[q]);
    expect((await cache.record('heads', 1)).dims).toEqual([L, H, D]);
    const [h21] = await cache.headMatrices([{ layer: 2, head: 1 }]);
    expect(h21.dims).toEqual([4, D]);
    for (let k = 0; k < 4; k++) {
      const slot = 2 * H + 1;
      expect(h21.data.subarray(k * D, (k + 1) * D)).toEqual(recordFor(k).heads.subarray(slot * D, (slot + 1) * D));
      expect((await cache.mlpMatrix(2)).data.subarray(k * D, (k + 1) * D)).toEqual(recordFor(k).embed_mlp.subarray(3 * D, 4 * D));
      expect((await cache.embedTermMatrix()).data.subarray(k * D, (k + 1) * D)).toEqual(recordFor(k).embed_mlp.subarray(0, D));
    }
    await expect(cache.headMatrix(3, 0)).rejects.toThrow(/does not exist/);
    await expect(cache.record('heads', 4)).rejects.toThrow(/outside/);
  });

  it('the reader ignores bytes past the records the index confirms, and refuses binaries shorter than the index', async () => {
    const dir = join(work, 'tail');
    buildCache(dir, 3);
    appendFileSync(join(dir, 'heads.bin'), new Uint8Array(17).fill(9));
    appendFileSync(join(dir, INDEX_FILE), '{"path":"x');
    const cache = await openAnalysisCacheDir(dir);
    expect(cache.count).toBe(3);
    expect((await cache.recordOf(2)).heads).toEqual(recordFor(2).heads);

    truncateSync(join(dir, 'embedding.bin'), 2 * D * 4 + 3);
    await expect(openAnalysisCacheDir(dir)).rejects.toThrow(/embedding.bin holds 2 complete records but index.jsonl lists 3/);
    expect(() => CacheWriter.open(dir, { model: MODEL })).toThrow(/damaged/);
  });

  it('a folder that is not a cache is refused by the reader', async () => {
    const dir = join(work, 'plain');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'meta.json'), '{"format":"other"}');
    await expect(openAnalysisCacheDir(dir)).rejects.toThrow(/is not an analysis cache/);
    await expect(openAnalysisCacheDir(join(work, 'missing'))).rejects.toThrow(/cache folder not found/);
  });

  it('CacheWriter.open creates meta.json once; re-opening never rewrites it', () => {
    const dir = join(work, 'meta');
    buildCache(dir, 1);
    const before = readFileSync(join(dir, 'meta.json'));
    CacheWriter.open(dir, { model: MODEL }).close();
    expect(readFileSync(join(dir, 'meta.json'))).toEqual(before);
    expect(JSON.parse(before.toString())).toMatchObject({ format: 'clipscope-analysis-cache', version: 1, dtype: 'f32' });
  });

  it('one writer per cache: a live writer (this or another process) locks it out; a dead writer\'s lock is taken over', () => {
    const dir = join(work, 'lock');
    const w = CacheWriter.open(dir, { model: MODEL, durable: false });
    expect(() => CacheWriter.open(dir, { model: MODEL })).toThrow(/already open for writing in this process/);
    w.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`); // the test runner's parent: alive
    expect(() => CacheWriter.open(dir, { model: MODEL })).toThrow(/being written by another process \(pid \d+\)/);

    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, LOCK_FILE), `${dead}\n`);
    const again = CacheWriter.open(dir, { model: MODEL, durable: false });
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    again.close();
  });
});
