/**
 * Charts are pure functions to SVG strings: snapshots (one file per test, named after it) plus
 * checks that the marks sit where the data says.
 */
import { describe, expect, it } from 'vitest';
import type { LayerEffects } from '../../api/explorer.ts';
import { valueScale } from '../lib/colorScale.ts';
import { layerEffectsSvg } from './layerEffects.ts';
import { legendSvg } from './legend.ts';
import { escapeXml, num } from './svg.ts';
import { varianceCurveSvg } from './varianceCurve.ts';

const snap = (name: string) => `./__snapshots__/${name}.svg`;
const attrValues = (svg: string, tag: string, attr: string) =>
  [...svg.matchAll(new RegExp(`<${tag}\\b[^>]*\\b${attr}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('svg helpers', () => {
  it('num rounds to 3 decimals and never writes -0', () => {
    expect(num(1.23456)).toBe('1.235');
    expect(num(-0.0001)).toBe('0');
  });
  it('escapeXml escapes markup in user text', () => {
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
  });
});

describe('varianceCurveSvg', () => {
  const texts = [0.3, 0.5, 0.62, 0.7].map((v, i) => ({ text: `t${i}`, varianceExplained: v }));

  it('varianceCurveSvg(4 texts) snapshot', async () => {
    await expect(varianceCurveSvg(texts)).toMatchFileSnapshot(snap('varianceCurveSvg-4-texts'));
  });

  it('varianceCurveSvg puts dot i at height proportional to its variance', () => {
    const svg = varianceCurveSvg(texts, { width: 320, height: 150 });
    const cy = attrValues(svg, 'circle', 'cy').map(Number);
    // y(0) = 150 - 28 = 122, y(1) = 14: cy = 122 - 108 v
    expect(cy).toEqual(texts.map((t) => Number(num(122 - 108 * t.varianceExplained))));
    const cx = attrValues(svg, 'circle', 'cx').map(Number);
    for (let i = 1; i < cx.length; i++) expect(cx[i]).toBeGreaterThan(cx[i - 1]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });
});

describe('layerEffectsSvg', () => {
  const e: LayerEffects = { layers: 3, measure: 'prompt', attention: Float32Array.from([0.5, -0.25, 1]), mlp: Float32Array.from([0.25, 0, -0.5]), embed: 0.125 };

  it('layerEffectsSvg(3 layers, signed) snapshot', async () => {
    await expect(layerEffectsSvg(e)).toMatchFileSnapshot(snap('layerEffectsSvg-3-layers-signed'));
  });

  it('layerEffectsSvg bar heights are proportional to |value| and share one zero line', () => {
    const svg = layerEffectsSvg(e);
    const values = attrValues(svg, 'rect', 'data-value').map(Number);
    expect(values).toEqual([0.125, 0.5, 0.25, -0.25, 0, 1, -0.5]);
    const heights = [...svg.matchAll(/<rect [^>]*height="([^"]+)"[^>]*data-value="([^"]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const perUnit = heights.find(([, v]) => v === 1)![0];
    for (const [h, v] of heights) expect(h).toBeCloseTo(Math.abs(v) * perUnit, 1);
    expect(svg).toContain('⟨term, prompt⟩');
  });
});

describe('legendSvg', () => {
  it('legendSvg(viridis [-1, 2]) snapshot', async () => {
    await expect(legendSvg(valueScale([-1, 2]), { title: 'similarity' })).toMatchFileSnapshot(snap('legendSvg-viridis-signed'));
  });

  it('legendSvg places ticks linearly over the bar, 0 included', () => {
    const svg = legendSvg(valueScale([-1, 2]), { width: 248 });
    const ticks = attrValues(svg, 'g', 'data-tick').map(Number);
    expect(ticks).toContain(0);
    const x1 = attrValues(svg, 'line', 'x1').map(Number);
    // bar spans 18..230 over [-1, 2] (18 px margins keep end labels inside the SVG)
    ticks.forEach((t, i) => expect(x1[i]).toBeCloseTo(18 + ((t + 1) / 3) * 212, 2));
  });

  it('legendSvg keeps tick labels apart (at least 40 px) on an awkward domain', () => {
    const svg = legendSvg(valueScale([-0.0043, 0.0102]), { width: 260 });
    const x1 = attrValues(svg, 'line', 'x1').map(Number);
    for (let i = 1; i < x1.length; i++) expect(x1[i] - x1[i - 1]).toBeGreaterThanOrEqual(40);
    const labels = [...svg.matchAll(/<text[^>]*text-anchor="middle"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    const ticks = attrValues(svg, 'g', 'data-tick').map(Number);
    expect(labels.map((l) => Number(l.replace('−', '-')))).toEqual(ticks);
    expect(ticks).toContain(0);
  });
});
