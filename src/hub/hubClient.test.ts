import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../model/checkpoint/errors.ts';
import { chooseRepoFiles, parseTreeListing, resolveUrl, revisionUrl, treeUrl, type HubFile } from './hubClient.ts';

const SHA = 'a'.repeat(64);
const f = (path: string, size = 10): HubFile => ({ path, size });

describe('hub URL layout', () => {
  it('resolve / tree / revision URLs, with a configurable endpoint', () => {
    expect(resolveUrl('https://huggingface.co', 'openai/clip-vit-base-patch32', 'main', 'model.safetensors')).toBe(
      'https://huggingface.co/openai/clip-vit-base-patch32/resolve/main/model.safetensors',
    );
    expect(treeUrl('http://127.0.0.1:9/', 'laion/CLIP-ViT-B-16-laion2B-s34B-b88K', 'refs/pr/1')).toBe(
      'http://127.0.0.1:9/api/models/laion/CLIP-ViT-B-16-laion2B-s34B-b88K/tree/refs%2Fpr%2F1',
    );
    expect(revisionUrl('http://h', 'a/b', 'v1.0')).toBe('http://h/api/models/a/b/revision/v1.0');
    expect(() => resolveUrl('http://h', '../etc', 'main', 'x')).toThrow(/not a hub repo id/);
  });

  it('parseTreeListing reads LFS sha256s and git blob ids, skipping folders', () => {
    const files = parseTreeListing(
      [
        { type: 'directory', path: 'sub', size: 0, oid: 'b'.repeat(40) },
        { type: 'file', path: 'config.json', size: 12, oid: 'c'.repeat(40) },
        { type: 'file', path: 'model.safetensors', size: 99, oid: 'd'.repeat(40), lfs: { oid: SHA, size: 99, pointerSize: 134 } },
      ],
      'repo',
    );
    expect(files).toEqual([
      { path: 'config.json', size: 12, gitOid: 'c'.repeat(40) },
      { path: 'model.safetensors', size: 99, sha256: SHA },
    ]);
    expect(() => parseTreeListing({}, 'repo')).toThrow(/not a JSON array/);
    expect(() => parseTreeListing([{ type: 'file', path: 'x', size: 1, lfs: { oid: 'short' } }], 'repo')).toThrow(/lfs.oid is not a sha256/);
  });
});

describe('chooseRepoFiles', () => {
  it('prefers the OpenCLIP layout where a repo has both, and takes tokenizer files', async () => {
    const c = await chooseRepoFiles(
      [f('config.json'), f('model.safetensors'), f('open_clip_config.json'), f('open_clip_model.safetensors'), f('vocab.json'), f('merges.txt'), f('pytorch_model.bin')],
      'r',
    );
    expect(c.layout).toBe('openclip');
    expect(c.weights).toEqual({ kind: 'single', file: f('open_clip_model.safetensors') });
    expect(c.smallFiles.map((x) => x.path)).toEqual(['open_clip_config.json', 'vocab.json', 'merges.txt']);
  });

  it('HF layout: config.json + preprocessor_config.json + shard index with its shards', async () => {
    const c = await chooseRepoFiles(
      [f('config.json'), f('preprocessor_config.json'), f('model.safetensors.index.json'), f('model-00001-of-00002.safetensors'), f('model-00002-of-00002.safetensors')],
      'r',
    );
    expect(c.layout).toBe('hf');
    expect(c.smallFiles.map((x) => x.path)).toEqual(['config.json', 'preprocessor_config.json', 'model.safetensors.index.json']);
    expect(c.weights.kind === 'sharded' && [...c.weights.shards.keys()].sort()).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  });

  it('a pickle-only repo is refused with the loader\'s message', async () => {
    const err = await chooseRepoFiles([f('config.json'), f('pytorch_model.bin')], 'r').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err).toMatchObject({ code: 'pickle', message: 'pytorch_model.bin is a pickle checkpoint: use the safetensors file' });
    await expect(chooseRepoFiles([f('README.md')], 'r')).rejects.toThrow(/no CLIP checkpoint found/);
  });
});
