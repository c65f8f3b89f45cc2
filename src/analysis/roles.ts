/**
 * A head's role label from its TEXTSPAN texts: each pool text may carry a property tag ("colour",
 * "location", "count", …); the head's role is the property whose texts explain the largest share of
 * the variance its picks explain. Each pick is weighted by its own increment of the variance curve,
 * so a head's first, dominant text counts more than its twentieth.
 */
import type { TextspanPick } from './textspan.ts';

export interface HeadRole {
  /** the dominant property, or null when no pick carries a tag (or confidence < minConfidence) */
  property: string | null;
  /** the dominant property's share of the variance explained by the considered picks, in [0, 1] */
  confidence: number;
  /** every property's share, largest first (untagged picks count in the denominator only) */
  shares: { property: string; share: number }[];
}

export interface HeadRoleOptions {
  /** consider only the first `topTexts` picks (default: all) */
  topTexts?: number;
  /** below this confidence the label is null ("no clear role"); default 0 */
  minConfidence?: number;
}

export const headRoleDefaults = { topTexts: Infinity, minConfidence: 0 } as const;

/**
 * @param picks TEXTSPAN picks, in order (their `varianceExplained` is cumulative)
 * @param propertyOf the property tag of each pool text, indexed like the pool (null: untagged)
 */
export function headRole(
  picks: readonly TextspanPick[],
  propertyOf: readonly (string | null | undefined)[],
  options: HeadRoleOptions = {},
): HeadRole {
  const { topTexts, minConfidence } = { ...headRoleDefaults, ...options };
  const considered = picks.slice(0, Math.max(0, topTexts));
  const weightOf = new Map<string, number>();
  let total = 0;
  let previous = 0;
  for (const pick of considered) {
    const weight = Math.max(0, pick.varianceExplained - previous);
    previous = pick.varianceExplained;
    total += weight;
    const property = propertyOf[pick.index];
    if (property == null) continue;
    weightOf.set(property, (weightOf.get(property) ?? 0) + weight);
  }
  const shares = [...weightOf.entries()]
    .map(([property, weight]) => ({ property, share: total > 0 ? weight / total : 0 }))
    .sort((a, b) => b.share - a.share);
  const top = shares[0];
  if (!top || top.share <= 0 || top.share < minConfidence) {
    return { property: null, confidence: top?.share ?? 0, shares };
  }
  return { property: top.property, confidence: top.share, shares };
}
