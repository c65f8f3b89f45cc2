/**
 * The oracle run on the PRODUCTION generator's checkpoints (src/model/checkpoint/checkpointGenerator.ts):
 * both layouts of every tiny preset agree, match the brute-force forward, decompose exactly,
 * and hold the values the generator says it drew (which cross-checks both name mappings).
 */
import { describe, expect, it } from 'vitest';
import { weightName } from '../../model/checkpoint/types.ts';
import { canonicalWeightValues, generateCheckpoint, TINY_PRESETS, type CheckpointSpec } from '../../model/checkpoint/checkpointGenerator.ts';
import { bruteForceImageEmbedding, bruteForceTextEmbedding } from './bruteForce.ts';
import { roundToStorage } from './dtypes.ts';
import { referenceImageForward, referencePhi } from './imageForward.ts';
import { dot } from './kernels.ts';
import { readRawCheckpoint } from './rawCheckpoint.ts';
import { referenceScoreCell } from './score.ts';
import { referenceTextForward } from './textForward.ts';
import { seededRandom } from './toyCheckpoint.ts';
import { readTextTower, readVisionTower } from './towers.ts';
import { maxAbsDiff } from '../compare.ts';

const TOL = 1e-12;


function pixelsFor(spec: CheckpointSpec): Float64Array {
  const random = seededRandom(5);
  return Float64Array.from({ length: 3 * spec.vision.imageSize ** 2 }, () => 4 * random() - 2);
}

/** [bos, a few ids, eos, pad…] for the generator's default ids (bos = V−2, eos = V−1) */
function idsFor(spec: CheckpointSpec): number[] {
  const { vocabSize: V, contextLength } = spec.text!;
  const ids = [V - 2, 3, 11, 7, V - 1];
  while (ids.length < contextLength) ids.push(0);
  return ids;
}

describe.each(TINY_PRESETS.map((spec) => [spec.name, spec] as const))('oracle on generateCheckpoint(%s)', (_name, spec) => {
  const hf = readRawCheckpoint(generateCheckpoint(spec, { layout: 'hf', positionIds: true, logitScale: true }));
  const oc = readRawCheckpoint(generateCheckpoint(spec, { layout: 'openclip', shards: 2, logitScale: true }));
  const pixels = pixelsFor(spec);
  const fwd = referenceImageForward(oc, pixels);
  const { layers: L, heads: H, tokens: T, embedDim: D } = fwd.tower;

  it('HF and OpenCLIP layouts give identical image outputs, equal to the brute-force forward', () => {
    const fromHf = referenceImageForward(hf, pixels);
    expect(fromHf.u.data).toEqual(fwd.u.data);
    expect(fromHf.terms.cells!.data).toEqual(fwd.terms.cells!.data);
    const u = bruteForceImageEmbedding(oc, pixels, { heads: spec.vision.heads, act: spec.act, eps: 1e-5 });
    expect(maxAbsDiff(fwd.u.data, u)).toBeLessThan(TOL * fwd.norm);
  });

  it('decomposes exactly: c_e + Σ c_F + Σ heads = û, heads match the non-spatial path', () => {
    const sum = Float64Array.from(fwd.terms.embedding.data);
    for (let k = 0; k < L * D; k++) sum[k % D] += fwd.terms.mlp.data[k];
    for (let k = 0; k < L * H * D; k++) sum[k % D] += fwd.terms.heads.data[k];
    expect(maxAbsDiff(sum, fwd.uHat.data)).toBeLessThan(TOL);
    const layerSum = new Float64Array(D);
    for (let k = 0; k < L * T * H * D; k++) layerSum[k % D] += fwd.terms.cells!.data[k];
    const layersTotal = new Float64Array(D);
    for (let k = 0; k < L * D; k++) layersTotal[k % D] += fwd.terms.layers.data[k];
    expect(maxAbsDiff(layerSum, layersTotal)).toBeLessThan(TOL);
    const attnTotal = new Float64Array(fwd.tower.width);
    for (let k = 0; k < fwd.A.data.length; k++) attnTotal[k % fwd.tower.width] += fwd.A.data[k];
    expect(maxAbsDiff(referencePhi(fwd, attnTotal, L / (2 * L + 1)), layersTotal)).toBeLessThan(TOL);
  });

  it.runIf(spec.text !== undefined)('text: layouts agree with each other and with brute force; scores match cells', () => {
    const ids = idsFor(spec);
    const t = referenceTextForward(oc, ids);
    expect(referenceTextForward(hf, ids).data).toEqual(t.data);
    const brute = bruteForceTextEmbedding(oc, ids, spec.text!.vocabSize - 1, { heads: spec.text!.heads, act: spec.act, eps: 1e-5 });
    expect(maxAbsDiff(t.data, brute)).toBeLessThan(TOL);
    for (const [layer, head, token] of [[0, 0, 0], [L - 1, H - 1, T - 1], [L - 1, 0, 1]]) {
      const explicit = dot(fwd.terms.cells!.data.subarray(((layer * T + token) * H + head) * D, ((layer * T + token) * H + head + 1) * D), t.data);
      expect(Math.abs(referenceScoreCell(fwd, t.data, { layer, head, token }) - explicit)).toBeLessThan(TOL);
    }
  });

  it('holds the values the generator drew, under both layouts (cross-checks the two name mappings)', () => {
    const dtype = spec.dtype ?? 'F32';
    const drawn = (name: string) => Array.from(canonicalWeightValues(spec, name), (v) => roundToStorage(v, dtype));
    for (const raw of [hf, oc]) {
      const v = readVisionTower(raw);
      const w = v.width;
      const last = v.layers - 1;
      expect(Array.from(v.patchWeight)).toEqual(drawn(weightName('vision', 'patch')));
      expect(Array.from(v.blocks[last].inProjWeight.subarray(w * w, 2 * w * w))).toEqual(drawn(weightName('vision', 'k.w', last)));
      expect(Array.from(v.blocks[0].inProjBias.subarray(2 * w))).toEqual(drawn(weightName('vision', 'v.b', 0)));
      expect(Array.from(v.blocks[0].projWeight)).toEqual(drawn(weightName('vision', 'fc2.w', 0)));
      const projDW = drawn(weightName('vision', 'proj')); // canonical [D, w]
      expect(Array.from(v.proj)).toEqual(Array.from({ length: w * D }, (_, k) => projDW[(k % D) * w + Math.floor(k / D)]));
      if (spec.text) {
        const t = readTextTower(raw);
        expect(t.endTokenId).toBe(spec.text.vocabSize - 1);
        expect(Array.from(t.tokenEmbedding)).toEqual(drawn(weightName('text', 'tok')));
        expect(Array.from(t.blocks[0].inProjWeight.subarray(0, t.width * t.width))).toEqual(drawn(weightName('text', 'q.w', 0)));
      }
    }
  });
});

describe('oracle on generateCheckpoint options', () => {
  const spec = TINY_PRESETS[0];
  it('legacyEosTokenId (eos 2) is read as the largest id', () => {
    const legacy = readRawCheckpoint(generateCheckpoint(spec, { layout: 'hf', legacyEosTokenId: true }));
    expect(readTextTower(legacy).endTokenId).toBe(spec.text!.vocabSize - 1);
  });

  it('BF16 storage changes the embedding only slightly', () => {
    const f32 = referenceImageForward(readRawCheckpoint(generateCheckpoint(spec, { layout: 'hf' })), pixelsFor(spec));
    const bf16 = referenceImageForward(readRawCheckpoint(generateCheckpoint(spec, { layout: 'hf', dtype: 'BF16' })), pixelsFor(spec));
    const diff = maxAbsDiff(f32.uHat.data, bf16.uHat.data);
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.05);
  });
});
