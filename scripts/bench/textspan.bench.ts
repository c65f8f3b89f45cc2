/**
 * TEXTSPAN benchmark on synthetic data of the size: 64 heads, K = 2,000 images,
 * M = 3,498 texts, D = 512, m = 20, r = 80.
 *
 *   node --import tsx scripts/bench/textspan.bench.ts [--heads 64] [--images 2000] [--texts 3498]
 *        [--dim 512] [--m 20] [--rank 80] [--workers 2] [--runs 3] [--engine cli|js] [--no-breakdown]
 *
 * `--engine cli` (default) times what `clipscope textspan --threads N` runs after the pool is
 * embedded: buildAtlas over an analysis cache (held in memory) with the CLI's runner
 * (startTextspanRunner: N worker threads, products on onnxruntime-node in float64), from starting
 * the runner to the finished atlas (serialised as atlas.json); the median of `--runs` runs, each
 * with its CPU time over all threads. Then the breakdown of a head's time by stage, in one thread. `--engine js` times the browser's
 * JavaScript path: textspan() per head on N worker threads, plus its stages on a few heads.
 *
 * Each synthetic head output is a low-rank signal (rank dh + 3 = 67, as a real head's output is)
 * with a decaying spectrum, an offset and isotropic noise, so its Gram matrix is full rank like real
 * data. Every configuration builds the same heads from the head index.
 */
import { loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { textspan } from '../../src/analysis/textspan.ts';
import { buildAtlas } from '../../src/cache/atlas.ts';
import { createCacheMeta, encodeIndexLine, INDEX_FILE, META_FILE, serializeCacheMeta, type CacheMeta } from '../../src/cache/layout.ts';
import { openAnalysisCache, type AnalysisCache } from '../../src/cache/reader.ts';
import { startTextspanRunner, startTextspanWorkers } from '../../src/cache/textspanWorkers.node.ts';
import { textspanWith } from '../../src/analysis/textspan.ts';
import type { LinalgKernels } from '../../src/math/kernelSteps.ts';
import type { StageTimes } from '../../src/math/stageTimes.ts';
import { createOrtLinalgKernels } from '../../src/model/runtime/linalgKernels.node.ts';
import type { VisionArch } from '../../src/model/arch.ts';
import { memorySource } from '../../src/model/checkpoint/sources.ts';
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
  runs: number;
  engine: 'cli' | 'js';
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

/**
 * An analysis cache in memory holding the synthetic heads: L = heads/16 layers of 16 heads (fewer
 * when there are fewer heads), so buildAtlas reads them exactly as from a cache on disk.
 */
async function syntheticCache(cfg: Config): Promise<{ cache: AnalysisCache; layers: number[] }> {
  const H = Math.min(16, cfg.heads);
  const L = Math.ceil(cfg.heads / H);
  const { K, D } = cfg;
  const vision = { layers: L, heads: H, embedDim: D } as unknown as VisionArch;
  const meta: CacheMeta = createCacheMeta({ fingerprint: 'synthetic-textspan-bench', layout: 'hf', vision }, 'f32');
  const heads = new Float32Array(K * L * H * D);
  for (let h = 0; h < L * H; h++) {
    const C = h < cfg.heads ? syntheticHead(cfg, h).data : new Float32Array(K * D);
    for (let k = 0; k < K; k++) heads.set(C.subarray(k * D, (k + 1) * D), (k * L * H + h) * D);
  }
  const bytes = (values: Float32Array) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const index = Array.from({ length: K }, (_, k) => encodeIndexLine({ path: `img${k}.png`, size: 1, mtimeMs: 0, status: 'ok', row: k })).join('');
  const files = new Map([
    [META_FILE, new TextEncoder().encode(serializeCacheMeta(meta))],
    [INDEX_FILE, new TextEncoder().encode(index)],
    [meta.quantities.heads.file, bytes(heads)],
    [meta.quantities.embed_mlp.file, new Uint8Array(K * meta.quantities.embed_mlp.recordBytes)],
    [meta.quantities.class_class.file, new Uint8Array(K * meta.quantities.class_class.recordBytes)],
    [meta.quantities.embedding.file, new Uint8Array(K * meta.quantities.embedding.recordBytes)],
  ]);
  const cache = await openAnalysisCache(async (name) => (files.has(name) ? memorySource(name, files.get(name)!) : undefined));
  return { cache, layers: Array.from({ length: L }, (_, l) => l) };
}

/** `clipscope textspan`'s path: buildAtlas with the CLI's runner; returns wall ms per run */
async function benchCliPath(cfg: Config, { cache, layers }: { cache: AnalysisCache; layers: number[] }): Promise<{ walls: number[]; cpus: number[] }> {
  const R = textPool(cfg) as Tensor<'M D', Float32Array>;
  const pool = { name: 'synthetic', texts: Array.from({ length: cfg.M }, (_, i) => `text ${i}`), properties: Array.from({ length: cfg.M }, () => null) };
  const walls: number[] = [];
  const cpus: number[] = [];
  const jsonMs: number[] = [];
  for (let run = 0; run < cfg.runs; run++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const runner = await startTextspanRunner(R, cfg.workers);
    try {
      const atlas = await buildAtlas(cache, pool, R, { layers, m: cfg.m, rank: cfg.rank, runTextspan: runner.run });
      if (atlas.heads.some((h) => h.texts.length === 0)) throw new Error('a head without picks');
      // what `clipscope textspan` writes (atlas.json), serialised as the CLI does
      const tJson = performance.now();
      JSON.stringify(atlas, null, 2);
      jsonMs.push(performance.now() - tJson);
    } finally {
      await runner.close();
    }
    walls.push(performance.now() - t0);
    // CPU time of every thread of this process: on a machine shared with other jobs, the wall time
    // grows with the load; this stays near what the work costs
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / 1000);
    console.log(
      `  run ${run + 1}: wall ${(walls[run] / 1000).toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (all threads) for ${layers.length * cache.meta.architecture.heads} heads; load average ${loadavg()[0].toFixed(1)}`,
    );
  }
  console.log(`  (of each run: serialising atlas.json ${median(jsonMs).toFixed(1)} ms, median)`);
  return { walls, cpus };
}

/** the process's CPU time (all threads) in ms: the breakdown's clock, steady on a busy machine */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** the kernels, each product's time added to `times` under its operation */
function timedKernels(kernels: LinalgKernels, times: StageTimes): LinalgKernels {
  const now = times.now ?? (() => performance.now());
  const timed =
    <A extends unknown[]>(name: string, f: (...args: A) => Promise<Float64Array>) =>
    async (...args: A) => {
      const t0 = now();
      const out = await f(...args);
      times.ms.set(name, (times.ms.get(name) ?? 0) + now() - t0);
      return out;
    };
  return {
    matmulTransB: timed('products: matmulTransB', kernels.matmulTransB.bind(kernels)),
    centredGram: timed('products: centredGram', kernels.centredGram.bind(kernels)),
    blockReflector: timed('products: blockReflector', kernels.blockReflector.bind(kernels)),
  };
}

/**
 * Where a head's time goes on the CLI's path, in this thread: TEXTSPAN's stages (products included
 * in their stage; the products' own total on the last lines), and the per-run costs around them —
 * reading a head from the cache, the copy that hands it to a worker, a worker's start-up (loader,
 * modules, onnxruntime sessions, through its first head: 2 images, but still one D×D eigen step).
 */
async function breakdown(cfg: Config, cache: AnalysisCache, layers: number[]): Promise<void> {
  const heads = Math.min(cfg.heads, 8);
  const R = textPool(cfg) as Tensor<'M D', Float32Array>;
  const kernels = await createOrtLinalgKernels();
  const stages: StageTimes = { ms: new Map(), now: cpuMs };
  const products: StageTimes = { ms: new Map(), now: cpuMs };
  const timed = timedKernels(kernels, products);
  const H = cache.meta.architecture.heads;
  let t0 = performance.now();
  const matrices = await cache.headMatrices(Array.from({ length: heads }, (_, i) => ({ layer: layers[Math.floor(i / H)], head: i % H })));
  const readMs = (performance.now() - t0) / heads;
  t0 = performance.now();
  for (const C of matrices) C.data.slice();
  const copyMs = (performance.now() - t0) / heads;
  // the first head warms the JIT and creates the sessions: not counted
  await textspanWith(matrices[0], R, { m: cfg.m, rank: cfg.rank, reconstruction: false }, kernels);
  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  for (const C of matrices.slice(1)) await textspanWith(C, R, { m: cfg.m, rank: cfg.rank, reconstruction: false, stageTimes: stages }, timed);
  const perHead = (performance.now() - t0) / (heads - 1);
  const cpu = process.cpuUsage(cpu0);
  const cpuPerHead = (cpu.user + cpu.system) / 1000 / (heads - 1);
  await kernels.release();
  t0 = performance.now();
  const workers = startTextspanWorkers(R, 1);
  await workers.run(tensor('K D', new Float32Array(2 * cfg.D).map((_, i) => i % 7), [2, cfg.D]), { m: 1, rank: 1, reconstruction: false });
  const startMs = performance.now() - t0;
  await workers.close();
  const row = (name: string, ms: number) => console.log(`    ${name.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms`);
  console.log(`  breakdown in one thread, CPU ms per head (mean of ${heads - 1} heads after a warm-up head; load average ${loadavg()[0].toFixed(1)}):`);
  for (const [name, ms] of stages.ms) row(name, ms / (heads - 1));
  row('TEXTSPAN per head, CPU', cpuPerHead);
  row('TEXTSPAN per head, wall', perHead);
  for (const [name, ms] of products.ms) row(`  of which ${name} (onnxruntime)`, ms / (heads - 1));
  console.log('  around it, wall ms:');
  row('read a head from the cache', readMs);
  row('copy a head to hand it to a worker', copyMs);
  row('start a worker, through a 2-image head (once per run)', startMs);
}

async function main(): Promise<void> {
  const engine = process.argv.includes('--engine') ? process.argv[process.argv.indexOf('--engine') + 1] : 'cli';
  if (engine !== 'cli' && engine !== 'js') throw new Error(`--engine must be cli or js, got ${engine}`);
  const cfg: Config = {
    heads: arg('heads', 64),
    K: arg('images', 2000),
    M: arg('texts', 3498),
    D: arg('dim', 512),
    m: arg('m', 20),
    rank: arg('rank', 80),
    workers: arg('workers', 2),
    runs: arg('runs', 3),
    engine,
  };
  console.log(
    `TEXTSPAN bench (${cfg.engine === 'cli' ? 'clipscope textspan path: buildAtlas + onnxruntime-node float64 kernels' : 'JavaScript textspan()'}): ${cfg.heads} heads, K=${cfg.K}, M=${cfg.M}, D=${cfg.D}, m=${cfg.m}, r=${cfg.rank}, workers=${cfg.workers}`,
  );
  if (cfg.engine === 'cli') {
    const synthetic = await syntheticCache(cfg);
    const { walls, cpus } = await benchCliPath(cfg, synthetic);
    console.log(
      `  wall time for ${cfg.heads} heads, median of ${walls.length}: ${(median(walls) / 1000).toFixed(2)} s (target < 5 s); CPU median ${(median(cpus) / 1000).toFixed(2)} s (all threads)`,
    );
    if (!process.argv.includes('--no-breakdown')) await breakdown(cfg, synthetic.cache, synthetic.layers);
    return;
  }
  for (const [name, times] of Object.entries(stageTimes(cfg))) {
    console.log(`  stage ${name.padEnd(16)} median ${median(times).toFixed(1)} ms`);
  }
  const all = Array.from({ length: cfg.heads }, (_, h) => h);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpu0);
  const work = times.reduce((s, t) => s + t, 0);
  console.log(`  textspan per head median ${median(times).toFixed(1)} ms (n=${times.length})`);
  console.log(`  textspan time summed over heads ${(work / 1000).toFixed(2)} s`);
  console.log(`  CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (all threads, incl. synthetic data generation); load average ${loadavg()[0].toFixed(1)}`);
  console.log(`  wall time for ${cfg.heads} heads (incl. synthetic data generation) ${(wall / 1000).toFixed(2)} s`);
  console.log(`  (the CLI runs the float64 onnxruntime-node path: --engine cli)`);
}

if (isMainThread) {
  await main();
} else {
  const { cfg, heads } = workerData as { cfg: Config; heads: number[] };
  parentPort!.postMessage(runHeads(cfg, heads));
}
