import { describe, expect, it } from 'vitest';
import { AblationSyntaxError, formatAblation, parseAblation, type AblationSpec } from './ablationSyntax.ts';
import { resolveAblation } from './ablation.ts';

describe('parseAblation / formatAblation', () => {
  it("parseAblation('L9-11.H*,L4.H3,mlp,embed,L2.mlp,L3.cc,L0-3') gives the items in order", () => {
    expect(parseAblation('L9-11.H*,L4.H3,mlp,embed,L2.mlp,L3.cc,L0-3')).toEqual([
      { kind: 'heads', layers: { from: 9, to: 11 }, heads: 'all' },
      { kind: 'heads', layers: { from: 4, to: 4 }, heads: { from: 3, to: 3 } },
      { kind: 'mlp', layers: 'all' },
      { kind: 'embed' },
      { kind: 'mlp', layers: { from: 2, to: 2 } },
      { kind: 'cc', layers: { from: 3, to: 3 } },
      { kind: 'layer', layers: { from: 0, to: 3 } },
    ]);
  });

  it('canonical strings round-trip: format(parse(s)) === s', () => {
    for (const s of ['', 'embed', 'mlp', 'cc', 'L*', 'L0-3', 'L9-11.H*', 'L4.H3', 'L*.H0-2', 'L2.mlp', 'L3-5.cc', 'L9.N123', 'L8-9.N0-7,L4.H3',
      'L9-11.H*,L4.H3,mlp,embed,L2.mlp,L3.cc,L0-3']) {
      expect(formatAblation(parseAblation(s))).toBe(s);
    }
  });

  it('specs round-trip: parse(format(spec)) deep-equals spec', () => {
    const spec: AblationSpec = [
      { kind: 'heads', layers: 'all', heads: { from: 1, to: 7 } },
      { kind: 'cc', layers: { from: 0, to: 2 } },
      { kind: 'mlp', layers: { from: 5, to: 5 } },
      { kind: 'layer', layers: 'all' },
      { kind: 'embed' },
    ];
    expect(parseAblation(formatAblation(spec))).toEqual(spec);
  });

  it('accepts any case and spaces around items, and normalises shorthands', () => {
    expect(formatAblation(parseAblation(' l2.h3 , MLP,Embed ,L*.mlp, l*.CC ,L4-4'))).toBe('L2.H3,mlp,embed,mlp,cc,L4');
  });

  const rejects: [string, RegExp][] = [
    ['foo', /unknown item 'foo' at position 0: expected embed, mlp, cc/],
    ['mlp,,embed', /empty item at position 4/],
    ['mlp,', /empty item at position 4/],
    ['H3', /'H3' at position 0 names heads without a layer: write L<layers>.H3/],
    ['L5-3', /layer range '5-3' in 'L5-3' at position 0 runs backwards \(5 > 3\)/],
    ['embed,L3.H4-1', /head range '4-1' in 'L3.H4-1' at position 6 runs backwards/],
    ['Lx', /invalid layer range 'x' in 'Lx' at position 0: use a number, n-m or \*/],
    ['L-1', /invalid layer range '-1'/],
    ['L3.H', /'L3.H' at position 0 is missing its heads after '.H'/],
    ['L.mlp', /'L.mlp' at position 0 is missing its layers after 'L'/],
    ['L3.attn', /unknown part 'attn' in 'L3.attn' at position 0: after L<layers>. expected H<heads>, N<neurons>, mlp or cc/],
    ['L3.N', /'L3.N' at position 0 is missing its neurons after '.N'/],
    ['L3.N9-2', /neuron range '9-2' in 'L3.N9-2' at position 0 runs backwards/],
    ['L3 H2', /'L3 H2' at position 0 contains a space/],
    ['L1.H2.mlp', /invalid head range '2.mlp'/],
  ];
  for (const [text, message] of rejects) {
    it(`parseAblation(${JSON.stringify(text)}) throws ${message.source}`, () => {
      expect(() => parseAblation(text)).toThrow(AblationSyntaxError);
      expect(() => parseAblation(text)).toThrow(message);
    });
  }

  it('reports the offending position on the error', () => {
    try {
      parseAblation('embed, L2.xyz');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AblationSyntaxError);
      expect((e as AblationSyntaxError).position).toBe(7);
      expect((e as AblationSyntaxError).input).toBe('embed, L2.xyz');
    }
  });
});

describe('resolveAblation(spec, {layers: 12, heads: 12})', () => {
  const grid = { layers: 12, heads: 12 };

  it('sets exactly the named flags', () => {
    const sel = resolveAblation('L9-11.H*,L4.H3,L2.mlp,L3.cc,embed', grid);
    expect(sel.embed).toBe(true);
    expect(Array.from(sel.mlp)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(sel.classClass)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(sel.layer.every((x) => x === 0)).toBe(true);
    const heads = [...sel.head.keys()].filter((i) => sel.head[i]);
    expect(heads).toEqual([4 * 12 + 3, ...Array.from({ length: 36 }, (_, i) => 9 * 12 + i)]);
  });

  it('a whole layer subsumes its heads and class→class item', () => {
    const sel = resolveAblation('L3.H2,L3.cc,L3', grid);
    expect(sel.layer[3]).toBe(1);
    expect(sel.classClass[3]).toBe(0);
    expect(sel.head.every((x) => x === 0)).toBe(true);
  });

  it('rejects ranges past the model with the item named', () => {
    expect(() => resolveAblation('L12.H3', grid)).toThrow(/layer 12 in 'L12.H3' is out of range: this model has layers 0-11/);
    expect(() => resolveAblation('L0-3.H5-12', grid)).toThrow(/head 12 in 'L0-3.H5-12' is out of range: this model has heads 0-11/);
    expect(() => resolveAblation('L11-13.mlp', grid)).toThrow(/layer 13 in 'L11-13.mlp' is out of range/);
  });

  it('rejects head and class→class items in the same layer (the cc term is summed over heads)', () => {
    expect(() => resolveAblation('cc,L10.H1', grid)).toThrow(/'cc' and 'L10.H1' overlap in layer 10/);
    expect(() => resolveAblation('L3.cc,L4.H1', grid)).not.toThrow();
  });
});

describe('neuron items (METHOD §9 switch-offs)', () => {
  it("parseAblation('L9.N123,l2-3.n*') gives neuron items; resolveAblation lists each neuron once, sorted", () => {
    expect(parseAblation('L9.N123,l2-3.n*')).toEqual([
      { kind: 'neurons', layers: { from: 9, to: 9 }, neurons: { from: 123, to: 123 } },
      { kind: 'neurons', layers: { from: 2, to: 3 }, neurons: 'all' },
    ]);
    const sel = resolveAblation('L9.N5,L2.N3-4,L2.N4,L4.H1', { layers: 12, heads: 12, mlpWidth: 3072 });
    expect(sel.neurons).toEqual([{ layer: 2, neuron: 3 }, { layer: 2, neuron: 4 }, { layer: 9, neuron: 5 }]);
    expect(sel.head[4 * 12 + 1]).toBe(1);
  });

  it('refuses neurons of the last layer, neurons past the MLP, and neurons where no neuron effects exist', () => {
    expect(() => resolveAblation('L11.N0', { layers: 12, heads: 12, mlpWidth: 3072 })).toThrow(/names layer 11, the last: no later heads carry its neurons' effects/);
    expect(() => resolveAblation('L3.N3072', { layers: 12, heads: 12, mlpWidth: 3072 })).toThrow(/neuron 3072 in 'L3.N3072' is out of range: this model has neurons 0-3071/);
    expect(() => resolveAblation('L3.N1', { layers: 12, heads: 12 })).toThrow(/'L3.N1' switches neurons off, which needs each image's neuron effects/);
  });
});
