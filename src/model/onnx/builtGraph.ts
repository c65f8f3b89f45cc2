import type { GraphIO } from './graphSpec.ts';
import type { ExternalDataPlan, WeightBinder } from './externalData.ts';
import type { GraphBuilder } from './graphBuilder.ts';

/** A serialised ONNX model plus what a runtime needs to open it. */
export interface BuiltGraph {
  readonly kind: 'image' | 'text' | 'head-projection' | 'neuron-projection' | 'token-projection';
  /** ModelProto bytes; weights are external data (see `externalData`) */
  readonly model: Uint8Array;
  readonly inputs: readonly GraphIO[];
  readonly outputs: readonly GraphIO[];
  readonly externalData: ExternalDataPlan;
}

export function finishGraph(g: GraphBuilder, weights: WeightBinder, kind: BuiltGraph['kind'], inputs: readonly GraphIO[], outputs: readonly GraphIO[]): BuiltGraph {
  return { kind, model: g.toModel(), inputs, outputs, externalData: weights.plan() };
}
