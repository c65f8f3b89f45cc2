import { parseCommandArgs, required } from '../args.ts';
import type { Command } from '../command.ts';
import { openModel, openTokenizer } from '../model.ts';

export const tokenizeCommand: Command = {
  summary: 'print the padded token ids of a text as JSON',
  usage: '--model DIR|OWNER/NAME[@REV] --text "..."',
  async run(argv) {
    const args = parseCommandArgs(argv, { model: { type: 'string' }, text: { type: 'string' } });
    const dir = required(args.model, 'model');
    const text = required(args.text, 'text');
    const ckpt = await openModel(dir);
    const tokenizer = await openTokenizer(ckpt, dir);
    const { ids } = tokenizer.tokenize(text, ckpt.text?.contextLength ?? 77);
    process.stdout.write(`${JSON.stringify(Array.from(ids))}\n`);
  },
};
