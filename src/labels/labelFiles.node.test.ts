import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FALLBACK_TEMPLATES, defaultTemplates, readLabelSet, readLabelsCsv } from './labelFiles.node.ts';
import { hasShared, sharedPath } from '../testkit/shared.ts';
import { LabelFileError } from './labelSet.ts';

const dir = mkdtempSync(join(tmpdir(), 'clipscope-labels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('label files on disk', () => {
  it('readLabelSet(text file) takes the templates of the default label set', async () => {
    const defaults = file('default.json', JSON.stringify({ classes: ['x'], templates: ['itap of a {}.', 'a {}'] }));
    const set = await readLabelSet(file('birds.txt', 'landbird\nwaterbird\n'), { defaultFile: defaults });
    expect(set).toEqual({ classes: ['landbird', 'waterbird'], templates: ['itap of a {}.', 'a {}'] });
  });

  it('without a default label set, plain lists get the single fallback template', async () => {
    const missing = join(dir, 'no-default.json');
    expect(await defaultTemplates(missing)).toEqual(FALLBACK_TEMPLATES);
    expect((await readLabelSet(file('two.txt', 'a\nb'), { defaultFile: missing })).templates).toEqual(FALLBACK_TEMPLATES);
  });

  it('readLabelSet() with no path reads the default label set, and says so when it is missing', async () => {
    const defaults = file('d2.json', JSON.stringify({ classes: ['horse'], templates: ['{}'] }));
    expect((await readLabelSet(undefined, { defaultFile: defaults })).classes).toEqual(['horse']);
    await expect(readLabelSet(undefined, { defaultFile: join(dir, 'gone.json') })).rejects.toThrow(/default label set not found: .*gone\.json/);
    await expect(readLabelSet(join(dir, 'nope.txt'))).rejects.toThrow(LabelFileError);
  });

  it.runIf(hasShared())('readLabelSet(the standard ImageNet list) keeps all 1000 classes and warns once about "missile" and "sunglasses"', async () => {
    const path = sharedPath('data/classes/imagenet.json');
    const warnings: string[] = [];
    const set = await readLabelSet(path, { warn: (m) => warnings.push(m) });
    expect(set.classes).toHaveLength(1000);
    expect([set.classes[657], set.classes[744], set.classes[836], set.classes[837]]).toEqual(['missile', 'missile', 'sunglasses', 'sunglasses']);
    expect(warnings).toEqual([`${path}: repeated class names "missile" (classes 657 and 744), "sunglasses" (classes 836 and 837); a class is its index, so each stays a class of its own`]);
    const unique: string[] = [];
    await readLabelSet(file('u.txt', 'a\nb\n'), { warn: (m) => unique.push(m) });
    expect(unique).toEqual([]);
  });

  it('readLabelsCsv(path, classes) names the file and line in errors', async () => {
    const p = file('labels.csv', 'a.jpg,cat\nb.jpg,emu\n');
    await expect(readLabelsCsv(p, ['cat'])).rejects.toThrow(/labels\.csv:2: unknown label 'emu'/);
  });
});
