/**
 * Every problem with an analysis cache or a text-embedding cache is a CacheError with a code the
 * CLI and the UI can act on, and a message that names the file and what was expected.
 */
export type CacheErrorCode =
  /** the folder holds files but no cache meta.json, or meta.json is not ours */
  | 'not-a-cache'
  /** meta.json names a format version this code does not read */
  | 'version'
  /** the cache was made by another model (fingerprint differs) */
  | 'model-mismatch'
  /** the cache stores another dtype than the one asked for */
  | 'dtype-mismatch'
  /** the cache belongs to another shard of a split run, or to none (analyze --shard, merge) */
  | 'shard-mismatch'
  /** shard caches to merge leave images out or hold some twice */
  | 'shards-incomplete'
  /** another live process is writing the cache */
  | 'locked'
  /** the files contradict each other in a way truncation cannot repair */
  | 'damaged';

export class CacheError extends Error {
  override name = 'CacheError';
  constructor(
    readonly code: CacheErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}
