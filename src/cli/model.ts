/**
 * Opening `--model` for a CLI command, with the checks every command needs: a folder on disk, or
 * (when no such folder exists) a hub id `owner/name[@revision]` read from the huggingface_hub
 * cache and downloaded into it when missing.
 */
import { existsSync, statSync } from 'node:fs';
import type { ClipCheckpoint } from '../model/checkpoint/types.ts';
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { nodeModelDir } from '../model/checkpoint/nodeSources.node.ts';
import { clipTokenizerFromFiles } from '../model/tokenizer/tokenizerFiles.ts';
import type { ClipTokenizer } from '../model/tokenizer/clipTokenizer.ts';
import { hfSettingsFromEnv } from '../hub/hfSettings.node.ts';
import { HubError } from '../hub/hubError.ts';
import { parseHubModelId } from '../hub/hubModelId.ts';
import { CliError } from './errors.ts';
import { hubModelFiles } from './hubModelFiles.ts';

/** `model` is a folder if one exists at that path (so a local `a/b` is never taken for a hub id) */
export async function openModel(model: string): Promise<ClipCheckpoint> {
  if (existsSync(model)) {
    if (!statSync(model).isDirectory()) throw new CliError(`--model must be a folder holding the checkpoint files, got a file: ${model}`);
    return loadCheckpoint(nodeModelDir(model));
  }
  const id = parseHubModelId(model);
  if (!id) throw new CliError(`model folder not found: ${model} (nor is it a hub id owner/name[@revision])`);
  try {
    return await loadCheckpoint(await hubModelFiles(id, hfSettingsFromEnv()));
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    // a mistyped relative folder path also reads as a hub id: say both were tried
    const noFolder = err.code === 'not-found-or-private' || err.code === 'not-cached' ? ` (and there is no folder ${model})` : '';
    throw new CliError(`${err.message}${noFolder}`);
  }
}

export async function openTokenizer(ckpt: ClipCheckpoint, dir: string): Promise<ClipTokenizer> {
  if (!ckpt.tokenizerFiles || ckpt.tokenizerFiles.size === 0) {
    throw new CliError(`${dir} has no tokenizer files (vocab.json + merges.txt)`);
  }
  return clipTokenizerFromFiles(ckpt.tokenizerFiles);
}
