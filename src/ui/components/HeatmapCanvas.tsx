/**
 * One image with a patch map over it (canvas): the image's centre square, the G×G map coloured by
 * the shared scale at the chosen opacity — one block per patch (what the model computed), or
 * upsampled bilinearly to the input side as METHOD 5.1 does (`smoothWithPatch`) — and optionally
 * the segmentation mask's outline. The map's G×G values are on the element as data attributes for
 * tests and scripts.
 */
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef } from 'react';
import type { SegmentationResult } from '../../api/explorer.ts';
import { measureStep } from '../../api/stepTimings.ts';
import { imageBitmap } from '../imageCache.ts';
import { valuesToRgba, type ValueScale } from '../lib/colorScale.ts';
import { scheduleDraw } from '../lib/drawQueue.ts';
import { upsampleBilinear } from '../../math/bilinear.ts';
import { tensor } from '../../math/tensor.ts';

export interface HeatmapCanvasProps {
  imageId: string;
  /** row-major G×G, or undefined for the image alone */
  map?: Float32Array;
  grid?: number;
  scale?: ValueScale;
  opacity: number;
  segmentation?: SegmentationResult;
  size?: number;
  label: string;
  testId?: string;
  /** the patch size p: when given, the map is drawn upsampled ×p bilinearly (METHOD 5.1) */
  smoothWithPatch?: number;
}

/** bilinear upsamplings by map: a new colour scale or opacity recolours without upsampling again */
const upsampledMaps = new WeakMap<Float32Array, { side: number; values: Float64Array }>();
function upsampled(map: Float32Array, grid: number, side: number): Float64Array {
  const hit = upsampledMaps.get(map);
  if (hit?.side === side) return hit.values;
  const values = upsampleBilinear(tensor('Y X', map, [grid, grid]), side, side).data;
  upsampledMaps.set(map, { side, values });
  return values;
}

/** one scratch canvas per tile side: draws run one at a time on the main thread, each copies the tile out at once */
const tiles = new Map<number, OffscreenCanvasRenderingContext2D>();
function tileWith(rgba: Uint8ClampedArray<ArrayBuffer>, side: number): OffscreenCanvas {
  let ctx = tiles.get(side);
  if (!ctx) tiles.set(side, (ctx = new OffscreenCanvas(side, side).getContext('2d')!));
  ctx.putImageData(new ImageData(rgba, side, side), 0, 0);
  return ctx.canvas;
}

export const HeatmapCanvas = forwardRef<HTMLCanvasElement | null, HeatmapCanvasProps>(function HeatmapCanvas(
  { imageId, map, grid, scale, opacity, segmentation, size = 224, label, testId, smoothWithPatch },
  ref,
) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useImperativeHandle(ref, () => canvasRef.current as HTMLCanvasElement, []);
  // written once per map, not on every render (a new prompt re-renders every card before its map arrives)
  const values = useMemo(() => (map ? Array.from(map, (v) => Number(v.toPrecision(6))).join(',') : ''), [map]);

  // drawn in a slice of its own (lib/drawQueue.ts): many canvases redrawn at once stay many short tasks
  useEffect(() => scheduleDraw(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const t0 = performance.now();
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const px = Math.round(size * dpr);
    canvas.width = px;
    canvas.height = px;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, px, px);
    const bmp = imageBitmap(imageId);
    if (bmp) {
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bmp, 0, 0, px, px);
    }
    if (map && grid && scale && map.length === grid * grid) {
      const side = smoothWithPatch ? grid * smoothWithPatch : grid;
      const values = smoothWithPatch ? upsampled(map, grid, side) : map;
      const tile = tileWith(valuesToRgba(values, scale) as Uint8ClampedArray<ArrayBuffer>, side);

      ctx.globalAlpha = opacity;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tile, 0, 0, px, px);
      ctx.globalAlpha = 1;
    }
    if (segmentation) {
      const n = segmentation.size;
      const mask = new OffscreenCanvas(n, n);
      const rgba = new Uint8ClampedArray(n * n * 4);
      // outline: foreground pixels with a background 4-neighbour
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          const i = y * n + x;
          if (!segmentation.mask[i]) continue;
          const edge = x === 0 || y === 0 || x === n - 1 || y === n - 1 || !segmentation.mask[i - 1] || !segmentation.mask[i + 1] || !segmentation.mask[i - n] || !segmentation.mask[i + n];
          rgba.set(edge ? [255, 255, 255, 255] : [255, 255, 255, 40], i * 4);
        }
      }
      mask.getContext('2d')!.putImageData(new ImageData(rgba, n, n), 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(mask, 0, 0, px, px);
    }
    measureStep('heatmaps:canvas-draw', t0);
  }), [imageId, map, grid, scale, opacity, segmentation, size, smoothWithPatch]);

  return (
    <canvas
      ref={canvasRef}
      className="heatmap-canvas"
      style={{ width: size, height: size }}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-image={imageId}
      data-grid={grid ?? ''}
      data-values={values}
    />
  );
});
