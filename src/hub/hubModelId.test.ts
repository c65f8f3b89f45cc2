import { describe, expect, it } from 'vitest';
import { parseHubModelId } from './hubModelId.ts';

describe('parseHubModelId', () => {
  it('owner/name defaults to main; @revision names a branch, tag, commit or refs/pr/N', () => {
    expect(parseHubModelId('openai/clip-vit-base-patch32')).toEqual({ repo: 'openai/clip-vit-base-patch32', revision: 'main' });
    expect(parseHubModelId('laion/CLIP-ViT-B-32.laion2B@v1.0')).toEqual({ repo: 'laion/CLIP-ViT-B-32.laion2B', revision: 'v1.0' });
    expect(parseHubModelId('a/b@refs/pr/1')).toEqual({ repo: 'a/b', revision: 'refs/pr/1' });
  });
  it('refuses what is not owner/name or could leave the cache folder', () => {
    for (const bad of ['gpt2', 'a/b/c', '/abs/path', './a/b', 'a/..', '../a', 'a--x/b', 'a/b@', 'a/b@../x', 'a/b@x//y', 'a b/c', 'a/b.']) {
      expect(parseHubModelId(bad), bad).toBeUndefined();
    }
  });
});
