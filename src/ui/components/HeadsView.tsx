/** The head grid (with its colouring mode and legend) beside the selected head's detail. */
import { useMemo } from 'react';
import type { HeadGridMode } from '../../api/explorer.ts';
import { applyAblation } from '../actions/ablation.ts';
import { legendSvg } from '../charts/legend.ts';
import { toggleItem } from '../lib/ablationSet.ts';
import { headLabel } from '../../analysis/partNames.ts';
import { finiteExtent, valueScale } from '../lib/colorScale.ts';
import { useAppStore } from '../store.ts';
import { Legend } from './ChartSvg.tsx';
import { ExplainPanel } from './ExplainPanel.tsx';
import { HeadDetailPanel } from './HeadDetailPanel.tsx';
import { HeadGrid, type HeadCell } from './HeadGrid.tsx';

const MODES: { mode: HeadGridMode; label: string; help: string }[] = [
  { mode: 'norm', label: 'norm', help: '‖c_head‖: size of the head’s direct contribution to this image’s embedding' },
  { mode: 'prompt', label: 'prompt', help: '⟨c_head, t̂⟩: how much the head pushes this image towards the prompt' },
  { mode: 'variance', label: 'variance', help: 'variance of c_head across the loaded images (needs 2+)' },
];

export function useToggleHead() {
  return (c: HeadCell) => void applyAblation(toggleItem(useAppStore.getState().view.ablate, headLabel(c.layer, c.head)));
}

export function HeadsView() {
  const grid = useAppStore((s) => s.grid);
  const view = useAppStore((s) => s.view);
  const colorMap = useAppStore((s) => s.colorMap);
  const patchView = useAppStore((s) => s.patchView);
  const imageCount = useAppStore((s) => s.images.filter((i) => i.status === 'ready').length);
  const toggleHead = useToggleHead();
  const scale = useMemo(() => (grid ? valueScale(finiteExtent(grid.values), { colorMap, symmetric: grid.mode === 'prompt' }) : undefined), [grid, colorMap]);
  const modeInfo = MODES.find((m) => m.mode === view.mode)!;

  let empty = '';
  if (imageCount === 0) empty = 'Add an image to see what each head contributes.';
  else if (view.mode === 'prompt' && !view.prompt) empty = 'Type a prompt (above) to colour heads by their push towards it.';
  else if (view.mode === 'variance' && imageCount < 2) empty = 'Variance needs at least two images.';

  return (
    <div className="heads-view">
      <div className="col">
        <section className="panel grow" aria-labelledby="grid-h">
          <div className="row spread">
            <h2 id="grid-h">Direct contribution per head</h2>
            <div className="segmented" role="radiogroup" aria-label="colour heads by">
              {MODES.map((m) => (
                <button key={m.mode} type="button" role="radio" aria-checked={view.mode === m.mode} className={view.mode === m.mode ? 'on' : ''} onClick={() => patchView({ mode: m.mode })} title={m.help}>
                  {m.label}
                </button>
              ))}
            </div>
          </div>
          <p className="muted small">{modeInfo.help}. Click a head (or arrows + Enter); x switches it off.</p>
          {grid && scale ? (
            <div className="grid-and-legend">
              <HeadGrid grid={grid} scale={scale} label={`direct contribution of each attention head (${grid.mode}); rows are layers, columns heads`} selected={view.head} onSelect={(c) => patchView({ head: c })} onToggleAblation={toggleHead} />
              <Legend svg={legendSvg(scale, { title: modeInfo.help.split(':')[0], id: 'grid-legend', width: 260 })} />
            </div>
          ) : (
            <p className="empty">{empty || 'Computing…'}</p>
          )}
        </section>
        <ExplainPanel />
      </div>
      <HeadDetailPanel />
    </div>
  );
}
