/**
 * `clipscope` command line: dispatches to one module per command, parses its options from the
 * command's declaration, and prints help from it. Any failure prints one line
 * `clipscope: <reason>` to stderr (a usage error adds the command's usage) and exits non-zero.
 */
import { readFileSync } from 'node:fs';
import { parseCommandLine, type Command } from './command.ts';
import { CliError } from './errors.ts';
import { commandHelp, mainHelp, usageLine } from './help.ts';

/** every command, loaded on use (the order is the order of `clipscope --help`) */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  decompose: async () => (await import('./commands/decompose.ts')).decomposeCommand,
  'encode-text': async () => (await import('./commands/encodeText.ts')).encodeTextCommand,
  preprocess: async () => (await import('./commands/preprocess.ts')).preprocessCommand,
  tokenize: async () => (await import('./commands/tokenize.ts')).tokenizeCommand,
  analyze: async () => (await import('./commands/analyze.ts')).analyzeCommand,
  merge: async () => (await import('./commands/merge.ts')).mergeCommand,
  textspan: async () => (await import('./commands/textspan.ts')).textspanCommand,
  ablate: async () => (await import('./commands/ablate.ts')).ablateCommand,
  segment: async () => (await import('./commands/segment.ts')).segmentCommand,
  retrieve: async () => (await import('./commands/retrieve.ts')).retrieveCommand,
  explain: async () => (await import('./commands/explain.ts')).explainCommand,
  neurons: async () => (await import('./commands/neurons.ts')).neuronsCommand,
  'neuron-atlas': async () => (await import('./commands/neuronAtlas.ts')).neuronAtlasCommand,
  verify: async () => (await import('./commands/verify.ts')).verifyCommand,
};

export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function help(): Promise<string> {
  const loaded = await Promise.all(Object.entries(COMMANDS).map(async ([n, load]) => [n, await load()] as const));
  return mainHelp(loaded, cliVersion());
}

const isHelpFlag = (arg: string) => arg === '--help' || arg === '-h';

async function loadCommand(name: string): Promise<Command> {
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) throw new CliError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')}; see 'clipscope --help')`, 2);
  return load();
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  let current: { name: string; command: Command } | undefined;
  try {
    if (name === undefined) {
      process.stderr.write(`${await help()}\n`);
      return 2;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`clipscope ${cliVersion()}\n`);
      return 0;
    }
    if (isHelpFlag(name) || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      process.stdout.write(`${topic ? commandHelp(topic, await loadCommand(topic)) : await help()}\n`);
      return 0;
    }
    current = { name, command: await loadCommand(name) };
    if (rest.some(isHelpFlag)) {
      process.stdout.write(`${commandHelp(name, current.command)}\n`);
      return 0;
    }
    const { values, operands } = parseCommandLine(current.command, rest);
    const summary = await current.command.run(values, operands);
    if (values.json && summary) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (err) {
    const e = err as Error & { exitCode?: number };
    let reason = (e?.message ?? String(err)).replace(/\s*\n\s*/g, ' ');
    if (e instanceof CliError && e.exitCode === 2 && current) {
      reason += ` (usage: ${usageLine(current.name, current.command)}; 'clipscope ${current.name} --help' lists every option)`;
    }
    process.stderr.write(`clipscope: ${reason}\n`);
    if (process.env.CLIPSCOPE_DEBUG) console.error(err);
    return e instanceof CliError ? e.exitCode : 1;
  }
}
