import { mergeShardCaches } from '../../cache/merge.node.ts';
import { defineCommand } from '../command.ts';
import { asCliError } from '../errors.ts';

export const mergeCommand = defineCommand({
  summary: 'merge the shard caches of a split analyze run (--shard) into one cache, equal to an unsplit run',
  description: [
    'Writes one cache byte-identical to an unsplit analyze over the same images. Refuses shards of',
    'different models or settings, of different splits or image lists, and missing, repeated,',
    'unfinished or overlapping shards, naming them.',
  ].join('\n'),
  options: {
    out: { type: 'string', value: 'CACHE', description: 'the merged cache folder', required: true },
  },
  operands: { name: 'SHARD_CACHE', description: 'the shard caches written by clipscope analyze --shard i/n', repeated: true },
  examples: ['clipscope merge --out ./cache ./shards/0 ./shards/1 ./shards/2'],
  async run(args, shards) {
    try {
      const s = mergeShardCaches(shards, args.out);
      process.stderr.write(`merge: ${s.shards} shards, ${s.images} images (${s.rows} cached, ${s.skipped} skipped) -> ${args.out}\n`);
    } catch (err) {
      throw asCliError(err);
    }
  },
});
