/**
 * The project's TEXTSPAN description pool: every property's lines, checked and de-duplicated.
 * `buildDescriptionPool()` is what scripts/data/build.ts writes to public/data/descriptions.tsv.
 */
import { POOL_PROPERTIES, type PoolProperty } from '../../../src/labels/pool.ts';
import { beingDescriptions } from './beings.ts';
import { renderingDescriptions } from './rendering.ts';
import { sceneDescriptions } from './scene.ts';
import { thingDescriptions } from './things.ts';
import { visualDescriptions } from './visual.ts';

export const MAX_WORDS = 10;

export interface TaggedDescription {
  property: PoolProperty;
  text: string;
}

/** Every hand-written or composed line, by property, before any checks. */
export const RAW_DESCRIPTIONS: Record<PoolProperty, readonly string[]> = {
  ...visualDescriptions,
  ...sceneDescriptions,
  ...beingDescriptions,
  ...thingDescriptions,
  ...renderingDescriptions,
};

export function wordCount(text: string): number {
  return text.trim().split(/\s+/).length;
}

/**
 * Two lines with the same key are near-duplicates: they differ only in case, punctuation, spacing
 * or articles ("a red door" / "the red door" / "red door").
 */
export function nearDuplicateKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter((word) => word !== '' && word !== 'a' && word !== 'an' && word !== 'the')
    .join(' ');
}

export interface PoolBuild {
  lines: TaggedDescription[];
  /** lines dropped as near-duplicates of an earlier line (any property), with the line they repeat */
  dropped: { line: TaggedDescription; keeps: TaggedDescription }[];
}

/**
 * Runs through the properties in POOL_PROPERTIES order, keeps the first of any near-duplicates, and
 * refuses lines that are empty, too long, carry a tab or a newline, or contain an unfilled `{}`.
 */
export function buildDescriptionPool(raw: Record<PoolProperty, readonly string[]> = RAW_DESCRIPTIONS): PoolBuild {
  const lines: TaggedDescription[] = [];
  const dropped: PoolBuild['dropped'] = [];
  const byKey = new Map<string, TaggedDescription>();
  for (const property of POOL_PROPERTIES) {
    const source = raw[property];
    if (!source) throw new Error(`no descriptions for property ${property}`);
    for (const rawText of source) {
      const text = rawText.replace(/\s+/g, ' ').trim();
      if (text === '' || /[\t\n{}]/.test(rawText)) throw new Error(`bad ${property} line: ${JSON.stringify(rawText)}`);
      if (wordCount(text) > MAX_WORDS) throw new Error(`${property} line over ${MAX_WORDS} words: ${text}`);
      const line = { property, text };
      const key = nearDuplicateKey(text);
      const earlier = byKey.get(key);
      if (earlier) {
        dropped.push({ line, keeps: earlier });
        continue;
      }
      byKey.set(key, line);
      lines.push(line);
    }
  }
  return { lines, dropped };
}

export function formatDescriptionsTsv(lines: readonly TaggedDescription[]): string {
  return lines.map(({ property, text }) => `${property}\t${text}`).join('\n') + '\n';
}
