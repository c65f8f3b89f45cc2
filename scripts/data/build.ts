/**
 * Writes the project's own data files from the vocabularies in scripts/data/:
 *   public/data/descriptions.tsv   TEXTSPAN description pool, `property<TAB>description`
 *   public/data/labels.json        default label set, {classes, templates}
 *
 *   node --import tsx scripts/data/build.ts          write both files
 *   node --import tsx scripts/data/build.ts --check  exit 1 if the shipped files are out of date
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDescriptionPool, formatDescriptionsTsv } from './descriptions/index.ts';
import { buildLabelSet, formatLabelSet } from './labels.ts';

export const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'data');
export const DESCRIPTIONS_FILE = join(DATA_DIR, 'descriptions.tsv');
export const LABELS_FILE = join(DATA_DIR, 'labels.json');

/** The exact contents each shipped file should have. */
export function expectedDataFiles(): Record<string, string> {
  return {
    [DESCRIPTIONS_FILE]: formatDescriptionsTsv(buildDescriptionPool().lines),
    [LABELS_FILE]: formatLabelSet(buildLabelSet()),
  };
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const build = buildDescriptionPool();
  for (const { line, keeps } of build.dropped) {
    console.warn(`near-duplicate dropped: [${line.property}] "${line.text}" ~ [${keeps.property}] "${keeps.text}"`);
  }
  let stale = 0;
  for (const [path, contents] of Object.entries(expectedDataFiles())) {
    if (check) {
      if (readOrEmpty(path) !== contents) {
        console.error(`out of date: ${path} (run node --import tsx scripts/data/build.ts)`);
        stale += 1;
      }
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, contents);
      console.log(`wrote ${path}`);
    }
  }
  console.log(`${build.lines.length} descriptions, ${buildLabelSet().classes.length} classes`);
  return stale > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
