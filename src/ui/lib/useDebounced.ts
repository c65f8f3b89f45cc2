import { useEffect, useRef } from 'react';

/** calls `commit(value)` once `value` has stopped changing for `ms` (typing does not flood the worker) */
export function useDebouncedCommit<T>(value: T, commit: (v: T) => void, ms = 300): void {
  const latest = useRef(commit);
  latest.current = commit;
  useEffect(() => {
    const t = setTimeout(() => latest.current(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
}
