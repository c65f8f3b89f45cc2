/**
 * Reading label files from disk (Node): label sets (JSON or one class a line) and labels CSVs.
 * The default label set is the app's `public/data/labels.json`; plain-text class lists take its
 * templates (or, when it is absent, the single CLIP template below).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabelFileError, parseLabelSet, repeatedClassesWarning, type LabelSet } from './labelSet.ts';
import { parseLabelsCsv, type LabelsTable } from './labelsCsv.ts';

export const DEFAULT_LABELS_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'data', 'labels.json');

/** used only when the default label set is missing */
export const FALLBACK_TEMPLATES: readonly string[] = ['a photo of a {}.'];

async function readText(path: string, what: string): Promise<string> {
  if (!existsSync(path)) throw new LabelFileError(`${what} not found: ${path}`);
  return readFile(path, 'utf8');
}

/** Templates for plain-text class lists: those of the default label set, else FALLBACK_TEMPLATES. */
export async function defaultTemplates(defaultFile = DEFAULT_LABELS_FILE): Promise<readonly string[]> {
  if (!existsSync(defaultFile)) return FALLBACK_TEMPLATES;
  const set = parseLabelSet(await readFile(defaultFile, 'utf8'), { name: defaultFile, defaultTemplates: FALLBACK_TEMPLATES });
  return set.templates;
}

export interface ReadLabelSetOptions {
  /** the label set used when no path is given */
  readonly defaultFile?: string;
  /** told about class names that repeat (a class is its index, so the list stays valid) */
  readonly warn?: (message: string) => void;
}

/** The label set in `path`, or the default label set when no path is given. */
export async function readLabelSet(path?: string, options: ReadLabelSetOptions = {}): Promise<LabelSet> {
  const defaultFile = options.defaultFile ?? DEFAULT_LABELS_FILE;
  const file = path ?? defaultFile;
  const text = await readText(file, path ? 'label file' : 'default label set');
  const set = parseLabelSet(text, { name: file, defaultTemplates: await defaultTemplates(defaultFile) });
  const warning = repeatedClassesWarning(set.classes, file);
  if (warning) options.warn?.(warning);
  return set;
}

export async function readLabelsCsv(path: string, classes: readonly string[]): Promise<LabelsTable> {
  return parseLabelsCsv(await readText(path, 'labels CSV'), classes, { name: path });
}
