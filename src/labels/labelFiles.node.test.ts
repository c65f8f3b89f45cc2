import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FALLBACK_TEMPLATES, defaultTemplates, readLabelSet, readLabelsCsv } from './labelFiles.node.ts';
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
    const set = await readLabelSet(file('birds.txt', 'landbird\nwaterbird\n'), defaults);
    expect(set).toEqual({ classes: ['landbird', 'waterbird'], templates: ['itap of a {}.', 'a {}'] });
  });

  it('without a default label set, plain lists get the single fallback template', async () => {
    const missing = join(dir, 'no-default.json');
    expect(await defaultTemplates(missing)).toEqual(FALLBACK_TEMPLATES);
    expect((await readLabelSet(file('two.txt', 'a\nb'), missing)).templates).toEqual(FALLBACK_TEMPLATES);
  });

  it('readLabelSet() with no path reads the default label set, and says so when it is missing', async () => {
    const defaults = file('d2.json', JSON.stringify({ classes: ['horse'], templates: ['{}'] }));
    expect((await readLabelSet(undefined, defaults)).classes).toEqual(['horse']);
    await expect(readLabelSet(undefined, join(dir, 'gone.json'))).rejects.toThrow(/default label set not found: .*gone\.json/);
    await expect(readLabelSet(join(dir, 'nope.txt'))).rejects.toThrow(LabelFileError);
  });

  it('readLabelsCsv(path, classes) names the file and line in errors', async () => {
    const p = file('labels.csv', 'a.jpg,cat\nb.jpg,emu\n');
    await expect(readLabelsCsv(p, ['cat'])).rejects.toThrow(/labels\.csv:2: unknown label 'emu'/);
  });
});
