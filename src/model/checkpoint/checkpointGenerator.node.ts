/** Write generated test checkpoints to disk (Node only). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCheckpoint, type CheckpointSpec, type GenerateOptions } from './checkpointGenerator.ts';

/** write a Map<fileName, bytes> into `dir` (created if needed); returns the paths written */
export function writeCheckpointDir(dir: string, files: ReadonlyMap<string, Uint8Array>): string[] {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, bytes] of files) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    paths.push(path);
  }
  return paths;
}

/** generate a checkpoint and write it into `dir` */
export function generateCheckpointDir(dir: string, spec: CheckpointSpec, options: GenerateOptions): string[] {
  return writeCheckpointDir(dir, generateCheckpoint(spec, options));
}
