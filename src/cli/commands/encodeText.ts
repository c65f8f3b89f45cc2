import { createNodeEngine } from '../../model/engine.node.ts';
import { defineCommand, MODEL_OPTION } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { CliError } from '../errors.ts';
import { openModel, openTokenizer } from '../model.ts';
import { writeNpyFile } from '../output.ts';

export const encodeTextCommand = defineCommand({
  summary: 'unit text embeddings of one or more texts',
  description: 'Writes float32 [n,D]: row i is the unit-norm embedding of the i-th --text.',
  options: {
    model: MODEL_OPTION,
    provider: PROVIDER_OPTION,
    text: { type: 'string', multiple: true, value: '"..."', description: 'a text to embed', required: true },
    out: { type: 'string', value: 'FILE.npy', description: 'output .npy file', required: true },
  },
  examples: ['clipscope encode-text --model ./clip-vit-base-patch32 --text "a photo of a cat" --text "a photo of a dog" --out text.npy'],
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    const texts = args.text;
    const ckpt = await openModel(args.model);
    if (!ckpt.text) throw new CliError(`${args.model} holds no text tower`);
    await openTokenizer(ckpt, args.model);
    const engine = await createNodeEngine(ckpt, { executionProvider });
    try {
      const emb = await engine.encodeText(texts);
      await writeNpyFile(args.out, emb.data, emb.dims);
    } finally {
      await engine.release();
    }
  },
});
