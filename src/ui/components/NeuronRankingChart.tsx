/**
 * One page of a layer's neurons as ranked bars (mean ‖φ_n‖ over the loaded images, a whisker to
 * the largest image's norm) on a shared x axis, coloured by the same value. Keyboard: Up/Down move
 * by one rank, PageUp/PageDown by a page, Home/End to the first/last rank; Enter or Space picks the
 * neuron. Screen readers get each bar's rank, neuron and norms. The whole ranking (every neuron, in
 * rank order) is on the element as data attributes for tests and scripts.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { NeuronRanking } from '../../api/explorer.ts';
import { neuronBarsLayout } from '../charts/neuronRanking.ts';
import type { ValueScale } from '../lib/colorScale.ts';
import { formatValue } from '../lib/format.ts';

export const NEURON_PAGE = 32;

export interface NeuronRankingChartProps {
  ranking: NeuronRanking;
  scale: ValueScale;
  selected: number | null;
  onSelect(neuron: number): void;
  /** the first rank of the page shown; the view owns it (the rank curve marks it) */
  start: number;
  onPage(start: number): void;
}

const MOVES: Record<string, (rank: number, last: number) => number> = {
  ArrowDown: (r) => r + 1,
  ArrowUp: (r) => r - 1,
  PageDown: (r) => r + NEURON_PAGE,
  PageUp: (r) => r - NEURON_PAGE,
  Home: () => 0,
  End: (_r, last) => last,
};

export function NeuronRankingChart({ ranking, scale, selected, onSelect, start, onPage }: NeuronRankingChartProps) {
  const last = ranking.neurons.length - 1;
  const layout = useMemo(() => neuronBarsLayout(ranking, { start, count: NEURON_PAGE }), [ranking, start]);
  const [focus, setFocus] = useState(start);
  const svgRef = useRef<SVGSVGElement>(null);
  const refocus = useRef(false);
  const hooks = useMemo(
    () => ({ neurons: ranking.neurons.map((n) => n.neuron).join(','), values: ranking.neurons.map((n) => Number(n.meanNorm.toPrecision(7))).join(',') }),
    [ranking],
  );
  const focusRank = Math.min(Math.max(focus, start), start + layout.bars.length - 1);

  // after a keyboard move to another page, focus the bar once that page is drawn
  useEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    svgRef.current?.querySelector<SVGElement>(`[data-rank="${focusRank}"]`)?.focus();
  }, [focusRank, layout]);

  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    const move = MOVES[e.key];
    if (move) {
      e.preventDefault();
      const r = Math.min(last, Math.max(0, move(focusRank, last)));
      setFocus(r);
      refocus.current = true;
      const page = Math.floor(r / NEURON_PAGE) * NEURON_PAGE;
      if (page !== start) onPage(page);
      else svgRef.current?.querySelector<SVGElement>(`[data-rank="${r}"]`)?.focus();
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const bar = layout.bars.find((b) => b.rank === focusRank);
      if (bar) onSelect(bar.neuron);
    }
  };

  return (
    <svg
      ref={svgRef}
      className="neuron-bars"
      role="listbox"
      aria-label={`neurons of layer ${ranking.layer} by mean effect norm over ${ranking.images} images, ranks ${start + 1} to ${start + layout.bars.length} of ${ranking.neurons.length}`}
      onKeyDown={onKey}
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      xmlns="http://www.w3.org/2000/svg"
      fontFamily="system-ui, sans-serif"
      fontSize={11}
      data-testid="neuron-ranking"
      data-layer={ranking.layer}
      data-images={ranking.images}
      data-neurons={hooks.neurons}
      data-values={hooks.values}
    >
      <g aria-hidden>
        {layout.ticks.map((t) => (
          <g key={t.value}>
            <line x1={t.x} x2={t.x} y1={layout.top - 4} y2={layout.height - 4} stroke="currentColor" strokeOpacity={t.value === 0 ? 0.6 : 0.12} />
            <text x={t.x} y={layout.top - 8} textAnchor="middle" fill="currentColor">
              {t.label}
            </text>
          </g>
        ))}
        <text x={layout.x0} y={10} fill="currentColor" fillOpacity={0.7}>
          mean ‖φ_n‖ (whisker: max)
        </text>
      </g>
      {layout.bars.map((b) => {
        const isSel = b.neuron === selected;
        const h = layout.barHeight - 3;
        return (
          <g
            key={b.neuron}
            role="option"
            aria-selected={isSel}
            aria-label={`rank ${b.rank + 1}: neuron ${b.label}, mean effect norm ${formatValue(b.meanNorm)}, largest ${formatValue(b.maxNorm)}`}
            tabIndex={b.rank === focusRank ? 0 : -1}
            className={`neuron-bar${isSel ? ' selected' : ''}`}
            data-rank={b.rank}
            data-neuron={b.neuron}
            data-value={b.meanNorm}
            onClick={() => {
              setFocus(b.rank);
              onSelect(b.neuron);
            }}
          >
            <title>{`${b.label}: mean ${formatValue(b.meanNorm)}, max ${formatValue(b.maxNorm)}`}</title>
            <text x={layout.x0 - 6} y={b.y + h / 2 + 3.5} textAnchor="end" fill="currentColor">
              {`${b.rank + 1}. ${b.label}`}
            </text>
            <rect x={layout.x0} y={b.y} width={Math.max(1, b.xMean - layout.x0)} height={h} rx={2} fill={scale.css(b.meanNorm)} />
            <line x1={b.xMean} x2={b.xMax} y1={b.y + h / 2} y2={b.y + h / 2} stroke="currentColor" strokeOpacity={0.5} />
            <line x1={b.xMax} x2={b.xMax} y1={b.y + 2} y2={b.y + h - 2} stroke="currentColor" strokeOpacity={0.5} />
          </g>
        );
      })}
    </svg>
  );
}
