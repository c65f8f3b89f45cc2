/** `--layer` of the neuron commands (METHOD §9). */
import { usageError } from './errors.ts';

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
