/** Layers x heads grid coloured by each head's direct contribution (d3 scales, viridis). */
import * as d3 from 'd3';
import { useMemo, type KeyboardEvent } from 'react';
import type { HeadGridSummary } from '../store.ts';

export interface HeadGridProps {
  grid: HeadGridSummary;
  selected?: { layer: number; head: number };
  onSelect(cell: { layer: number; head: number }): void;
}

const CELL = 22;

export function HeadGrid({ grid, selected, onSelect }: HeadGridProps) {
  const color = useMemo(() => {
    const [lo, hi] = d3.extent(grid.norms) as [number, number];
    return d3.scaleSequential(d3.interpolateViridis).domain([lo, hi === lo ? lo + 1 : hi]);
  }, [grid]);
  const cells = [];
  for (let l = 0; l < grid.layers; l++) {
    for (let h = 0; h < grid.heads; h++) {
      const v = grid.norms[l * grid.heads + h];
      const isSel = selected?.layer === l && selected?.head === h;
      cells.push(
        <rect
          key={`${l}.${h}`}
          x={40 + h * CELL}
          y={10 + l * CELL}
          width={CELL - 2}
          height={CELL - 2}
          fill={color(v)}
          stroke={isSel ? 'currentColor' : 'none'}
          strokeWidth={2}
          data-layer={l}
          data-head={h}
          data-value={v}
          role="gridcell"
          aria-label={`layer ${l} head ${h}: ${v.toFixed(4)}`}
          onClick={() => onSelect({ layer: l, head: h })}
        />,
      );
    }
  }
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    const cur = selected ?? { layer: 0, head: 0 };
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    onSelect({
      layer: Math.min(grid.layers - 1, Math.max(0, cur.layer + m[0])),
      head: Math.min(grid.heads - 1, Math.max(0, cur.head + m[1])),
    });
  };
  return (
    <svg
      className="head-grid"
      role="grid"
      aria-label="direct contribution of each attention head (norm)"
      tabIndex={0}
      onKeyDown={onKey}
      width={40 + grid.heads * CELL + 10}
      height={20 + grid.layers * CELL}
    >
      {Array.from({ length: grid.layers }, (_, l) => (
        <text key={l} x={34} y={10 + l * CELL + CELL / 2 + 4} textAnchor="end" fontSize={11} fill="currentColor">
          L{l}
        </text>
      ))}
      {cells}
    </svg>
  );
}
