/** Reading a description pool file for a CLI command (TEXTSPAN, explain). */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTextPool, type TextPool } from '../cache/atlas.ts';
import { CliError } from './errors.ts';

/** the repo's default description pool (tagged) */
export const DEFAULT_POOL = fileURLToPath(new URL('../../public/data/descriptions.tsv', import.meta.url));

export function readTextPool(path: string | undefined): TextPool {
  const file = path ?? DEFAULT_POOL;
  if (!existsSync(file)) {
    throw new CliError(path ? `pool file not found: ${path}` : `the default pool ${file} is missing: pass --pool FILE`);
  }
  try {
    return parseTextPool(readFileSync(file, 'utf8'), basename(file));
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
