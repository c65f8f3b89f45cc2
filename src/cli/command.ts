/**
 * The contract every `clipscope` command module implements, and the option helpers they share.
 * A command declares its options once (type, placeholder, description, default); `main.ts` parses
 * argv against that declaration, prints `--help` from it and handles `--json`. Commands import
 * this module and the helpers beside it, never `main.ts` or one another, so the CLI has no
 * import cycle.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { usageError } from './errors.ts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** the option may repeat; its value is then a list */
  readonly multiple?: boolean;
  /** the value's placeholder in usage lines and help: DIR, FILE.csv, N */
  readonly value?: string;
  /** one line for --help */
  readonly description: string;
  /** absent (or empty) is a usage error `missing --name`, checked in declaration order */
  readonly required?: boolean;
  /** what an absent option means, as --help shows it */
  readonly default?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['multiple'] extends true ? string[] : string;

/** parsed argv: required options are always present */
export type OptionValues<O extends OptionSpecs> = {
  -readonly [K in keyof O]: O[K]['required'] extends true ? ValueOf<O[K]> : ValueOf<O[K]> | undefined;
};

/** what a command takes after its options, e.g. merge's `SHARD_CACHE...` */
export interface OperandSpec {
  /** placeholder in usage and help */
  readonly name: string;
  readonly description: string;
  /** at least one is required; more may follow */
  readonly repeated?: boolean;
}

export interface Command<O extends OptionSpecs = OptionSpecs> {
  /** one line, for `clipscope --help` */
  readonly summary: string;
  /** more lines for `clipscope <command> --help` (what it reads, what it writes) */
  readonly description?: string;
  readonly options: O;
  /** operands after the options (none: an operand is a usage error) */
  readonly operands?: OperandSpec;
  /** full command lines, shown under `example:` */
  readonly examples: readonly string[];
  /**
   * `--json` is accepted: the object `run` resolves to is printed on stdout as one line of JSON
   * (progress and logs stay on stderr). Shapes: docs/FORMATS.md.
   */
  readonly json?: boolean;
  run(args: OptionValues<O>, operands: readonly string[]): Promise<object | void>;
}

/** identity, so a command's option declaration types its `run` arguments */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

export const JSON_OPTION: OptionSpec = {
  type: 'boolean',
  description: 'print the summary as one JSON object on stdout (progress stays on stderr)',
};

export interface ParsedCommandLine<O extends OptionSpecs> {
  readonly values: OptionValues<O> & { json?: boolean };
  readonly operands: string[];
}

/** argv -> values and operands, by the command's declaration (plus --json when the command has it) */
export function parseCommandLine<O extends OptionSpecs>(command: Command<O>, argv: string[]): ParsedCommandLine<O> {
  const specs: OptionSpecs = command.json ? { ...command.options, json: JSON_OPTION } : command.options;
  const config = Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [name, s.multiple ? { type: s.type, multiple: true } : { type: s.type }]),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: Boolean(command.operands), strict: true });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  for (const [name, s] of Object.entries(specs)) {
    if (s.required && (values[name] === undefined || values[name] === '')) throw usageError(`missing --${name}`);
  }
  const operands = command.operands;
  if (operands && positionals.length === 0) throw usageError(`missing ${operands.name}: ${operands.description}`);
  if (operands && !operands.repeated && positionals.length > 1) throw usageError(`give one ${operands.name}, got ${positionals.length}`);
  return { values: values as OptionValues<O> & { json?: boolean }, operands: positionals };
}

/** for options required only in some combinations (the declaration cannot say `required`) */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw usageError(`missing --${flag}`);
  return value;
}

export function parsePositiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw usageError(`--${flag} must be a positive integer, got '${value}'`);
  return n;
}

// Options several commands share, so they read the same everywhere.

export const MODEL_OPTION = {
  type: 'string',
  value: 'DIR|OWNER/NAME[@REV]',
  description: 'a folder holding a Hugging Face CLIP or OpenCLIP checkpoint, or a hub id read from the huggingface_hub cache (docs/FORMATS.md §4)',
  required: true,
} as const satisfies OptionSpec;

export const IMAGE_OPTION = {
  type: 'string',
  value: 'FILE',
  description: 'image file (PNG, JPEG, GIF, WebP, BMP, TIFF)',
  required: true,
} as const satisfies OptionSpec;

export const CACHE_OPTION = {
  type: 'string',
  value: 'CACHE',
  description: 'analysis cache (clipscope analyze)',
  required: true,
} as const satisfies OptionSpec;

export const TEXT_CACHE_OPTION = {
  type: 'string',
  value: 'DIR',
  description: 'text-embedding store, reused across runs (docs/FORMATS.md §3)',
} as const satisfies OptionSpec;

/** `--threads N`, defaulting to the cores this process may use */
export function threadsOption(what: string) {
  return { type: 'string', value: 'N', description: what, default: `${availableParallelism()} = the available cores` } as const satisfies OptionSpec;
}

export function parseThreads(value: string | undefined): number {
  return parsePositiveInt(value, 'threads', availableParallelism());
}
