/**
 * The contract every `clipscope` command module implements. Commands import this module (and the
 * shared helpers beside it), never `main.ts` or one another, so the CLI has no import cycle.
 */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<void>;
}
