/**
 * Writes the demo checkpoint into public/demo/ (gitignored): a small CLIP with RANDOM weights and
 * a small BPE vocabulary, so the whole explorer works offline. Its numbers mean nothing; the UI
 * labels it so everywhere. Deterministic: the same files every run, skipped when already current.
 *
 * Usage: node --import tsx scripts/buildDemo.ts [--force]
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBpeVocab } from '../src/model/tokenizer/generateBpeVocab.ts';
import { writeCheckpointDir } from '../src/model/checkpoint/checkpointGenerator.node.ts';
import { generateCheckpoint, type CheckpointSpec } from '../src/model/checkpoint/checkpointGenerator.ts';

const OUT = fileURLToPath(new URL('../public/demo/', import.meta.url));
const PUBLIC_DATA = fileURLToPath(new URL('../public/data/', import.meta.url));

/** 6 layers x 8 heads, 96 px at patch 16 (a 6x6 patch grid): big enough to look like a ViT, fast on WASM */
export const DEMO_SPEC: CheckpointSpec = {
  name: 'demo-random-vit-6x8',
  vision: { width: 64, layers: 6, heads: 8, patchSize: 16, imageSize: 96 },
  text: { width: 64, layers: 2, heads: 4, contextLength: 32, vocabSize: 0 },
  embedDim: 32,
  act: 'gelu',
};
const SEED = 20240101;
const MERGES = 600;
/** bump when the recipe changes, so an old folder is rebuilt */
const RECIPE = 3;

/** words the demo vocabulary is learned from: the shipped labels and descriptions when present */
function tokenizerCorpus(): string[] {
  const corpus = [
    'a photo of a cat', 'a photo of a dog', 'an astronaut in a white suit', 'a rocket on the launch pad',
    'a cup of coffee', 'a horse in a field', 'a camera', 'the deep sky full of galaxies', 'a red apple',
    'blue sky', 'green grass', 'water', 'text', 'a face', 'a person', 'a car', 'a tree', 'a building',
  ];
  const labels = join(PUBLIC_DATA, 'labels.json');
  if (existsSync(labels)) {
    const set = JSON.parse(readFileSync(labels, 'utf8')) as { classes?: string[]; templates?: string[] };
    corpus.push(...(set.classes ?? []), ...(set.templates ?? []).map((t) => t.replace('{}', '')));
  }
  const pool = join(PUBLIC_DATA, 'descriptions.tsv');
  if (existsSync(pool)) {
    for (const line of readFileSync(pool, 'utf8').split('\n').slice(0, 4000)) {
      const text = line.split('\t').pop()?.trim();
      if (text) corpus.push(text);
    }
  }
  return corpus;
}

export interface DemoManifest {
  name: string;
  recipe: number;
  /** lines the vocabulary was learned from (a new labels/pool file rebuilds the demo) */
  corpusLines: number;
  /** shown next to the model everywhere */
  warning: string;
  files: { name: string; size: number }[];
}

function main(): void {
  const force = process.argv.includes('--force');
  const manifestPath = join(OUT, 'manifest.json');
  if (!force && existsSync(manifestPath)) {
    const old = JSON.parse(readFileSync(manifestPath, 'utf8')) as DemoManifest;
    if (old.recipe === RECIPE && old.corpusLines === tokenizerCorpus().length && old.files.every((f) => existsSync(join(OUT, f.name)))) {
      console.log(`demo checkpoint is current: ${OUT}`);
      return;
    }
  }
  const t0 = performance.now();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // generated, never committed
  writeFileSync(join(OUT, '.gitignore'), '*\n');
  const corpus = tokenizerCorpus();
  const tokenizer = generateBpeVocab(corpus, MERGES);
  const files = generateCheckpoint(DEMO_SPEC, { layout: 'hf', seed: SEED, tokenizer, logitScale: true });
  const paths = writeCheckpointDir(OUT, files);
  const manifest: DemoManifest = {
    name: DEMO_SPEC.name,
    recipe: RECIPE,
    corpusLines: corpus.length,
    warning: 'Demo model with random weights: every number it produces is meaningless. Load a real CLIP checkpoint for research.',
    files: paths.map((p) => ({ name: p.slice(OUT.length), size: statSync(p).size })),
  };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const kb = manifest.files.reduce((s, f) => s + f.size, 0) / 1024;
  console.log(`demo checkpoint written to ${OUT} (${manifest.files.length} files, ${kb.toFixed(0)} KiB, ${(performance.now() - t0).toFixed(0)} ms)`);
}

main();
