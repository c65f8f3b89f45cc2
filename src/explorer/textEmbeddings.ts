/** Text embeddings of one model, memoised by exact text (a prompt is encoded once per session). */
import type { ClipEngine } from '../model/engine.ts';
import type { ProgressCallback } from '../api/explorer.ts';

export class TextEmbeddings {
  private readonly cache = new Map<string, Float32Array>();

  constructor(private readonly engine: ClipEngine) {}

  get dim(): number {
    const t = this.engine.checkpoint.text;
    if (!t) throw new Error('this model has no text tower: prompts, labels and TEXTSPAN need one');
    return t.embedDim;
  }

  /** unit embeddings in the order of `texts`; only unseen texts reach the text tower */
  async embed(texts: readonly string[], onProgress?: ProgressCallback, phase = 'embedding texts', batch = 64): Promise<Float32Array[]> {
    const D = this.dim;
    const missing = [...new Set(texts.filter((t) => !this.cache.has(t)))];
    for (let start = 0; start < missing.length; start += batch) {
      onProgress?.({ phase, done: start, total: missing.length });
      const chunk = missing.slice(start, start + batch);
      const emb = await this.engine.encodeText(chunk, batch);
      chunk.forEach((t, i) => this.cache.set(t, emb.data.slice(i * D, (i + 1) * D) as Float32Array));
    }
    onProgress?.({ phase, done: missing.length, total: missing.length });
    return texts.map((t) => this.cache.get(t)!);
  }

  async one(text: string): Promise<Float32Array> {
    return (await this.embed([text]))[0];
  }
}
