/** The text of `clipscope --help` and `clipscope <command> --help`, made from the declarations. */
import { JSON_OPTION, type Command, type OptionSpec, type OptionSpecs } from './command.ts';

const flag = (name: string, s: OptionSpec) => `--${name}${s.type === 'string' ? ` ${s.value ?? 'VALUE'}` : ''}`;

/** `clipscope decompose --model DIR --image FILE --out DIR [options]` */
export function usageLine(name: string, command: Command): string {
  const required = Object.entries(command.options).filter(([, s]) => s.required);
  const optional = Object.keys(command.options).length > required.length || command.json;
  const operands = command.operands ? [`${command.operands.name}${command.operands.repeated ? '...' : ''}`] : [];
  return ['clipscope', name, ...required.map(([n, s]) => flag(n, s)), ...(optional ? ['[options]'] : []), ...operands].join(' ');
}

function optionLines(specs: OptionSpecs): string[] {
  const rows = Object.entries(specs).map(([name, s]) => {
    const note = s.required ? 'required' : s.default !== undefined ? `default: ${s.default}` : undefined;
    const repeat = s.multiple ? ' (repeatable)' : '';
    return [flag(name, s), `${s.description}${repeat}${note ? ` (${note})` : ''}`];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`);
}

export function commandHelp(name: string, command: Command): string {
  const specs: OptionSpecs = command.json ? { ...command.options, json: JSON_OPTION } : command.options;
  return [
    `clipscope ${name}: ${command.summary}`,
    '',
    `usage: ${usageLine(name, command)}`,
    ...(command.description ? ['', command.description] : []),
    ...(command.operands ? ['', 'operands:', `  ${command.operands.name}${command.operands.repeated ? '...' : ''}  ${command.operands.description}`] : []),
    '',
    'options:',
    ...optionLines(specs),
    '',
    command.examples.length > 1 ? 'examples:' : 'example:',
    ...command.examples.map((e) => `  ${e}`),
  ].join('\n');
}

export function mainHelp(commands: readonly (readonly [string, Command])[], version: string): string {
  const width = Math.max(...commands.map(([n]) => n.length)) + 2;
  return [
    `clipscope ${version}: exact layer, head and token contributions to a CLIP image embedding`,
    '',
    'usage: clipscope <command> [options]',
    '',
    'commands:',
    ...commands.map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`),
    '',
    "'clipscope <command> --help' shows a command's options, their defaults and an example;",
    "'clipscope --version' prints the version.",
  ].join('\n');
}
