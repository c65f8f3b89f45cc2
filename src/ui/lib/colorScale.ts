/**
 * Colour scales for every map and grid of the explorer: perceptually uniform, colour-blind-safe
 * maps of the viridis family, plus the legend ticks that go with them. Pure (no DOM).
 */
import { color as d3color, interpolateCividis, interpolateMagma, interpolateViridis, scaleLinear } from 'd3';

export const COLOR_MAPS = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  cividis: interpolateCividis,
} as const;
export type ColorMapName = keyof typeof COLOR_MAPS;

export function isColorMapName(x: string): x is ColorMapName {
  return Object.hasOwn(COLOR_MAPS, x);
}

export interface ValueScale {
  /** [lo, hi] the colours span; never empty (a constant input gets a unit-wide domain) */
  readonly domain: readonly [number, number];
  readonly colorMap: ColorMapName;
  /** t in [0, 1] for a value (clamped) */
  unit(v: number): number;
  /** CSS colour `rgb(r, g, b)` of a value */
  css(v: number): string;
  /** [r, g, b] bytes of a value */
  rgb(v: number): [number, number, number];
}

/** min/max of finite values; [0, 0] when none */
export function finiteExtent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

export interface ScaleOptions {
  colorMap?: ColorMapName;
  /** widen the domain to be symmetric around 0 (signed quantities such as prompt projections) */
  symmetric?: boolean;
}

export function valueScale(domain: readonly [number, number], options: ScaleOptions = {}): ValueScale {
  const colorMap = options.colorMap ?? 'viridis';
  let [lo, hi] = domain;
  if (options.symmetric) {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    [lo, hi] = [-m, m];
  }
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
  const t = scaleLinear().domain([lo, hi]).range([0, 1]).clamp(true);
  const interp = COLOR_MAPS[colorMap];
  // 256-entry lookup: maps and grids colour thousands of cells per frame
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const c = d3color(interp(i / 255))!.rgb();
    lut[i * 3] = Math.round(c.r);
    lut[i * 3 + 1] = Math.round(c.g);
    lut[i * 3 + 2] = Math.round(c.b);
  }
  const index = (v: number) => Math.round(t(Number.isFinite(v) ? v : lo) * 255);
  return {
    domain: [lo, hi],
    colorMap,
    unit: (v) => t(v),
    rgb(v) {
      const i = index(v) * 3;
      return [lut[i], lut[i + 1], lut[i + 2]];
    },
    css(v) {
      const [r, g, b] = this.rgb(v);
      return `rgb(${r}, ${g}, ${b})`;
    },
  };
}

/** RGBA pixels of a row-major grid of values (one pixel per value); NaN cells are transparent */
export function valuesToRgba(values: ArrayLike<number>, scale: ValueScale, alpha = 255): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const [r, g, b] = scale.rgb(v);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = Number.isFinite(v) ? alpha : 0;
  }
  return out;
}

/** about `count` round tick values inside the scale's domain (always includes 0 when inside) */
export function legendTicks(scale: ValueScale, count = 5): number[] {
  const [lo, hi] = scale.domain;
  const ticks = scaleLinear().domain([lo, hi]).ticks(count);
  if (lo < 0 && hi > 0 && !ticks.includes(0)) ticks.push(0);
  return ticks.sort((a, b) => a - b);
}

/** a formatter for those ticks: the fewest decimals that tell them apart (d3's tick format) */
export function legendTickFormat(scale: ValueScale, count = 5): (v: number) => string {
  const f = scaleLinear().domain([...scale.domain]).tickFormat(count);
  return (v) => f(v).replace('-', '−');
}

/** CSS linear-gradient stops of a scale's colour map (left = low) */
export function gradientStops(colorMap: ColorMapName, stops = 9): { offset: number; color: string }[] {
  const interp = COLOR_MAPS[colorMap];
  return Array.from({ length: stops }, (_, i) => {
    const offset = i / (stops - 1);
    return { offset, color: d3color(interp(offset))!.formatHex() };
  });
}
