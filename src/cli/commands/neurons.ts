import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeEngine } from '../../model/engine.node.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { parseCommandArgs, parsePositiveInt, required } from '../args.ts';
import type { Command } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { openModel } from '../model.ts';
import { writeJsonFile, writeNpyFile } from '../output.ts';

/** a layer index for `--layer`, checked against the tower: not the last (no later heads carry it) */
export function parseNeuronLayer(text: string, layers: number): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`--layer must be a 0-based layer index, got '${text}'`);
  const layer = Number(text);
  if (layer === layers - 1) {
    throw usageError(`--layer ${layer} is the last layer of this ${layers}-layer tower: no later attention heads carry its neurons' effects (METHOD §9); use 0-${layers - 2}`);
  }
  if (layer >= layers) throw usageError(`--layer ${layer}: the tower has layers 0-${layers - 1} (neurons of 0-${layers - 2} have second-order effects)`);
  return layer;
}

export const neuronsCommand: Command = {
  summary: "second-order effects of every neuron of one MLP layer on one image (METHOD §9): effects.npy [M, D]",
  usage: '--model DIR|OWNER/NAME[@REV] --image FILE --layer L --out DIR [--threads N]',
  async run(argv) {
    const args = parseCommandArgs(argv, {
      model: { type: 'string' },
      image: { type: 'string' },
      layer: { type: 'string' },
      out: { type: 'string' },
      threads: { type: 'string' },
    });
    const modelDir = required(args.model, 'model');
    const imagePath = required(args.image, 'image');
    const layerText = required(args.layer, 'layer');
    const outDir = required(args.out, 'out');
    const threads = parsePositiveInt(args.threads, 'threads', 2);
    if (!existsSync(imagePath)) throw new CliError(`image not found: ${imagePath}`);
    const ckpt = await openModel(modelDir);
    const layer = parseNeuronLayer(layerText, ckpt.vision.layers);
    const image = await decodeImageFile(imagePath);
    const engine = await createNodeEngine(ckpt, { intraOpNumThreads: threads });
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
};
