/**
 * `clipscope segment` on real photo/mask pairs (Weizmann horses) with a generated checkpoint,
 * checked against METHOD §5.2 recomputed here along an independent path: the explicit per-cell
 * vectors of `clipscope decompose --token-layers all` (tokens.npy [K,T,H,D]) summed over layers
 * and heads and dotted with every class vector, instead of the command's scalar path over the
 * cells; masks aligned with the photo pipeline's own resampler and crop; metrics counted here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsampleBilinear } from '../../math/bilinear.ts';
import { tensor } from '../../math/tensor.ts';
import { loadCheckpoint } from '../../model/checkpoint/load.ts';
import { nodeModelDir } from '../../model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { readNpyFloat32 } from '../../model/io/npy.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { decodedImage } from '../../model/preprocess/image.ts';
import { cropImage } from '../../model/preprocess/modes.ts';
import { resampleNearest } from '../../model/preprocess/resample.ts';
import { centerCropOffset, shortSideResizeSize } from '../../model/preprocess/transform.ts';
import { generateBpeVocab } from '../../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../../model/checkpoint/checkpointGenerator.node.ts';
import { runCli as cli } from '../../testkit/cli.node.ts';
import { TINY_P14_QUICKGELU } from '../../model/checkpoint/checkpointGenerator.ts';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { binarizeMask, resizeMaskNearest, type MaskProtocol } from '../../analysis/maskAlign.ts';
import { writeImagenetSegMat } from '../../testkit/imagenetSegMat.node.ts';
import { maskGrey } from './segment.ts';

const PAIRS = 20;
const CLASSES = { classes: ['horse', 'dog', 'grass', 'sky', 'fence'], templates: ['a photo of a {}.', 'a {} in a field'] };

interface Metrics {
  pixelAccuracy: number;
  mIoU: number;
  mAP: number;
  images: number;
}

function npy(path: string) {
  const b = readFileSync(path);
  return readNpyFloat32(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}

/** scikit-learn's average_precision_score for binary targets (step-wise, tied scores together) */
function averagePrecision(scores: Float64Array, targets: Uint8Array): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const positives = targets.reduce((s, t) => s + t, 0);
  if (positives === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let j = 0; j < order.length; j++) {
    if (targets[order[j]]) tp++;
    else fp++;
    const last = j === order.length - 1 || scores[order[j + 1]] !== scores[order[j]];
    if (!last) continue;
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

/** METHOD 5.2's dataset metrics, counted here from per-image maps and labels */
class MetricTally {
  private correct = 0;
  private pixels = 0;
  private readonly inter = [0, 0];
  private readonly union = [0, 0];
  private apSum = 0;
  private images = 0;
  constructor(private readonly S: number) {}

  add(norm: ArrayLike<number>, pred: ArrayLike<number>, gt: ArrayLike<number>): void {
    const n = this.S * this.S;
    // METHOD 5.2 as written: per class c, |pred=c ∧ gt=c| and |pred=c ∨ gt=c|
    for (let q = 0; q < n; q++) {
      if (pred[q] === gt[q]) this.correct++;
      for (const c of [0, 1]) {
        if (pred[q] === c && gt[q] === c) this.inter[c]++;
        if (pred[q] === c || gt[q] === c) this.union[c]++;
      }
    }
    this.pixels += n;
    const scores = new Float64Array(2 * n);
    const targets = new Uint8Array(2 * n);
    for (let q = 0; q < n; q++) {
      scores[q] = 1 - norm[q];
      targets[q] = gt[q] === 0 ? 1 : 0;
      scores[n + q] = norm[q];
      targets[n + q] = gt[q];
    }
    const ap = averagePrecision(scores, targets);
    this.apSum += Number.isNaN(ap) ? 0 : ap;
    this.images++;
  }

  metrics(): Metrics {
    return {
      pixelAccuracy: this.correct / this.pixels,
      mIoU: (this.inter[0] / this.union[0] + this.inter[1] / this.union[1]) / 2,
      mAP: this.apSum / this.images,
      images: this.images,
    };
  }
}

describe.runIf(hasShared())('clipscope segment (Weizmann horses, generated checkpoint)', () => {
  let root: string;
  let modelDir: string;
  const imagesDir = () => join(root, 'images');
  const masksDir = () => join(root, 'masks');
  const names: string[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clipscope-segment-'));
    modelDir = join(root, 'model');
    mkdirSync(modelDir);
    const corpus = [...CLASSES.classes, ...CLASSES.templates, 'a photo of a horse in a field'];
    generateCheckpointDir(modelDir, TINY_P14_QUICKGELU, { layout: 'hf', seed: 11, tokenizer: generateBpeVocab(corpus, 40) });
    mkdirSync(imagesDir());
    mkdirSync(masksDir());
    for (let i = 1; i <= PAIRS; i++) names.push(`horse${String(i).padStart(3, '0')}`);
    for (const n of names) {
      symlinkSync(sharedPath('data/segmentation/weizmann-horse/rgb', `${n}.jpg`), join(imagesDir(), `${n}.jpg`));
      symlinkSync(sharedPath('data/segmentation/weizmann-horse/figure_ground', `${n}.jpg`), join(masksDir(), `${n}.jpg`));
    }
    // an unreadable photo with a mask, a photo without a mask, and a non-image file
    writeFileSync(join(imagesDir(), 'broken.png'), 'not an image');
    symlinkSync(sharedPath('data/segmentation/weizmann-horse/figure_ground/horse001.jpg'), join(masksDir(), 'broken.jpg'));
    symlinkSync(sharedPath('data/segmentation/weizmann-horse/rgb/horse021.jpg'), join(imagesDir(), 'lonely.jpg'));
    writeFileSync(join(imagesDir(), 'notes.txt'), 'ignored');
    writeFileSync(join(root, 'classes.json'), JSON.stringify(CLASSES));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('clipscope segment (--mask-protocol crop, the default, and paper) equals METHOD 5.2 recomputed from clipscope decompose --token-layers all within 1e-4', async () => {
    const segment = async (protocol: MaskProtocol | undefined) => {
      const out = join(root, `metrics-${protocol ?? 'default'}.json`);
      const extra = protocol ? ['--mask-protocol', protocol] : [];
      const run = await cli(['segment', '--model', modelDir, '--images', imagesDir(), '--masks', masksDir(), '--classes', join(root, 'classes.json'), ...extra, '--out', out]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/warning: no mask for lonely\.jpg/);
      expect(run.stderr).toMatch(/warning: skipping broken\.png: not an image/);
      expect(run.stderr).toMatch(/\[21\/21\] horse020\.jpg/);
      const got = JSON.parse(readFileSync(out, 'utf8')) as Metrics & { skipped: number; maskProtocol: string };
      expect(got.images).toBe(PAIRS);
      expect(got.skipped).toBe(2);
      expect(got.maskProtocol).toBe(protocol ?? 'crop');
      return got;
    };
    const got = { crop: await segment(undefined), paper: await segment('paper') };

    // --- the classifier, from the text tower directly
    const ckpt = await loadCheckpoint(nodeModelDir(modelDir));
    const engine = await createNodeEngine(ckpt);
    const C = CLASSES.classes.length;
    const P = CLASSES.templates.length;
    const prompts = CLASSES.classes.flatMap((c) => CLASSES.templates.map((t) => t.replace('{}', c)));
    const emb = await engine.encodeText(prompts);
    await engine.release();
    const D = emb.dims[1];
    const W = new Float64Array(C * D);
    for (let c = 0; c < C; c++) {
      const w = W.subarray(c * D, (c + 1) * D);
      for (let p = 0; p < P; p++) {
        const row = emb.data.subarray((c * P + p) * D, (c * P + p + 1) * D);
        const n = Math.hypot(...row);
        row.forEach((v, k) => (w[k] += v / n));
      }
      const n = Math.hypot(...w);
      w.forEach((v, k) => (w[k] = v / n));
    }

    // --- per image: tokens path, mask through the photo pipeline's own nearest resize + crop
    const S = ckpt.preprocess.size;
    const p = ckpt.vision.patchSize;
    const tally = { crop: new MetricTally(S), paper: new MetricTally(S) };
    const predicted = new Set<number>();
    for (const n of names) {
      const dDir = join(root, 'decompose', n);
      const d = await cli(['decompose', '--model', modelDir, '--image', join(imagesDir(), `${n}.jpg`), '--out', dDir, '--token-layers', 'all']);
      expect(d.code, d.stderr).toBe(0);
      const tokens = npy(join(dDir, 'tokens.npy'));
      const embedding = npy(join(dDir, 'embedding.npy')).data;
      const [K, T, H] = tokens.shape;
      expect(K).toBe(ckpt.vision.layers);
      const G = Math.round(Math.sqrt(T - 1));
      const dot = (a: ArrayLike<number>, aOff: number, b: Float64Array, bOff: number) => {
        let s = 0;
        for (let k = 0; k < D; k++) s += a[aOff + k] * b[bOff + k];
        return s;
      };
      const logits = Array.from({ length: C }, (_, c) => dot(embedding, 0, W, c * D));
      const cls = logits.indexOf(Math.max(...logits));
      predicted.add(cls);
      const map = new Float64Array(G * G);
      for (let i = 1; i < T; i++) {
        const ctok = new Float64Array(D);
        for (let l = 0; l < K; l++) {
          for (let h = 0; h < H; h++) {
            const off = ((l * T + i) * H + h) * D;
            for (let k = 0; k < D; k++) ctok[k] += tokens.data[off + k];
          }
        }
        const s = Array.from({ length: C }, (_, c) => dot(ctok, 0, W, c * D));
        map[i - 1] = s[cls] - s.reduce((a, b) => a + b, 0) / C;
      }
      const up = upsampleBilinear(tensor('Y X', map, [G, G]), G * p, G * p).data.map((v) => Math.max(v, 0));
      const lo = Math.min(...up);
      const hi = Math.max(...up);
      const norm = up.map((v) => (v - lo) / (hi - lo));
      const mean = norm.reduce((a, b) => a + b, 0) / norm.length;
      const pred = norm.map((v) => (v > mean ? 1 : 0));

      const photo = await decodeImageFile(join(imagesDir(), `${n}.jpg`));
      const maskImg = await decodeImageFile(join(masksDir(), `${n}.jpg`));
      expect(maskImg.mode).toBe('L');
      const binary = { width: maskImg.width, height: maskImg.height, channels: 1, data: maskImg.data.map((v) => (v >= 128 ? 1 : 0)) };
      // crop: the mask through the photo's own resize and centre crop
      const atPhoto = resampleNearest(binary, photo.width, photo.height);
      const rs = shortSideResizeSize(photo.width, photo.height, ckpt.preprocess.resizeShortSide);
      const resized = resampleNearest(atPhoto, rs.width, rs.height);
      tally.crop.add(norm, pred, cropImage(decodedImage(rs.width, rs.height, 'L', resized.data), centerCropOffset(rs.width, S), centerCropOffset(rs.height, S), S, S).data);
      // paper: the mask resized straight to S x S
      tally.paper.add(norm, pred, resampleNearest(binary, S, S).data);
    }
    for (const protocol of ['crop', 'paper'] as const) {
      const want = tally[protocol].metrics();
      // the maps are not degenerate: some foreground and background on every count
      expect(want.pixelAccuracy).toBeGreaterThan(0.2);
      expect(want.pixelAccuracy).toBeLessThan(0.95);
      expect(want.images).toBe(PAIRS);
      expect(Math.abs(got[protocol].pixelAccuracy - want.pixelAccuracy)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(got[protocol].mIoU - want.mIoU)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(got[protocol].mAP - want.mAP)).toBeLessThanOrEqual(1e-4);
    }
    // the horse photos are not square, so the two protocols score different labels
    expect(Math.abs(got.crop.mIoU - got.paper.mIoU)).toBeGreaterThan(1e-3);
    expect(predicted.size).toBeGreaterThanOrEqual(1);
  });

  it('clipscope segment --imagenet-seg (a file in the layout of gtsegs_ijcv.mat) scores exactly as the same photos and masks in folders, under both protocols', async () => {
    const few = names.slice(0, 4);
    const matDir = join(root, 'mat');
    for (const d of ['images', 'masks']) mkdirSync(join(matDir, d), { recursive: true });
    const samples = [];
    for (const n of few) {
      const photo = await decodeImageFile(join(imagesDir(), `${n}.jpg`));
      // the benchmark's masks are at their photo's size
      const mask = resizeMaskNearest(binarizeMask(maskGrey(await decodeImageFile(join(masksDir(), `${n}.jpg`)))), photo.width, photo.height);
      expect(photo.mode).toBe('RGB');
      samples.push({ photo, mask });
      // lossless copies: the folder route reads exactly these pixels
      writeFileSync(join(matDir, 'images', `${n}.png`), encodePng({ width: photo.width, height: photo.height, data: photo.data, channels: 3, depth: 8 }));
      writeFileSync(join(matDir, 'masks', `${n}.png`), encodePng({ width: mask.width, height: mask.height, data: mask.data.map((v) => v * 255), channels: 1, depth: 8 }));
    }
    const mat = join(matDir, 'gtsegs_small.mat');
    await writeImagenetSegMat(mat, samples);
    const common = ['segment', '--model', modelDir, '--classes', join(root, 'classes.json')];
    for (const protocol of ['crop', 'paper']) {
      const fromMat = await cli([...common, '--imagenet-seg', mat, '--mask-protocol', protocol, '--out', join(matDir, `mat-${protocol}.json`)]);
      expect(fromMat.code, fromMat.stderr).toBe(0);
      expect(fromMat.stderr).toMatch(/\[4\/4\] #3: /);
      const fromDirs = await cli([...common, '--images', join(matDir, 'images'), '--masks', join(matDir, 'masks'), '--mask-protocol', protocol, '--out', join(matDir, `dirs-${protocol}.json`)]);
      expect(fromDirs.code, fromDirs.stderr).toBe(0);
      const a = JSON.parse(readFileSync(join(matDir, `mat-${protocol}.json`), 'utf8'));
      const b = JSON.parse(readFileSync(join(matDir, `dirs-${protocol}.json`), 'utf8'));
      expect(a.images).toBe(4);
      expect([a.pixelAccuracy, a.mIoU, a.mAP]).toEqual([b.pixelAccuracy, b.mIoU, b.mAP]);
      expect(a.perImage.map((r: { file: string }) => r.file)).toEqual(['#0', '#1', '#2', '#3']);
      expect(a.perImage.map((r: { predictedIndex: number }) => r.predictedIndex)).toEqual(b.perImage.map((r: { predictedIndex: number }) => r.predictedIndex));
    }
    const limited = await cli([...common, '--imagenet-seg', mat, '--limit', '2', '--out', join(matDir, 'two.json')]);
    expect(limited.code, limited.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(matDir, 'two.json'), 'utf8')).images).toBe(2);
  });

  it('clipscope segment --json prints the metrics of --out (without the per-file lists) and out as one JSON line on stdout', async () => {
    const out = join(root, 'metrics-json.json');
    const run = await cli(['segment', '--model', modelDir, '--images', imagesDir(), '--masks', masksDir(), '--classes', join(root, 'classes.json'), '--out', out, '--limit', '3', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/\[3\/3\] horse002\.jpg/);
    const { perImage, skippedFiles, ...written } = JSON.parse(readFileSync(out, 'utf8'));
    expect(perImage).toHaveLength(2);
    expect(skippedFiles).toHaveLength(2);
    expect(JSON.parse(run.stdout)).toEqual({ out, ...written });
    expect(written).toMatchObject({ images: 2, skipped: 2, classes: 5, templates: 2, maskProtocol: 'crop' });
  });

  it.each([
    [['segment', '--model', 'x', '--images', 'i', '--masks', 'm', '--out', 'o', '--mask-protocol', 'square'], 2, /^clipscope: --mask-protocol must be crop or paper, got 'square' \(usage: clipscope segment --model \S+ --out metrics\.json \[options\]; 'clipscope segment --help' lists every option\)$/],
    [['segment', '--model', 'x', '--imagenet-seg', 'g.mat', '--images', 'i', '--out', 'o'], 2, /^clipscope: give either --imagenet-seg FILE or --images DIR with --masks DIR, not both/],
    [['segment', '--model', 'x', '--imagenet-seg', 'no/such.mat', '--out', 'o'], 1, /^clipscope: --imagenet-seg file not found: no\/such\.mat$/],
    [['segment', '--images', 'x'], 2, /^clipscope: missing --model/],
    [['segment', '--model', 'no/such/dir', '--images', 'i', '--masks', 'm', '--out', 'o.json'], 1, /^clipscope: --masks folder not found: m$/],
    [['segment', '--bogus'], 2, /^clipscope: Unknown option '--bogus'/],
    [['segment', '--model', 'x', '--images', 'i', '--masks', 'm', '--out', 'o', '--limit', '0'], 2, /--limit must be a positive integer/],
  ])('clipscope %j fails with one line and exit code %i', async (argv, code, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(code);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });

  it('clipscope segment with a bad --classes file fails with one line naming the file', async () => {
    const bad = join(root, 'bad.json');
    writeFileSync(bad, '{"classes": ["horse"], "templates": ["no slot"]}');
    const run = await cli(['segment', '--model', modelDir, '--images', imagesDir(), '--masks', masksDir(), '--classes', bad, '--out', join(root, 'x.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n').filter((l) => l.startsWith('clipscope:'))).toHaveLength(1);
    expect(run.stderr).toMatch(/bad\.json: template 0 "no slot" must hold \{\} exactly once/);
  });
});
