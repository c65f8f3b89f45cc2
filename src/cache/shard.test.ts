import { describe, expect, it } from 'vitest';
import { imageListSha256, parseShardSpec, shardFromEnv, shardItems, shardSize } from './shard.ts';

describe('parseShardSpec', () => {
  it("parseShardSpec('2/5') is shard 2 of 5; malformed or out-of-range specs are refused with the reason", () => {
    expect(parseShardSpec('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShardSpec(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    expect(() => parseShardSpec('5/5')).toThrow(/shard index 5 is outside 0\.\.4/);
    expect(() => parseShardSpec('0/0')).toThrow(/count must be at least 1/);
    expect(() => parseShardSpec('1')).toThrow(/must be i\/n/);
    expect(() => parseShardSpec('-1/4')).toThrow(/must be i\/n/);
  });
});

describe('shardFromEnv (--shard auto)', () => {
  it('a Kubernetes Indexed Job: JOB_COMPLETION_INDEX with the count from --shard-count or CLIPSCOPE_SHARD_COUNT', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '3', CLIPSCOPE_SHARD_COUNT: '8' })).toEqual({ index: 3, count: 8, source: 'kubernetes' });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '3' }, 4)).toEqual({ index: 3, count: 4, source: 'kubernetes' });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '3' })).toThrow(/needs the shard count: pass --shard-count N or set CLIPSCOPE_SHARD_COUNT/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '8', CLIPSCOPE_SHARD_COUNT: '8' })).toThrow(/shard index 8 is outside 0\.\.7/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: 'x', CLIPSCOPE_SHARD_COUNT: '8' })).toThrow(/JOB_COMPLETION_INDEX must be a non-negative integer, got 'x'/);
  });

  it('a Slurm job array: the task\'s place in the array, (ID − MIN) / STEP, of SLURM_ARRAY_TASK_COUNT', () => {
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 2, count: 4, source: 'slurm' });
    // --array=1-4
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '1' })).toMatchObject({ index: 3, count: 4 });
    // --array=0-30:10 (ids 0, 10, 20, 30)
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '20', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '10' })).toMatchObject({ index: 2, count: 4 });
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '2' })).toThrow(/SLURM_ARRAY_TASK_COUNT is missing .* job array/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/shard index 4 is outside 0\.\.3/);
  });

  it('neither or both schedulers: refused, asking for --shard i/n', () => {
    expect(() => shardFromEnv({})).toThrow(/found neither JOB_COMPLETION_INDEX .* nor SLURM_ARRAY_TASK_ID .*; give --shard i\/n/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '0', CLIPSCOPE_SHARD_COUNT: '2', SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' })).toThrow(/both/);
  });
});

describe('shardItems / shardSize', () => {
  it('the shards of a list are its positions ≡ i (mod n): disjoint, covering, of sizes shardSize(total, i, n)', () => {
    const list = Array.from({ length: 11 }, (_, i) => `img${i}`);
    for (const n of [1, 2, 3, 4, 11, 15]) {
      const parts = Array.from({ length: n }, (_, i) => shardItems(list, { index: i, count: n }));
      expect(parts.flat().sort()).toEqual([...list].sort());
      parts.forEach((p, i) => expect(p.length).toBe(shardSize(list.length, i, n)));
    }
    expect(shardItems(list, { index: 1, count: 4 })).toEqual(['img1', 'img5', 'img9']);
  });

  it('imageListSha256 is the sha256 of the paths joined by newlines', () => {
    // sha256("a\nb") computed independently (coreutils: printf 'a\nb' | sha256sum)
    expect(imageListSha256(['a', 'b'])).toBe('7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78');
  });
});
