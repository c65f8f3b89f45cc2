/**
 * Split analyze runs (`--shard i/n`) merged with `clipscope merge` equal one unsplit run: the same
 * cache bytes, hence the same atlas.json, retrieval and ablation; and every merge that would not
 * give that (other model or settings, other split or image list, missing, repeated, unfinished or
 * overlapping shards) is refused with a message naming what differs.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import type { ClipEngine } from '../model/engine.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import { analyzeImages } from './analyze.node.ts';
import { CacheError } from './errors.ts';
import { INDEX_FILE, META_FILE } from './layout.ts';
import { mergeShardCaches } from './merge.node.ts';
import { openAnalysisCacheDir } from './reader.node.ts';
import { runCli } from '../testkit/cli.node.ts';
import { cacheFiles, tempDir, writeImageFolder, writeTinyModel, type ImageFolder } from '../testkit/cacheFixture.node.ts';

let work: string;
let modelDir: string;
let images: ImageFolder;
let engine: ClipEngine;
let fullCache: string;
const at = (...p: string[]) => join(work, ...p);

function analyze(cacheDir: string, extra: Partial<Parameters<typeof analyzeImages>[0]> = {}) {
  return analyzeImages({ engine, imagesDir: images.dir, cacheDir, durable: false, ...extra });
}

async function shards(prefix: string, count: number, extra: Partial<Parameters<typeof analyzeImages>[0]> = {}): Promise<string[]> {
  const dirs: string[] = [];
  for (let index = 0; index < count; index++) {
    const dir = at(`${prefix}-${index}`);
    await analyze(dir, { shard: { index, count }, ...extra });
    dirs.push(dir);
  }
  return dirs;
}

function refusal(fn: () => unknown): CacheError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CacheError);
    return err as CacheError;
  }
  throw new Error('expected a CacheError');
}

beforeAll(async () => {
  work = tempDir('merge');
  modelDir = writeTinyModel(at('model'));
  images = writeImageFolder(at('images'), 10); // 10 readable + 3 unreadable = 13 images
  engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(modelDir)));
  fullCache = at('full');
  await analyze(fullCache);
});

afterAll(async () => {
  await engine?.release();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('analyzeImages({shard})', () => {
  it('shard i/n caches the images at positions ≡ i (mod n) of the sorted list, in that order, and records the shard', async () => {
    const all = [...images.readable, ...images.unreadable].sort();
    const [dir] = await shards('pick', 1, { shard: { index: 1, count: 3 } });
    const cache = await openAnalysisCacheDir(dir);
    const expected = all.filter((_, p) => p % 3 === 1);
    expect([...cache.images, ...cache.skipped].map((e) => e.path).sort()).toEqual(expected);
    const indexPaths = readFileSync(join(dir, INDEX_FILE), 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { path: string }).path);
    expect(indexPaths).toEqual(expected);
    expect(cache.meta.shard).toMatchObject({ index: 1, count: 3, images: all.length });
    // the records are the unsplit run's records of the same images
    const full = await openAnalysisCacheDir(fullCache);
    for (const e of cache.images) expect((await cache.recordOf(e.row)).heads).toEqual((await full.recordOf(full.rowOf(e.path))).heads);
  });

  it('a shard cache resumes only as the same shard of the same list; an unsplit cache is not resumed as a shard', async () => {
    const dir = at('resume-0');
    const first = await analyze(dir, { shard: { index: 0, count: 3 }, limit: 7 });
    expect(first).toMatchObject({ considered: 7, assigned: 3 });
    const again = await analyze(dir, { shard: { index: 0, count: 3 }, limit: 7 });
    expect(again).toMatchObject({ added: 0, skipped: 0, alreadyCached: 3 });
    await expect(analyze(dir, { shard: { index: 1, count: 3 }, limit: 7 })).rejects.toThrow(/is shard 0\/3, not 1\/3/);
    await expect(analyze(dir, { shard: { index: 0, count: 3 } })).rejects.toThrow(/image list changed since shard 0\/3 was started .* \(7 images then, 13 now/);
    await expect(analyze(dir, { limit: 7 })).rejects.toThrow(/is shard 0\/3 of a split run: resume it with --shard 0\/3/);
    await expect(analyze(fullCache, { shard: { index: 0, count: 2 } })).rejects.toThrow(/holds an unsplit run, not shard 0\/2/);
  });
});

describe('mergeShardCaches / clipscope merge', () => {
  it('n shards merged (given in any order) are byte-identical to one unsplit run, for n = 1, 2, 3, 5 and 13', async () => {
    const reference = cacheFiles(fullCache);
    for (const n of [1, 2, 3, 5, 13]) {
      const dirs = await shards(`n${n}`, n);
      const out = at(`merged-${n}`);
      const summary = mergeShardCaches([...dirs].reverse(), out);
      expect(summary).toEqual({ shards: n, images: 13, rows: 10, skipped: 3 });
      expect(cacheFiles(out)).toEqual(reference);
    }
  });

  it('textspan, retrieve and ablate give byte-identical outputs on the merged cache and on the unsplit cache', async () => {
    const merged = at('merged-3');
    writeFileSync(at('pool.tsv'), 'colour\ta photo of a red car\ncolour\ta photo of a blue sky\ncount\tthree dogs on grass\na striped texture\na green field\ntwo birds in a tree\n');
    writeFileSync(at('classes.json'), JSON.stringify({ classes: ['car', 'sky', 'cat', 'field'], templates: ['a photo of a {}'] }));
    writeFileSync(at('labels.csv'), `file,label\n${images.readable.map((p, i) => `${p},${i % 4}`).join('\n')}\n`);
    const outputs = async (cache: string, tag: string) => {
      const atlas = at(`atlas-${tag}.json`);
      const ablation = at(`ablation-${tag}.json`);
      const t = await runCli(['textspan', '--model', modelDir, '--cache', cache, '--pool', at('pool.tsv'), '--layers', 'all', '--m', '4', '--out', atlas, '--threads', '1']);
      expect(t.code, t.stderr).toBe(0);
      const r = await runCli(['retrieve', '--cache', cache, '--layer', '1', '--head', '2', '--image', images.readable[4], '--k', '5']);
      expect(r.code, r.stderr).toBe(0);
      const a = await runCli(['ablate', '--model', modelDir, '--cache', cache, '--classes', at('classes.json'), '--labels', at('labels.csv'), '--ablate', 'L0', '--out', ablation]);
      expect(a.code, a.stderr).toBe(0);
      return { atlas: readFileSync(atlas), retrieved: r.stdout, ablation: readFileSync(ablation) };
    };
    const single = await outputs(fullCache, 'single');
    const fromShards = await outputs(merged, 'merged');
    expect(single.retrieved.trimEnd().split('\n')).toHaveLength(5);
    expect(JSON.parse(single.atlas.toString()).heads).toHaveLength(8);
    expect(fromShards.atlas.equals(single.atlas)).toBe(true);
    expect(fromShards.retrieved).toBe(single.retrieved);
    // ablation.json names the cache folder it read; everything else is equal
    const { cache: mergedPath, ...mergedAblation } = JSON.parse(fromShards.ablation.toString());
    const { cache: singlePath, ...singleAblation } = JSON.parse(single.ablation.toString());
    expect([mergedPath, singlePath]).toEqual([merged, fullCache]);
    expect(JSON.stringify(mergedAblation)).toBe(JSON.stringify(singleAblation));
    expect(singleAblation.ablation.set).toBe('L0');
  });

  it('refuses caches of another model or dtype, naming the setting and both folders', async () => {
    const otherModel = writeTinyModel(at('model-b'), 6);
    const otherEngine = await createNodeEngine(await loadCheckpoint(nodeModelDir(otherModel)));
    try {
      await analyzeImages({ engine: otherEngine, imagesDir: images.dir, cacheDir: at('other-1'), durable: false, shard: { index: 1, count: 3 } });
    } finally {
      await otherEngine.release();
    }
    const model = refusal(() => mergeShardCaches([at('n3-0'), at('other-1'), at('n3-2')], at('never')));
    expect(model.code).toBe('shard-mismatch');
    expect(model.message).toMatch(/^cannot merge caches of different models or settings: model\.fingerprint is "?[0-9a-f]{12}…"? in .*n3-0 but "?[0-9a-f]{12}…"? in .*other-1$/);

    await analyze(at('half-1'), { shard: { index: 1, count: 3 }, dtype: 'f16' });
    const dtype = refusal(() => mergeShardCaches([at('n3-0'), at('half-1'), at('n3-2')], at('never')));
    expect(dtype.message).toMatch(/^cannot merge caches of different models or settings: dtype is "f32" in .*n3-0 but "f16" in .*half-1$/);
    expect(readdirSync(work).some((n) => n.includes('never'))).toBe(false);
  });

  it('refuses missing, repeated, unfinished and overlapping shards, other splits and other image lists, naming the shard', async () => {
    const [a, b, c] = [at('n3-0'), at('n3-1'), at('n3-2')];
    const cases: [string[], RegExp][] = [
      [[a, c], /^shard 1\/3 missing \(2 of 3 given\)$/],
      [[a], /^shards 1\/3, 2\/3 missing \(1 of 3 given\)$/],
      [[a, b, b, c], /^shard 1\/3 is given twice: .*n3-1 and .*n3-1$/],
      [[a, at('n2-1')], /^cannot merge shards of different splits: .*n3-0 is shard 0\/3, .*n2-1 is shard 1\/2$/],
      [[fullCache, a], /full is not a shard cache \(it was made without analyze --shard\)/],
    ];
    // another list: the same split over the first 8 images only
    await analyze(at('short-1'), { shard: { index: 1, count: 3 }, limit: 8 });
    cases.push([[a, at('short-1'), c], /^cannot merge shards cut from different image lists \(13 images in .*n3-0, 8 in .*short-1\)/]);
    // unfinished: shard 1 interrupted after its first image
    cpSync(b, at('cut-1'), { recursive: true });
    const lines = readFileSync(join(b, INDEX_FILE), 'utf8').split('\n');
    writeFileSync(join(at('cut-1'), INDEX_FILE), `${lines[0]}\n${lines[1].slice(0, 10)}`);
    cases.push([[a, at('cut-1'), c], /^shard 1\/3 in .*cut-1 holds 1 of its 4 images: it has not finished \(run its analyze command again to resume it\)$/]);
    // overlapping: shard 0's images relabelled as shard 1
    cpSync(a, at('fake-1'), { recursive: true });
    const meta = JSON.parse(readFileSync(join(a, META_FILE), 'utf8'));
    writeFileSync(join(at('fake-1'), META_FILE), JSON.stringify({ ...meta, shard: { ...meta.shard, index: 1 } }));
    cases.push([[a, at('fake-1'), c], /^image a\.png is in two shards: .*n3-0 \(0\/3\) and .*fake-1 \(1\/3\)$/]);
    for (const [dirs, message] of cases) {
      const err = refusal(() => mergeShardCaches(dirs, at('never')));
      expect(err.message).toMatch(message);
    }
    mkdirSync(at('busy'));
    writeFileSync(at('busy', 'x'), '');
    expect(refusal(() => mergeShardCaches([a, b, c], at('busy'))).message).toMatch(/--out .*busy exists and is not an empty folder/);
    expect(readdirSync(work).some((n) => n.includes('never') || n.includes('merging'))).toBe(false);
  });

  it('clipscope merge --out DIR SHARD... merges and reports; its errors are one line (exit 1; usage: exit 2)', async () => {
    const out = at('cli-merged');
    const ok = await runCli(['merge', '--out', out, at('n2-0'), at('n2-1')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe(`merge: 2 shards, 13 images (10 cached, 3 skipped) -> ${out}\n`);
    expect(cacheFiles(out)).toEqual(cacheFiles(fullCache));
    const missing = await runCli(['merge', '--out', at('cli-never'), at('n2-0')]);
    expect(missing).toMatchObject({ code: 1, stderr: 'clipscope: shard 1/2 missing (1 of 2 given)\n' });
    for (const argv of [['merge', at('n2-0')], ['merge', '--out', at('cli-never')]]) {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('clipscope analyze --shard i/n and --shard auto (Slurm variables) write the same shard caches as analyzeImages({shard})', async () => {
    const explicit = await runCli(['analyze', '--model', modelDir, '--images', images.dir, '--out', at('cli-s0'), '--shard', '0/2']);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stderr).toMatch(/analyze: 6 added, 1 skipped, 0 already cached \(shard 0\/2: 7 of 13 images\)/);
    expect(cacheFiles(at('cli-s0'))).toEqual(cacheFiles(at('n2-0')));
    const saved = { ...process.env };
    Object.assign(process.env, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '1' });
    try {
      const auto = await runCli(['analyze', '--model', modelDir, '--images', images.dir, '--out', at('cli-s1'), '--shard', 'auto']);
      expect(auto.code, auto.stderr).toBe(0);
    } finally {
      for (const k of ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_STEP']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    expect(cacheFiles(at('cli-s1'))).toEqual(cacheFiles(at('n2-1')));
    for (const [extra, message] of [
      [['--shard', '2/2'], /--shard 2\/2: shard index 2 is outside 0\.\.1/],
      [['--shard', 'half'], /--shard must be i\/n .* or auto, got 'half'/],
      [['--shard', '0/2', '--shard-count', '2'], /--shard-count goes with --shard auto/],
    ] as const) {
      const r = await runCli(['analyze', '--model', modelDir, '--images', images.dir, '--out', at('cli-never'), ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
