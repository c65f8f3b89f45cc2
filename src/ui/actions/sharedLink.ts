/**
 * Opening a shared link: the model it names (the demo, or a hub model at a commit: from this
 * browser's storage when stored there, else offered for download with its size and fit) and then
 * the gallery photos it names, so the page shows what the sender saw.
 */
import type { ModelRef } from '../lib/urlState.ts';
import { store } from './feedback.ts';
import { askPersistentStorage, downloadAndLoadHubModel, estimateHubFit, listStoredModels } from './hub.ts';
import { addGalleryImages } from './images.ts';
import { loadDemoModel, loadStoredModel } from './models.ts';

export async function openLinkedView(ref: ModelRef | null, images: readonly string[]): Promise<void> {
  if (!ref) return;
  if (ref.kind === 'demo') await loadDemoModel();
  else if (!(await openStoredHubModel(ref.repo, ref.commit))) return offerLinkedModel(ref.repo, ref.commit, images);
  if (store.getState().model && images.length > 0) await addGalleryImages([...images]);
}

/** true when a complete copy of repo@commit is stored in this browser (it is then loaded) */
async function openStoredHubModel(repo: string, commit: string): Promise<boolean> {
  const stored = (await listStoredModels()).find((m) => m.complete && m.repo === repo && m.revision === commit);
  if (!stored) return false;
  await loadStoredModel(stored.id, repo);
  await askPersistentStorage();
  return true;
}

async function offerLinkedModel(repo: string, commit: string, images: readonly string[]): Promise<void> {
  store.getState().set({ linkOffer: { repo, commit, images: [...images] } });
  const fit = await estimateHubFit(repo, commit);
  const offer = store.getState().linkOffer;
  if (fit && offer?.repo === repo && offer.commit === commit) store.getState().set({ linkOffer: { ...offer, fit } });
}

/** the offer's Download button: the pinned commit into storage, then the link's photos */
export async function acceptLinkOffer(): Promise<void> {
  const offer = store.getState().linkOffer;
  if (!offer) return;
  await downloadAndLoadHubModel(offer.repo, offer.commit);
  if (store.getState().model && offer.images.length > 0) await addGalleryImages(offer.images);
}
