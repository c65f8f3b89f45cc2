/** The prompt: drives the heatmaps, the 'prompt' head colouring, token maps and layer effects. */
import { useEffect, useState } from 'react';
import { refreshHeatmaps } from '../actions/views.ts';
import { useDebouncedCommit } from '../lib/useDebounced.ts';
import { useAppStore } from '../store.ts';

export function PromptBar() {
  const prompt = useAppStore((s) => s.view.prompt);
  const patchView = useAppStore((s) => s.patchView);
  const hasText = useAppStore((s) => Boolean(s.model?.summary.text));
  const hasModel = useAppStore((s) => Boolean(s.model));
  const [draft, setDraft] = useState(prompt);
  // follow outside changes (URL, examples)
  useEffect(() => setDraft(prompt), [prompt]);
  // the heatmaps are asked for as the prompt is committed, before React renders the new view (the
  // render then overlaps the worker's work); the effect that follows finds the request made
  const commit = (v: string) => {
    patchView({ prompt: v });
    void refreshHeatmaps();
  };
  useDebouncedCommit(draft, (v) => {
    if (v.trim() !== useAppStore.getState().view.prompt) commit(v.trim());
  });
  return (
    <div className="prompt-bar">
      <label htmlFor="prompt" className="prompt-label">
        Prompt
      </label>
      <input
        id="prompt"
        type="search"
        placeholder={hasText ? 'e.g. a photo of a cat' : hasModel ? 'this model has no text tower' : 'load a model to type prompts'}
        value={draft}
        disabled={!hasText}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && draft.trim() !== useAppStore.getState().view.prompt) commit(draft.trim());
        }}
        data-testid="prompt-input"
        autoComplete="off"
        spellCheck={false}
      />
    </div>
  );
}
