/**
 * TEXTSPAN description pools (METHOD.md §4): the texts a head's output directions are explained with.
 *
 * Two line formats, which may be mixed in one file:
 *  - `text`                      an untagged description (e.g. the paper's plain pools)
 *  - `property<TAB>text`         a description tagged with the image property it is about
 *
 * A head's role label is the dominant property among its top texts (see `headRole` in
 * src/analysis/roles.ts), so the tags of the project's own pool come from one fixed vocabulary,
 * `POOL_PROPERTIES`. Tags outside it are kept (a user's pool may use its own) but reported.
 *
 * Browser-safe: no Node imports.
 */

/** The properties the shipped pool (public/data/descriptions.tsv) is tagged with. */
export const POOL_PROPERTIES = [
  'colour', //    hues, palettes and tones ("a photo with warm orange tones")
  'texture', //   how a surface looks to the touch: rough, fuzzy, glossy, cracked
  'pattern', //   repeating designs: stripes, polka dots, plaid, tiling
  'shape', //     geometric forms and outlines: circles, spirals, cubes, arches
  'count', //     how many things there are: one, a pair, seven, a crowd
  'text', //      letters, words, numbers, signs, handwriting
  'place', //     kinds of location: a kitchen, an airport, a meadow
  'geography', // named countries, cities, regions and landmarks
  'animal', //    animals
  'plant', //     flowers, trees, crops, houseplants, fungi
  'food', //      dishes, ingredients, drinks
  'object', //    household objects, tools, gadgets
  'vehicle', //   cars, trains, boats, aircraft, bicycles
  'person', //    people by age, occupation, look
  'action', //    what someone is doing: running, cooking, surfing
  'event', //     occasions: weddings, parades, concerts, holidays
  'style', //     art styles and media: watercolour, pixel art, a pencil sketch
  'lighting', //  light sources, lighting quality and time of day
  'weather', //   weather, sky and season
  'material', //  what things are made of: wood, glass, steel, wool
  'mood', //      emotions and atmosphere
  'viewpoint', // camera angle, framing, composition
  'era', //       historical period or decade
  'quality', //   photographic medium and defects: blur, grain, film, exposure
] as const;

export type PoolProperty = (typeof POOL_PROPERTIES)[number];

const KNOWN_PROPERTIES: ReadonlySet<string> = new Set(POOL_PROPERTIES);

export function isPoolProperty(tag: string): tag is PoolProperty {
  return KNOWN_PROPERTIES.has(tag);
}

export interface DescriptionPool {
  /** the distinct descriptions, in file order (first occurrence wins) */
  texts: string[];
  /** the property tag of each text, parallel to `texts`; null where the line had none */
  properties: (string | null)[];
  /** lines dropped because their text repeats an earlier one (compared case- and space-insensitively) */
  duplicates: number;
  /** of those, how many carried a different tag from the kept line */
  conflictingDuplicates: number;
  /** distinct tags not in POOL_PROPERTIES, in order of first appearance */
  unknownProperties: string[];
  /** human-readable notes on the above, empty for a clean pool */
  warnings: string[];
}

/** Key under which two texts count as the same description. */
export function poolTextKey(text: string): string {
  return normaliseSpaces(text).toLowerCase();
}

function normaliseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Parses a description pool (plain or tagged lines, see the file comment). Blank lines are skipped,
 * a leading byte-order mark and CRLF endings are accepted, tags are lower-cased, and repeated texts
 * are dropped with a count. A line whose tag is empty (`\ttext`) counts as untagged.
 */
export function parsePool(source: string): DescriptionPool {
  const texts: string[] = [];
  const properties: (string | null)[] = [];
  const indexOfKey = new Map<string, number>();
  const unknown = new Set<string>();
  let duplicates = 0;
  let conflictingDuplicates = 0;

  for (const rawLine of source.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const tab = rawLine.indexOf('\t');
    const tag = tab < 0 ? '' : rawLine.slice(0, tab).trim().toLowerCase();
    const text = normaliseSpaces(tab < 0 ? rawLine : rawLine.slice(tab + 1));
    if (text === '') continue;
    const property = tag === '' ? null : tag;

    const key = poolTextKey(text);
    const earlier = indexOfKey.get(key);
    if (earlier !== undefined) {
      duplicates += 1;
      if (properties[earlier] !== property) conflictingDuplicates += 1;
      continue;
    }
    if (property !== null && !isPoolProperty(property)) unknown.add(property);
    indexOfKey.set(key, texts.length);
    texts.push(text);
    properties.push(property);
  }

  const unknownProperties = [...unknown];
  const warnings: string[] = [];
  if (duplicates > 0) {
    const conflicts = conflictingDuplicates > 0 ? `, ${conflictingDuplicates} with a different tag` : '';
    warnings.push(`${duplicates} repeated description(s) dropped${conflicts}`);
  }
  if (unknownProperties.length > 0) {
    warnings.push(`tags outside the known properties: ${unknownProperties.join(', ')}`);
  }
  return { texts, properties, duplicates, conflictingDuplicates, unknownProperties, warnings };
}

/** Writes a pool back in the tagged format (untagged texts as plain lines). */
export function formatPool(pool: Pick<DescriptionPool, 'texts' | 'properties'>): string {
  return pool.texts.map((text, i) => (pool.properties[i] ? `${pool.properties[i]}\t${text}` : text)).join('\n') + '\n';
}
