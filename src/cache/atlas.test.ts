import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headRole } from '../analysis/roles.ts';
import { textspan } from '../analysis/textspan.ts';
import { tensor } from '../math/tensor.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import type { ClipEngine } from '../model/engine.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import { analyzeImages } from './analyze.node.ts';
import { parseTextPool, type Atlas } from './atlas.ts';
import { openAnalysisCacheDir } from './reader.node.ts';
import { runCli } from '../testkit/cli.node.ts';
import { tempDir, writeImageFolder, writeTinyModel } from '../testkit/cacheFixture.node.ts';

const POOL_TSV = [
  'property\ttext',
  'colour\ta photo of a red car',
  'colour\ta photo of a blue sky',
  'count\tthree dogs on grass',
  'count\ttwo birds in a tree',
  'texture\ta striped texture',
  'an image taken at night',
  'a close-up of a cat',
  'location\ta green field',
  '',
].join('\r\n');

let work: string;
let modelDir: string;
let cacheDir: string;
let poolFile: string;
let engine: ClipEngine;

beforeAll(async () => {
  work = tempDir('atlas');
  modelDir = writeTinyModel(join(work, 'model'));
  const images = writeImageFolder(join(work, 'images'), 8);
  engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(modelDir)));
  cacheDir = join(work, 'cache');
  await analyzeImages({ engine, imagesDir: images.dir, cacheDir, durable: false });
  poolFile = join(work, 'pool.tsv');
  writeFileSync(poolFile, POOL_TSV);
});

afterAll(async () => {
  await engine?.release();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('parseTextPool', () => {
  it('parseTextPool reads tagged (property<TAB>text) and plain lines, skips a header and blank lines, accepts CRLF', () => {
    const pool = parseTextPool(POOL_TSV, 'pool.tsv');
    expect(pool.texts).toEqual([
      'a photo of a red car', 'a photo of a blue sky', 'three dogs on grass', 'two birds in a tree',
      'a striped texture', 'an image taken at night', 'a close-up of a cat', 'a green field',
    ]);
    expect(pool.properties).toEqual(['colour', 'colour', 'count', 'count', 'texture', null, null, 'location']);
    expect(parseTextPool('one\ntwo\n', 'plain.txt')).toEqual({ name: 'plain.txt', texts: ['one', 'two'], properties: [null, null] });
    expect(() => parseTextPool('\n\n', 'empty.txt')).toThrow(/holds no texts/);
    // the one pool parser (src/labels/pool.ts) skips a tag without text, so this pool is empty
    expect(() => parseTextPool('colour\t\n', 'bad.tsv')).toThrow(/holds no texts/);
    expect(parseTextPool('a cat\nA  cat\n', 'dupes.txt').texts).toEqual(['a cat']);
  });
});

describe('clipscope textspan', () => {
  it('writes atlas.json in the documented shape; each head\'s texts equal textspan() on that head\'s cached matrix', async () => {
    const out = join(work, 'atlas.json');
    const run = await runCli(['textspan', '--model', modelDir, '--cache', cacheDir, '--pool', poolFile, '--layers', 'all', '--m', '3', '--out', out]);
    expect(run.stderr).toMatch(/textspan: 8 heads over 8 images, pool pool.tsv \(8 texts\)/);
    expect(run.code).toBe(0);
    const atlas = JSON.parse(readFileSync(out, 'utf8')) as Atlas;
    const cache = await openAnalysisCacheDir(cacheDir);
    const { layers: L, heads: H, embedDim: D } = cache.meta.architecture;
    expect(atlas).toMatchObject({
      format: 'clipscope-atlas',
      version: 1,
      model: { fingerprint: engine.checkpoint.fingerprint, layers: L, heads: H, embedDim: D },
      pool: { name: 'pool.tsv', size: 8, tagged: true },
      images: 8,
      settings: { m: 3, rank: 80, layers: [0, 1] },
    });
    expect(atlas.heads.map((h) => [h.layer, h.head])).toEqual([[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [1, 2], [1, 3]]);

    const pool = parseTextPool(POOL_TSV, 'pool.tsv');
    const R = await engine.encodeText(pool.texts);
    for (const head of atlas.heads) {
      const direct = textspan(await cache.headMatrix(head.layer, head.head), tensor('M D', R.data, R.dims), { m: 3 });
      expect(head.texts.map((t) => t.text)).toEqual(direct.picks.map((p) => pool.texts[p.index]));
      expect(head.texts.map((t) => t.property)).toEqual(direct.picks.map((p) => pool.properties[p.index]));
      head.texts.forEach((t, i) => expect(t.varianceExplained).toBeCloseTo(direct.picks[i].varianceExplained, 5));
      expect(head.texts).toHaveLength(3);
      const role = headRole(direct.picks, pool.properties);
      expect(head.role.property).toBe(role.property);
      expect(head.role.confidence).toBeCloseTo(role.confidence, 5);
      expect(head.spanRank).toBe(Math.min(80, 8, D));
    }
    // the pool was embedded once into the cache's text store
    expect(existsSync(join(cacheDir, 'text-embeddings', engine.checkpoint.fingerprint, 'vectors.f32'))).toBe(true);
  });

  it('clipscope textspan --json prints the run summary as one JSON line on stdout; progress stays on stderr', async () => {
    const out = join(work, 'atlas-json.json');
    const run = await runCli(['textspan', '--model', modelDir, '--cache', cacheDir, '--pool', poolFile, '--m', '2', '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/textspan: 8 heads over 8 images/);
    const atlas = JSON.parse(readFileSync(out, 'utf8')) as Atlas;
    expect(JSON.parse(run.stdout)).toEqual({
      out,
      heads: 8,
      images: 8,
      pool: { name: 'pool.tsv', size: 8, tagged: true },
      settings: { m: 2, rank: 80, layers: [0, 1] },
      distinctTexts: new Set(atlas.heads.flatMap((h) => h.texts.map((t) => t.text))).size,
    });
  });

  it('--layers defaults to the last min(4, L) layers; --layers 1 picks one layer', async () => {
    const out = join(work, 'atlas-default.json');
    expect((await runCli(['textspan', '--model', modelDir, '--cache', cacheDir, '--pool', poolFile, '--m', '2', '--out', out])).code).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as Atlas).settings.layers).toEqual([0, 1]);
    expect((await runCli(['textspan', '--model', modelDir, '--cache', cacheDir, '--pool', poolFile, '--layers', '1', '--out', out])).code).toBe(0);
    const atlas = JSON.parse(readFileSync(out, 'utf8')) as Atlas;
    expect(atlas.heads.every((h) => h.layer === 1)).toBe(true);
    expect(atlas.heads[0].texts.length).toBeGreaterThan(0);
  });

  it('errors are one line with a non-zero exit: another model, a missing pool, a bad --layers', async () => {
    const other = writeTinyModel(join(work, 'other'), 9);
    const out = join(work, 'never.json');
    const cases: [string[], number, RegExp][] = [
      [['textspan', '--model', other, '--cache', cacheDir, '--pool', poolFile, '--out', out], 1, /was made by another model/],
      [['textspan', '--model', modelDir, '--cache', cacheDir, '--pool', join(work, 'none.tsv'), '--out', out], 1, /pool file not found/],
      [['textspan', '--model', modelDir, '--cache', cacheDir, '--pool', poolFile, '--layers', '7', '--out', out], 2, /--layers: .*layer 7 does not exist/],
      [['textspan', '--model', modelDir, '--cache', join(work, 'images'), '--pool', poolFile, '--out', out], 1, /is not an analysis cache/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await runCli(argv);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('clipscope textspan --threads', () => {
  it('worker threads give the same atlas as one thread', async () => {
    const one = join(work, 'atlas-1.json');
    const two = join(work, 'atlas-2.json');
    const base = ['textspan', '--model', modelDir, '--cache', cacheDir, '--pool', poolFile, '--layers', 'all', '--m', '3'];
    expect((await runCli([...base, '--threads', '1', '--out', one])).code).toBe(0);
    expect((await runCli([...base, '--threads', '2', '--out', two])).code).toBe(0);
    const a = JSON.parse(readFileSync(one, 'utf8')) as Atlas;
    const b = JSON.parse(readFileSync(two, 'utf8')) as Atlas;
    expect(b.heads).toEqual(a.heads);
    expect(a.heads.length).toBeGreaterThan(0);
  });
});
