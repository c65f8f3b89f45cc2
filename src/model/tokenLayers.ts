/**
 * Which layers get full per-cell terms `[K,T,H,D]`: `last:N`, `all`, `none`, or a list `0,5,11`
 * (0-based). Returned in ascending order without duplicates.
 */
export function parseTokenLayers(spec: string, layers: number): number[] {
  const s = spec.trim().toLowerCase();
  if (s === 'all') return Array.from({ length: layers }, (_, l) => l);
  if (s === 'none' || s === '') return [];
  const last = /^last:(\d+)$/.exec(s);
  if (last) {
    const n = Number(last[1]);
    if (n < 1 || n > layers) throw new RangeError(`token layers '${spec}': N must be 1..${layers}`);
    return Array.from({ length: n }, (_, i) => layers - n + i);
  }
  const picked = new Set<number>();
  for (const part of s.split(',')) {
    if (!/^\d+$/.test(part.trim())) {
      throw new RangeError(`token layers '${spec}': expected last:N, all, none or a list like 0,5,11`);
    }
    const l = Number(part);
    if (l >= layers) throw new RangeError(`token layers '${spec}': layer ${l} does not exist (the tower has layers 0..${layers - 1})`);
    picked.add(l);
  }
  return [...picked].sort((a, b) => a - b);
}
