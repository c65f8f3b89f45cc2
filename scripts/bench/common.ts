/** Shared helpers for `npm run bench`: medians, the ViT-B/16-shaped checkpoint, memory sampling. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../../src/model/checkpoint/nodeSources.node.ts';
import type { ClipCheckpoint } from '../../src/model/checkpoint/types.ts';
import { generateCheckpointDir } from '../../src/model/checkpoint/checkpointGenerator.node.ts';
import { VIT_B16_SHAPED, type CheckpointSpec } from '../../src/model/checkpoint/checkpointGenerator.ts';
import { REPO_ROOT, SHARED_DIR } from '../../src/testkit/shared.ts';

export const BENCH_DIR = join(REPO_ROOT, '.cache', 'bench');

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmtMs = (ms: number) => `${ms.toFixed(1)} ms`;
export const fmtMiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Geometries of the published CLIP ViTs the first-result bench reports besides B/16 (random f32 weights). */
export const SHAPED_CHECKPOINTS = {
  'vit-b16-shaped': { spec: VIT_B16_SHAPED, seed: 16 },
  'vit-b32-shaped': { spec: { ...VIT_B16_SHAPED, name: 'vit-b32-shaped', vision: { ...VIT_B16_SHAPED.vision, patchSize: 32 } }, seed: 32 },
  'vit-l14-shaped': {
    spec: {
      name: 'vit-l14-shaped',
      vision: { width: 1024, layers: 24, heads: 16, patchSize: 14, imageSize: 224 },
      text: { width: 768, layers: 12, heads: 12, contextLength: 77, vocabSize: 49408 },
      embedDim: 768,
      act: 'quick_gelu',
    },
    seed: 14,
  },
} satisfies Record<string, { spec: CheckpointSpec; seed: number }>;
export type ShapedCheckpoint = keyof typeof SHAPED_CHECKPOINTS;

/**
 * A ViT-shaped random checkpoint (OpenCLIP layout, f32), generated once into .cache/bench.
 * With ../shared present it carries CLIP's real BPE vocabulary, so text benchmarks tokenize
 * realistically.
 */
export async function shapedCheckpoint(name: ShapedCheckpoint): Promise<{ dir: string; ckpt: ClipCheckpoint }> {
  const dir = join(BENCH_DIR, name);
  if (!existsSync(join(dir, 'open_clip_model.safetensors'))) {
    const vocabDir = join(SHARED_DIR, 'data', 'vocab');
    const tokenizer = existsSync(join(vocabDir, 'vocab.json'))
      ? { vocabJson: readFileSync(join(vocabDir, 'vocab.json'), 'utf8'), mergesTxt: readFileSync(join(vocabDir, 'merges.txt'), 'utf8') }
      : undefined;
    const { spec, seed } = SHAPED_CHECKPOINTS[name];
    generateCheckpointDir(dir, spec, { layout: 'openclip', seed, ...(tokenizer ? { tokenizer } : {}) });
  }
  return { dir, ckpt: await loadCheckpoint(nodeModelDir(dir)) };
}

/** The ViT-B/16-shaped checkpoint every other bench uses. */
export const vitB16Checkpoint = () => shapedCheckpoint('vit-b16-shaped');

export function checkpointFiles(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Samples the summed resident memory of some processes; `peak()` is the largest sum seen. */
export function rssSampler(pids: () => number[], intervalMs = 100) {
  let peak = 0;
  const sample = () => {
    let sum = 0;
    for (const pid of pids()) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const m = /VmRSS:\s+(\d+) kB/.exec(status);
        if (m) sum += Number(m[1]) * 1024;
      } catch {
        // the process ended
      }
    }
    peak = Math.max(peak, sum);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    peak: () => (sample(), peak),
    reset: () => {
      peak = 0;
    },
    stop: () => clearInterval(timer),
  };
}

/** pids of every process whose command line contains `needle` (Chromium and its children) */
export function pidsMatching(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(needle)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * CPU milliseconds (user + system) used so far by the live descendants of `root` (default: this
 * process), e.g. the Chromium a bench started, and not by other processes on a shared machine.
 * Linux /proc; clock ticks taken as 100 per second (USER_HZ).
 */
export function descendantsCpuMs(root = process.pid): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // fields after the command name (which may hold spaces) in parentheses
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(f[1]));
      ticks.set(Number(entry), Number(f[11]) + Number(f[12]));
    } catch {
      // gone
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const [pid, t] of ticks) if (isDescendant(pid)) total += t;
  return total * 10;
}
