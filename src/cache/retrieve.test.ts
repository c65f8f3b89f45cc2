import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import type { ClipEngine } from '../model/engine.ts';
import { createNodeEngine } from '../model/engine.node.ts';
import { analyzeImages } from './analyze.node.ts';
import type { AnalysisCache } from './reader.ts';
import { openAnalysisCacheDir } from './reader.node.ts';
import { cachedHeadTerm, retrieveFromCache, type RetrievedImage } from './retrieve.ts';
import { runCli } from '../testkit/cli.node.ts';
import { tempDir, writeImageFolder, writeTinyModel, type ImageFolder } from '../testkit/cacheFixture.node.ts';

let work: string;
let modelDir: string;
let cacheDir: string;
let images: ImageFolder;
let engine: ClipEngine;
let cache: AnalysisCache;
const HEAD = { layer: 1, head: 2 };

/** the expected ranking, computed independently: float64 dots, sorted by score then row */
function directRanking(rows: Float32Array, D: number, query: ArrayLike<number>): { row: number; score: number }[] {
  const K = rows.length / D;
  const scored = Array.from({ length: K }, (_, row) => {
    let s = 0;
    for (let j = 0; j < D; j++) s += rows[row * D + j] * query[j];
    return { row, score: s };
  });
  return scored.sort((a, b) => b.score - a.score || a.row - b.row);
}

function parseLines(stdout: string): RetrievedImage[] {
  return stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as RetrievedImage);
}

beforeAll(async () => {
  work = tempDir('retrieve');
  modelDir = writeTinyModel(join(work, 'model'));
  images = writeImageFolder(join(work, 'images'), 8);
  engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(modelDir)));
  cacheDir = join(work, 'cache');
  await analyzeImages({ engine, imagesDir: images.dir, cacheDir, durable: false });
  cache = await openAnalysisCacheDir(cacheDir);
});

afterAll(async () => {
  await engine?.release();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('retrieval through one head over a cache', () => {
  it('retrieveFromCache ranks every image query exactly as a direct float64 dot-product ranking', async () => {
    const D = cache.meta.architecture.embedDim;
    const rows = (await cache.headMatrix(HEAD.layer, HEAD.head)).data;
    for (let q = 0; q < cache.count; q++) {
      const query = await cachedHeadTerm(cache, q, HEAD);
      expect(query).toEqual(rows.subarray(q * D, (q + 1) * D));
      const got = await retrieveFromCache(cache, HEAD, query, cache.count);
      const want = directRanking(rows, D, query);
      expect(got.map((r) => r.row)).toEqual(want.map((w) => w.row));
      got.forEach((r, i) => {
        expect(r.rank).toBe(i + 1);
        expect(r.path).toBe(images.readable[r.row]);
        expect(r.score).toBeCloseTo(want[i].score, 6);
      });
    }
  });

  it('clipscope retrieve --image <the image with the longest head term> returns that image first (Cauchy-Schwarz), as JSON lines', async () => {
    const D = cache.meta.architecture.embedDim;
    const rows = (await cache.headMatrix(HEAD.layer, HEAD.head)).data;
    const norms = Array.from({ length: cache.count }, (_, k) => Math.hypot(...rows.subarray(k * D, (k + 1) * D)));
    const longest = norms.indexOf(Math.max(...norms));
    const run = await runCli(['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '2', '--image', images.readable[longest], '--k', '5']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = parseLines(run.stdout);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ rank: 1, path: images.readable[longest], row: longest });
    expect(lines[0].score).toBeCloseTo(norms[longest] ** 2, 5);
    const want = directRanking(rows, D, rows.subarray(longest * D, (longest + 1) * D)).slice(0, 5);
    expect(lines.map((l) => l.path)).toEqual(want.map((w) => images.readable[w.row]));
  });

  it('--image FILE outside the cache (with --model) decomposes it: same ranking as the cached copy', async () => {
    const rel = images.readable[3];
    const cached = parseLines((await runCli(['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '2', '--image', rel, '--k', '8'])).stdout);
    const fresh = await runCli(['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '2', '--image', join(images.dir, rel), '--model', modelDir, '--k', '8']);
    expect(fresh.code).toBe(0);
    const lines = parseLines(fresh.stdout);
    expect(lines.map((l) => l.path)).toEqual(cached.map((l) => l.path));
    lines.forEach((l, i) => expect(l.score).toBeCloseTo(cached[i].score, 5));
  });

  it('--text ranks by the dot of each head term with the unit text embedding', async () => {
    const D = cache.meta.architecture.embedDim;
    const text = 'a photo of a red car';
    const run = await runCli(['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '2', '--text', text, '--model', modelDir, '--k', '3']);
    expect(run.code).toBe(0);
    const t = (await engine.encodeText([text])).data;
    const want = directRanking((await cache.headMatrix(1, 2)).data, D, t).slice(0, 3);
    const lines = parseLines(run.stdout);
    expect(lines.map((l) => l.row)).toEqual(want.map((w) => w.row));
    lines.forEach((l, i) => expect(l.score).toBeCloseTo(want[i].score, 5));
  });

  it('usage errors and other failures are one line with a non-zero exit', async () => {
    const cases: [string[], number, RegExp][] = [
      [['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '2'], 2, /exactly one of --image FILE or --text/],
      [['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '2', '--image', 'a.png', '--text', 'x'], 2, /exactly one of/],
      [['retrieve', '--cache', cacheDir, '--layer', '2', '--head', '0', '--image', 'a.png'], 2, /--layer 2 does not exist \(0..1\)/],
      [['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '0', '--text', 'x'], 2, /--text needs --model/],
      [['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '0', '--image', join(images.dir, 'a.png')], 2, /not in the cache: give --model/],
      [['retrieve', '--cache', cacheDir, '--layer', '1', '--head', '0', '--image', 'nope.png'], 1, /image not found/],
      [['retrieve', '--cache', join(work, 'nothing'), '--layer', '1', '--head', '0', '--image', 'a.png'], 1, /cache folder not found/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await runCli(argv);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});
