/**
 * A head's TEXTSPAN curve: cumulative fraction of the head's variance explained after each text.
 * Pure: returns an SVG document string (displayed as is, and exported as is).
 */
import { line, scaleLinear } from 'd3';
import type { TextspanText } from '../../api/explorer.ts';
import { el, svgDocument, text, type ChartFrame } from './svg.ts';

export interface VarianceCurveOptions {
  width?: number;
  height?: number;
  title?: string;
}

const defaults = { width: 320, height: 150, title: 'variance explained' };

export function varianceCurveSvg(texts: readonly TextspanText[], options: VarianceCurveOptions = {}): string {
  const o = { ...defaults, ...options };
  const frame: ChartFrame = { width: o.width, height: o.height, margin: { top: 14, right: 12, bottom: 28, left: 36 } };
  const { top, right, bottom, left } = frame.margin;
  const n = Math.max(1, texts.length);
  const x = scaleLinear().domain([0, n]).range([left, o.width - right]);
  const y = scaleLinear().domain([0, 1]).range([o.height - bottom, top]);
  const points: [number, number][] = [[0, 0], ...texts.map((t, i) => [i + 1, t.varianceExplained] as [number, number])];
  const path = line<[number, number]>()
    .x((d) => x(d[0]))
    .y((d) => y(Math.min(1, Math.max(0, d[1]))))(points) ?? '';
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((t) =>
    el('g', {}, el('line', { x1: left, x2: o.width - right, y1: y(t), y2: y(t), class: 'grid', stroke: 'currentColor', 'stroke-opacity': 0.12 }), text(`${Math.round(t * 100)}%`, { x: left - 4, y: y(t) + 3.5, 'text-anchor': 'end', fill: 'currentColor' })),
  );
  const xTicks = x.ticks(Math.min(n, 6)).filter(Number.isInteger).map((t) => text(String(t), { x: x(t), y: o.height - bottom + 13, 'text-anchor': 'middle', fill: 'currentColor' }));
  const dots = points.slice(1).map(([i, v]) => el('circle', { cx: x(i), cy: y(v), r: 2.5, fill: '#21918c', 'data-rank': i, 'data-value': v }));
  const body = [
    ...yTicks,
    ...xTicks,
    text('texts', { x: (left + o.width - right) / 2, y: o.height - 3, 'text-anchor': 'middle', fill: 'currentColor', 'fill-opacity': 0.7 }),
    el('path', { d: path, fill: 'none', stroke: '#21918c', 'stroke-width': 2 }),
    ...dots,
  ].join('');
  return svgDocument(o, o.title, body, 'chart variance-curve');
}
