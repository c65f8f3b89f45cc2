/**
 * Used only when the app's own label set (public/data/labels.json) or description pool
 * (public/data/descriptions.tsv) is missing from the build: small sets, enough to exercise top-5
 * and TEXTSPAN; the page says which is in use.
 */
export const FALLBACK_LABELS = {
  classes: ['astronaut', 'rocket', 'galaxy', 'cat', 'dog', 'cup of coffee', 'camera', 'horse', 'eye', 'car', 'tree', 'building', 'flower', 'bird', 'person'],
  templates: ['a photo of a {}.', 'a picture of the {}.'],
};

export const FALLBACK_POOL = [
  'colour\ta photo with warm orange tones',
  'colour\ta black and white photo',
  'colour\ta photo dominated by blue',
  'texture\ta fuzzy surface',
  'texture\ta glossy surface',
  'pattern\ta striped pattern',
  'shape\ta circular shape',
  'count\ta single object',
  'count\ta crowd of people',
  'text\ta sign with printed words',
  'place\tan indoor scene in a kitchen',
  'place\ta wide open field',
  'animal\ta cat',
  'animal\ta horse',
  'object\ta camera on a tripod',
  'vehicle\ta rocket launching',
  'person\ta person in a uniform',
  'lighting\ta scene at night',
  'lighting\tbright sunlight',
  'weather\ta cloudy sky',
  'style\ta pencil sketch',
  'quality\ta blurry photo',
  'viewpoint\ta close-up',
  'viewpoint\tan aerial view',
].join('\n');
