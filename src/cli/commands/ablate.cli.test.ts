/**
 * `clipscope ablate` end to end on a generated checkpoint and an analysis cache of generated
 * images: the "before" accuracy equals top-1 / top-5 counted here from the cached embeddings and
 * a classifier built here from the text tower; ablating nothing changes nothing; the reference
 * experiments are reported; errors are one line with a non-zero exit code.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImages } from '../../cache/analyze.node.ts';
import { openAnalysisCacheDir } from '../../cache/reader.node.ts';
import { rng } from '../../testkit/synthetic.ts';
import { loadCheckpoint } from '../../model/checkpoint/load.ts';
import { nodeModelDir } from '../../model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { generateBpeVocab } from '../../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../../model/checkpoint/checkpointGenerator.node.ts';
import { runCli as cli } from '../../testkit/cli.node.ts';
import { TINY_P16_GELU } from '../../model/checkpoint/checkpointGenerator.ts';

const CLASSES = ['cat', 'dog', 'bird', 'car', 'tree', 'boat', 'house'];
const TEMPLATES = ['a photo of a {}.', 'a {}'];
const IMAGES = 14;
const name = (i: number) => `img${String(i).padStart(2, '0')}.png`;

describe('clipscope ablate (generated checkpoint, cache of generated images)', () => {
  let root: string;
  const at = (...p: string[]) => join(root, ...p);
  const labels: number[] = [];

  /** per image: the class ranking from the cached embedding and a classifier built here */
  const ranks: number[][] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clipscope-ablate-'));
    mkdirSync(at('model'));
    const corpus = [...CLASSES, ...TEMPLATES];
    generateCheckpointDir(at('model'), TINY_P16_GELU, { layout: 'openclip', seed: 3, tokenizer: generateBpeVocab(corpus, 30) });
    mkdirSync(at('images'));
    const r = rng(9);
    for (let i = 0; i < IMAGES; i++) {
      const data = Uint8Array.from({ length: 40 * 40 * 3 }, () => Math.floor(r.uniform() * 256));
      writeFileSync(at('images', name(i)), encodePng({ width: 40, height: 40, data, channels: 3, depth: 8 }));
    }
    const ckpt = await loadCheckpoint(nodeModelDir(at('model')));
    const engine = await createNodeEngine(ckpt);
    let emb;
    try {
      await analyzeImages({ engine, imagesDir: at('images'), cacheDir: at('cache'), durable: false });
      emb = await engine.encodeText(CLASSES.flatMap((c) => TEMPLATES.map((t) => t.replace('{}', c))));
    } finally {
      await engine.release();
    }
    // the classifier, computed here: normalise each prompt, average per class, normalise
    const D = emb.dims[1];
    const W = CLASSES.map((_, c) => {
      const w = new Float64Array(D);
      for (let p = 0; p < TEMPLATES.length; p++) {
        const row = emb.data.subarray((c * TEMPLATES.length + p) * D, (c * TEMPLATES.length + p + 1) * D);
        const n = Math.hypot(...row);
        row.forEach((v, k) => (w[k] += v / n));
      }
      const n = Math.hypot(...w);
      return w.map((v) => v / n);
    });
    const cache = await openAnalysisCacheDir(at('cache'));
    for (let i = 0; i < IMAGES; i++) {
      const y = (await cache.record('embedding', cache.rowOf(name(i)))).data;
      const logits = W.map((w) => w.reduce((s, v, k) => s + v * y[k], 0));
      ranks.push([...logits.keys()].sort((a, b) => logits[b] - logits[a] || a - b));
    }
    // known answers: images i % 3 != 0 are labelled with their predicted class, the others with
    // the class ranked 2nd (i % 3 == 0, even i) or last (i % 3 == 0, odd i)
    const rows = ['file,label,group'];
    for (let i = 0; i < IMAGES; i++) {
      const label = i % 3 !== 0 ? ranks[i][0] : i % 2 === 0 ? ranks[i][1] : ranks[i][CLASSES.length - 1];
      labels.push(label);
      // labels by index on even rows, by name on odd rows; two groups
      rows.push(`${name(i)},${i % 2 ? CLASSES[label] : label},${i < 5 ? 'small' : 'large'}`);
    }
    rows.push('missing.png,cat,small');
    writeFileSync(at('labels.csv'), `${rows.join('\n')}\n`);
    writeFileSync(at('classes.json'), JSON.stringify({ classes: CLASSES, templates: TEMPLATES }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const base = () => ['ablate', '--model', at('model'), '--cache', at('cache'), '--classes', at('classes.json'), '--labels', at('labels.csv')];

  it("clipscope ablate --ablate '' reports the known accuracy (labels planted from the cached embeddings) before and after", async () => {
    const run = await cli([...base(), '--ablate', '', '--out', at('none.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: missing\.png is not evaluated: not in the cache/);
    const out = JSON.parse(readFileSync(at('none.json'), 'utf8'));

    // i % 3 != 0: right (9 of 14); i % 3 == 0: 2nd (i = 0, 6, 12) or last (i = 3, 9) class
    expect(out.before.top1).toBe(9 / IMAGES);
    expect(out.before.top5).toBe(12 / IMAGES);
    // small = images 0-4 (wrong: 0, 3), large = 5-13 (wrong: 6, 9, 12)
    expect(out.before.groups).toEqual([
      { group: 'small', count: 5, top1: 3 / 5 },
      { group: 'large', count: 9, top1: 6 / 9 },
    ]);
    expect(out.before.worstGroup).toEqual({ group: 'small', count: 5, top1: 3 / 5 });
    expect(out.images).toBe(IMAGES);
    expect(out.classes).toBe(CLASSES.length);
    expect(out.unlabelled).toBe(0);
    expect(out.notEvaluated).toEqual([{ file: 'missing.png', reason: 'not in the cache' }]);
    expect(out.ablation).toEqual({ set: '', accuracy: out.before });
  });

  it('clipscope ablate --json prints the report written to --out, plus out, as one JSON line on stdout; the log stays on stderr', async () => {
    const run = await cli([...base(), '--ablate', 'mlp', '--out', at('json.json'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/ablate: top-1 before 0\.6429, after 'mlp'/);
    const written = JSON.parse(readFileSync(at('json.json'), 'utf8'));
    expect(JSON.parse(run.stdout)).toEqual({ out: at('json.json'), ...written });
    expect(written.before.top1).toBe(9 / IMAGES);
    expect(written.ablation.set).toBe('mlp');
  });

  it('clipscope ablate without --ablate reports the METHOD 3.2 experiments in canonical syntax', async () => {
    const run = await cli([...base(), '--out', at('ref.json')]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(readFileSync(at('ref.json'), 'utf8'));
    expect(out.experiments.mlpAndEmbed.set).toBe('mlp,embed');
    expect(out.experiments.classClass.set).toBe('cc');
    expect(out.experiments.both.set).toBe('mlp,embed,cc');
    expect(out.experiments.msaSweep.map((s: { set: string }) => s.set)).toEqual(['L0', 'L0-1']);
    for (const e of [out.experiments.mlpAndEmbed, out.experiments.classClass, ...out.experiments.msaSweep]) {
      expect(e.accuracy.count).toBe(IMAGES);
      expect(e.accuracy.top1).toBeGreaterThanOrEqual(0);
      expect(e.accuracy.worstGroup.top1).toBe(Math.min(...e.accuracy.groups.map((g: { top1: number }) => g.top1)));
    }
  });

  it.each([
    [['--ablate', 'L7', '--out', 'x.json'], 1, /^clipscope: layer 7 in 'L7' is out of range: this model has layers 0-1$/],
    [['--ablate', 'L1.H9', '--out', 'x.json'], 1, /head 9 in 'L1.H9' is out of range/],
    [['--ablate', 'mlp,,cc', '--out', 'x.json'], 1, /empty item at position 4/],
  ])('clipscope ablate %j fails with one line and exit code %i', async (extra, code, message) => {
    const run = await cli([...base(), ...extra]);
    expect(run.code).toBe(code);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });

  it('clipscope ablate with a missing cache or flag fails with one line', async () => {
    const noCache = await cli(['ablate', '--model', at('model'), '--cache', at('nope'), '--classes', at('classes.json'), '--labels', at('labels.csv'), '--out', 'x.json']);
    expect(noCache.code).toBe(1);
    expect(noCache.stderr.trimEnd()).toMatch(/^clipscope: cache folder not found: .*nope$/);
    const noLabels = await cli(['ablate', '--model', at('model'), '--cache', at('cache'), '--classes', at('classes.json'), '--out', 'x.json']);
    expect(noLabels.code).toBe(2);
    expect(noLabels.stderr.trimEnd()).toMatch(/^clipscope: missing --labels/);
    writeFileSync(at('bad.csv'), 'img00.png,zebra\n');
    const badLabel = await cli([...base().slice(0, -1), at('bad.csv'), '--out', 'x.json']);
    expect(badLabel.code).toBe(1);
    expect(badLabel.stderr.trimEnd()).toMatch(/^clipscope: .*bad\.csv:1: unknown label 'zebra'/);
  });
});
