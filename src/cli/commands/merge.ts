import { mergeShardCaches } from '../../cache/merge.node.ts';
import { parseCommandLine, required } from '../args.ts';
import type { Command } from '../command.ts';
import { asCliError, usageError } from '../errors.ts';

export const mergeCommand: Command = {
  summary: 'merge the shard caches of a split analyze run (--shard) into one cache, equal to an unsplit run',
  usage: '--out CACHE SHARD_CACHE...',
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, { out: { type: 'string' } });
    const out = required(values.out, 'out');
    if (positionals.length === 0) throw usageError('give the shard cache folders to merge after --out CACHE');
    try {
      const s = mergeShardCaches(positionals, out);
      process.stderr.write(`merge: ${s.shards} shards, ${s.images} images (${s.rows} cached, ${s.skipped} skipped) -> ${out}\n`);
    } catch (err) {
      throw asCliError(err);
    }
  },
};
