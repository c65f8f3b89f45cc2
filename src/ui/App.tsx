/**
 * The explorer shell: pick a model folder and an image, see the head grid.
 * (The full explorer — gallery, prompts, TEXTSPAN, ablations — grows from here.)
 */
import { useEffect, type ChangeEvent } from 'react';
import type { ModelFileInput } from '../api/types.ts';
import { HeadGrid } from './components/HeadGrid.tsx';
import { selectSelectedImage, useAppStore } from './store.ts';
import { modelWorker } from './workerClient.ts';

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function App() {
  const { runtime, model, busy, error, selectedHead, set, upsertImage } = useAppStore();
  const image = useAppStore(selectSelectedImage);

  useEffect(() => {
    modelWorker()
      .initRuntime({ provider: 'auto' })
      .then((r) => set({ runtime: r }))
      .catch((e: unknown) => set({ error: `could not start the model runtime: ${describeError(e)}` }));
  }, [set]);

  async function onModelFolder(e: ChangeEvent<HTMLInputElement>) {
    const list = Array.from(e.target.files ?? []);
    if (list.length === 0) return;
    const files: ModelFileInput[] = list.map((f) => ({ name: f.name, blob: f }));
    set({ busy: `loading model (${list.length} files)`, error: undefined });
    try {
      set({ model: await modelWorker().loadModel(files), busy: undefined });
    } catch (err) {
      set({ busy: undefined, error: `could not load the model: ${describeError(err)}` });
    }
  }

  async function onImage(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file || !model) return;
    const id = `${file.name}:${file.size}:${file.lastModified}`;
    set({ busy: `decomposing ${file.name}`, error: undefined });
    try {
      const api = modelWorker();
      const summary = await api.decomposeImage(id, new Uint8Array(await file.arrayBuffer()));
      const heads = await api.getTensor(id, 'heads');
      const [L, H, D] = heads.dims;
      const norms = new Float32Array(L * H);
      for (let k = 0; k < L * H; k++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += heads.data[k * D + d] ** 2;
        norms[k] = Math.sqrt(s);
      }
      upsertImage({ id, name: file.name, summary, grid: { layers: L, heads: H, norms } });
      set({ busy: undefined });
    } catch (err) {
      upsertImage({ id, name: file.name, error: describeError(err) });
      set({ busy: undefined, error: `could not decompose ${file.name}: ${describeError(err)}` });
    }
  }

  return (
    <main>
      <h1>clipscope</h1>
      <p className="runtime" data-testid="runtime">
        {runtime
          ? `runtime: ${runtime.provider}${runtime.provider === 'wasm' ? ` (${runtime.threads} threads)` : ''}${runtime.fallbackReason ? ` — WebGPU not used: ${runtime.fallbackReason}` : ''}`
          : 'starting the runtime…'}
      </p>
      {error && (
        <p role="alert" className="error" data-testid="error">
          {error}
        </p>
      )}
      {busy && <p aria-live="polite">{busy}…</p>}
      <section>
        <label>
          Model folder (safetensors + config):{' '}
          <input type="file" multiple onChange={onModelFolder} {...{ webkitdirectory: '' }} />
        </label>
        {model && (
          <p data-testid="model">
            {model.layout} model, {model.vision.layers} layers × {model.vision.heads} heads, width {model.vision.width}, D {model.vision.embedDim} —
            fingerprint {model.fingerprint.slice(0, 12)}
          </p>
        )}
      </section>
      <section>
        <label>
          Image: <input type="file" accept="image/*" disabled={!model} onChange={onImage} />
        </label>
      </section>
      {image?.grid && (
        <section>
          <h2>Direct contribution per head — {image.name}</h2>
          <HeadGrid grid={image.grid} selected={selectedHead} onSelect={(c) => set({ selectedHead: c })} />
        </section>
      )}
    </main>
  );
}
