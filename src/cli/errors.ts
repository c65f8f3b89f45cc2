/** CLI failures and how they reach the user. */
import { CacheError } from '../cache/errors.ts';

/** A user-facing CLI failure: printed as one line, exit code 2 (usage) or 1 (everything else). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** a wrong command line: exit code 2, and main.ts adds the command's usage to the message */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

/** CacheErrors are the user's to fix (wrong folder, wrong model): one line, exit code 1 */
export function asCliError(err: unknown): unknown {
  return err instanceof CacheError ? new CliError(err.message) : err;
}
