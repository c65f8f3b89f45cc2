/**
 * Splitting `clipscope analyze` over many processes or machines (shards), with an existing
 * scheduler's array jobs: shard i of n takes the images whose position in the path-sorted list is
 * ≡ i (mod n). Position-based, so every shard must see the same list; a shard cache records the
 * list's length and digest so that a resume over a changed folder, and a merge of shards split
 * from different lists, are refused instead of silently mixing images. Pure (no Node APIs).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** shard `index` (0-based) of `count` */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** what a shard cache's meta.json records about its shard (docs/FORMATS.md) */
export interface CacheShard extends ShardSpec {
  /** length of the sorted image list the shard was cut from (after --limit) */
  readonly images: number;
  /** sha256 of that list: the paths joined by '\n' */
  readonly listSha256: string;
}

/** A shard that cannot be resolved: the message is the user's to act on. */
export class ShardSpecError extends Error {
  override name = 'ShardSpecError';
}

function nonNegativeInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function checked(index: number, count: number, what: string): ShardSpec {
  if (count < 1) throw new ShardSpecError(`${what}: the shard count must be at least 1, got ${count}`);
  if (index >= count) throw new ShardSpecError(`${what}: shard index ${index} is outside 0..${count - 1}`);
  return { index, count };
}

/** 'i/n' with 0 ≤ i < n */
export function parseShardSpec(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ShardSpecError(`--shard must be i/n (0-based shard i of n) or auto, got '${text}'`);
  return checked(Number(m[1]), Number(m[2]), `--shard ${text}`);
}

/** environment variables read by `--shard auto`, and the one clipscope adds for Kubernetes */
export const SHARD_ENV = {
  kubernetesIndex: 'JOB_COMPLETION_INDEX',
  slurmId: 'SLURM_ARRAY_TASK_ID',
  slurmCount: 'SLURM_ARRAY_TASK_COUNT',
  slurmMin: 'SLURM_ARRAY_TASK_MIN',
  slurmStep: 'SLURM_ARRAY_TASK_STEP',
  count: 'CLIPSCOPE_SHARD_COUNT',
} as const;

export type ShardSource = 'kubernetes' | 'slurm';

/**
 * `--shard auto`: the shard from the scheduler's environment.
 * - Kubernetes Indexed Job: the index is `JOB_COMPLETION_INDEX` (set by the Job controller). The
 *   Job's `completions` is not exposed to the pod, so the count comes from `countOverride`
 *   (`--shard-count`) or `CLIPSCOPE_SHARD_COUNT`, which the manifest sets to `completions`.
 * - Slurm job array: `SLURM_ARRAY_TASK_COUNT` tasks; the index is the task's place in the array,
 *   (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`) / `SLURM_ARRAY_TASK_STEP`, which is the task id
 *   itself for `--array=0-(n-1)`.
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>>, countOverride?: number): ShardSpec & { source: ShardSource } {
  const k8s = env[SHARD_ENV.kubernetesIndex];
  const slurm = env[SHARD_ENV.slurmId];
  if (k8s !== undefined && slurm !== undefined) {
    throw new ShardSpecError(`--shard auto: both ${SHARD_ENV.kubernetesIndex} and ${SHARD_ENV.slurmId} are set; give --shard i/n explicitly`);
  }
  if (k8s !== undefined) {
    const index = nonNegativeInt(k8s);
    if (index === undefined) throw new ShardSpecError(`--shard auto: ${SHARD_ENV.kubernetesIndex} must be a non-negative integer, got '${k8s}'`);
    const countText = env[SHARD_ENV.count];
    const count = countOverride ?? nonNegativeInt(countText);
    if (count === undefined) {
      throw new ShardSpecError(
        countText === undefined
          ? `--shard auto in a Kubernetes Indexed Job needs the shard count: pass --shard-count N or set ${SHARD_ENV.count} to the Job's completions (Kubernetes does not expose completions to the pod)`
          : `--shard auto: ${SHARD_ENV.count} must be a positive integer, got '${countText}'`,
      );
    }
    return { ...checked(index, count, `--shard auto (${SHARD_ENV.kubernetesIndex}=${index})`), source: 'kubernetes' };
  }
  if (slurm !== undefined) {
    const id = nonNegativeInt(slurm);
    const countText = env[SHARD_ENV.slurmCount];
    const count = countOverride ?? nonNegativeInt(countText);
    if (id === undefined) throw new ShardSpecError(`--shard auto: ${SHARD_ENV.slurmId} must be a non-negative integer, got '${slurm}'`);
    if (count === undefined) throw new ShardSpecError(`--shard auto: ${SHARD_ENV.slurmCount} is missing or not an integer ('${countText ?? ''}'); is this a job array (sbatch --array)?`);
    const min = nonNegativeInt(env[SHARD_ENV.slurmMin]) ?? 0;
    const step = nonNegativeInt(env[SHARD_ENV.slurmStep]) ?? 1;
    const offset = id - min;
    if (step < 1 || offset < 0 || offset % step !== 0) {
      throw new ShardSpecError(`--shard auto: ${SHARD_ENV.slurmId}=${id} is not on the array ${min}..:${step}`);
    }
    return { ...checked(offset / step, count, `--shard auto (${SHARD_ENV.slurmId}=${id})`), source: 'slurm' };
  }
  throw new ShardSpecError(
    `--shard auto found neither ${SHARD_ENV.kubernetesIndex} (Kubernetes Indexed Job) nor ${SHARD_ENV.slurmId} (Slurm job array); give --shard i/n`,
  );
}

/** the items at positions ≡ index (mod count) */
export function shardItems<T>(items: readonly T[], shard: ShardSpec): T[] {
  return items.filter((_, position) => position % shard.count === shard.index);
}

/** number of the first `total` positions that fall to shard `index` of `count` */
export function shardSize(total: number, index: number, count: number): number {
  return index < total ? Math.ceil((total - index) / count) : 0;
}

/** the digest a shard records of the list it was cut from */
export function imageListSha256(paths: readonly string[]): string {
  return bytesToHex(sha256(new TextEncoder().encode(paths.join('\n'))));
}

export function describeShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}
