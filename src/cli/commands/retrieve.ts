import { existsSync } from 'node:fs';
import { cachedHeadTerm, retrieveFromCache } from '../../cache/retrieve.ts';
import type { AnalysisCache, HeadId } from '../../cache/reader.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { NodeTextCache } from '../../model/textCache.node.ts';
import { embedTexts } from '../../model/textCache.ts';
import { defaultTextCacheDir, openCacheForCli, openModelForCache } from '../cacheAccess.ts';
import { CliError, usageError } from '../errors.ts';
import { CACHE_OPTION, defineCommand, MODEL_OPTION, parsePositiveInt, TEXT_CACHE_OPTION } from '../command.ts';
import { openTokenizer } from '../model.ts';

function parseIndexArg(v: string, flag: string, count: number): number {
  if (!/^\d+$/.test(v.trim())) throw usageError(`--${flag} must be a non-negative integer, got '${v}'`);
  const n = Number(v);
  if (n >= count) throw usageError(`--${flag} ${n} does not exist (0..${count - 1})`);
  return n;
}

/** the query vector: a cached image's head term, a new image's (needs the model), or a text's embedding */
async function queryVector(
  args: { image?: string; text?: string; model?: string; textCache?: string },
  cache: AnalysisCache,
  cacheDir: string,
  head: HeadId,
): Promise<ArrayLike<number>> {
  if (args.image !== undefined) {
    const row = cache.rowOf(args.image);
    if (row >= 0) return cachedHeadTerm(cache, row, head);
    if (!existsSync(args.image)) throw new CliError(`image not found (neither a cached path nor a file): ${args.image}`);
    if (args.model === undefined) throw usageError(`${args.image} is not in the cache: give --model DIR|OWNER/NAME[@REV] to decompose it`);
  } else if (args.model === undefined) {
    throw usageError('--text needs --model DIR|OWNER/NAME[@REV] to embed the text');
  }
  const ckpt = await openModelForCache(args.model, cache, cacheDir);
  if (args.text !== undefined) {
    if (!ckpt.text) throw new CliError(`${args.model} holds no text tower`);
    await openTokenizer(ckpt, args.model);
  }
  const engine = await createNodeEngine(ckpt);
  try {
    if (args.text !== undefined) {
      const store = new NodeTextCache(args.textCache ?? defaultTextCacheDir(cacheDir));
      return (await embedTexts(engine, [args.text], store)).data;
    }
    let pixels;
    try {
      pixels = preprocessPixels(await decodeImageFile(args.image!), ckpt.preprocess);
    } catch (err) {
      throw new CliError(`cannot read ${args.image}: ${(err as Error).message}`);
    }
    const heads = (await engine.decompose(pixels)).heads;
    const { heads: H, embedDim: D } = cache.meta.architecture;
    const from = (head.layer * H + head.head) * D;
    return heads.data.slice(from, from + D);
  } finally {
    await engine.release();
  }
}

export const retrieveCommand = defineCommand({
  summary: 'top-k cached images through one head, for an image or a text query (JSON lines)',
  description: [
    'Ranks the cached images by the dot product of their head term with the query (METHOD 6.1) and',
    'prints one JSON object per line: {rank, path, score, row}. A query image outside the cache and a',
    'text query need --model.',
  ].join('\n'),
  options: {
    cache: CACHE_OPTION,
    layer: { type: 'string', value: 'L', description: 'layer of the head (0-based)', required: true },
    head: { type: 'string', value: 'H', description: 'head within the layer (0-based)', required: true },
    image: { type: 'string', value: 'FILE', description: 'query image: a cached path, or a file to decompose', default: 'none (give --image or --text)' },
    text: { type: 'string', value: '"..."', description: 'query text', default: 'none (give --image or --text)' },
    k: { type: 'string', value: 'N', description: 'images to return', default: '15' },
    model: { ...MODEL_OPTION, required: false, description: 'the model (folder or hub id) that filled the cache, for a new image or a text', default: 'none (cached images only)' },
    'text-cache': { ...TEXT_CACHE_OPTION, default: 'CACHE/text-embeddings' },
  },
  examples: ['clipscope retrieve --cache ./cache --layer 11 --head 4 --image ./photos/a.jpg --k 15'],
  async run(args) {
    const cacheDir = args.cache;
    if ((args.image === undefined) === (args.text === undefined)) throw usageError('give exactly one of --image FILE or --text "..."');
    const k = parsePositiveInt(args.k, 'k', 15);
    const cache = await openCacheForCli(cacheDir);
    const { layers: L, heads: H } = cache.meta.architecture;
    const head = { layer: parseIndexArg(args.layer, 'layer', L), head: parseIndexArg(args.head, 'head', H) };
    if (cache.count === 0) throw new CliError(`cache ${cacheDir} holds no images`);
    const query = await queryVector({ image: args.image, text: args.text, model: args.model, textCache: args['text-cache'] }, cache, cacheDir, head);
    const results = await retrieveFromCache(cache, head, query, k);
    process.stdout.write(results.map((r) => `${JSON.stringify(r)}\n`).join(''));
  },
});
