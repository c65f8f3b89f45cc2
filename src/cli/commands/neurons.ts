import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeEngine } from '../../model/engine.node.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { defineCommand, IMAGE_OPTION, MODEL_OPTION, parseThreads, threadsOption } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { CliError } from '../errors.ts';
import { parseNeuronLayer } from '../neuronLayer.ts';
import { openModel } from '../model.ts';
import { writeJsonFile, writeNpyFile } from '../output.ts';

export const neuronsCommand = defineCommand({
  summary: 'second-order effects of every neuron of one MLP layer on one image (METHOD §9): effects.npy [M, D]',
  description: [
    'Row n of effects.npy is phi_n: neuron n of --layer carried through the later attention heads,',
    'scaled like every contribution. meta.json adds the bias and whole-MLP effects. The last layer has',
    'no later heads, so it is refused.',
  ].join('\n'),
  options: {
    model: MODEL_OPTION,
    provider: PROVIDER_OPTION,
    image: IMAGE_OPTION,
    layer: { type: 'string', value: 'L', description: 'the MLP layer (0-based, not the last)', required: true },
    out: { type: 'string', value: 'DIR', description: 'output folder (effects.npy, meta.json)', required: true },
    threads: threadsOption('onnxruntime threads'),
  },
  examples: ['clipscope neurons --model ./clip-vit-base-patch32 --image cat.jpg --layer 10 --out ./neurons'],
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    const { model: modelDir, image: imagePath, layer: layerText, out: outDir } = args;
    const threads = parseThreads(args.threads);
    if (!existsSync(imagePath)) throw new CliError(`image not found: ${imagePath}`);
    const ckpt = await openModel(modelDir);
    const layer = parseNeuronLayer(layerText, ckpt.vision.layers);
    const image = await decodeImageFile(imagePath);
    const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads, executionProvider });
    try {
      const t0 = performance.now();
      const parts = await engine.decompose(preprocessPixels(image, ckpt.preprocess), { neuronLayer: layer });
      const ms = performance.now() - t0;
      const effects = parts.neuron_effects;
      await writeNpyFile(join(outDir, 'effects.npy'), effects.data as Float32Array, effects.dims);
      await writeJsonFile(join(outDir, 'meta.json'), {
        fingerprint: ckpt.fingerprint,
        architecture: ckpt.vision,
        layer,
        image: imagePath,
        // what row n holds, in METHOD's words
        effects: { file: 'effects.npy', shape: effects.dims, rows: 'phi_n of METHOD 9: neuron n through the later heads, scaled like every contribution (dot with a unit text = share of the cosine)' },
        biasEffect: Array.from(parts.neuron_bias_effect.data),
        mlpSecondOrder: Array.from(parts.mlp_second_order.data),
        executionProvider: 'onnxruntime-node cpu',
        threads,
        timingsMs: { sessionAndRun: ms },
      });
    } finally {
      await engine.release();
    }
  },
});
