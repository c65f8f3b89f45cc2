/** The image queue (a dropped folder) with its Cancel button, and the worker's memory against the cells budget. */
import { cancelImageQueue } from '../actions/images.ts';
import { formatBytes } from '../lib/format.ts';
import { useAppStore } from '../store.ts';

export function ImageQueueStatus() {
  const queue = useAppStore((s) => s.imageQueue);
  const memory = useAppStore((s) => s.memory);
  return (
    <>
      {queue && (
        <div className="queue" data-testid="image-queue" data-done={queue.done} data-total={queue.total} aria-live="polite">
          <div className="row spread small">
            <span>
              {queue.cancelling ? 'stopping after ' : 'decomposing '}
              {queue.current ?? '…'} — {queue.done} of {queue.total}
            </span>
            <button type="button" className="button small" disabled={queue.cancelling} onClick={cancelImageQueue} data-testid="queue-cancel">
              {queue.cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          </div>
          <progress max={queue.total} value={queue.done} aria-label="images decomposed" />
        </div>
      )}
      {memory && memory.images > 0 && (
        <p
          className="muted small"
          data-testid="memory-use"
          data-images={memory.images}
          data-with-cells={memory.imagesWithCells}
          data-cells-bytes={memory.cellsBytes}
          data-budget-bytes={memory.cellsBudgetBytes}
          title="Head terms are kept for every image. Per-patch terms (cells, for heatmaps and token maps) are kept for the most recently used images within the budget; older ones are recomputed when needed."
        >
          Memory: head terms of {memory.images} image{memory.images === 1 ? '' : 's'} ({formatBytes(memory.componentBytes)}); patch terms of the {memory.imagesWithCells} most recent ({formatBytes(memory.cellsBytes)} of a {formatBytes(memory.cellsBudgetBytes)} budget)
        </p>
      )}
    </>
  );
}
