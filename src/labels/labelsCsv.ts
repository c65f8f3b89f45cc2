/**
 * Ground-truth labels for an image set: CSV rows `file,label[,group]`.
 * - `label` is a class name of the label set (exact match first, then a unique case-insensitive
 *   match) or a 0-based class index; a name that the label set gives to several classes is
 *   refused, naming their indices (give the index instead);
 * - `group` is any text (e.g. Waterbirds' "waterbird/land"); groups are numbered in order of
 *   first appearance and reported by name;
 * - an optional header row `file,label[,group]` is skipped; fields may be quoted (RFC 4180).
 * Every row must have the same number of columns (2 or 3), and a file may appear only once.
 */
import { parse } from 'csv-parse/browser/esm/sync';
import { LabelFileError, joinAnd } from './labelSet.ts';

export interface LabelledFile {
  readonly file: string;
  /** class index into the label set */
  readonly label: number;
  /** group id (index into `LabelsTable.groups`), when the file has a group column */
  readonly group?: number;
}

export interface LabelsTable {
  readonly rows: readonly LabelledFile[];
  /** group names by id; empty without a group column */
  readonly groups: readonly string[];
}

function classResolver(classes: readonly string[], where: string): (text: string, line: number) => number {
  const exact = new Map<string, number[]>();
  const folded = new Map<string, number[]>();
  classes.forEach((c, i) => {
    exact.set(c, [...(exact.get(c) ?? []), i]);
    const key = c.toLowerCase();
    folded.set(key, [...(folded.get(key) ?? []), i]);
  });
  const ambiguous = (text: string, line: number, indices: readonly number[], how: string) =>
    new LabelFileError(`${where}:${line}: label '${text}' ${how} classes ${joinAnd(indices)}; give the class index instead`);
  return (text, line) => {
    const byName = exact.get(text);
    if (byName?.length === 1) return byName[0];
    if (byName) throw ambiguous(text, line, byName, 'names');
    const loose = folded.get(text.toLowerCase());
    if (loose?.length === 1) return loose[0];
    if (/^\d+$/.test(text)) {
      const index = Number(text);
      if (index < classes.length) return index;
      throw new LabelFileError(`${where}:${line}: class index ${index} is out of range (the label set has classes 0-${classes.length - 1})`);
    }
    if (loose) throw ambiguous(text, line, loose, 'matches several classes when case is ignored:');
    throw new LabelFileError(`${where}:${line}: unknown label '${text}' (not a class name of the label set, nor a class index)`);
  };
}

function isHeader(row: readonly string[]): boolean {
  const cells = row.map((c) => c.trim().toLowerCase());
  return cells[0] === 'file' && cells[1] === 'label' && (cells.length === 2 || cells[2] === 'group');
}

/** Parse a labels CSV against the class names of a label set. */
export function parseLabelsCsv(text: string, classes: readonly string[], options: { name?: string } = {}): LabelsTable {
  const where = options.name ?? 'labels';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (err) {
    throw new LabelFileError(`${where}: not a valid CSV file (${(err as Error).message})`);
  }
  const start = records.length > 0 && isHeader(records[0].record) ? 1 : 0;
  if (records.length === start) throw new LabelFileError(`${where}: no rows (expected file,label[,group])`);
  const width = records[start].record.length;
  const resolve = classResolver(classes, where);
  const groupIds = new Map<string, number>();
  const seen = new Map<string, number>();
  const rows: LabelledFile[] = [];
  for (let r = start; r < records.length; r++) {
    const line = records[r].info.lines;
    const rec = records[r].record;
    if (rec.length < 2 || rec.length > 3) {
      throw new LabelFileError(`${where}:${line}: expected file,label[,group], got ${rec.length} column(s)`);
    }
    if (rec.length !== width) throw new LabelFileError(`${where}:${line}: ${rec.length} columns, but the first row has ${width}`);
    const [file, label, group] = rec;
    if (file === '') throw new LabelFileError(`${where}:${line}: the file name is empty`);
    const prev = seen.get(file);
    if (prev !== undefined) throw new LabelFileError(`${where}:${line}: '${file}' is already labelled on line ${prev}`);
    seen.set(file, line);
    if (group === undefined) {
      rows.push({ file, label: resolve(label, line) });
      continue;
    }
    if (group === '') throw new LabelFileError(`${where}:${line}: the group is empty`);
    let id = groupIds.get(group);
    if (id === undefined) groupIds.set(group, (id = groupIds.size));
    rows.push({ file, label: resolve(label, line), group: id });
  }
  return { rows, groups: [...groupIds.keys()] };
}
