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
import { generateCheckpointDir } from '../../testkit/checkpointGenerator.node.ts';
import { runCli as cli } from '../../testkit/cli.node.ts';
import { TINY_P14_QUICKGELU } from '../../testkit/checkpointGenerator.ts';
import { hasShared, sharedPath } from '../../testkit/shared.ts';

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

  it('clipscope segment equals METHOD 5.2 recomputed from clipscope decompose --token-layers all within 1e-4', async () => {
    const out = join(root, 'metrics.json');
    const run = await cli(['segment', '--model', modelDir, '--images', imagesDir(), '--masks', masksDir(), '--classes', join(root, 'classes.json'), '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: no mask for lonely\.jpg/);
    expect(run.stderr).toMatch(/warning: skipping broken\.png: not an image/);
    expect(run.stderr).toMatch(/\[21\/21\] horse020\.jpg/);
    const got = JSON.parse(readFileSync(out, 'utf8')) as Metrics & { skipped: number };
    expect(got.images).toBe(PAIRS);
    expect(got.skipped).toBe(2);

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
    let correct = 0;
    let pixels = 0;
    const inter = [0, 0];
    const union = [0, 0];
    let apSum = 0;
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
      const atPhoto = resampleNearest({ width: maskImg.width, height: maskImg.height, channels: 1, data: maskImg.data.map((v) => (v >= 128 ? 1 : 0)) }, photo.width, photo.height);
      const rs = shortSideResizeSize(photo.width, photo.height, ckpt.preprocess.resizeShortSide);
      const resized = resampleNearest(atPhoto, rs.width, rs.height);
      const gt = cropImage(decodedImage(rs.width, rs.height, 'L', resized.data), centerCropOffset(rs.width, S), centerCropOffset(rs.height, S), S, S).data;

      for (let q = 0; q < S * S; q++) {
        const g = gt[q];
        if (pred[q] === g) {
          correct++;
          inter[g]++;
          union[g]++;
        } else {
          union[0]++;
          union[1]++;
        }
      }
      pixels += S * S;
      const scores = new Float64Array(2 * S * S);
      const targets = new Uint8Array(2 * S * S);
      for (let q = 0; q < S * S; q++) {
        scores[q] = 1 - norm[q];
        targets[q] = gt[q] === 0 ? 1 : 0;
        scores[S * S + q] = norm[q];
        targets[S * S + q] = gt[q];
      }
      const ap = averagePrecision(scores, targets);
      apSum += Number.isNaN(ap) ? 0 : ap;
    }
    const want: Metrics = {
      pixelAccuracy: correct / pixels,
      mIoU: (inter[0] / union[0] + inter[1] / union[1]) / 2,
      mAP: apSum / PAIRS,
      images: PAIRS,
    };
    // the maps are not degenerate: some foreground and background on every count
    expect(want.pixelAccuracy).toBeGreaterThan(0.2);
    expect(want.pixelAccuracy).toBeLessThan(0.95);
    expect(Math.abs(got.pixelAccuracy - want.pixelAccuracy)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(got.mIoU - want.mIoU)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(got.mAP - want.mAP)).toBeLessThanOrEqual(1e-4);
    expect(predicted.size).toBeGreaterThanOrEqual(1);
  });

  it.each([
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
