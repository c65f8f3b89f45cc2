import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../model/preprocess/decode.ts';
import { initNodeImageDecoders } from '../model/preprocess/decode.node.ts';
import { hasShared, REPO_ROOT, sharedPath } from '../testkit/shared.ts';
import { photoPixelsSha256 } from './photoHash.ts';
import { parseReferenceSet, PUBLISHED_OPENAI_VIT_B32 } from './referenceSet.ts';

const minimal = {
  format: 'clipscope-reference',
  version: 1,
  name: 'n',
  model: 'm',
  photos: [{ name: 'a', pixelsSha256: 'f'.repeat(64) }],
  embeddings: [{ of: 'image', photo: 'a', values: [1, 2], source: 's', obtained: 'o', tolerance: 0.01, toleranceWhy: 'w' }],
};

describe('parseReferenceSet', () => {
  it('reads a minimal file: offset defaults to 0, file to the name', () => {
    const ref = parseReferenceSet(JSON.stringify(minimal));
    expect(ref.photos).toEqual([{ name: 'a', file: 'a', pixelsSha256: 'f'.repeat(64), inGallery: false }]);
    expect(ref.embeddings[0]).toMatchObject({ of: 'image', photo: 'a', offset: 0, values: [1, 2] });
    expect(ref.similarities).toBeUndefined();
  });

  it('refuses what is not a reference file, saying what is wrong', () => {
    const without = (patch: object) => () => parseReferenceSet({ ...minimal, ...patch });
    expect(() => parseReferenceSet('{oops')).toThrow(/is not JSON/);
    expect(without({ format: 'x' })).toThrow(/lacks "format": "clipscope-reference"/);
    expect(without({ version: 2 })).toThrow(/has version 2; this clipscope reads version 1/);
    expect(without({ photos: [{ name: 'a', pixelsSha256: 'abc' }] })).toThrow(/photos\[0\] needs "pixelsSha256": 64 hex digits or null/);
    expect(without({ embeddings: [{ ...minimal.embeddings[0], photo: 'zebra' }] })).toThrow(/names photo 'zebra', which "photos" does not list/);
    expect(without({ embeddings: [{ ...minimal.embeddings[0], tolerance: 0 }] })).toThrow(/needs a positive "tolerance"/);
    expect(without({ embeddings: [{ ...minimal.embeddings[0], values: [1, Number.NaN] }] })).toThrow(/embeddings\[0\].values needs some finite numbers/);
    expect(without({ embeddings: [] })).toThrow(/holds no values/);
    const sim = { source: 's', obtained: 'o', tolerance: 0.01, toleranceWhy: 'w', texts: ['t'], photos: ['a'] };
    expect(without({ similarities: { ...sim, values: [[0.1], [0.2]] } })).toThrow(/"similarities".values needs 1 rows/);
    expect(without({ similarities: { ...sim, values: [[0.1, 0.2]] } })).toThrow(/values\[0\] needs 1 finite numbers/);
  });
});

describe('PUBLISHED_OPENAI_VIT_B32 (shipped with the app and the CLI)', () => {
  const ref = PUBLISHED_OPENAI_VIT_B32;

  it('names its sources and argues every tolerance', () => {
    expect(ref.similarities!.source).toMatch(/openai\/CLIP@d05afc4.*Interacting_with_CLIP\.ipynb/);
    expect(ref.embeddings.map((e) => e.source)).toEqual([expect.stringMatching(/josephrocca\/openai-clip-js@6526232/), expect.stringMatching(/josephrocca\/openai-clip-js@6526232/)]);
    for (const p of [ref.similarities!, ...ref.embeddings]) expect(p.toleranceWhy.length).toBeGreaterThan(80);
    expect(ref.similarities!.tolerance).toBe(0.008);
    expect(ref.embeddings.map((e) => [e.of, e.values.length, e.tolerance])).toEqual([
      ['image', 15, 0.01],
      ['text', 15, 0.01],
    ]);
  });

  it.runIf(hasShared())('holds exactly the figures of ../shared reference_values.json (re-keyed, not altered)', () => {
    const shared = JSON.parse(readFileSync(sharedPath('data/reference', 'reference_values.json'), 'utf8'));
    const table = shared.openai_vitb32_skimage_cosine_similarity;
    expect(ref.similarities!.texts).toEqual(table.rows_texts);
    expect(ref.similarities!.photos).toEqual(table.cols_images_skimage);
    expect(ref.similarities!.values).toEqual(table.matrix_rows_text_cols_image);
    expect(`'${ref.similarities!.promptPrefix}' + description`).toBe(table.text_prompt);
    const partial = shared.partial_embeddings_vitb32_unnormalized;
    expect(ref.embeddings[0]).toMatchObject({ photo: 'astronaut', offset: 0, values: partial.astronaut_image_first15 });
    expect(ref.embeddings[1]).toMatchObject({ text: 'a portrait of an astronaut with the American flag', offset: 0, values: partial.text_a_portrait_of_an_astronaut_with_the_American_flag_first20.slice(0, 15) });
  });

  describe.runIf(hasShared())('photo identities', () => {
    beforeAll(() => initNodeImageDecoders());
    const hashOf = async (path: string) => photoPixelsSha256(await decodeImage(new Uint8Array(readFileSync(path)), path));

    it("each photo's pixelsSha256 is that of scikit-image's copy in ../shared; camera alone is unknown", async () => {
      for (const p of ref.photos) {
        if (p.name === 'camera') {
          expect(p.pixelsSha256).toBeNull();
          expect(p.unavailable).toMatch(/1978 cameraman/);
          continue;
        }
        expect(await hashOf(sharedPath('data/images/photos', p.file))).toBe(p.pixelsSha256);
      }
    });

    it('five gallery photos are reference photos; the gallery camera.png (scikit-image ≥ 0.18) is none of them', async () => {
      const gallery = (JSON.parse(readFileSync(join(REPO_ROOT, 'public/gallery/index.json'), 'utf8')) as { file: string }[]).map((g) => g.file);
      const known = new Map(ref.photos.map((p) => [p.pixelsSha256, p.name]));
      const found: string[] = [];
      for (const file of gallery) {
        const name = known.get(await hashOf(join(REPO_ROOT, 'public/gallery', file)));
        if (name) found.push(name);
      }
      expect(found.sort()).toEqual(['astronaut', 'chelsea', 'coffee', 'horse', 'rocket']);
      expect(ref.photos.filter((p) => p.inGallery).map((p) => p.name).sort()).toEqual(found);
    });
  });
});
