/** The ablation set the worker holds (what-if: parts of the model switched off), and exports. */
import { modelWorker } from '../workerClient.ts';
import { fail, store } from './feedback.ts';

/** send the ablation set to the worker; keeps the canonical form it answers */
export async function applyAblation(spec: string): Promise<boolean> {
  const s = store.getState();
  if (!s.model) return false;
  try {
    const { canonical } = await modelWorker().setAblation(spec);
    store.getState().set({ ablationCanonical: canonical });
    store.getState().patchView({ ablate: canonical });
    return true;
  } catch (err) {
    fail(err, 'analysis', '(ablation set)');
    return false;
  }
}

export async function exportContributions(imageId: string) {
  return modelWorker().exportContributions(imageId);
}
