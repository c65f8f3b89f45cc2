/**
 * Building a ClipTokenizer from the files a checkpoint folder or upload provides
 * (`ClipCheckpoint.tokenizerFiles`): Hugging Face `vocab.json` + `merges.txt`, or else OpenAI's
 * original `*.txt.gz` BPE file.
 */
import type { ByteSource } from '../checkpoint/types.ts';
import { ClipTokenizer } from './clipTokenizer.ts';
import { TokenizerError } from './errors.ts';

async function readAll(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
}

/** Find the tokenizer files by base name; Hugging Face files win over an original `.txt.gz`. */
export async function clipTokenizerFromFiles(files: ReadonlyMap<string, ByteSource>): Promise<ClipTokenizer> {
  const byBase = new Map([...files].map(([name, source]) => [baseName(name), source] as const));
  const vocab = byBase.get('vocab.json');
  const merges = byBase.get('merges.txt');
  if (vocab && merges) {
    const text = new TextDecoder();
    return ClipTokenizer.fromHuggingFaceFiles(text.decode(await readAll(vocab)), text.decode(await readAll(merges)));
  }
  const original = [...byBase].find(([name]) => name.endsWith('.txt.gz'));
  if (original) return ClipTokenizer.fromOriginalBpeGzip(await readAll(original[1]));
  throw new TokenizerError(
    'bad-argument',
    `no tokenizer files among [${[...files.keys()].join(', ')}]: need vocab.json + merges.txt or a BPE .txt.gz`,
  );
}
