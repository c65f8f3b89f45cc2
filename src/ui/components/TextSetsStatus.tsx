/**
 * The built-in label set and description pool as they embed in the background: their progress with
 * a Cancel button, then cancelled / failed with Resume. Views that need a set it lacks say so with
 * TextSetNeeded (and offer to resume) instead of an empty panel.
 */
import { cancelTextSets, loadTextSets } from '../actions/textSets.ts';
import { useAppStore } from '../store.ts';

export function TextSetsStatus() {
  const t = useAppStore((s) => s.textSets);
  if (!t) return null;
  const p = t.progress;
  return (
    <div className="text-sets small" data-testid="text-sets" data-state={t.state} data-done={p?.done} data-total={p?.total} aria-live="polite" hidden={t.state === 'done'}>
      {t.state === 'running' && (
        <>
          <div className="row">
            <span className="grow">
              {p ? `Text sets, ${p.phase}: ${p.done} of ${p.total}` : 'Text sets: reading this browser’s cache…'}
              {t.cancelling && ' — cancelling after the chunk under way…'}
            </span>
            <button type="button" className="button small" disabled={t.cancelling} onClick={() => void cancelTextSets()} aria-label="Cancel embedding the label set and description pool" data-testid="text-sets-cancel">
              Cancel
            </button>
          </div>
          {p && p.total > 0 ? <progress max={p.total} value={Math.min(p.done, p.total)} aria-label={`text sets, ${p.phase}`} /> : <progress aria-label="text sets" />}
        </>
      )}
      {(t.state === 'cancelled' || t.state === 'failed') && (
        <div className="row">
          <span className="grow" role="status">
            {t.state === 'cancelled' ? 'Text sets: embedding cancelled.' : `Text sets: embedding failed (${t.error ?? 'unknown error'}).`} The texts embedded so far are kept; top-5, TEXTSPAN and neuron words need the rest.
          </span>
          <ResumeButton />
        </div>
      )}
    </div>
  );
}

function ResumeButton() {
  return (
    <button type="button" className="button small" onClick={() => void loadTextSets()} aria-label="Resume embedding the label set and description pool" data-testid="text-sets-resume">
      Resume
    </button>
  );
}

/**
 * What a view says while a text set it needs is missing: being embedded, or not embedded (cancelled
 * or failed) with Resume; `otherwise` when neither (e.g. a model without a text tower).
 */
export function TextSetNeeded({ what, otherwise }: { what: 'the label set' | 'the description pool'; otherwise?: string }) {
  const state = useAppStore((s) => s.textSets?.state);
  if (state === 'cancelled' || state === 'failed') {
    return (
      <div className="empty" data-testid="text-set-needed" data-state={state}>
        This needs {what}, which is not embedded: embedding {state === 'cancelled' ? 'was cancelled' : 'failed'}. <ResumeButton />
      </div>
    );
  }
  return <p className="empty">{state === 'running' || !otherwise ? `Encoding ${what}…` : otherwise}</p>;
}
