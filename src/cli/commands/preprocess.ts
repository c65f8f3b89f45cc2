import { existsSync } from 'node:fs';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { parseCommandArgs, required } from '../args.ts';
import { CliError } from '../errors.ts';
import type { Command } from '../command.ts';
import { openModel } from '../model.ts';
import { writeNpyFile } from '../output.ts';

export const preprocessCommand: Command = {
  summary: "apply the model's evaluation transform to an image",
  usage: '--model DIR|OWNER/NAME[@REV] --image FILE --out FILE.npy   (writes float32 [3,S,S])',
  async run(argv) {
    const args = parseCommandArgs(argv, { model: { type: 'string' }, image: { type: 'string' }, out: { type: 'string' } });
    const dir = required(args.model, 'model');
    const imagePath = required(args.image, 'image');
    const out = required(args.out, 'out');
    const ckpt = await openModel(dir);
    if (!existsSync(imagePath)) throw new CliError(`image not found: ${imagePath}`);
    const pixels = preprocessPixels(await decodeImageFile(imagePath), ckpt.preprocess);
    await writeNpyFile(out, pixels.data, pixels.dims);
  },
};
