import { appendFileSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeF16, encodeF16 } from '../math/half.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import type { ClipCheckpoint } from '../model/checkpoint/types.ts';
import type { ClipEngine } from '../model/engine.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import { decodeImageFile } from '../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../model/preprocess/transform.ts';
import { hasShared, sharedPath } from '../testkit/shared.ts';
import { analyzeImages, type AnalyzeSummary } from './analyze.node.ts';
import { CacheError } from './errors.ts';
import { INDEX_FILE, META_FILE, QUANTITY_NAMES, quantityLayouts } from './layout.ts';
import { openAnalysisCacheDir } from './reader.node.ts';
import { runCli } from '../testkit/cli.node.ts';
import { cacheFiles, tempDir, writeImageFolder, writeTinyModel, type ImageFolder } from '../testkit/cacheFixture.node.ts';
import { CacheWriter } from './writer.node.ts';

let work: string;
let modelDir: string;
let images: ImageFolder;
let ckpt: ClipCheckpoint;
let engine: ClipEngine;
let fullCache: string;
let fullSummary: AnalyzeSummary;
let fullWarnings: string[];

async function run(cacheDir: string, extra: { limit?: number; dtype?: 'f32' | 'f16' } = {}, warnings: string[] = []) {
  return analyzeImages({ engine, imagesDir: images.dir, cacheDir, durable: false, onWarning: (w) => warnings.push(w), ...extra });
}

beforeAll(async () => {
  work = tempDir('analyze');
  modelDir = writeTinyModel(join(work, 'model'));
  images = writeImageFolder(join(work, 'images'));
  ckpt = await loadCheckpoint(nodeModelDir(modelDir));
  engine = await createNodeEngine(ckpt);
  fullCache = join(work, 'full');
  fullWarnings = [];
  fullSummary = await run(fullCache, {}, fullWarnings);
});

afterAll(async () => {
  await engine?.release();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('analyzeImages (clipscope analyze)', () => {
  it('analyzeImages(...) stores, per readable image in sorted order, exactly what engine.decompose returns', async () => {
    const cache = await openAnalysisCacheDir(fullCache);
    expect(cache.images.map((e) => e.path)).toEqual(images.readable);
    expect(cache.images.map((e) => e.row)).toEqual(images.readable.map((_, i) => i));
    expect(cache.meta.model.fingerprint).toBe(ckpt.fingerprint);
    const { layers: L, heads: H, embedDim: D } = ckpt.vision;
    expect(cache.meta.architecture).toEqual({ layers: L, heads: H, embedDim: D });

    const heads12 = (await cache.headMatrix(1, 2)).data;
    const mlp0 = (await cache.mlpMatrix(0)).data;
    const embedTerms = (await cache.embedTermMatrix()).data;
    const cc1 = (await cache.classClassMatrix(1)).data;
    const embeddings = (await cache.embeddingMatrix()).data;
    for (const [k, rel] of images.readable.entries()) {
      const parts = await engine.decompose(preprocessPixels(await decodeImageFile(join(images.dir, rel)), ckpt.preprocess));
      const rec = await cache.recordOf(k);
      expect(rec.heads).toEqual(parts.heads.data);
      expect(rec.embed_mlp.subarray(0, D)).toEqual(parts.embed_term.data);
      expect(rec.embed_mlp.subarray(D)).toEqual(parts.mlp.data);
      expect(rec.class_class).toEqual(parts.class_class.data);
      expect(rec.embedding).toEqual(parts.embedding.data);
      // the [K, D] accessors pick the same values out of every record
      expect(heads12.subarray(k * D, (k + 1) * D)).toEqual(parts.heads.data.subarray((1 * H + 2) * D, (1 * H + 3) * D));
      expect(mlp0.subarray(k * D, (k + 1) * D)).toEqual(parts.mlp.data.subarray(0, D));
      expect(embedTerms.subarray(k * D, (k + 1) * D)).toEqual(parts.embed_term.data);
      expect(cc1.subarray(k * D, (k + 1) * D)).toEqual(parts.class_class.data.subarray(D, 2 * D));
      expect(embeddings.subarray(k * D, (k + 1) * D)).toEqual(parts.embedding.data);
    }
    // binary files hold exactly K records
    const layouts = quantityLayouts(cache.meta.architecture, 'f32');
    for (const q of QUANTITY_NAMES) expect(statSync(join(fullCache, layouts[q].file)).size).toBe(images.readable.length * layouts[q].recordBytes);
  });

  it('unreadable images are skipped with a one-line warning naming the file and the reason, and counted', async () => {
    expect(fullSummary).toMatchObject({
      found: images.readable.length + images.unreadable.length,
      added: images.readable.length,
      skipped: images.unreadable.length,
      alreadyCached: 0,
      rows: images.readable.length,
    });
    expect(fullWarnings).toHaveLength(images.unreadable.length);
    const sortedSkipped = [...images.unreadable].sort();
    fullWarnings.forEach((w, i) => {
      expect(w.startsWith(`skipped ${sortedSkipped[i]}: `)).toBe(true);
      expect(w).not.toMatch(/\n/);
    });
    expect(fullWarnings[0]).toMatch(/not an image/);
    expect(fullWarnings[2]).toMatch(/unsupported image format GIF/);
    const cache = await openAnalysisCacheDir(fullCache);
    expect(cache.skipped.map((e) => e.path)).toEqual(sortedSkipped);
    expect(cache.skipped.every((e) => e.reason.length > 0)).toBe(true);
  });

  it('a re-run of a complete cache adds nothing and leaves every file byte-identical', async () => {
    const before = cacheFiles(fullCache);
    const warnings: string[] = [];
    const again = await run(fullCache, {}, warnings);
    expect(again).toMatchObject({ added: 0, skipped: 0, alreadyCached: fullSummary.found, rows: images.readable.length });
    expect(warnings).toEqual([]);
    expect(cacheFiles(fullCache)).toEqual(before);
  });

  it('a run stopped by --limit, then crashed mid-record and mid-index-line, resumes to files byte-identical to one uninterrupted run', async () => {
    const dir = join(work, 'resumed');
    const first = await run(dir, { limit: 3 });
    expect(first).toMatchObject({ considered: 3, added: 2, skipped: 1, rows: 2 });

    // crash 1: half a record in two binaries, a partial index line
    const layouts = quantityLayouts({ layers: ckpt.vision.layers, heads: ckpt.vision.heads, embedDim: ckpt.vision.embedDim }, 'f32');
    appendFileSync(join(dir, layouts.heads.file), new Uint8Array(layouts.heads.recordBytes / 2).fill(7));
    appendFileSync(join(dir, layouts.embed_mlp.file), new Uint8Array(10).fill(1));
    appendFileSync(join(dir, INDEX_FILE), '{"path":"b/d.PNG","size":12');
    const second = await run(dir, { limit: 5 });
    expect(second).toMatchObject({ alreadyCached: 3, added: 2, rows: 4 });

    // crash 2: a whole record in every binary whose index line was never written
    for (const q of QUANTITY_NAMES) appendFileSync(join(dir, layouts[q].file), new Uint8Array(layouts[q].recordBytes).fill(3));
    const third = await run(dir);
    expect(third.added + third.skipped + third.alreadyCached).toBe(fullSummary.found);

    expect(cacheFiles(dir)).toEqual(cacheFiles(fullCache));
  });

  it('a cache made by another model is refused, with a clear message, and left untouched', async () => {
    const otherDir = writeTinyModel(join(work, 'other-model'), 6);
    const other = await loadCheckpoint(nodeModelDir(otherDir));
    expect(other.fingerprint).not.toBe(ckpt.fingerprint);
    const before = cacheFiles(fullCache);
    let caught: unknown;
    try {
      CacheWriter.open(fullCache, { model: { fingerprint: other.fingerprint, layout: other.layout, vision: other.vision } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CacheError);
    expect((caught as CacheError).code).toBe('model-mismatch');
    expect((caught as Error).message).toContain('made by another model');

    const { code, stderr } = await runCli(['analyze', '--model', otherDir, '--images', images.dir, '--out', fullCache]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^clipscope: cache .* was made by another model \(fingerprint [0-9a-f]{12}…, this model is [0-9a-f]{12}…\)/);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(cacheFiles(fullCache)).toEqual(before);
  });

  it('--dtype f16 stores every value as the f32 value rounded to f16', async () => {
    const dir = join(work, 'half');
    const summary = await run(dir, { dtype: 'f16' });
    expect(summary.dtype).toBe('f16');
    const half = await openAnalysisCacheDir(dir);
    const full = await openAnalysisCacheDir(fullCache);
    expect(half.meta.dtype).toBe('f16');
    expect(statSync(join(dir, 'heads.bin')).size * 2).toBe(statSync(join(fullCache, 'heads.bin')).size);
    let maxRel = 0;
    for (let k = 0; k < full.count; k++) {
      for (const q of QUANTITY_NAMES) {
        const exact = (await full.record(q, k)).data;
        const got = (await half.record(q, k)).data;
        expect(got).toEqual(decodeF16(encodeF16(exact)));
        for (let i = 0; i < exact.length; i++) {
          if (Math.abs(exact[i]) > 2 ** -14) maxRel = Math.max(maxRel, Math.abs(got[i] - exact[i]) / Math.abs(exact[i]));
        }
      }
    }
    expect(maxRel).toBeGreaterThan(0);
    expect(maxRel).toBeLessThanOrEqual(2 ** -11);
  });

  it('an existing cache refuses another --dtype; a new folder that is not a cache and not empty is refused', async () => {
    const model = { fingerprint: ckpt.fingerprint, layout: ckpt.layout, vision: ckpt.vision };
    expect(() => CacheWriter.open(fullCache, { model, dtype: 'f16' })).toThrow(/stores f32, not f16/);
    expect(() => CacheWriter.open(images.dir, { model })).toThrow(/not an analysis cache .* not empty/);
  });

  it('clipscope analyze --limit N writes the first N images of the walk and reports the counts; usage errors are one line, exit 2', async () => {
    const dir = join(work, 'cli');
    const ok = await runCli(['analyze', '--model', modelDir, '--images', images.dir, '--out', dir, '--limit', '3']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('clipscope: warning: skipped b/broken.png: not an image');
    expect(ok.stderr).toMatch(/analyze: 2 added, 1 skipped, 0 already cached \(first 3 of 9 images\); cache holds 2 images \(f32\)/);
    const cache = await openAnalysisCacheDir(dir);
    expect(cache.images.map((e) => e.path)).toEqual(images.readable.slice(0, 2));
    expect(readFileSync(join(dir, META_FILE))).toEqual(readFileSync(join(fullCache, META_FILE)));

    for (const argv of [
      ['analyze', '--model', modelDir, '--out', dir],
      ['analyze', '--model', modelDir, '--images', images.dir, '--out', dir, '--dtype', 'f64'],
      ['analyze', '--model', modelDir, '--images', images.dir, '--out', dir, '--limit', '0'],
    ]) {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^clipscope: /);
    }
    const missing = await runCli(['analyze', '--model', modelDir, '--images', join(work, 'nope'), '--out', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`clipscope: images folder not found: ${join(work, 'nope')}\n`);
  });

  it('clipscope analyze --json prints the run summary as one JSON line on stdout; the counts agree with the stderr report', async () => {
    const dir = join(work, 'cli-json');
    const first = await runCli(['analyze', '--model', modelDir, '--images', images.dir, '--out', dir, '--limit', '3', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split('\n')).toHaveLength(2);
    expect(JSON.parse(first.stdout)).toEqual({ found: 9, considered: 3, assigned: 3, alreadyCached: 0, added: 2, skipped: 1, changed: 0, rows: 2, dtype: 'f32', cache: dir });
    const again = await runCli(['analyze', '--model', modelDir, '--images', images.dir, '--out', dir, '--limit', '4', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ considered: 4, alreadyCached: 3, added: 1, skipped: 0, rows: 3 });
    expect(again.stderr).toMatch(/analyze: 1 added, 0 skipped, 3 already cached \(first 4 of 9 images\); cache holds 3 images/);
  });
});

describe.runIf(hasShared())('analyzeImages on real JPEGs (../shared imagenet-samples)', () => {
  it('analyzeImages({limit: 3}) caches the first three samples in sorted order, equal to engine.decompose', async () => {
    const dir = sharedPath('data', 'images', 'imagenet-samples');
    const real = await analyzeImages({ engine, imagesDir: dir, cacheDir: join(work, 'shared-real'), limit: 3, durable: false });
    expect(real).toMatchObject({ considered: 3, added: 3, skipped: 0 });
    const cache = await openAnalysisCacheDir(join(work, 'shared-real'));
    const names = readdirSync(dir).filter((n) => /\.jpe?g$/i.test(n)).sort().slice(0, 3);
    expect(cache.images.map((e) => e.path)).toEqual(names);
    for (const [k, name] of names.entries()) {
      const parts = await engine.decompose(preprocessPixels(await decodeImageFile(join(dir, name)), ckpt.preprocess));
      expect((await cache.recordOf(k)).heads).toEqual(parts.heads.data);
    }
  });
});
