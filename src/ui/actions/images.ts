/**
 * The images: dropped files are checked, then decomposed in the worker one by one through a
 * cancellable queue; removing an image frees it here and in the worker.
 */
import { measureStep } from '../../api/stepTimings.ts';
import { cacheImageBitmap, dropImageBitmap } from '../imageCache.ts';
import { classifyUpload, imageIdFor, type Upload } from '../lib/intake.ts';
import { WorkQueue } from '../lib/workQueue.ts';
import { modelWorker, transferBytes } from '../workerClient.ts';
import { BASE, clearProgress, fail, notice, setProgress, store } from './feedback.ts';

type QueuedUpload = Upload & { id: string };

/** add images one by one (the worker decomposes each); refused files become page errors */
export async function addImages(uploads: (Upload & { gallery?: string })[]): Promise<void> {
  const s = store.getState();
  if (!s.model) {
    s.pushError({ kind: 'no-model', title: 'No model loaded', detail: `${uploads.length} file(s) dropped before a model was picked`, hint: 'Pick a model first (the demo model loads in a second), then drop the images again.' });
    return;
  }
  const accepted: QueuedUpload[] = [];
  for (const u of uploads) {
    const intake = classifyUpload(u.name, u.bytes.subarray(0, 64));
    if (intake.kind === 'rejected') {
      s.pushError({ kind: 'not-an-image', title: `Not an image: ${u.name}`, detail: intake.reason, hint: 'Drop PNG or JPEG files.' });
      continue;
    }
    const id = await imageIdFor(u.name, u.bytes);
    if (store.getState().images.some((i) => i.id === id)) continue;
    accepted.push({ ...u, id });
    store.getState().set({ images: [...store.getState().images, { id, name: u.name, status: 'adding', ...(u.gallery ? { gallery: u.gallery } : {}) }] });
  }
  if (accepted.length > 0) await imageQueue().enqueue(accepted);
}

/** decomposes one queued image in the worker and shows it */
async function decomposeQueued(u: QueuedUpload): Promise<void> {
  try {
    // the bytes move to the worker (no copy): it decodes them and sends back the display bitmap
    const sent = performance.now();
    const added = await modelWorker().addImage(u.id, u.name, transferBytes(u.bytes));
    measureStep('image:add', sent, u.name);
    cacheImageBitmap(u.id, added.bitmap ?? (await createImageBitmap(new ImageData(added.display.rgba as Uint8ClampedArray<ArrayBuffer>, added.display.width, added.display.height))));
    store.getState().set({
      images: store.getState().images.map((i) => (i.id === u.id ? { ...i, status: 'ready', sourceSize: added.sourceSize, closure: added.closure } : i)),
      selectedImage: store.getState().selectedImage ?? u.id,
    });
  } catch (err) {
    store.getState().set({ images: store.getState().images.filter((i) => i.id !== u.id) });
    fail(err, 'image', u.name);
  }
  await refreshMemoryUse();
}

let queue: WorkQueue<QueuedUpload> | undefined;
/** dropped images (a folder: many) are decomposed one by one; Cancel stops after the current one */
function imageQueue(): WorkQueue<QueuedUpload> {
  queue ??= new WorkQueue<QueuedUpload>({
    process: decomposeQueued,
    onChange(state) {
      store.getState().set({ imageQueue: state });
      if (state?.current) setProgress(`decomposing ${state.current}${state.cancelling ? ' (cancelling after this image)' : ''}`, state.done, state.total, 'items');
      else if (!state) clearProgress();
    },
    onDropped(items) {
      const ids = new Set(items.map((i) => i.id));
      store.getState().set({ images: store.getState().images.filter((i) => !ids.has(i.id)) });
      notice(`Cancelled: ${items.length} image${items.length === 1 ? ' was' : 's were'} not added.`);
    },
  });
  return queue;
}

export function cancelImageQueue(): void {
  queue?.cancel();
}

export async function refreshMemoryUse(): Promise<void> {
  if (!store.getState().model) return;
  try {
    store.getState().set({ memory: await modelWorker().memoryUse() });
  } catch (err) {
    console.warn('memoryUse failed', err);
  }
}

export async function removeImage(id: string): Promise<void> {
  store.setState((s) => {
    const images = s.images.filter((i) => i.id !== id);
    const { [id]: _h, ...heatmaps } = s.heatmaps;
    const { [id]: _t, ...top5 } = s.top5;
    const { [id]: _s, ...segmentations } = s.segmentations;
    return { images, heatmaps, top5, segmentations, selectedImage: s.selectedImage === id ? images[0]?.id : s.selectedImage };
  });
  dropImageBitmap(id);
  await modelWorker().removeImage(id).catch((err: unknown) => fail(err, 'image'));
  await refreshMemoryUse();
}

/** the gallery's photos, fetched from this build and added like dropped files */
export async function addGalleryImages(files: string[]): Promise<void> {
  try {
    const uploads: (Upload & { gallery: string })[] = [];
    for (const f of files) {
      const res = await fetch(`${BASE}gallery/${f}`);
      if (!res.ok) throw new Error(`GET gallery/${f}: HTTP ${res.status}`);
      uploads.push({ name: f, bytes: new Uint8Array(await res.arrayBuffer()), gallery: f });
    }
    await addImages(uploads);
  } catch (err) {
    fail(err, 'download', 'gallery');
  }
}
