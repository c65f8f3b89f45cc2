/**
 * The one way to name a model part in text (labels, URLs, messages, CLI output), as the ablation
 * syntax writes it (docs/ABLATION_SYNTAX.md): head h of layer l is `L{l}.H{h}`, the attention of
 * layer l (all its heads) `L{l}`.
 */

export function layerLabel(layer: number): string {
  return `L${layer}`;
}

export function headLabel(layer: number, head: number): string {
  return `L${layer}.H${head}`;
}

/** neuron n of layer l's MLP (METHOD §9) */
export function neuronLabel(layer: number, neuron: number): string {
  return `L${layer}.N${neuron}`;
}
