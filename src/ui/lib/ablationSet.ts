/**
 * Editing an ablation set (docs/ABLATION_SYNTAX.md) from clicks: switching one head or one layer
 * off or on adds or removes exactly that item. Items written by hand (ranges, `mlp`, ...) are kept
 * untouched; the worker checks and canonicalises the whole text.
 */

export function splitItems(spec: string): string[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** items compare case-insensitively, as the syntax reads them */
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function hasItem(spec: string, item: string): boolean {
  return splitItems(spec).some((i) => same(i, item));
}

/** add `item` when absent, remove it when present */
export function toggleItem(spec: string, item: string): string {
  const items = splitItems(spec);
  const kept = items.filter((i) => !same(i, item));
  return (kept.length === items.length ? [...items, item] : kept).join(',');
}
