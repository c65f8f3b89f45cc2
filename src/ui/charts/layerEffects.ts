/**
 * Direct effect per layer: the attention term and the MLP term of each layer (and the embedding
 * term), as paired bars around a zero line. Pure: returns an SVG document string.
 */
import { scaleBand, scaleLinear } from 'd3';
import type { LayerEffects } from '../../api/explorer.ts';
import { formatValue } from '../lib/format.ts';
import { el, svgDocument, text } from './svg.ts';
import { layerLabel } from '../../analysis/partNames.ts';

export interface LayerEffectsOptions {
  width?: number;
  height?: number;
  title?: string;
}

const defaults = { width: 460, height: 200 };
export const LAYER_EFFECT_COLORS = { attention: '#3b528b', mlp: '#5ec962', embed: '#a0a0a0' } as const;

export function layerEffectsSvg(e: LayerEffects, options: LayerEffectsOptions = {}): string {
  const o = { ...defaults, title: `direct effect per layer (${e.measure === 'norm' ? '‖term‖' : '⟨term, prompt⟩'})`, ...options };
  const m = { top: 22, right: 10, bottom: 26, left: 48 };
  const cats = ['emb', ...Array.from({ length: e.layers }, (_, l) => layerLabel(l))];
  const x = scaleBand().domain(cats).range([m.left, o.width - m.right]).padding(0.2);
  const values = [e.embed, ...e.attention, ...e.mlp];
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const y = scaleLinear().domain([lo, hi === lo ? lo + 1 : hi]).nice().range([o.height - m.bottom, m.top]);
  const bw = x.bandwidth();
  const bar = (cx: number, w: number, v: number, fill: string, label: string) =>
    el('rect', { x: cx, y: Math.min(y(v), y(0)), width: w, height: Math.abs(y(v) - y(0)), fill, 'data-value': v }, el('title', {}, `${label}: ${formatValue(v)}`));
  const bars: string[] = [bar(x('emb')!, bw, e.embed, LAYER_EFFECT_COLORS.embed, 'embedding term')];
  for (let l = 0; l < e.layers; l++) {
    const x0 = x(layerLabel(l))!;
    bars.push(bar(x0, bw / 2, e.attention[l], LAYER_EFFECT_COLORS.attention, `layer ${l} attention`));
    bars.push(bar(x0 + bw / 2, bw / 2, e.mlp[l], LAYER_EFFECT_COLORS.mlp, `layer ${l} MLP`));
  }
  const yTicks = y.ticks(4).map((t) =>
    el('g', {}, el('line', { x1: m.left, x2: o.width - m.right, y1: y(t), y2: y(t), stroke: 'currentColor', 'stroke-opacity': t === 0 ? 0.6 : 0.12 }), text(formatValue(t), { x: m.left - 4, y: y(t) + 3.5, 'text-anchor': 'end', fill: 'currentColor' })),
  );
  const xLabels = cats.map((c) => text(c, { x: x(c)! + bw / 2, y: o.height - m.bottom + 13, 'text-anchor': 'middle', fill: 'currentColor' }));
  const legend = [
    ['attention', LAYER_EFFECT_COLORS.attention],
    ['MLP', LAYER_EFFECT_COLORS.mlp],
    ['embedding', LAYER_EFFECT_COLORS.embed],
  ]
    .map(([name, fill], i) => el('g', { transform: `translate(${m.left + i * 86},6)` }, el('rect', { width: 10, height: 10, fill }), text(name, { x: 14, y: 9, fill: 'currentColor' })))
    .join('');
  return svgDocument(o, o.title, [...yTicks, ...xLabels, ...bars, legend].join(''), 'chart layer-effects');
}
