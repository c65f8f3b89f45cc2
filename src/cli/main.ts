/**
 * `clipscope` command line: dispatches to one module per command.
 * Any failure prints one line `clipscope: <reason>` to stderr and exits non-zero.
 */
import type { Command } from './command.ts';
import { CliError } from './errors.ts';

const commands: Record<string, () => Promise<Command>> = {
  analyze: async () => (await import('./commands/analyze.ts')).analyzeCommand,
  merge: async () => (await import('./commands/merge.ts')).mergeCommand,
  retrieve: async () => (await import('./commands/retrieve.ts')).retrieveCommand,
  textspan: async () => (await import('./commands/textspan.ts')).textspanCommand,
  decompose: async () => (await import('./commands/decompose.ts')).decomposeCommand,
  'encode-text': async () => (await import('./commands/encodeText.ts')).encodeTextCommand,
  preprocess: async () => (await import('./commands/preprocess.ts')).preprocessCommand,
  tokenize: async () => (await import('./commands/tokenize.ts')).tokenizeCommand,
  segment: async () => (await import('./commands/segment.ts')).segmentCommand,
  ablate: async () => (await import('./commands/ablate.ts')).ablateCommand,
  explain: async () => (await import('./commands/explain.ts')).explainCommand,
  neurons: async () => (await import('./commands/neurons.ts')).neuronsCommand,
};

async function help(): Promise<string> {
  const lines = ['usage: clipscope <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const c = await load();
    lines.push(`  ${name.padEnd(12)} ${c.summary}`, `  ${' '.repeat(12)} ${c.usage}`);
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      console.log(await help());
      return name ? 0 : 2;
    }
    const load = commands[name];
    if (!load) throw new CliError(`unknown command '${name}' (commands: ${Object.keys(commands).join(', ')})`, 2);
    await (await load()).run(rest);
    return 0;
  } catch (err) {
    const e = err as Error & { exitCode?: number };
    const reason = (e?.message ?? String(err)).replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`clipscope: ${reason}\n`);
    if (process.env.CLIPSCOPE_DEBUG) console.error(err);
    return e instanceof CliError ? e.exitCode : 1;
  }
}
