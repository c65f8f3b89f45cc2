import { interpolateViridis, color } from 'd3';
import { describe, expect, it } from 'vitest';
import { finiteExtent, gradientStops, legendTickFormat, legendTicks, valueScale, valuesToRgba } from './colorScale.ts';

const hexToRgb = (c: string) => {
  const x = color(c)!.rgb();
  return [Math.round(x.r), Math.round(x.g), Math.round(x.b)];
};

describe('valueScale', () => {
  it('valueScale([2, 4]) maps the ends to the ends of viridis and clamps outside', () => {
    const s = valueScale([2, 4]);
    expect(s.rgb(2)).toEqual(hexToRgb(interpolateViridis(0)));
    expect(s.rgb(4)).toEqual(hexToRgb(interpolateViridis(1)));
    expect(s.rgb(-100)).toEqual(s.rgb(2));
    expect(s.rgb(100)).toEqual(s.rgb(4));
    expect(s.unit(3)).toBeCloseTo(0.5, 12);
  });

  it('valueScale is monotone in luminance (viridis is perceptually ordered)', () => {
    const s = valueScale([0, 1]);
    const lum = (v: number) => {
      const [r, g, b] = s.rgb(v);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let i = 1; i <= 20; i++) expect(lum(i / 20)).toBeGreaterThan(lum((i - 1) / 20));
  });

  it('valueScale([-1, 3], {symmetric: true}) puts 0 in the middle', () => {
    const s = valueScale([-1, 3], { symmetric: true });
    expect(s.domain).toEqual([-3, 3]);
    expect(s.unit(0)).toBeCloseTo(0.5, 12);
  });

  it('valueScale([5, 5]) widens a constant domain instead of dividing by zero', () => {
    const s = valueScale([5, 5]);
    expect(s.domain).toEqual([4.5, 5.5]);
    expect(s.unit(5)).toBeCloseTo(0.5, 12);
  });

  it('valueScale(..., {colorMap: "magma"}) uses magma', () => {
    expect(valueScale([0, 1], { colorMap: 'magma' }).rgb(0)).not.toEqual(valueScale([0, 1]).rgb(0));
    expect(gradientStops('cividis', 3)).toHaveLength(3);
  });
});

describe('finiteExtent / valuesToRgba / legendTicks', () => {
  it('finiteExtent ignores NaN and infinities', () => {
    expect(finiteExtent([3, NaN, -2, Infinity, 7])).toEqual([-2, 7]);
    expect(finiteExtent([NaN])).toEqual([0, 0]);
  });

  it('valuesToRgba writes one RGBA pixel per value, NaN transparent', () => {
    const s = valueScale([0, 1]);
    const px = valuesToRgba([0, 1, NaN], s, 200);
    expect(px).toHaveLength(12);
    expect(Array.from(px.subarray(0, 4))).toEqual([...s.rgb(0), 200]);
    expect(Array.from(px.subarray(4, 8))).toEqual([...s.rgb(1), 200]);
    expect(px[11]).toBe(0);
  });

  it("index(v) is round(unit(v)·255) of d3's clamped scale for values inside, outside and at the ends of several domains", () => {
    let seed = 3;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const domains: [number, number, boolean][] = [[0, 1, false], [-0.37, 1.2, false], [-0.004, 0.01, true], [2, 2, false], [-1e-7, 3e-7, true]];
    for (const [a, b, symmetric] of domains) {
      const s = valueScale([a, b], { symmetric });
      const [lo, hi] = s.domain;
      const values = [lo, hi, (lo + hi) / 2, lo - 1, hi + 1, NaN, Infinity, -Infinity, ...Array.from({ length: 2000 }, () => lo + (hi - lo) * (1.2 * next() - 0.1))];
      for (const v of values) expect(s.index(v)).toBe(Math.round(s.unit(Number.isFinite(v) ? v : lo) * 255));
      // and the pixels of valuesToRgba are those colours
      const px = valuesToRgba(values, s);
      values.forEach((v, i) => expect(Array.from(px.subarray(i * 4, i * 4 + 3))).toEqual(Array.from(s.lut.subarray(s.index(v) * 3, s.index(v) * 3 + 3))));
    }
  });

  it('legendTicks([-0.37, 1.2]) gives round ticks inside the domain, including 0', () => {
    const t = legendTicks(valueScale([-0.37, 1.2]), 5);
    expect(t).toContain(0);
    for (const v of t) {
      expect(v).toBeGreaterThanOrEqual(-0.37);
      expect(v).toBeLessThanOrEqual(1.2);
      expect(Math.round(v * 10) / 10).toBeCloseTo(v, 12);
    }
    expect([...t].sort((a, b) => a - b)).toEqual(t);
  });

  it('legendTickFormat writes the fewest decimals that tell ticks apart, with a real minus', () => {
    const s = valueScale([-0.004, 0.01]);
    expect(legendTicks(s, 4).map(legendTickFormat(s, 4))).toEqual(['0.000', '0.005', '0.010']);
    const signed = valueScale([-1, 2]);
    expect(legendTicks(signed, 4).map(legendTickFormat(signed, 4))).toEqual(['−1', '0', '1', '2']);
  });
});
