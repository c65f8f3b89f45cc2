/**
 * A stored model as a ClipCheckpoint for the engine. The loader reads the stored files unchanged
 * (original offsets); then the checkpoint is narrowed to the stored towers — a model stored with
 * the vision tower only has no text tower rather than one whose weights are missing — and every
 * remaining weight is proved stored. The runtime reads only those weights (it packs each graph's
 * weights from the stored ranges), so no whole-file copy is ever made.
 */
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import type { ClipCheckpoint, WeightRef } from '../model/checkpoint/types.ts';
import { HubError } from './errors.ts';
import { coversRange } from './ranges.ts';
import type { ModelStore, StoredManifest } from './storage.ts';

/** drop what the stored towers lack; throws 'not-fetched' if a kept weight is not stored */
export function restrictToStoredTowers(ckpt: ClipCheckpoint, manifest: StoredManifest): ClipCheckpoint {
  const hasText = manifest.towers.includes('text');
  const weights = new Map<string, WeightRef>();
  const segments = new Map(manifest.files.map((f) => [f.name, f.segments]));
  for (const [name, ref] of ckpt.weights) {
    if (!hasText && name.startsWith('t.')) continue;
    const segs = segments.get(ref.fileName);
    if (!segs || !coversRange(segs, ref.byteOffset, ref.byteOffset + ref.byteLength)) {
      throw new HubError('not-fetched', `stored model ${manifest.id}: weight ${name} (${ref.source} in ${ref.fileName}) was not downloaded`, ref.fileName);
    }
    weights.set(name, ref);
  }
  const { text: _text, tokenizerFiles: _tok, ...rest } = ckpt;
  return {
    ...rest,
    weights,
    ...(hasText && ckpt.text ? { text: ckpt.text } : {}),
    ...(hasText && ckpt.tokenizerFiles ? { tokenizerFiles: ckpt.tokenizerFiles } : {}),
  };
}

/** Load a complete stored model for the engine (see the module comment). */
export async function loadStoredCheckpoint(store: ModelStore, id: string): Promise<ClipCheckpoint> {
  const { manifest, files } = await store.openModelFiles(id);
  // The sessions read exactly the weights their graphs use (runtime/webSessions.ts packs them),
  // so the stored ranges are read as they are: a weight that was not fetched fails loudly.
  return restrictToStoredTowers(await loadCheckpoint(files), manifest);
}
