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

/** a head or neuron label back to its indices (case-insensitive); undefined when `text` is neither */
export function parsePartLabel(text: string): { kind: 'head'; layer: number; head: number } | { kind: 'neuron'; layer: number; neuron: number } | undefined {
  const m = /^L(\d+)\.([HN])(\d+)$/i.exec(text.trim());
  if (!m) return undefined;
  const [layer, index] = [Number(m[1]), Number(m[3])];
  return m[2].toUpperCase() === 'H' ? { kind: 'head', layer, head: index } : { kind: 'neuron', layer, neuron: index };
}
