import { existsSync } from 'node:fs';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { defineCommand, IMAGE_OPTION, MODEL_OPTION } from '../command.ts';
import { CliError } from '../errors.ts';
import { openModel } from '../model.ts';
import { writeNpyFile } from '../output.ts';

export const preprocessCommand = defineCommand({
  summary: "apply the model's evaluation transform to an image",
  description: 'Writes the pixels the image tower sees: float32 [3,S,S] (resized, centre-cropped, normalised).',
  options: {
    model: MODEL_OPTION,
    image: IMAGE_OPTION,
    out: { type: 'string', value: 'FILE.npy', description: 'output .npy file', required: true },
  },
  examples: ['clipscope preprocess --model ./clip-vit-base-patch32 --image cat.jpg --out pixels.npy'],
  async run(args) {
    const ckpt = await openModel(args.model);
    if (!existsSync(args.image)) throw new CliError(`image not found: ${args.image}`);
    const pixels = preprocessPixels(await decodeImageFile(args.image), ckpt.preprocess);
    await writeNpyFile(args.out, pixels.data, pixels.dims);
  },
});
