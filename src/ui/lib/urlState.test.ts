import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, decodeViewState, encodeViewState, modelRefOfStoredId, parseModelRef, type ViewState } from './urlState.ts';

describe('URL view state', () => {
  it('encodeViewState(DEFAULT_VIEW) is empty: the plain URL is the default view', () => {
    expect(encodeViewState(DEFAULT_VIEW)).toBe('');
    expect(decodeViewState('')).toEqual(DEFAULT_VIEW);
  });

  it('decodeViewState(encodeViewState(s)) returns s for a full view', () => {
    const s: ViewState = {
      model: 'openai/clip-vit-base-patch32@3d74acf9a28c67741b2f4f2ea7635f0aaf6f0268',
      images: ['astronaut.png', 'rocket.jpg'],
      view: 'prompt',
      mode: 'prompt',
      head: { layer: 11, head: 7 },
      prompt: 'a photo of a dog & a cat, 100% "real"',
      contrast: ['a dog', 'a cat'],
      ablate: 'L9-11.H*,L4.H3,mlp',
      heads: 'L10-11.H*',
      neuronLayer: 9,
      neuron: 123,
    };
    const url = encodeViewState(s);
    expect(url.startsWith('?')).toBe(true);
    expect(decodeViewState(url)).toEqual(s);
    // and it survives being part of a full URL
    expect(decodeViewState(new URL(`https://x.test/app/${url}`).search)).toEqual(s);
  });

  it('encodeViewState writes the head and ablation in the ablation syntax', () => {
    const q = new URLSearchParams(encodeViewState({ ...DEFAULT_VIEW, head: { layer: 3, head: 2 }, ablate: 'L4.H3' }));
    expect(q.get('head')).toBe('L3.H2');
    expect(q.get('ablate')).toBe('L4.H3');
  });

  it('encodeViewState writes the neuron as L{l}.N{n}, and the layer alone as nlayer when no neuron is picked', () => {
    const withNeuron = new URLSearchParams(encodeViewState({ ...DEFAULT_VIEW, view: 'neurons', neuronLayer: 9, neuron: 123 }));
    expect(withNeuron.get('neuron')).toBe('L9.N123');
    expect(withNeuron.get('nlayer')).toBeNull();
    expect(withNeuron.get('view')).toBe('neurons');
    const layerOnly = encodeViewState({ ...DEFAULT_VIEW, neuronLayer: 4 });
    expect(layerOnly).toBe('?nlayer=4');
    expect(decodeViewState(layerOnly)).toEqual({ ...DEFAULT_VIEW, neuronLayer: 4 });
    expect(decodeViewState('?neuron=L2.H3&nlayer=x')).toEqual(DEFAULT_VIEW);
  });

  it('decodeViewState drops malformed fields instead of throwing', () => {
    const s = decodeViewState('?view=nope&mode=bogus&head=L3H2&model=%3Cscript%3E&contrast=||a||');
    expect(s.view).toBe('heads');
    expect(s.mode).toBe('norm');
    expect(s.head).toBeNull();
    expect(s.model).toBe('');
    expect(s.contrast).toEqual(['a']);
  });

  it('decodeViewState keeps only gallery file names in images, each once', () => {
    expect(decodeViewState('?images=coffee.png|../x.png|a/b.png|coffee.png|notes.txt|rocket.jpg').images).toEqual(['coffee.png', 'rocket.jpg']);
  });

  it('parseModelRef: demo, owner/name@commit (40 hex) or nothing', () => {
    const commit = '3d74acf9a28c67741b2f4f2ea7635f0aaf6f0268';
    expect(parseModelRef('demo')).toEqual({ kind: 'demo' });
    expect(parseModelRef(`openai/clip-vit-base-patch32@${commit}`)).toEqual({ kind: 'hub', repo: 'openai/clip-vit-base-patch32', commit });
    // a branch is not a link's model: it may point at other weights tomorrow
    expect(parseModelRef('openai/clip-vit-base-patch32@main')).toBeNull();
    expect(parseModelRef(`openai--clip@${commit}`)).toBeNull();
    expect(parseModelRef(`a/b--c@${commit}`)).toBeNull();
    expect(parseModelRef('')).toBeNull();
    // a stored model's id (hub/storage.ts modelIdFor) names it in a link, and back
    expect(parseModelRef(modelRefOfStoredId(`laion--CLIP-ViT-B-16-laion2B-s34B-b88k@${commit}`))).toEqual({ kind: 'hub', repo: 'laion/CLIP-ViT-B-16-laion2B-s34B-b88k', commit });
  });
});
