/**
 * The CLI explains itself: every command in the registry has --help with a description, each
 * option with its default (or "required") and an example that parses against the command's own
 * declaration; `clipscope --help`, `--version` and usage errors.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from '../testkit/cli.node.ts';
import { runCliProcess } from '../testkit/cliProcess.node.ts';
import { REPO_ROOT } from '../testkit/shared.ts';
import { parseCommandLine, parseThreads } from './command.ts';
import { COMMANDS } from './main.ts';

/** a command line as a shell splits it: '...' and "..." quote */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe.each(Object.keys(COMMANDS))('clipscope %s --help', (name) => {
  it('prints the summary, a usage line, every option with its default or "required", and an example that parses', async () => {
    const command = await COMMANDS[name]();
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`clipscope ${name}: ${command.summary}`);
    expect(r.stdout).toContain(`\nusage: clipscope ${name} `);
    for (const [option, spec] of Object.entries(command.options)) {
      const line = lines.find((l) => l.startsWith(`  --${option} `));
      expect(line, `--${option} is listed`).toBeDefined();
      expect(line).toContain(spec.description);
      expect(line, `--${option} shows its default or that it is required`).toMatch(spec.required ? /\(required\)$/ : /\(default: .+\)$/);
    }
    expect(r.stdout.includes('  --json ')).toBe(Boolean(command.json));
    const examples = lines.slice(lines.findIndex((l) => /^examples?:$/.test(l)) + 1);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const [bin, cmd, ...argv] = shellWords(example.trim());
      expect([bin, cmd]).toEqual(['clipscope', name]);
      expect(() => parseCommandLine(command, argv)).not.toThrow();
    }
  });
  it('-h anywhere in the arguments prints the same help instead of running', async () => {
    const help = await runCli([name, '--help']);
    expect(await runCli([name, '--model', 'nowhere', '-h'])).toEqual(help);
  });
});

describe('clipscope', () => {
  it('clipscope --help lists every command of the registry on one line with its summary (stdout, exit 0)', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const [name, load] of Object.entries(COMMANDS)) {
      const { summary } = await load();
      expect(r.stdout.split('\n')).toContain(`  ${name.padEnd(Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2)}${summary}`);
    }
  });
  it('clipscope help <command> is clipscope <command> --help', async () => {
    expect(await runCli(['help', 'ablate'])).toEqual(await runCli(['ablate', '--help']));
  });
  it("clipscope --version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `clipscope ${version}\n`, stderr: '' });
  });
  it('bin/clipscope.js as a process: --version and decompose --help exit 0 with what the in-process run prints', async () => {
    expect(await runCliProcess(['--version'])).toEqual(await runCli(['--version']));
    const help = await runCliProcess(['decompose', '--help']);
    expect(help).toEqual(await runCli(['decompose', '--help']));
    expect(help.stdout).toContain('--token-layers SPEC');
  });
  it('clipscope without a command prints the help on stderr and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe((await runCli(['--help'])).stdout);
  });
  it("a usage error is one stderr line that carries the command's usage", async () => {
    const r = await runCli(['decompose', '--image', 'x.png', '--out', 'o']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "clipscope: missing --model (usage: clipscope decompose --model DIR|OWNER/NAME[@REV] --image FILE --out DIR [options]; 'clipscope decompose --help' lists every option)\n",
    );
    const unknown = await runCli(['decompose', '--modle', 'm']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^clipscope: Unknown option '--modle'.*\(usage: clipscope decompose .*\)\n$/);
  });
  it('--threads defaults to the available cores', () => {
    expect(parseThreads(undefined)).toBe(availableParallelism());
    expect(parseThreads('3')).toBe(3);
    expect(() => parseThreads('0')).toThrow("--threads must be a positive integer, got '0'");
  });
});
