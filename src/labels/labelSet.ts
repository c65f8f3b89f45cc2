/**
 * Label sets for zero-shot classifiers (METHOD §3.1): class names plus prompt templates.
 *
 * Two file forms are accepted:
 * - JSON `{"classes": [...], "templates": [...]}`; each template holds `{}` once, where the class
 *   name goes (`templates` may be left out: the default templates are used);
 * - plain text, one class name a line (blank lines ignored, surrounding spaces trimmed), with
 *   the default templates.
 * A class is its index: a name may repeat (see repeatedClassNames). Platform-neutral: the caller
 * reads the file and supplies the default templates.
 */

export interface LabelSet {
  readonly classes: readonly string[];
  readonly templates: readonly string[];
}

export class LabelFileError extends Error {
  override name = 'LabelFileError';
  readonly code = 'label-file';
}

export interface ParseLabelSetOptions {
  /** how the source is named in messages (a file path) */
  readonly name?: string;
  /** templates for plain-text files and for JSON files without `templates` */
  readonly defaultTemplates?: readonly string[];
}

/** The one slot a template holds. */
export const CLASS_SLOT = '{}';

function checkTemplates(templates: readonly unknown[], where: string): string[] {
  if (templates.length === 0) throw new LabelFileError(`${where}: 'templates' is empty; give at least one template holding {}`);
  return templates.map((t, i) => {
    if (typeof t !== 'string') throw new LabelFileError(`${where}: template ${i} is not a string`);
    const slots = t.split(CLASS_SLOT).length - 1;
    if (slots !== 1) {
      throw new LabelFileError(`${where}: template ${i} ${JSON.stringify(t)} must hold {} exactly once (it holds it ${slots} times)`);
    }
    return t;
  });
}

function checkClasses(classes: readonly unknown[], where: string): string[] {
  if (classes.length === 0) throw new LabelFileError(`${where}: no class names`);
  return classes.map((c, i) => {
    if (typeof c !== 'string') throw new LabelFileError(`${where}: class ${i} is not a string`);
    const name = c.trim();
    if (name === '') throw new LabelFileError(`${where}: class ${i} is empty`);
    return name;
  });
}

/** A name given to more than one class, with those classes' indices (ascending). */
export interface RepeatedClassName {
  readonly name: string;
  readonly indices: readonly number[];
}

/**
 * Names that label several classes. A class is its index, so such a list is valid (OpenAI's
 * ImageNet list, which the paper used, names "missile" and "sunglasses" twice each); the repeats
 * are reported so a user knows two rows of results share a name.
 */
export function repeatedClassNames(classes: readonly string[]): RepeatedClassName[] {
  const byName = new Map<string, number[]>();
  classes.forEach((c, i) => byName.set(c, [...(byName.get(c) ?? []), i]));
  return [...byName].filter(([, indices]) => indices.length > 1).map(([name, indices]) => ({ name, indices }));
}

/** "a", "a and b", "a, b and c" */
export function joinAnd(items: readonly (string | number)[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The warning for a class list with repeated names (undefined when every name is unique). */
export function repeatedClassesWarning(classes: readonly string[], where: string): string | undefined {
  const repeated = repeatedClassNames(classes);
  if (repeated.length === 0) return undefined;
  const list = repeated.map((r) => `${JSON.stringify(r.name)} (classes ${joinAnd(r.indices)})`).join(', ');
  return `${where}: repeated class names ${list}; a class is its index, so each stays a class of its own`;
}

function parseJsonLabelSet(text: string, where: string, defaults: readonly string[] | undefined): LabelSet {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LabelFileError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LabelFileError(`${where}: expected an object {"classes": [...], "templates": [...]}`);
  }
  const obj = value as Record<string, unknown>;
  if (!Array.isArray(obj.classes)) throw new LabelFileError(`${where}: 'classes' must be an array of class names`);
  const classes = checkClasses(obj.classes, where);
  let templates: string[];
  if (obj.templates === undefined) {
    if (!defaults) throw new LabelFileError(`${where}: no 'templates' and no default templates`);
    templates = checkTemplates(defaults, 'default templates');
  } else {
    if (!Array.isArray(obj.templates)) throw new LabelFileError(`${where}: 'templates' must be an array of strings holding {}`);
    templates = checkTemplates(obj.templates, where);
  }
  return { classes, templates };
}

function parseTextLabelSet(text: string, where: string, defaults: readonly string[] | undefined): LabelSet {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const classes = checkClasses(lines, where);
  if (!defaults) throw new LabelFileError(`${where}: a plain-text class list needs default templates`);
  return { classes, templates: checkTemplates(defaults, 'default templates') };
}

/** Parse a label file's text: JSON when it starts with `{`, else one class name a line. */
export function parseLabelSet(text: string, options: ParseLabelSetOptions = {}): LabelSet {
  const where = options.name ?? 'label set';
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new LabelFileError(`${where}: the file is empty`);
  return body.trimStart().startsWith('{')
    ? parseJsonLabelSet(body, where, options.defaultTemplates)
    : parseTextLabelSet(body, where, options.defaultTemplates);
}

/** Every prompt, class-major: prompt (c, p) is at c·P + p and is template p filled with class c. */
export function labelPrompts(set: LabelSet): string[] {
  const out: string[] = [];
  for (const c of set.classes) for (const t of set.templates) out.push(t.replace(CLASS_SLOT, () => c)); // a function: no `$&` patterns
  return out;
}
