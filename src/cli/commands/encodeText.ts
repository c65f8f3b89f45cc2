import { createNodeEngine } from '../../model/engine.node.ts';
import { parseCommandArgs, required } from '../args.ts';
import { CliError, usageError } from '../errors.ts';
import type { Command } from '../command.ts';
import { openModel, openTokenizer } from '../model.ts';
import { writeNpyFile } from '../output.ts';

export const encodeTextCommand: Command = {
  summary: 'unit text embeddings of one or more texts',
  usage: '--model DIR|OWNER/NAME[@REV] --text "..." [--text "..."]... --out FILE.npy   (writes float32 [n,D])',
  async run(argv) {
    const args = parseCommandArgs(argv, {
      model: { type: 'string' },
      text: { type: 'string', multiple: true },
      out: { type: 'string' },
    });
    const dir = required(args.model, 'model');
    const out = required(args.out, 'out');
    const texts = args.text ?? [];
    if (texts.length === 0) throw usageError('give at least one --text');
    const ckpt = await openModel(dir);
    if (!ckpt.text) throw new CliError(`${dir} holds no text tower`);
    await openTokenizer(ckpt, dir);
    const engine = await createNodeEngine(ckpt);
    try {
      const emb = await engine.encodeText(texts);
      await writeNpyFile(out, emb.data, emb.dims);
    } finally {
      await engine.release();
    }
  },
};
