import { defineCommand, MODEL_OPTION } from '../command.ts';
import { openModel, openTokenizer } from '../model.ts';

export const tokenizeCommand = defineCommand({
  summary: 'print the padded token ids of a text as JSON',
  description: "The model's CLIP BPE tokenizer (vocab.json + merges.txt), padded to its context length.",
  options: {
    model: MODEL_OPTION,
    text: { type: 'string', value: '"..."', description: 'the text to tokenize', required: true },
  },
  examples: ['clipscope tokenize --model ./clip-vit-base-patch32 --text "a photo of a cat"'],
  async run(args) {
    const ckpt = await openModel(args.model);
    const tokenizer = await openTokenizer(ckpt, args.model);
    const { ids } = tokenizer.tokenize(args.text, ckpt.text?.contextLength ?? 77);
    process.stdout.write(`${JSON.stringify(Array.from(ids))}\n`);
  },
});
