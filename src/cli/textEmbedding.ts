/** Embedding a pool of texts for a CLI command, with a progress line on stderr for what is not cached. */
import type { Tensor } from '../math/tensor.ts';
import { embedTexts, type TextEmbeddingStore, type TextEncodingEngine } from '../model/textCache.ts';
import { createProgress, type Progress } from './progress.ts';

export async function embedTextsWithProgress(
  engine: TextEncodingEngine,
  texts: readonly string[],
  store: TextEmbeddingStore,
  label: string,
): Promise<Tensor<'C D', Float32Array>> {
  let progress: Progress | undefined;
  let embedded = 0;
  const result = await embedTexts(engine, texts, store, {
    onProgress: (done, missing) => {
      progress ??= createProgress({ total: missing, label, unit: 'text' });
      progress.tick(done - embedded);
      embedded = done;
    },
  });
  progress?.finish();
  return result;
}
