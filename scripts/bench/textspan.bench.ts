/**
 * TEXTSPAN benchmark on synthetic data of the size: 64 heads, K = 2,000 images,
 * M = 3,498 texts, D = 512, m = 20, r = 80. Prints the median time of each stage and of the whole
 * textspan() call per head, and the wall time over all heads.
 *
 *   node --import tsx scripts/bench/textspan.bench.ts [--heads 64] [--images 2000] [--texts 3498]
 *        [--dim 512] [--m 20] [--rank 80] [--workers 1]
 *
 * Each synthetic head output is a low-rank signal (rank dh + 3 = 67, as a real head's output is)
 * with a decaying spectrum, an offset and isotropic noise, so its Gram matrix is full rank like real
 * data. Heads are independent, so `--workers N` spreads them over N worker threads (each worker
 * builds its own heads from the head index, so every configuration times the same inputs).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { textspan } from '../../src/analysis/textspan.ts';
import { gram, matmulTransB } from '../../src/math/linalg.ts';
import { seededRandom, type SeededRandom } from '../../src/math/random.ts';
import { symmetricEigen } from '../../src/math/symmetricEigen.ts';
import { tensor, type Tensor } from '../../src/math/tensor.ts';

interface Config {
  heads: number;
  K: number;
  M: number;
  D: number;
  m: number;
  rank: number;
  workers: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const SIGNAL_RANK = 67;

function randomMatrix(random: SeededRandom, rows: number, cols: number, scale = 1): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = random.gaussian() * scale;
  return out;
}

function syntheticHead(cfg: Config, head: number): Tensor<'K D'> {
  const { K, D } = cfg;
  const random = seededRandom(1000 + head);
  const z = randomMatrix(random, K, SIGNAL_RANK);
  for (let i = 0; i < K; i++) for (let a = 0; a < SIGNAL_RANK; a++) z[i * SIGNAL_RANK + a] /= 1 + a;
  const basisT = randomMatrix(random, D, SIGNAL_RANK, 1 / Math.sqrt(D));
  const signal = matmulTransB(tensor('K E', z, [K, SIGNAL_RANK]), tensor('D E', basisT, [D, SIGNAL_RANK]), 'K D');
  const offset = randomMatrix(random, 1, D, 0.05);
  const out = new Float32Array(K * D);
  for (let i = 0; i < K * D; i++) out[i] = signal.data[i] + offset[i % D] + 0.01 * random.gaussian();
  return tensor('K D', out, [K, D]);
}

function textPool(cfg: Config): Tensor<'M D'> {
  const { M, D } = cfg;
  const pool = randomMatrix(seededRandom(7), M, D);
  for (let i = 0; i < M; i++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += pool[i * D + j] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < D; j++) pool[i * D + j] *= inv;
  }
  return tensor('M D', pool, [M, D]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs textspan on the given heads; returns per-head times (ms). */
function runHeads(cfg: Config, heads: number[]): number[] {
  const R = textPool(cfg);
  const times: number[] = [];
  for (const h of heads) {
    const C = syntheticHead(cfg, h);
    const t0 = performance.now();
    const result = textspan(C, R, { m: cfg.m, rank: cfg.rank });
    times.push(performance.now() - t0);
    if (result.picks.length === 0) throw new Error(`head ${h}: no picks`);
  }
  return times;
}

/** Times the three heavy stages separately on a few heads (the same calls textspan makes). */
function stageTimes(cfg: Config): Record<string, number[]> {
  const R = textPool(cfg);
  const stages: Record<string, number[]> = { 'gram CᵀC': [], 'top-r eigen': [], 'texts onto span': [] };
  for (let h = 0; h < 5; h++) {
    const C = syntheticHead(cfg, h);
    let t = performance.now();
    const g = gram(C);
    stages['gram CᵀC'].push(performance.now() - t);
    t = performance.now();
    const { vectors } = symmetricEigen(g, { count: Math.min(cfg.rank, cfg.K, cfg.D) });
    stages['top-r eigen'].push(performance.now() - t);
    t = performance.now();
    matmulTransB(R, vectors, 'M R');
    stages['texts onto span'].push(performance.now() - t);
  }
  return stages;
}

async function main(): Promise<void> {
  const cfg: Config = {
    heads: arg('heads', 64),
    K: arg('images', 2000),
    M: arg('texts', 3498),
    D: arg('dim', 512),
    m: arg('m', 20),
    rank: arg('rank', 80),
    workers: arg('workers', 1),
  };
  console.log(
    `TEXTSPAN bench: ${cfg.heads} heads, K=${cfg.K}, M=${cfg.M}, D=${cfg.D}, m=${cfg.m}, r=${cfg.rank}, workers=${cfg.workers}`,
  );
  for (const [name, times] of Object.entries(stageTimes(cfg))) {
    console.log(`  stage ${name.padEnd(16)} median ${median(times).toFixed(1)} ms`);
  }
  const all = Array.from({ length: cfg.heads }, (_, h) => h);
  const t0 = performance.now();
  let times: number[];
  if (cfg.workers <= 1) {
    times = runHeads(cfg, all);
  } else {
    const shares = Array.from({ length: cfg.workers }, (_, w) => all.filter((h) => h % cfg.workers === w));
    const parts = await Promise.all(
      shares.map(
        (heads) =>
          new Promise<number[]>((resolve, reject) => {
            // a worker does not inherit tsx's loader: register it, then load this file
            const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
            const worker = new Worker(bootstrap, { eval: true, workerData: { cfg, heads } });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    times = parts.flat();
  }
  const wall = performance.now() - t0;
  const work = times.reduce((s, t) => s + t, 0);
  console.log(`  textspan per head median ${median(times).toFixed(1)} ms (n=${times.length})`);
  console.log(`  textspan time summed over heads ${(work / 1000).toFixed(2)} s`);
  console.log(`  wall time for ${cfg.heads} heads (incl. synthetic data generation) ${(wall / 1000).toFixed(2)} s`);
  console.log(`  target: 64 heads under 20 s`);
}

if (isMainThread) {
  await main();
} else {
  const { cfg, heads } = workerData as { cfg: Config; heads: number[] };
  parentPort!.postMessage(runHeads(cfg, heads));
}
