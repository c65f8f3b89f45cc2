/**
 * Runs `bin/clipscope.js` as a user would (a child process): for tests of the executable and of
 * what only a real process shows. No test-runner import, so vitest and the browser tests
 * (node:test) share it; the in-process runner for vitest is cli.node.ts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './shared.ts';

const execFileAsync = promisify(execFile);
export const CLI_BIN = join(REPO_ROOT, 'bin', 'clipscope.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/clipscope.js …argv`; a non-zero exit is returned, not thrown */
export async function runCliProcess(argv: readonly string[], options: { cwd?: string } = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI_BIN, ...argv], { cwd: options.cwd ?? REPO_ROOT, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
