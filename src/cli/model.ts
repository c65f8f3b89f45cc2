/** Opening a model folder for a CLI command, with the checks every command needs. */
import { existsSync, statSync } from 'node:fs';
import type { ClipCheckpoint } from '../model/checkpoint/types.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import { clipTokenizerFromFiles } from '../model/tokenizer/tokenizerFiles.ts';
import type { ClipTokenizer } from '../model/tokenizer/clipTokenizer.ts';
import { CliError } from './errors.ts';

export async function openModel(dir: string): Promise<ClipCheckpoint> {
  if (!existsSync(dir)) throw new CliError(`model folder not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new CliError(`--model must be a folder holding the checkpoint files, got a file: ${dir}`);
  return loadCheckpoint(nodeModelDir(dir));
}

export async function openTokenizer(ckpt: ClipCheckpoint, dir: string): Promise<ClipTokenizer> {
  if (!ckpt.tokenizerFiles || ckpt.tokenizerFiles.size === 0) {
    throw new CliError(`${dir} has no tokenizer files (vocab.json + merges.txt)`);
  }
  return clipTokenizerFromFiles(ckpt.tokenizerFiles);
}
