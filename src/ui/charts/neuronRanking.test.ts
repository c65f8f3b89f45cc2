/** The neuron ranking's drawings: bars on a scale shared by every page, the rank curve of all neurons. */
import { describe, expect, it } from 'vitest';
import type { NeuronRanking } from '../../api/explorer.ts';
import { neuronBarsLayout, neuronRankCurveSvg } from './neuronRanking.ts';

/** 10 neurons, neuron n has mean norm (10 − rank)/10 and max norm twice that, ranked largest first */
const ranking: NeuronRanking = {
  layer: 2,
  mlpWidth: 10,
  images: 3,
  neurons: Array.from({ length: 10 }, (_, r) => ({ neuron: (r * 7) % 10, label: `L2.N${(r * 7) % 10}`, meanNorm: (10 - r) / 10, maxNorm: (2 * (10 - r)) / 10 })),
};

describe('neuronBarsLayout', () => {
  it('neuronBarsLayout(page 2 of 4) shows ranks 4-7 with bar ends linear in the norms on [0, largest max norm]', () => {
    const l = neuronBarsLayout(ranking, { start: 4, count: 4, width: 296 });
    expect(l.bars.map((b) => b.rank)).toEqual([4, 5, 6, 7]);
    expect(l.bars.map((b) => b.neuron)).toEqual([8, 5, 2, 9]);
    // x: [0, 2] -> [96, 280]
    for (const b of l.bars) {
      expect(b.xMean).toBeCloseTo(96 + (b.meanNorm / 2) * 184, 9);
      expect(b.xMax).toBeCloseTo(96 + (b.maxNorm / 2) * 184, 9);
    }
    for (let i = 1; i < l.bars.length; i++) expect(l.bars[i].y - l.bars[i - 1].y).toBe(l.barHeight);
    expect(l.ticks[0]).toMatchObject({ value: 0, x: 96 });
    expect(l.ticks.at(-1)!.value).toBe(2);
  });

  it('neuronBarsLayout uses the same scale on every page', () => {
    const a = neuronBarsLayout(ranking, { start: 0, count: 3 });
    const b = neuronBarsLayout(ranking, { start: 6, count: 3 });
    expect(a.ticks).toEqual(b.ticks);
  });
});

describe('neuronRankCurveSvg', () => {
  it('neuronRankCurveSvg marks the shown ranks and the picked neuron at its mean norm', () => {
    const svg = neuronRankCurveSvg(ranking, { highlight: [2, 5], selectedRank: 3, width: 212, height: 124 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('data-points="10"');
    expect(svg).toContain('ranks 3–5 shown as bars');
    // x: ranks [0, 9] -> [52, 200]; y: [0, 1] -> [100, 20]
    const circle = /<circle cx="([^"]+)" cy="([^"]+)"[^>]*data-rank="3"/.exec(svg)!;
    expect(Number(circle[1])).toBeCloseTo(52 + (3 / 9) * 148, 2);
    expect(Number(circle[2])).toBeCloseTo(100 - 0.7 * 80, 2);
    expect(svg).toContain('L2.N1: rank 4');
  });
});
