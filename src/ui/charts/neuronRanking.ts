/**
 * A layer's neurons ranked by their mean effect norm (METHOD §9) drawn two ways: the bars of one
 * page of ranks (layout only: the Neurons view draws them as focusable SVG marks) on a shared
 * x scale, and the curve of every neuron's mean norm by rank with the shown page marked (an SVG
 * document string). Pure.
 */
import { area, line, scaleLinear } from 'd3';
import type { NeuronRanking } from '../../api/explorer.ts';
import { formatValue } from '../lib/format.ts';
import { el, num, svgDocument, text } from './svg.ts';

export interface NeuronBar {
  rank: number;
  neuron: number;
  label: string;
  meanNorm: number;
  maxNorm: number;
  y: number;
  /** bar from x0 to xMean; whisker to xMax */
  xMean: number;
  xMax: number;
}

export interface NeuronBarsLayout {
  width: number;
  height: number;
  x0: number;
  barHeight: number;
  bars: NeuronBar[];
  ticks: { value: number; x: number; label: string }[];
  top: number;
}

export interface NeuronBarsOptions {
  /** first rank shown (0-based) */
  start?: number;
  count?: number;
  width?: number;
  barHeight?: number;
}

const barDefaults = { start: 0, count: 32, width: 520, barHeight: 15 };

/** one page of ranks on an x scale shared by every page of the layer: [0, the layer's largest max norm] */
export function neuronBarsLayout(ranking: NeuronRanking, options: NeuronBarsOptions = {}): NeuronBarsLayout {
  const o = { ...barDefaults, ...options };
  const margin = { top: 34, right: 16, bottom: 6, left: 96 };
  let hi = 0;
  for (const n of ranking.neurons) hi = Math.max(hi, n.maxNorm, n.meanNorm);
  const x = scaleLinear()
    .domain([0, hi > 0 ? hi : 1])
    .nice()
    .range([margin.left, o.width - margin.right]);
  const shown = ranking.neurons.slice(o.start, o.start + o.count);
  const bars = shown.map((n, i) => ({
    rank: o.start + i,
    neuron: n.neuron,
    label: n.label,
    meanNorm: n.meanNorm,
    maxNorm: n.maxNorm,
    y: margin.top + i * o.barHeight,
    xMean: x(n.meanNorm),
    xMax: x(n.maxNorm),
  }));
  const format = x.tickFormat(5);
  const ticks = x.ticks(5).map((value) => ({ value, x: x(value), label: format(value) }));
  return { width: o.width, height: margin.top + Math.max(1, shown.length) * o.barHeight + margin.bottom, x0: margin.left, barHeight: o.barHeight, bars, ticks, top: margin.top };
}

export interface RankCurveOptions {
  width?: number;
  height?: number;
  /** the ranks [start, end) the bars show */
  highlight?: readonly [number, number];
  /** rank of the picked neuron */
  selectedRank?: number;
  title?: string;
}

/** every neuron's mean ‖φ_n‖ by rank (largest first), the shown ranks shaded, the picked neuron marked */
export function neuronRankCurveSvg(ranking: NeuronRanking, options: RankCurveOptions = {}): string {
  const o = { width: 520, height: 130, title: `layer ${ranking.layer}: mean ‖φ_n‖ of all ${ranking.neurons.length} neurons by rank, over ${ranking.images} image${ranking.images === 1 ? '' : 's'}`, ...options };
  const m = { top: 20, right: 12, bottom: 24, left: 52 };
  const M = ranking.neurons.length;
  const x = scaleLinear()
    .domain([0, Math.max(1, M - 1)])
    .range([m.left, o.width - m.right]);
  const top = ranking.neurons[0]?.meanNorm ?? 0;
  const y = scaleLinear()
    .domain([0, top > 0 ? top : 1])
    .nice()
    .range([o.height - m.bottom, m.top]);
  const values = ranking.neurons.map((n) => n.meanNorm);
  const path = line<number>()
    .x((_, i) => x(i))
    .y((v) => y(v))(values);
  const fill = area<number>()
    .x((_, i) => x(i))
    .y0(y(0))
    .y1((v) => y(v))(values);
  const parts: string[] = [];
  for (const t of y.ticks(3)) {
    parts.push(el('line', { x1: m.left, x2: o.width - m.right, y1: y(t), y2: y(t), stroke: 'currentColor', 'stroke-opacity': t === 0 ? 0.6 : 0.12 }));
    parts.push(text(formatValue(t), { x: m.left - 4, y: y(t) + 3.5, 'text-anchor': 'end', fill: 'currentColor' }));
  }
  for (const t of x.ticks(6).filter(Number.isInteger)) parts.push(text(String(t + 1), { x: x(t), y: o.height - m.bottom + 13, 'text-anchor': 'middle', fill: 'currentColor' }));
  parts.push(text('rank', { x: o.width - m.right, y: o.height - 2, 'text-anchor': 'end', fill: 'currentColor', 'fill-opacity': 0.7 }));
  if (o.highlight) {
    const [a, b] = o.highlight;
    parts.push(el('rect', { x: x(a), y: m.top, width: Math.max(1, x(Math.max(a, b - 1)) - x(a)), height: o.height - m.bottom - m.top, fill: '#21918c', 'fill-opacity': 0.15 }, el('title', {}, `ranks ${a + 1}–${b} shown as bars`)));
  }
  if (fill) parts.push(el('path', { d: fill, fill: '#3b528b', 'fill-opacity': 0.25 }));
  if (path) parts.push(el('path', { d: path, fill: 'none', stroke: '#3b528b', 'stroke-width': 1.5 }));
  if (o.selectedRank !== undefined && ranking.neurons[o.selectedRank]) {
    const n = ranking.neurons[o.selectedRank];
    parts.push(el('circle', { cx: x(o.selectedRank), cy: y(n.meanNorm), r: 3.5, fill: '#fde725', stroke: 'currentColor', 'data-rank': o.selectedRank }, el('title', {}, `${n.label}: rank ${o.selectedRank + 1}, mean ‖φ_n‖ ${formatValue(n.meanNorm)}`)));
  }
  return svgDocument(o, o.title, `<g data-points="${num(M)}">${parts.join('')}</g>`, 'chart neuron-rank-curve');
}
