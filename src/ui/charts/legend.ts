/** A colour legend (gradient bar with round ticks) for a ValueScale. Pure: an SVG document string. */
import { gradientStops, legendTickFormat, legendTicks, type ValueScale } from '../lib/colorScale.ts';
import { el, svgDocument, text } from './svg.ts';

export interface LegendOptions {
  width?: number;
  title?: string;
  /** id of the gradient (unique per page) */
  id?: string;
}

export function legendSvg(scale: ValueScale, options: LegendOptions = {}): string {
  const width = options.width ?? 240;
  const title = options.title ?? 'value';
  const id = options.id ?? 'legend-gradient';
  const height = 44;
  // margins wide enough that a label centred on either end of the bar stays inside the SVG
  const [x0, x1] = [18, width - 18];
  const [lo, hi] = scale.domain;
  const xOf = (v: number) => x0 + ((v - lo) / (hi - lo)) * (x1 - x0);
  const stops = gradientStops(scale.colorMap).map((s) => el('stop', { offset: s.offset, 'stop-color': s.color }));
  // about one tick per 60 px, so labels never collide
  const count = Math.max(2, Math.floor((x1 - x0) / 60));
  const format = legendTickFormat(scale, count);
  const ticks = legendTicks(scale, count).map((t) =>
    el('g', { 'data-tick': t }, el('line', { x1: xOf(t), x2: xOf(t), y1: 16, y2: 30, stroke: 'currentColor' }), text(format(t), { x: xOf(t), y: 41, 'text-anchor': 'middle', fill: 'currentColor' })),
  );
  const body = [
    el('defs', {}, el('linearGradient', { id, x1: 0, x2: 1, y1: 0, y2: 0 }, ...stops)),
    text(title, { x: x0, y: 11, fill: 'currentColor' }),
    el('rect', { x: x0, y: 16, width: x1 - x0, height: 10, fill: `url(#${id})` }),
    ...ticks,
  ].join('');
  return svgDocument({ width, height }, `colour legend: ${title}`, body, 'chart legend');
}
