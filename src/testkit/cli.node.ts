/**
 * Runs the `clipscope` CLI in-process for vitest tests, capturing its exit code, stdout and
 * stderr (a child process, for any test runner: cliProcess.node.ts).
 */
import { vi } from 'vitest';
import { main } from '../cli/main.ts';
import type { CliRun } from './cliProcess.node.ts';

export type { CliRun };

export async function runCli(argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
