/**
 * Layers × heads grid, each cell coloured by that head's direct contribution. Keyboard: arrows move
 * the focus, Enter or Space selects the head, Delete / "x" switches it off (or on) when the grid
 * allows ablation. Screen readers get each cell's layer, head and value.
 */
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { HeadGridValues } from '../../api/explorer.ts';
import { formatValue } from '../lib/format.ts';
import type { ValueScale } from '../lib/colorScale.ts';
import { headLabel } from '../../analysis/partNames.ts';

export interface HeadCell {
  layer: number;
  head: number;
}

export interface HeadGridProps {
  grid: HeadGridValues;
  scale: ValueScale;
  label: string;
  selected?: HeadCell | null;
  onSelect(cell: HeadCell): void;
  onToggleAblation?(cell: HeadCell): void;
}

// the last layer is drawn on top (the residual stream flows upwards), so ArrowUp goes to a later layer
const MOVES: Record<string, [number, number]> = { ArrowUp: [1, 0], ArrowDown: [-1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

export function HeadGrid({ grid, scale, label, selected, onSelect, onToggleAblation }: HeadGridProps) {
  const { layers: L, heads: H } = grid;
  const cell = Math.max(16, Math.min(40, Math.floor(440 / H)));
  const left = 34;
  const top = 18;
  const [focus, setFocus] = useState<HeadCell>(selected ?? { layer: L - 1, head: 0 });
  const svgRef = useRef<SVGSVGElement>(null);
  const valuesAttr = useMemo(() => Array.from(grid.values, (v) => Number(v.toPrecision(6))).join(','), [grid.values]);

  const focusCell = (c: HeadCell) => {
    setFocus(c);
    svgRef.current?.querySelector<SVGRectElement>(`[data-layer="${c.layer}"][data-head="${c.head}"]`)?.focus();
  };

  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    const m = MOVES[e.key];
    if (m) {
      e.preventDefault();
      focusCell({ layer: Math.min(L - 1, Math.max(0, focus.layer + m[0])), head: Math.min(H - 1, Math.max(0, focus.head + m[1])) });
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(focus);
    } else if ((e.key === 'x' || e.key === 'Delete') && onToggleAblation) {
      e.preventDefault();
      onToggleAblation(focus);
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      focusCell({ layer: focus.layer, head: e.key === 'Home' ? 0 : H - 1 });
    }
  };

  const rows = [];
  for (let l = 0; l < L; l++) {
    const cells = [];
    for (let h = 0; h < H; h++) {
      const k = l * H + h;
      const v = grid.values[k];
      const off = grid.ablated[k] === 1;
      const isSel = selected?.layer === l && selected.head === h;
      const isFocus = focus.layer === l && focus.head === h;
      const x = left + h * cell;
      const y = top + (L - 1 - l) * cell;
      cells.push(
        <g key={h}>
          <rect
            x={x}
            y={y}
            width={cell - 2}
            height={cell - 2}
            rx={2}
            fill={scale.css(v)}
            className={`head-cell${isSel ? ' selected' : ''}${off ? ' ablated' : ''}`}
            data-layer={l}
            data-head={h}
            data-value={v}
            data-ablated={off ? 1 : 0}
            role="gridcell"
            aria-selected={isSel}
            aria-label={`layer ${l} head ${h}: ${formatValue(v)}${off ? ', switched off' : ''}`}
            tabIndex={isFocus ? 0 : -1}
            onClick={() => {
              setFocus({ layer: l, head: h });
              onSelect({ layer: l, head: h });
            }}
          >
            <title>{`${headLabel(l, h)}: ${formatValue(v)}${off ? ' (off)' : ''}`}</title>
          </rect>
          {off && <path d={`M${x + 3},${y + 3}L${x + cell - 5},${y + cell - 5}M${x + cell - 5},${y + 3}L${x + 3},${y + cell - 5}`} className="ablated-mark" pointerEvents="none" />}
        </g>,
      );
    }
    rows.push(
      <g key={l} role="row">
        <text x={left - 6} y={top + (L - 1 - l) * cell + cell / 2 + 3} textAnchor="end" className="axis-label">
          L{l}
        </text>
        {cells}
      </g>,
    );
  }
  return (
    <svg
      ref={svgRef}
      className="head-grid"
      role="grid"
      aria-label={label}
      aria-rowcount={L}
      aria-colcount={H}
      onKeyDown={onKey}
      width={left + H * cell + 4}
      height={top + L * cell + 4}
      data-testid="head-grid"
      data-mode={grid.mode}
      data-layers={L}
      data-heads={H}
      data-values={valuesAttr}
    >
      {Array.from({ length: H }, (_, h) => (
        <text key={h} x={left + h * cell + (cell - 2) / 2} y={12} textAnchor="middle" className="axis-label" aria-hidden>
          {h}
        </text>
      ))}
      {rows}
    </svg>
  );
}
