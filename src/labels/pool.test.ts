import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testkit/shared.ts';
import { formatPool, isPoolProperty, parsePool, POOL_PROPERTIES, poolTextKey } from './pool.ts';

const DATA_DIR = join(REPO_ROOT, 'public', 'data');

describe('parsePool', () => {
  it('parsePool(plain lines) gives untagged texts in file order', () => {
    const pool = parsePool('a red door\nan old car\n\na dog on a beach\n');
    expect(pool.texts).toEqual(['a red door', 'an old car', 'a dog on a beach']);
    expect(pool.properties).toEqual([null, null, null]);
    expect(pool.duplicates).toBe(0);
    expect(pool.warnings).toEqual([]);
  });

  it('parsePool(tagged lines) splits on the first tab and lower-cases the tag', () => {
    const pool = parsePool('colour\ta photo with warm orange tones\nAnimal\ta fox in the snow\n');
    expect(pool.texts).toEqual(['a photo with warm orange tones', 'a fox in the snow']);
    expect(pool.properties).toEqual(['colour', 'animal']);
    expect(pool.unknownProperties).toEqual([]);
  });

  it('parsePool(mixed, CRLF, BOM, stray spaces) normalises text and treats an empty tag as untagged', () => {
    const pool = parsePool('\uFEFFa plain line\r\n weather \t  a   foggy   morning \r\n\ta line with an empty tag\r\n');
    expect(pool.texts).toEqual(['a plain line', 'a foggy morning', 'a line with an empty tag']);
    expect(pool.properties).toEqual([null, 'weather', null]);
  });

  it('parsePool(repeats) keeps the first occurrence and counts the rest, noting tag conflicts', () => {
    const pool = parsePool(['colour\tA Red Door', 'colour\ta red  door', 'object\ta red door', 'a red door', 'object\ta chair'].join('\n'));
    expect(pool.texts).toEqual(['A Red Door', 'a chair']);
    expect(pool.properties).toEqual(['colour', 'object']);
    expect(pool.duplicates).toBe(3);
    expect(pool.conflictingDuplicates).toBe(2);
    expect(pool.warnings).toEqual(['3 repeated description(s) dropped, 2 with a different tag']);
  });

  it('parsePool(unknown tags) keeps the lines and reports each unknown tag once', () => {
    const pool = parsePool('vibe\ta chill scene\nvibe\ta calm scene\ncolour\ta blue wall\nsmell\ta bakery');
    expect(pool.texts).toHaveLength(4);
    expect(pool.properties).toEqual(['vibe', 'vibe', 'colour', 'smell']);
    expect(pool.unknownProperties).toEqual(['vibe', 'smell']);
    expect(pool.warnings).toEqual(['tags outside the known properties: vibe, smell']);
  });

  it('parsePool(empty or blank input) gives an empty pool', () => {
    for (const source of ['', '\n\n', '  \n\t\n']) {
      const pool = parsePool(source);
      expect(pool.texts).toEqual([]);
      expect(pool.duplicates).toBe(0);
    }
  });

  it('formatPool(parsePool(x)) round-trips a clean pool', () => {
    const source = 'colour\ta blue wall\na plain line\nanimal\ta cat\n';
    expect(formatPool(parsePool(source))).toBe(source);
  });

  it('poolTextKey ignores case and runs of whitespace only', () => {
    expect(poolTextKey('  A  Red\tDoor ')).toBe('a red door');
    expect(poolTextKey('a red door')).not.toBe(poolTextKey('the red door'));
  });

  it('POOL_PROPERTIES are distinct lower-case words, and isPoolProperty agrees with the list', () => {
    expect(new Set(POOL_PROPERTIES).size).toBe(POOL_PROPERTIES.length);
    for (const property of POOL_PROPERTIES) {
      expect(property).toMatch(/^[a-z]+$/);
      expect(isPoolProperty(property)).toBe(true);
    }
    expect(isPoolProperty('Colour')).toBe(false);
    expect(isPoolProperty('vibe')).toBe(false);
  });
});

describe('shipped description pool (public/data/descriptions.tsv)', () => {
  const source = readFileSync(join(DATA_DIR, 'descriptions.tsv'), 'utf8');
  const pool = parsePool(source);
  const rawLines = source.split('\n').filter((line) => line !== '');

  it('parses cleanly: every line tagged with a known property, no repeats, no warnings', () => {
    expect(pool.warnings).toEqual([]);
    expect(pool.duplicates).toBe(0);
    expect(pool.texts).toHaveLength(rawLines.length);
    for (const line of rawLines) expect(line).toMatch(/^[a-z]+\t\S(.*\S)?$/);
    for (const property of pool.properties) expect(property !== null && isPoolProperty(property)).toBe(true);
  });

  it('has at least 3,000 distinct descriptions', () => {
    expect(new Set(pool.texts.map(poolTextKey)).size).toBeGreaterThanOrEqual(3000);
  });

  it('gives every property a substantial share (>= 80 lines, none above 8% of the pool)', () => {
    const counts = new Map<string, number>();
    for (const property of pool.properties) counts.set(property!, (counts.get(property!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...POOL_PROPERTIES].sort());
    for (const property of POOL_PROPERTIES) {
      expect(counts.get(property), property).toBeGreaterThanOrEqual(80);
      expect(counts.get(property)! / pool.texts.length, property).toBeLessThanOrEqual(0.08);
    }
  });

  it('holds short descriptions (<= 10 words) with no template holes', () => {
    for (const text of pool.texts) {
      expect(text.split(' ').length, text).toBeLessThanOrEqual(10);
      expect(text, text).not.toMatch(/[{}\t]/);
    }
  });
});

describe('shipped label set (public/data/labels.json)', () => {
  const set = JSON.parse(readFileSync(join(DATA_DIR, 'labels.json'), 'utf8')) as { classes: unknown; templates: unknown };

  it('is {classes, templates} and nothing else', () => {
    expect(Object.keys(set).sort()).toEqual(['classes', 'templates']);
    expect(Array.isArray(set.classes)).toBe(true);
    expect(Array.isArray(set.templates)).toBe(true);
  });

  it('has 300 to 500 unique, short, lower-case class names', () => {
    const classes = set.classes as string[];
    expect(classes.length).toBeGreaterThanOrEqual(300);
    expect(classes.length).toBeLessThanOrEqual(500);
    expect(new Set(classes).size).toBe(classes.length);
    for (const name of classes) {
      expect(name, name).toMatch(/^[a-z][a-z' -]*[a-z]$/);
      expect(name.split(' ').length, name).toBeLessThanOrEqual(3);
    }
  });

  it('has 10 to 20 distinct templates, each with exactly one {}', () => {
    const templates = set.templates as string[];
    expect(templates.length).toBeGreaterThanOrEqual(10);
    expect(templates.length).toBeLessThanOrEqual(20);
    expect(new Set(templates).size).toBe(templates.length);
    for (const template of templates) expect(template.split('{}').length - 1, template).toBe(1);
  });
});
