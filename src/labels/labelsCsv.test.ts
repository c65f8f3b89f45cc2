import { describe, expect, it } from 'vitest';
import { LabelFileError } from './labelSet.ts';
import { parseLabelsCsv } from './labelsCsv.ts';

const CLASSES = ['landbird', 'waterbird', 'Sea Lion', '7'];

describe('parseLabelsCsv', () => {
  it('parseLabelsCsv(rows) resolves class names and indices', () => {
    const t = parseLabelsCsv('a.jpg,landbird\nb.jpg,1\nc.jpg,sea lion\nd.jpg,2\n', CLASSES);
    expect(t.rows).toEqual([
      { file: 'a.jpg', label: 0 },
      { file: 'b.jpg', label: 1 },
      { file: 'c.jpg', label: 2 },
      { file: 'd.jpg', label: 2 },
    ]);
    expect(t.groups).toEqual([]);
  });

  it('a class literally named like an index wins over the index', () => {
    expect(parseLabelsCsv('x.png,7\ny.png,3', CLASSES).rows.map((r) => r.label)).toEqual([3, 3]);
  });

  it('parseLabelsCsv(header, quotes, groups) skips the header and numbers groups by first appearance', () => {
    const text = 'file,label,group\n"dir/a, b.jpg",waterbird,water/land\n\nc.jpg, landbird ,land/land\nd.jpg,1,water/land\n';
    const t = parseLabelsCsv(text, CLASSES);
    expect(t.rows).toEqual([
      { file: 'dir/a, b.jpg', label: 1, group: 0 },
      { file: 'c.jpg', label: 0, group: 1 },
      { file: 'd.jpg', label: 1, group: 0 },
    ]);
    expect(t.groups).toEqual(['water/land', 'land/land']);
  });

  it.each([
    ['', /no rows/],
    ['file,label\n', /no rows/],
    ['a.jpg\n', /:1: expected file,label\[,group\], got 1 column/],
    ['a.jpg,0,g,extra\n', /got 4 column/],
    ['a.jpg,0\nb.jpg,1,g\n', /:2: 3 columns, but the first row has 2/],
    ['a.jpg,cat\n', /:1: unknown label 'cat'/],
    ['a.jpg,0\n\nb.jpg,4\n', /:3: class index 4 is out of range \(the label set has classes 0-3\)/],
    ['a.jpg,0\na.jpg,1\n', /:2: 'a.jpg' is already labelled on line 1/],
    [',0\n', /file name is empty/],
    ['a.jpg,0,\n', /group is empty/],
    ['a.jpg,"unterminated\n', /not a valid CSV/],
  ])('parseLabelsCsv(%j) throws a LabelFileError with the line', (text, message) => {
    const call = () => parseLabelsCsv(text, CLASSES, { name: 'labels.csv' });
    expect(call).toThrow(LabelFileError);
    expect(call).toThrow(message);
  });

  it('a label matching two classes only when case is ignored is refused', () => {
    expect(() => parseLabelsCsv('a.jpg,CAT', ['cat', 'Cat'])).toThrow(/matches several classes when case is ignored: classes 0 and 1/);
  });

  it('a label naming a class whose name repeats is refused naming both indices; its indices still work', () => {
    const classes = ['cat', 'missile', 'dog', 'missile'];
    const call = () => parseLabelsCsv('a.jpg,dog\nb.jpg,missile\n', classes, { name: 'labels.csv' });
    expect(call).toThrow(LabelFileError);
    expect(call).toThrow(/^labels\.csv:2: label 'missile' names classes 1 and 3; give the class index instead$/);
    expect(() => parseLabelsCsv('a.jpg,Missile\n', classes)).toThrow(/label 'Missile' matches several classes when case is ignored: classes 1 and 3/);
    expect(parseLabelsCsv('a.jpg,dog\nb.jpg,1\nc.jpg,3\n', classes).rows.map((r) => r.label)).toEqual([2, 1, 3]);
  });
});
