/**
 * The one textual form of a mean-ablation set, shared by the CLI, the UI and URLs
 * (documented for users in docs/ABLATION_SYNTAX.md).
 *
 *   set    := ''  |  item ( ',' item )*           whitespace around items is ignored
 *   item   := 'embed'                             the embedding term c_e
 *           | 'mlp'                               every MLP term (same as L*.mlp)
 *           | 'cc'                                every class→class cell (same as L*.cc)
 *           | 'L' range                           whole attention layers (the layer terms)
 *           | 'L' range '.H' range                heads of those layers
 *           | 'L' range '.N' range                MLP neurons of those layers (their second-order
 *                                                 effects, METHOD §9; the explorer's what-if view)
 *           | 'L' range '.mlp'                    MLP terms of those layers
 *           | 'L' range '.cc'                     class→class cells of those layers
 *   range  := '*'  |  n  |  n '-' m               0-based, inclusive, n ≤ m
 *
 * Keywords and the L/H letters are case-insensitive; `format` writes the canonical form
 * (lower-case keywords, upper-case L/H, `*` spelled out only where no shorthand exists), and
 * `parseAblation(formatAblation(items))` returns `items` again. Ranges are checked against a
 * model's layer/head counts later, by `resolveAblation` (ablation.ts).
 *
 * Example: `L9-11.H*,L4.H3,mlp,embed,L2.mlp,L3.cc,L0-3`.
 */

/** An inclusive 0-based index range, or every index. */
export type IndexRange = { readonly from: number; readonly to: number } | 'all';

export type AblationItem =
  | { readonly kind: 'embed' }
  | { readonly kind: 'mlp'; readonly layers: IndexRange }
  | { readonly kind: 'layer'; readonly layers: IndexRange }
  | { readonly kind: 'heads'; readonly layers: IndexRange; readonly heads: IndexRange }
  | { readonly kind: 'neurons'; readonly layers: IndexRange; readonly neurons: IndexRange }
  | { readonly kind: 'cc'; readonly layers: IndexRange };

export type AblationSpec = readonly AblationItem[];

export class AblationSyntaxError extends Error {
  override name = 'AblationSyntaxError';
  readonly code = 'ablation-syntax';
  constructor(
    message: string,
    /** the whole text that was parsed */
    readonly input: string,
    /** 0-based character offset of the offending item (-1 when not tied to one) */
    readonly position: number,
  ) {
    super(message);
  }
}

const GRAMMAR_HINT = 'expected embed, mlp, cc, L<layers>, L<layers>.H<heads>, L<layers>.N<neurons>, L<layers>.mlp or L<layers>.cc';

function parseRange(text: string, what: 'layer' | 'head' | 'neuron', item: string, input: string, pos: number): IndexRange {
  if (text === '*') return 'all';
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) {
    throw new AblationSyntaxError(
      `invalid ${what} range '${text}' in '${item}' at position ${pos}: use a number, n-m or *`,
      input,
      pos,
    );
  }
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > to) {
    throw new AblationSyntaxError(
      `${what} range '${text}' in '${item}' at position ${pos} runs backwards (${from} > ${to})`,
      input,
      pos,
    );
  }
  return { from, to };
}

function parseItem(item: string, input: string, pos: number): AblationItem {
  const lower = item.toLowerCase();
  if (lower === 'embed') return { kind: 'embed' };
  if (lower === 'mlp') return { kind: 'mlp', layers: 'all' };
  if (lower === 'cc') return { kind: 'cc', layers: 'all' };
  if (lower[0] === 'h') {
    throw new AblationSyntaxError(
      `'${item}' at position ${pos} names heads without a layer: write L<layers>.${item}`,
      input,
      pos,
    );
  }
  if (lower[0] !== 'l') throw new AblationSyntaxError(`unknown item '${item}' at position ${pos}: ${GRAMMAR_HINT}`, input, pos);
  const dot = lower.indexOf('.');
  const layerText = lower.slice(1, dot < 0 ? undefined : dot);
  if (layerText === '') {
    throw new AblationSyntaxError(`'${item}' at position ${pos} is missing its layers after 'L'`, input, pos);
  }
  const layers = parseRange(layerText, 'layer', item, input, pos);
  if (dot < 0) return { kind: 'layer', layers };
  const part = lower.slice(dot + 1);
  if (part === 'mlp') return { kind: 'mlp', layers };
  if (part === 'cc') return { kind: 'cc', layers };
  if (part === 'h') {
    throw new AblationSyntaxError(`'${item}' at position ${pos} is missing its heads after '.H'`, input, pos);
  }
  if (part[0] === 'h') {
    return { kind: 'heads', layers, heads: parseRange(part.slice(1), 'head', item, input, pos) };
  }
  if (part === 'n') {
    throw new AblationSyntaxError(`'${item}' at position ${pos} is missing its neurons after '.N'`, input, pos);
  }
  if (part[0] === 'n') {
    return { kind: 'neurons', layers, neurons: parseRange(part.slice(1), 'neuron', item, input, pos) };
  }
  throw new AblationSyntaxError(
    `unknown part '${item.slice(dot + 1)}' in '${item}' at position ${pos}: after L<layers>. expected H<heads>, N<neurons>, mlp or cc`,
    input,
    pos,
  );
}

/** Parse an ablation set; throws AblationSyntaxError naming the offending item and its position. */
export function parseAblation(input: string): AblationSpec {
  if (input.trim() === '') return [];
  const items: AblationItem[] = [];
  let start = 0;
  for (const raw of input.split(',')) {
    const lead = raw.length - raw.trimStart().length;
    const item = raw.trim();
    const pos = start + lead;
    if (item === '') {
      throw new AblationSyntaxError(`empty item at position ${pos} (a doubled, leading or trailing comma)`, input, pos);
    }
    if (/\s/.test(item)) {
      throw new AblationSyntaxError(`'${item}' at position ${pos} contains a space; items are separated by commas`, input, pos);
    }
    items.push(parseItem(item, input, pos));
    start += raw.length + 1;
  }
  return items;
}

function formatRange(r: IndexRange): string {
  if (r === 'all') return '*';
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

function formatItem(it: AblationItem): string {
  switch (it.kind) {
    case 'embed':
      return 'embed';
    case 'mlp':
      return it.layers === 'all' ? 'mlp' : `L${formatRange(it.layers)}.mlp`;
    case 'cc':
      return it.layers === 'all' ? 'cc' : `L${formatRange(it.layers)}.cc`;
    case 'layer':
      return `L${formatRange(it.layers)}`;
    case 'heads':
      return `L${formatRange(it.layers)}.H${formatRange(it.heads)}`;
    case 'neurons':
      return `L${formatRange(it.layers)}.N${formatRange(it.neurons)}`;
  }
}

/** Canonical text of an ablation set (the inverse of parseAblation). */
export function formatAblation(spec: AblationSpec): string {
  return spec.map(formatItem).join(',');
}

/**
 * The indices a range covers for a model with `count` layers (or heads); throws
 * AblationSyntaxError when the range reaches past the model, naming the item.
 */
export function expandRange(range: IndexRange, count: number, what: 'layer' | 'head' | 'neuron', item: AblationItem): number[] {
  if (range === 'all') return Array.from({ length: count }, (_, i) => i);
  if (range.to >= count) {
    throw new AblationSyntaxError(
      `${what} ${range.to} in '${formatItem(item)}' is out of range: this model has ${what}s 0-${count - 1}`,
      formatItem(item),
      -1,
    );
  }
  const out: number[] = [];
  for (let i = range.from; i <= range.to; i++) out.push(i);
  return out;
}

/** Canonical text of one item (for messages). */
export function formatAblationItem(item: AblationItem): string {
  return formatItem(item);
}
