import { describe, expect, it } from 'vitest';
import type { ImageExplanation, NeuronRanking, TextspanPanel } from '../../api/explorer.ts';
import {
  contributionsToCsv,
  contributionsToJson,
  csvField,
  explanationToJson,
  exportFileName,
  formatFloat32,
  neuronRankingToCsv,
  neuronRankingToJson,
  textExplanationToCsv,
  textspanToCsv,
  textspanToJson,
  type Contributions,
} from './exportFormats.ts';

/** L=2, H=2, D=3 with values that identify their slot: head (l,h) dim d = 100l + 10h + d + 0.5 */
function planted(): Contributions {
  const L = 2;
  const H = 2;
  const D = 3;
  const heads = new Float32Array(L * H * D);
  for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) heads[(l * H + h) * D + d] = 100 * l + 10 * h + d + 0.5;
  return {
    layers: L,
    heads: H,
    embedDim: D,
    heads_LHD: heads,
    mlp_LD: Float32Array.from([3, 4, 0, -1, 0.1, 0]),
    embed_D: Float32Array.from([0, 0, 2]),
    embedding_D: Float32Array.from([0.6, 0.8, 0]),
  };
}

describe('formatFloat32 / csvField', () => {
  it('formatFloat32 reads back as the same float32 and is short', () => {
    for (const v of [0.1, 1 / 3, -2.5e-7, 123456.789, 3]) {
      const f = Math.fround(v);
      const s = formatFloat32(f);
      expect(Math.fround(Number(s))).toBe(f);
      expect(s.replace(/[-.e+]/g, '').length).toBeLessThanOrEqual(10);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
  });

  it('csvField quotes commas, quotes and newlines (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });
});

describe('contributions export', () => {
  it('contributionsToJson(c) nests heads[L][H][D] in the right slots', () => {
    const doc = JSON.parse(contributionsToJson(planted(), { model: 'abc', image: 'cat.png', ablation: 'L1.H0' }));
    expect(doc.format).toBe('clipscope.contributions/1');
    expect(doc.heads[1][0]).toEqual([100.5, 101.5, 102.5]);
    expect(doc.heads[0][1][2]).toBe(12.5);
    expect(doc.mlp[1]).toEqual([-1, 0.1, 0]);
    expect(doc.embedding).toEqual([0.6, 0.8, 0]);
    expect(doc.ablation).toBe('L1.H0');
    expect([doc.layers, doc.headsPerLayer, doc.embedDim]).toEqual([2, 2, 3]);
  });

  it('contributionsToCsv(c) writes one row per component with its norm', () => {
    const lines = contributionsToCsv(planted()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('component,layer,head,norm,d0,d1,d2');
    expect(lines).toHaveLength(1 + 1 + 2 + 4 + 1);
    expect(lines[1]).toBe('embed,,,2,0,0,2');
    expect(lines[2]).toBe('mlp,0,,5,3,4,0');
    const head10 = lines.find((l) => l.startsWith('head,1,0,'))!.split(',');
    expect(Number(head10[3])).toBeCloseTo(Math.hypot(100.5, 101.5, 102.5), 4);
    expect(head10.slice(4).map(Number)).toEqual([100.5, 101.5, 102.5]);
    expect(lines.at(-1)).toBe('embedding,,,1,0.6,0.8,0');
  });

  it('contributionsToCsv refuses arrays whose sizes disagree with L, H, D', () => {
    expect(() => contributionsToCsv({ ...planted(), embedDim: 4 })).toThrow(/heads_LHD has 12 values, expected 16/);
  });
});

describe('TEXTSPAN export', () => {
  const panel: TextspanPanel = {
    layer: 10,
    head: 3,
    source: 'images',
    imagesUsed: 3,
    texts: [
      { text: 'a photo, taken at night', property: 'lighting', varianceExplained: 0.25 },
      { text: 'the "blue" sky', varianceExplained: 0.5 },
    ],
    role: { property: 'lighting', confidence: 0.6 },
  };

  it('textspanToCsv(panel) ranks the texts and quotes them', () => {
    expect(textspanToCsv(panel)).toBe(
      'layer,head,rank,text,property,variance_explained\r\n10,3,1,"a photo, taken at night",lighting,0.25\r\n10,3,2,"the ""blue"" sky",,0.5\r\n',
    );
  });

  it('textspanToJson(panel) keeps every field and names the model', () => {
    const doc = JSON.parse(textspanToJson(panel, { model: 'fp' }));
    expect(doc).toEqual({ format: 'clipscope.textspan/1', model: 'fp', ...panel });
  });

  it('exportFileName makes a portable name', () => {
    expect(exportFileName(['chelsea.png#abc', 'L3.H7', 'a dog/cat'], 'png')).toBe('clipscope-chelsea.png_abc-L3.H7-a_dog_cat.png');
  });
});

describe('neuron and explanation exports', () => {
  const ranking: NeuronRanking = {
    layer: 3,
    mlpWidth: 4,
    images: 2,
    neurons: [
      { neuron: 2, label: 'L3.N2', meanNorm: 0.5, maxNorm: 0.75 },
      { neuron: 0, label: 'L3.N0', meanNorm: 0.25, maxNorm: 0.375 },
    ],
  };
  const explanation: ImageExplanation = {
    imageId: 'img-1',
    part: 'L1.H2',
    poolSize: 5,
    texts: [
      { index: 4, text: 'a dog, "small"', coefficient: 0.75 },
      { index: 1, text: 'grass', coefficient: -0.125 },
    ],
    cosine: [0.5, 0.625],
  };

  it('neuronRankingToCsv writes one row per neuron in rank order', () => {
    expect(neuronRankingToCsv(ranking)).toBe('layer,rank,neuron,label,mean_norm,max_norm\r\n3,1,2,L3.N2,0.5,0.75\r\n3,2,0,L3.N0,0.25,0.375\r\n');
  });

  it('neuronRankingToJson keeps every field and names the model', () => {
    const doc = JSON.parse(neuronRankingToJson(ranking, { model: 'fp' }));
    expect(doc).toEqual({ format: 'clipscope.neuron-ranking/1', model: 'fp', ...ranking });
  });

  it('textExplanationToCsv: picks in order with the final coefficient and the cosine after each pick, texts quoted', () => {
    expect(textExplanationToCsv(explanation, 'L1.H2')).toBe('target,pick,index,text,coefficient,cosine\r\nL1.H2,1,4,"a dog, ""small""",0.75,0.5\r\nL1.H2,2,1,grass,-0.125,0.625\r\n');
  });

  it('explanationToJson round-trips the explanation with its image and model', () => {
    const doc = JSON.parse(explanationToJson(explanation, { model: 'fp', image: 'dog.png' }));
    expect(doc).toEqual({ format: 'clipscope.explanation/1', model: 'fp', image: 'dog.png', ...explanation });
  });
});
