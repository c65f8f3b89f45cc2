import { existsSync } from 'node:fs';
import { cachedHeadTerm, retrieveFromCache } from '../../cache/retrieve.ts';
import type { AnalysisCache, HeadId } from '../../cache/reader.ts';
import { createNodeEngine } from '../../model/engine.node.ts';
import { decodeImageFile } from '../../model/preprocess/decode.node.ts';
import { preprocessPixels } from '../../model/preprocess/transform.ts';
import { NodeTextCache } from '../../model/textCache.node.ts';
import { embedTexts } from '../../model/textCache.ts';
import { parseCommandArgs, parsePositiveInt, required } from '../args.ts';
import { defaultTextCacheDir, openCacheForCli, openModelForCache } from '../cacheAccess.ts';
import { CliError, usageError } from '../errors.ts';
import type { Command } from '../command.ts';
import { openTokenizer } from '../model.ts';

function parseIndexArg(value: string | undefined, flag: string, count: number): number {
  const v = required(value, flag);
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

export const retrieveCommand: Command = {
  summary: 'top-k cached images through one head, for an image or a text query (JSON lines)',
  usage: '--cache CACHE --layer L --head H (--image FILE | --text "...") [--k 15] [--model DIR] [--text-cache DIR]',
  async run(argv) {
    const args = parseCommandArgs(argv, {
      cache: { type: 'string' },
      layer: { type: 'string' },
      head: { type: 'string' },
      image: { type: 'string' },
      text: { type: 'string' },
      k: { type: 'string' },
      model: { type: 'string' },
      'text-cache': { type: 'string' },
    });
    const cacheDir = required(args.cache, 'cache');
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
};
