/** Errors (specific, dismissable) and notices (what the app chose for the user, e.g. WASM fallback). */
import { useAppStore } from '../store.ts';

export function Messages() {
  const errors = useAppStore((s) => s.errors);
  const notices = useAppStore((s) => s.notices);
  const dismissError = useAppStore((s) => s.dismissError);
  const set = useAppStore((s) => s.set);
  return (
    <div className="messages">
      {errors.map((e) => (
        <div key={e.id} role="alert" className="message error" data-testid="error" data-kind={e.kind}>
          <div>
            <strong>{e.title}</strong>
            <div className="detail">{e.detail}</div>
            <div className="hint">{e.hint}</div>
          </div>
          <button type="button" className="icon" aria-label="dismiss" onClick={() => dismissError(e.id)}>
            ×
          </button>
        </div>
      ))}
      {notices.map((n) => (
        <div key={n} role="status" className="message notice" data-testid="notice">
          <div>{n}</div>
          <button type="button" className="icon" aria-label="dismiss" onClick={() => set({ notices: notices.filter((x) => x !== n) })}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
