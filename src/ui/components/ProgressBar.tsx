import type { ProgressState } from '../store.ts';
import { formatBytes } from '../lib/format.ts';

export function ProgressBar({ progress }: { progress?: ProgressState }) {
  if (!progress) return null;
  const { label, done, total, unit } = progress;
  const determinate = total > 0;
  const amount = !determinate ? '' : unit === 'bytes' ? `${formatBytes(done)} of ${formatBytes(total)}` : `${done} of ${total}`;
  return (
    <div className="progress" data-testid="progress" aria-live="polite">
      <div className="progress-label">
        {label}
        {amount && <span className="muted"> — {amount}</span>}
      </div>
      {determinate ? <progress max={total} value={Math.min(done, total)} aria-label={label} /> : <progress aria-label={label} />}
    </div>
  );
}
