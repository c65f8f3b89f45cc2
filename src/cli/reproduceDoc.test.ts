/**
 * docs/REPRODUCE.md cannot rot: every `sh` block of it runs here, in order, through bash with
 * `clipscope` on PATH, on a generated checkpoint shaped like the doc's model (24 layers x 16
 * heads, so its layer and head numbers are checked) and a few files laid out like each dataset.
 * Only the setup block is replaced, by the same variables pointing at the test's data. Then the
 * files the doc's own shell steps write (label CSVs, the Waterbirds test-split folder) are
 * checked against the answers known from the planted data, and each command's output for shape.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binarizeMask, resizeMaskNearest } from '../analysis/maskAlign.ts';
import { decodeImageFile } from '../model/preprocess/decode.node.ts';
import { generateBpeVocab } from '../model/tokenizer/generateBpeVocab.ts';
import { generateCheckpointDir } from '../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_L14_SHAPED } from '../model/checkpoint/checkpointGenerator.ts';
import { writeImagenetSegMat } from '../testkit/imagenetSegMat.node.ts';
import { hasShared, REPO_ROOT, sharedPath } from '../testkit/shared.ts';
import { maskGrey } from './commands/segment.ts';

/** the variables the doc's setup block must define, and nothing else */
const SETUP_VARIABLES = ['MODEL', 'IMAGENET_VAL', 'IMAGENET_CLASSES', 'IMAGENET_SEG', 'WATERBIRDS', 'POOL', 'WORK'];

interface ShellBlock {
  readonly line: number;
  readonly text: string;
}

/** the fenced ```sh blocks of a markdown text, with the line each starts on */
function shellBlocks(markdown: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    while (i + 1 < lines.length && !/^```\s*$/.test(lines[i + 1])) i++;
    blocks.push({ line: start + 1, text: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return blocks;
}

const IMAGENET_SAMPLES = [
  'n01440764_tench.JPEG',
  'n01494475_hammerhead.JPEG',
  'n01514859_hen.JPEG',
  'n01532829_house_finch.JPEG',
  'n01560419_bulbul.JPEG',
  'n01601694_water_ouzel.JPEG',
];

/** Waterbirds metadata rows: file, y, split, place (split 2 = test) */
const WATERBIRDS_ROWS: [string, number, number, number][] = [
  ['001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg', 1, 2, 1],
  ['001.Black_footed_Albatross/Black_Footed_Albatross_0009_34.jpg', 1, 0, 1],
  ['002.Laysan_Albatross/Laysan_Albatross_0002_1027.jpg', 1, 2, 0],
  ['026.Bronzed_Cowbird/Bronzed_Cowbird_0073_796226.jpg', 0, 2, 0],
  ['026.Bronzed_Cowbird/Bronzed_Cowbird_0001_796215.jpg', 0, 1, 0],
  ['027.Shiny_Cowbird/Shiny_Cowbird_0043_796857.jpg', 0, 2, 1],
  ['027.Shiny_Cowbird/Shiny_Cowbird_0002_24305.jpg', 0, 2, 0],
];

describe.runIf(hasShared())('docs/REPRODUCE.md runs as written (generated checkpoint, small data)', () => {
  let root: string;
  const at = (...p: string[]) => join(root, ...p);
  const env: Record<string, string> = {};
  const blocks = shellBlocks(readFileSync(join(REPO_ROOT, 'docs', 'REPRODUCE.md'), 'utf8'));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clipscope-reproduce-'));
    for (const d of ['model', 'imagenet-val', 'waterbirds', 'bin', 'work']) mkdirSync(at(d));
    const classes = JSON.parse(readFileSync(sharedPath('data/classes/imagenet.json'), 'utf8')) as { classes: string[]; templates: string[] };
    // a small class list in the same form (the full list's own test: imagenetClasses.cli.test.ts)
    const small = { classes: classes.classes.slice(0, 8), templates: classes.templates.slice(0, 3) };
    writeFileSync(at('imagenet-classes.json'), JSON.stringify(small));
    const corpus = [...small.classes, ...small.templates, 'landbird', 'waterbird'];
    generateCheckpointDir(at('model'), TINY_L14_SHAPED, { layout: 'openclip', seed: 21, tokenizer: generateBpeVocab(corpus, 40) });

    for (const f of IMAGENET_SAMPLES) {
      const wnid = f.slice(0, 9);
      mkdirSync(at('imagenet-val', wnid));
      symlinkSync(sharedPath('data/images/imagenet-samples', f), at('imagenet-val', wnid, `ILSVRC2012_val_${f.slice(10)}`));
    }

    const samples = [];
    for (const n of ['horse001', 'horse002', 'horse003']) {
      const photo = await decodeImageFile(sharedPath('data/segmentation/weizmann-horse/rgb', `${n}.jpg`));
      const grey = maskGrey(await decodeImageFile(sharedPath('data/segmentation/weizmann-horse/figure_ground', `${n}.jpg`)));
      samples.push({ photo, mask: resizeMaskNearest(binarizeMask(grey), photo.width, photo.height) });
    }
    await writeImagenetSegMat(at('gtsegs_small.mat'), samples);

    const meta = ['img_id,img_filename,y,split,place,place_filename'];
    WATERBIRDS_ROWS.forEach(([file, y, split, place], i) => {
      mkdirSync(at('waterbirds', file.split('/')[0]), { recursive: true });
      symlinkSync(sharedPath('data/images/imagenet-samples', IMAGENET_SAMPLES[i % IMAGENET_SAMPLES.length]), at('waterbirds', file));
      meta.push(`${i + 1},${file},${y},${split},${place},/x/places/${i}.jpg`);
    });
    writeFileSync(at('waterbirds', 'metadata.csv'), `${meta.join('\n')}\n`);

    // the paper's pool, cut to its first 300 descriptions to keep the test short
    const pool = readFileSync(sharedPath('data/textspan/image_descriptions_general.txt'), 'utf8').split('\n').slice(0, 300);
    writeFileSync(at('pool.txt'), `${pool.join('\n')}\n`);
    writeFileSync(at('bin', 'clipscope'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin', 'clipscope.js')}" "$@"\n`);
    chmodSync(at('bin', 'clipscope'), 0o755);
    Object.assign(env, {
      MODEL: at('model'),
      IMAGENET_VAL: at('imagenet-val'),
      IMAGENET_CLASSES: at('imagenet-classes.json'),
      IMAGENET_SEG: at('gtsegs_small.mat'),
      WATERBIRDS: at('waterbirds'),
      POOL: at('pool.txt'),
      WORK: at('work'),
    });
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the first sh block is the setup, and it defines exactly the variables this test supplies', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks[0].text).toMatch(/^# setup/);
    const assigned = [...blocks[0].text.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
    expect(assigned.sort()).toEqual([...SETUP_VARIABLES].sort());
  });

  it('every other sh block runs with exit code 0, in order, and leaves the outputs the doc names', () => {
    for (const block of blocks.slice(1)) {
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', block.text], {
        cwd: env.WORK,
        env: { ...process.env, ...env, PATH: `${at('bin')}:${process.env.PATH}`, CLIPSCOPE_DEBUG: '' },
        encoding: 'utf8',
        timeout: 240_000,
      });
      expect(run.status, `docs/REPRODUCE.md line ${block.line}:\n${block.text}\n--- stderr:\n${run.stderr}`).toBe(0);
    }
    const work = (...p: string[]) => JSON.parse(readFileSync(join(env.WORK, ...p), 'utf8'));

    // step 1: labels from the sorted wnid folders
    const wnids = IMAGENET_SAMPLES.map((f) => f.slice(0, 9)).sort();
    const expectedLabels = wnids.map((w, i) => `${w}/ILSVRC2012_val_${IMAGENET_SAMPLES.find((f) => f.startsWith(w))!.slice(10)},${i}`);
    expect(readFileSync(join(env.WORK, 'imagenet-val-labels.csv'), 'utf8')).toBe(`${expectedLabels.join('\n')}\n`);

    // step 2: the reference experiments, one sweep step per attention layer but the last
    const ablation = work('ablation-imagenet.json');
    expect(ablation.images).toBe(IMAGENET_SAMPLES.length);
    expect(ablation.experiments.mlpAndEmbed.set).toBe('mlp,embed');
    expect(ablation.experiments.msaSweep).toHaveLength(24);

    // step 3: both mask protocols over the 3 photos of the .mat file
    for (const protocol of ['paper', 'crop']) {
      const seg = work(`segmentation-${protocol}.json`);
      expect([seg.maskProtocol, seg.images, seg.skipped]).toEqual([protocol, 3, 0]);
    }

    // step 4: the test split only, labelled and grouped from metadata.csv
    const test = WATERBIRDS_ROWS.filter((r) => r[2] === 2);
    const linked = readdirSync(join(env.WORK, 'waterbirds-test'), { recursive: true, withFileTypes: true })
      .filter((e) => !e.isDirectory())
      .map((e) => `${e.parentPath.slice(join(env.WORK, 'waterbirds-test').length + 1)}/${e.name}`)
      .sort();
    expect(linked).toEqual(test.map((r) => r[0]).sort());
    const group = (y: number, place: number) => `${y ? 'waterbird' : 'landbird'}/${place ? 'water' : 'land'}`;
    expect(readFileSync(join(env.WORK, 'waterbirds-test-labels.csv'), 'utf8')).toBe(
      `file,label,group\n${test.map(([f, y, , place]) => `${f},${y},${group(y, place)}`).join('\n')}\n`,
    );
    expect(work('waterbirds-classes.json')).toEqual({ classes: ['landbird', 'waterbird'], templates: JSON.parse(readFileSync(env.IMAGENET_CLASSES, 'utf8')).templates });
    const birds = work('waterbirds-ablation.json');
    expect(birds.images).toBe(test.length);
    expect(birds.before.groups.map((g: { group: string }) => g.group).sort()).toEqual(['landbird/land', 'landbird/water', 'waterbird/land', 'waterbird/water']);
    expect(birds.ablation.set).toMatch(/^L0-19,/);

    // step 5: TEXTSPAN on the last 4 layers x 16 heads
    const atlas = work('atlas-imagenet.json');
    expect(atlas.heads).toHaveLength(64);

    // step 6: all 6 cached images ranked (k = 15 > 6)
    expect(readFileSync(join(env.WORK, 'retrieval-L20H4.jsonl'), 'utf8').trim().split('\n')).toHaveLength(IMAGENET_SAMPLES.length);
  }, 600_000);
});
