/**
 * `--provider` as a user runs it (the CLI's main, in process): cpu gives the default's files byte for byte; cuda on an install
 * without the CUDA provider libraries (the npm package alone) stops before any work with one line
 * naming the missing files and how to get them (exit 1); an unknown name is a usage error listing
 * the providers this onnxruntime-node knows (exit 2).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNodeProvider } from '../model/runtime/nodeProviders.node.ts';
import { generateCheckpointDir } from '../model/checkpoint/checkpointGenerator.node.ts';
import { TINY_P14_QUICKGELU } from '../model/checkpoint/checkpointGenerator.ts';
import { runCli } from '../testkit/cli.node.ts';
import { REPO_ROOT } from '../testkit/shared.ts';

const IMAGE = join(REPO_ROOT, 'public', 'gallery', 'chelsea.png');
const cli = (...args: string[]) => runCli(args);

const cudaInstalled = (() => {
  try {
    checkNodeProvider('cuda');
    return true;
  } catch {
    return false;
  }
})();

describe('clipscope --provider', () => {
  let dir: string;
  let model: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clipscope-provider-'));
    model = join(dir, 'model');
    generateCheckpointDir(model, TINY_P14_QUICKGELU, { layout: 'hf', seed: 3 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--provider cpu writes the same files as no --provider, byte for byte; --help shows the option', async () => {
    const a = join(dir, 'default');
    const b = join(dir, 'cpu');
    const common = ['decompose', '--model', model, '--image', IMAGE, '--threads', '1', '--token-layers', 'none'];
    expect((await cli(...common, '--out', a)).code).toBe(0);
    expect((await cli(...common, '--out', b, '--provider', 'cpu')).code).toBe(0);
    const files = readdirSync(a).filter((f) => f.endsWith('.npy')).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(readdirSync(b).filter((f) => f.endsWith('.npy')).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    expect((await cli('decompose', '--help')).stdout).toMatch(/--provider cpu\|cuda\|…/);
  });

  it.skipIf(cudaInstalled)('--provider cuda without the CUDA provider libraries: one line naming them, exit 1, nothing written', async () => {
    const out = join(dir, 'cuda');
    const r = await cli('decompose', '--model', model, '--image', IMAGE, '--out', out, '--provider', 'cuda');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--provider cuda: execution provider 'cuda' is not installed: .*libonnxruntime_providers_cuda\.so (is|are) missing from \S*onnxruntime-node\S*\. The npm package ships the CPU provider only/);
    expect(r.stderr).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(() => readdirSync(out)).toThrow();
  });

  it('an unknown provider is a usage error listing the known ones (exit 2)', async () => {
    const r = await cli('encode-text', '--model', model, '--text', 'a cat', '--out', join(dir, 't.npy'), '--provider', 'rocm');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--provider rocm: onnxruntime-node has no execution provider 'rocm' on \w+\/\w+; it knows: cpu/);
  });
});
