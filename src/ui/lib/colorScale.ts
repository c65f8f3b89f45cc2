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
  /** the value's entry of `lut` (0..255): round(unit(v)·255), non-finite values as the low end */
  index(v: number): number;
  /** 256 colours of the map, [r, g, b] bytes each: `rgb(v)` is entry `index(v)` */
  readonly lut: Uint8Array;
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
  // unit(v) written out (d3's clamped linear scale: clamp in the domain, then (v − lo)/(hi − lo)),
  // so colouring a 224x224 map is arithmetic, not 50k calls through d3
  const span = hi - lo;
  const index = (v: number) => Math.round(((Number.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : lo) - lo) / span * 255);
  return {
    domain: [lo, hi],
    colorMap,
    index,
    lut,
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
  // one 32-bit store per pixel: the 256 colours as RGBA words (bytes written in memory order, so
  // this holds on any endianness), plus the transparent pixel of non-finite values
  const words = new Uint32Array(257);
  const bytes = new Uint8Array(words.buffer);
  for (let k = 0; k < 256; k++) bytes.set([scale.lut[k * 3], scale.lut[k * 3 + 1], scale.lut[k * 3 + 2], alpha], k * 4);
  bytes.set([...scale.rgb(NaN), 0], 256 * 4);
  const out = new Uint8ClampedArray(values.length * 4);
  const pixels = new Uint32Array(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    pixels[i] = words[Number.isFinite(v) ? scale.index(v) : 256];
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
