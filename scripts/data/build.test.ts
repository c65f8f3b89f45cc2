import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../src/testkit/shared.ts';
import { expectedDataFiles, DESCRIPTIONS_FILE, LABELS_FILE } from './build.ts';
import { fill, rotate, withArticle, withSubjects } from './compose.ts';
import { buildDescriptionPool, nearDuplicateKey, RAW_DESCRIPTIONS, wordCount } from './descriptions/index.ts';
import { POOL_PROPERTIES } from '../../src/labels/pool.ts';

describe('compose helpers', () => {
  it('fill("a {} wall", "red") puts the item in place and refuses a template without {}', () => {
    expect(fill('a {} wall', 'red')).toBe('a red wall');
    expect(() => fill('a wall', 'red')).toThrow(/without \{\}/);
  });

  it('rotate(items, 4 templates, 2) gives each item two different templates, spread two apart', () => {
    expect(rotate(['x', 'y'], ['A {}', 'B {}', 'C {}', 'D {}'], 2)).toEqual(['A x', 'C x', 'B y', 'D y']);
    expect(() => rotate(['x'], ['A {}'], 2)).toThrow();
  });

  it('withSubjects(frames, subjects, 2) cycles through the subjects across frames', () => {
    expect(withSubjects(['P of {}', 'Q of {}'], ['s1', 's2', 's3'], 2)).toEqual(['P of s1', 'P of s2', 'Q of s3', 'Q of s1']);
  });

  it('withArticle picks "a"/"an" by sound for the usual spellings', () => {
    expect(withArticle('owl')).toBe('an owl');
    expect(withArticle('eerie room')).toBe('an eerie room');
    expect(withArticle('dog')).toBe('a dog');
    expect(withArticle('unicorn')).toBe('a unicorn');
    expect(withArticle('European city')).toBe('a European city');
    expect(withArticle('hour')).toBe('an hour');
    expect(withArticle('1920s car')).toBe('a 1920s car');
  });

  it('nearDuplicateKey ignores articles, case and punctuation but not content words', () => {
    expect(nearDuplicateKey('A red door!')).toBe(nearDuplicateKey('the red door'));
    expect(nearDuplicateKey('an old car')).toBe(nearDuplicateKey('old car'));
    expect(nearDuplicateKey('a red door')).not.toBe(nearDuplicateKey('a blue door'));
  });
});

describe('buildDescriptionPool', () => {
  it('drops near-duplicates across properties, keeping the first by POOL_PROPERTIES order', () => {
    const raw = Object.fromEntries(POOL_PROPERTIES.map((p) => [p, [] as string[]])) as unknown as typeof RAW_DESCRIPTIONS;
    (raw.colour as string[]).push('a red door', 'The red door');
    (raw.object as string[]).push('red door', 'a chair');
    const build = buildDescriptionPool(raw);
    expect(build.lines).toEqual([
      { property: 'colour', text: 'a red door' },
      { property: 'object', text: 'a chair' },
    ]);
    expect(build.dropped.map((d) => d.line.text)).toEqual(['The red door', 'red door']);
  });

  it('refuses lines that are too long or still hold a template hole', () => {
    const base = () => Object.fromEntries(POOL_PROPERTIES.map((p) => [p, [] as string[]])) as unknown as typeof RAW_DESCRIPTIONS;
    const long = base();
    (long.text as string[]).push('one two three four five six seven eight nine ten eleven');
    expect(() => buildDescriptionPool(long)).toThrow(/over 10 words/);
    const hole = base();
    (hole.text as string[]).push('a {} wall');
    expect(() => buildDescriptionPool(hole)).toThrow(/bad text line/);
  });

  it('the project vocabularies produce no near-duplicates and only short lines', () => {
    const build = buildDescriptionPool();
    expect(build.dropped).toEqual([]);
    for (const { text } of build.lines) expect(wordCount(text), text).toBeLessThanOrEqual(10);
  });
});

describe('shipped data files', () => {
  it('public/data/descriptions.tsv and labels.json are exactly what scripts/data/build.ts writes', () => {
    const expected = expectedDataFiles();
    expect(readFileSync(DESCRIPTIONS_FILE, 'utf8')).toBe(expected[DESCRIPTIONS_FILE]);
    expect(readFileSync(LABELS_FILE, 'utf8')).toBe(expected[LABELS_FILE]);
  });

  it('the shipped pool has no two lines that differ only by articles, case or punctuation', () => {
    const texts = readFileSync(DESCRIPTIONS_FILE, 'utf8').trim().split('\n').map((line) => line.split('\t')[1]);
    expect(new Set(texts.map(nearDuplicateKey)).size).toBe(texts.length);
  });
});

/** The third-party lists must not be copied: no line of ours may equal one of theirs up to articles. */
describe.runIf(hasShared())('independence from third-party lists in ../shared', () => {
  const ours = readFileSync(DESCRIPTIONS_FILE, 'utf8').trim().split('\n').map((line) => line.split('\t')[1]);

  it.each(['image_descriptions_general.txt', 'google_3498_english.txt'])('no description matches a line of textspan/%s', (file) => {
    const theirs = new Set(readFileSync(sharedPath('data', 'textspan', file), 'utf8').split(/\r?\n/).map(nearDuplicateKey));
    expect(ours.filter((text) => theirs.has(nearDuplicateKey(text)))).toEqual([]);
  });

  it('no template matches a template of the shared ImageNet/CIFAR label sets', () => {
    const normalise = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();
    const theirs = new Set<string>();
    for (const file of ['imagenet.json', 'cifar10.json', 'cifar100.json']) {
      const set = JSON.parse(readFileSync(sharedPath('data', 'classes', file), 'utf8')) as { templates: string[] };
      for (const template of set.templates) theirs.add(normalise(template));
    }
    expect(theirs.size).toBeGreaterThan(0);
    const templates = (JSON.parse(readFileSync(LABELS_FILE, 'utf8')) as { templates: string[] }).templates;
    expect(templates.filter((t) => theirs.has(normalise(t)))).toEqual([]);
  });
});
