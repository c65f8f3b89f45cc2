/**
 * The deploy/ files run the command lines that are tested here: the Kubernetes manifests are parsed
 * (yaml) and their container arguments, expanded as Kubernetes expands $(VAR) from the container's
 * environment, are run as n shard processes plus the merge; the Slurm scripts are run by bash
 * as the array tasks and the dependent merge job would run them (the scheduler's variables set,
 * `clipscope` on PATH). Either way the merged cache is byte-identical to one unsplit run, and so
 * is the atlas textspan writes from it. The submit scripts are run against stand-ins for sbatch
 * and kubectl that print what the real ones print (`sbatch --parsable`: "jobid[;cluster]").
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analyzeImages } from '../src/cache/analyze.node.ts';
import { runCli } from '../src/testkit/cli.node.ts';
import { cacheFiles, tempDir, writeImageFolder, writeTinyModel, type ImageFolder } from '../src/testkit/cacheFixture.node.ts';
import { loadCheckpoint } from '../src/model/checkpoint/load.ts';
import { nodeModelDir } from '../src/model/checkpoint/nodeSources.node.ts';
import { createNodeEngine } from '../src/model/engine.node.ts';
import { REPO_ROOT } from '../src/testkit/shared.ts';

const run = promisify(execFile);
const DEPLOY = join(REPO_ROOT, 'deploy');
const BIN = join(REPO_ROOT, 'bin', 'clipscope.js');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface JobManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions: number;
    parallelism?: number;
    template: { spec: { restartPolicy: string; containers: { image: string; command?: string[]; args: string[]; env: EnvVar[] }[] } };
  };
}

let work: string;
let modelDir: string;
let images: ImageFolder;
let singleCache: string;
let bin: string;
const at = (...p: string[]) => join(work, ...p);

/** the environment of a scheduler's process: ours, without any scheduler's variables */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SLURM_') || k === 'JOB_COMPLETION_INDEX' || k.startsWith('CLIPSCOPE_')) delete env[k];
  return { ...env, ...extra };
}

/** Kubernetes' expansion of $(VAR) in command and args: defined variables are replaced, $$ is a literal $ */
function expandK8s(arg: string, env: Record<string, string>): string {
  return arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (name === undefined ? '$' : (env[name] ?? m)));
}

async function atlasOf(cache: string, out: string): Promise<Buffer> {
  const r = await runCli(['textspan', '--model', modelDir, '--cache', cache, '--pool', at('pool.txt'), '--layers', 'all', '--m', '3', '--out', out, '--threads', '1']);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out);
}

function readJob(file: string): JobManifest {
  const job = parse(readFileSync(join(DEPLOY, 'kubernetes', file), 'utf8')) as JobManifest;
  expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
  expect(job.spec.template.spec.containers).toHaveLength(1);
  return job;
}

/** the manifest's env as plain values, with the folders pointed at this test's */
function manifestEnv(vars: readonly EnvVar[], paths: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of vars) if (v.value !== undefined) env[v.name] = v.value;
  for (const [k, p] of Object.entries(paths)) {
    expect(env[k], `the manifest sets ${k}`).toBeDefined();
    env[k] = p;
  }
  return env;
}

beforeAll(async () => {
  work = tempDir('deploy');
  modelDir = writeTinyModel(at('model'));
  images = writeImageFolder(at('images'), 10);
  writeFileSync(at('pool.txt'), 'a photo of a red car\na photo of a blue sky\nthree dogs on grass\na striped texture\na green field\n');
  const engine = await createNodeEngine(await loadCheckpoint(nodeModelDir(modelDir)));
  singleCache = at('single');
  try {
    await analyzeImages({ engine, imagesDir: images.dir, cacheDir: singleCache, durable: false });
  } finally {
    await engine.release();
  }
  // `clipscope` on PATH, as the container image or an npm install provides it
  bin = at('bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'clipscope'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'clipscope'), 0o755);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('deploy/Dockerfile', () => {
  it('runs the same program the tests run: node bin/clipscope.js, with the sources and the default pool copied in', () => {
    const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    expect(text).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/clipscope\.js"\]$/m);
    for (const path of ['bin', 'src', 'public/data']) expect(text).toMatch(new RegExp(`^COPY ${path} \\./${path}$`, 'm'));
    expect(text).toMatch(/UNBUILT/);
  });
});

describe('deploy/kubernetes: an Indexed Job of shards, then the merge Job', () => {
  it('the manifests parse; running their command lines as pods 0..n-1 and then the merge gives the unsplit cache and atlas', async () => {
    const analyze = readJob('analyze-job.yaml');
    const merge = readJob('merge-job.yaml');
    const n = analyze.spec.completions;
    expect(analyze.spec.completionMode).toBe('Indexed');
    expect(n).toBeGreaterThanOrEqual(2);
    const container = analyze.spec.template.spec.containers[0];
    expect(container.command).toBeUndefined(); // the image's ENTRYPOINT: node /app/bin/clipscope.js
    expect(container.args.slice(0, 1)).toEqual(['analyze']);
    expect(container.args.join(' ')).toContain('--shard auto');
    // Kubernetes gives the pod its index, not the completions: the manifest passes the count itself
    expect(container.env.find((v) => v.name === 'CLIPSCOPE_SHARD_COUNT')?.value).toBe(String(n));
    expect(container.env.find((v) => v.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath).toBe(
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );

    const paths = { MODEL: modelDir, IMAGES: images.dir, SHARDS: at('k8s-shards') };
    const env = manifestEnv(container.env, paths);
    await Promise.all(
      Array.from({ length: n }, async (_, index) => {
        const podEnv = { ...env, JOB_COMPLETION_INDEX: String(index) };
        const args = container.args.map((a) => expandK8s(a, podEnv));
        expect(args.join(' ')).not.toMatch(/\$\(/);
        await run(process.execPath, [BIN, ...args], { env: cleanEnv(podEnv) });
      }),
    );
    expect(readdirSync(paths.SHARDS).sort()).toEqual(Array.from({ length: n }, (_, i) => String(i)).sort());

    const mc = merge.spec.template.spec.containers[0];
    expect(mc.image).toBe(container.image);
    const mergeEnv = manifestEnv(mc.env, { SHARDS: paths.SHARDS, CACHE: at('k8s-cache') });
    const mergeArgs = mc.args.map((a) => expandK8s(a, mergeEnv));
    // one folder per completion index
    expect(mergeArgs.slice(3)).toEqual(Array.from({ length: n }, (_, i) => join(paths.SHARDS, String(i))));
    await run(process.execPath, [BIN, ...mergeArgs], { env: cleanEnv(mergeEnv) });

    expect(cacheFiles(at('k8s-cache'))).toEqual(cacheFiles(singleCache));
    expect((await atlasOf(at('k8s-cache'), at('k8s-atlas.json'))).equals(await atlasOf(singleCache, at('single-atlas.json')))).toBe(true);
  });

  it('run.sh applies the analyze Job, waits for it to complete, then applies the merge Job', async () => {
    const fake = at('fake-kubectl');
    mkdirSync(fake);
    writeFileSync(join(fake, 'kubectl'), `#!/bin/sh\necho "$*" >> "${at('kubectl.log')}"\n`);
    chmodSync(join(fake, 'kubectl'), 0o755);
    await run('bash', [join(DEPLOY, 'kubernetes', 'run.sh')], { env: cleanEnv({ PATH: `${fake}:${process.env.PATH}` }) });
    const calls = readFileSync(at('kubectl.log'), 'utf8').trimEnd().split('\n');
    expect(calls[0]).toBe('apply -f analyze-job.yaml');
    expect(calls[1]).toMatch(new RegExp(`^wait --for=condition=complete .*job/${readJob('analyze-job.yaml').metadata.name}$`));
    expect(calls[2]).toBe('apply -f merge-job.yaml');
  });
});

describe('deploy/slurm: a job array of shards, then the merge as a dependent job', () => {
  it('running analyze.sbatch as array tasks 0..n-1 and merge.sbatch gives the unsplit cache and atlas', async () => {
    const script = readFileSync(join(DEPLOY, 'slurm', 'analyze.sbatch'), 'utf8');
    const array = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(script);
    expect(array, 'analyze.sbatch declares --array=0-(n-1)').not.toBeNull();
    const [min, max] = [Number(array![1]), Number(array![2])];
    expect(min).toBe(0);
    const n = max - min + 1;
    expect(n).toBeGreaterThanOrEqual(2);
    const paths = { MODEL: modelDir, IMAGES: images.dir, SHARDS: at('slurm-shards'), CACHE: at('slurm-cache') };
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        run('bash', [join(DEPLOY, 'slurm', 'analyze.sbatch')], {
          env: cleanEnv({
            ...paths,
            PATH: `${bin}:${process.env.PATH}`,
            SLURM_ARRAY_JOB_ID: '4242',
            SLURM_ARRAY_TASK_ID: String(min + i),
            SLURM_ARRAY_TASK_COUNT: String(n),
            SLURM_ARRAY_TASK_MIN: String(min),
            SLURM_ARRAY_TASK_MAX: String(max),
            SLURM_ARRAY_TASK_STEP: '1',
          }),
        }),
      ),
    );
    await run('bash', [join(DEPLOY, 'slurm', 'merge.sbatch')], { env: cleanEnv({ ...paths, PATH: `${bin}:${process.env.PATH}` }) });
    expect(cacheFiles(paths.CACHE)).toEqual(cacheFiles(singleCache));
    expect((await atlasOf(paths.CACHE, at('slurm-atlas.json'))).equals(await atlasOf(singleCache, at('single-atlas-2.json')))).toBe(true);
  });

  it('submit.sh submits the array, then the merge with --dependency=afterok on the array job', async () => {
    const fake = at('fake-sbatch');
    mkdirSync(fake);
    // sbatch --parsable prints "jobid[;cluster]"
    writeFileSync(join(fake, 'sbatch'), `#!/bin/sh\necho "$*" >> "${at('sbatch.log')}"\necho "9137;cluster-a"\n`);
    chmodSync(join(fake, 'sbatch'), 0o755);
    await run('bash', [join(DEPLOY, 'slurm', 'submit.sh')], { env: cleanEnv({ PATH: `${fake}:${process.env.PATH}` }) });
    expect(readFileSync(at('sbatch.log'), 'utf8').trimEnd().split('\n')).toEqual(['--parsable analyze.sbatch', '--dependency=afterok:9137 merge.sbatch']);
  });
});
