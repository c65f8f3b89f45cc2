import { describe, expect, it } from 'vitest';
import { LabelFileError, joinAnd, labelPrompts, parseLabelSet, repeatedClassNames, repeatedClassesWarning } from './labelSet.ts';

const DEFAULTS = ['a photo of a {}.', 'itap of a {}.'];

describe('parseLabelSet', () => {
  it('parseLabelSet(json) reads classes and templates', () => {
    const set = parseLabelSet('{"classes": ["cat", " dog "], "templates": ["a {} photo", "{}"]}', { defaultTemplates: DEFAULTS });
    expect(set.classes).toEqual(['cat', 'dog']);
    expect(set.templates).toEqual(['a {} photo', '{}']);
  });

  it('parseLabelSet(json without templates) takes the default templates', () => {
    expect(parseLabelSet('{"classes": ["cat"]}', { defaultTemplates: DEFAULTS }).templates).toEqual(DEFAULTS);
  });

  it('parseLabelSet(text) reads one class a line (CRLF, blank lines, BOM) with the default templates', () => {
    const set = parseLabelSet('\uFEFFlandbird\r\n\r\n  waterbird  \n', { defaultTemplates: DEFAULTS });
    expect(set).toEqual({ classes: ['landbird', 'waterbird'], templates: DEFAULTS });
  });

  it.each([
    ['', /empty/],
    ['   \n ', /empty/],
    ['{"classes": ', /not valid JSON/],
    ['{"templates": ["{}"]}', /'classes' must be an array/],
    ['{"classes": []}', /no class names/],
    ['{"classes": ["a", 3]}', /class 1 is not a string/],
    ['{"classes": ["a", " "]}', /class 1 is empty/],
    ['{"classes": ["a"], "templates": []}', /'templates' is empty/],
    ['{"classes": ["a"], "templates": "a {}"}', /'templates' must be an array/],
    ['{"classes": ["a"], "templates": ["a photo"]}', /template 0 "a photo" must hold \{\} exactly once \(it holds it 0 times\)/],
    ['{"classes": ["a"], "templates": ["{} and {}"]}', /holds it 2 times/],
  ])('parseLabelSet(%j) throws a LabelFileError naming the problem', (text, message) => {
    const call = () => parseLabelSet(text, { name: 'x.json', defaultTemplates: DEFAULTS });
    expect(call).toThrow(LabelFileError);
    expect(call).toThrow(message);
    expect(call).toThrow(/^x\.json|default/);
  });

  it.each([
    ['{"classes": ["cat", "dog", "cat"]}'],
    ['cat\ndog\ncat\n'],
  ])('parseLabelSet(%j) keeps a repeated name as a class of its own (a class is its index)', (text) => {
    const set = parseLabelSet(text, { defaultTemplates: DEFAULTS });
    expect(set.classes).toEqual(['cat', 'dog', 'cat']);
    expect(labelPrompts({ ...set, templates: ['{}'] })).toEqual(['cat', 'dog', 'cat']);
  });

  it('parseLabelSet(text) without default templates is refused', () => {
    expect(() => parseLabelSet('cat\ndog')).toThrow(/needs default templates/);
  });
});

describe('labelPrompts', () => {
  it('labelPrompts(set) is class-major: prompt c·P + p fills template p with class c', () => {
    const prompts = labelPrompts({ classes: ['cat', 'sea lion'], templates: ['a photo of a {}.', '{}!'] });
    expect(prompts).toEqual(['a photo of a cat.', 'cat!', 'a photo of a sea lion.', 'sea lion!']);
  });

  it('labelPrompts keeps a class name holding $ or {} literally', () => {
    expect(labelPrompts({ classes: ["$&'s {}"], templates: ['a {} b'] })).toEqual(["a $&'s {} b"]);
  });
});

describe('repeated class names', () => {
  it('repeatedClassNames lists each repeated name once with all its indices, in order of first appearance', () => {
    const classes = ['b', 'a', 'b', 'c', 'a', 'b', 'A'];
    expect(repeatedClassNames(classes)).toEqual([
      { name: 'b', indices: [0, 2, 5] },
      { name: 'a', indices: [1, 4] },
    ]);
    expect(repeatedClassNames(['a', 'A', 'b'])).toEqual([]);
  });

  it('repeatedClassesWarning names the source, every repeated name and its indices; none for unique names', () => {
    expect(repeatedClassesWarning(['x', 'missile', 'y', 'missile', 'sunglasses', 'sunglasses'], 'in.json')).toBe(
      'in.json: repeated class names "missile" (classes 1 and 3), "sunglasses" (classes 4 and 5); a class is its index, so each stays a class of its own',
    );
    expect(repeatedClassesWarning(['x', 'y'], 'in.json')).toBeUndefined();
  });

  it('joinAnd(items) joins with commas and a final "and"', () => {
    expect([[], [1], [1, 2], [1, 2, 3]].map((x) => joinAnd(x))).toEqual(['', '1', '1 and 2', '1, 2 and 3']);
  });
});
