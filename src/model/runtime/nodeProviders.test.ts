import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkNodeProvider, installedProviderEnvironment, ProviderUnavailableError, type ProviderEnvironment } from './nodeProviders.node.ts';

/** what onnxruntime-node 1.30's binding reports on linux/x64 */
const BACKENDS = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];

function env(files: string[]): ProviderEnvironment {
  const dir = '/pkg/bin/napi-v6/linux/x64';
  const present = new Set(files.map((f) => join(dir, f)));
  return { backends: BACKENDS, bindingDir: dir, platform: 'linux', arch: 'x64', fileExists: (p) => present.has(p) };
}

describe('checkNodeProvider', () => {
  it('bundled providers pass as they are', () => {
    expect(checkNodeProvider('cpu', env([]))).toBe('cpu');
    expect(checkNodeProvider('webgpu', env([]))).toBe('webgpu');
  });

  it('cuda without its libraries: the error names each missing file, the folder and how to install them', () => {
    const run = () => checkNodeProvider('cuda', env([]));
    expect(run).toThrow(ProviderUnavailableError);
    expect(run).toThrow(/'cuda' is not installed: libonnxruntime_providers_shared\.so and libonnxruntime_providers_cuda\.so are missing from \/pkg\/bin\/napi-v6\/linux\/x64/);
    expect(run).toThrow(/ships the CPU provider only.*ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/);
    expect(() => checkNodeProvider('tensorrt', env(['libonnxruntime_providers_shared.so']))).toThrow(/libonnxruntime_providers_tensorrt\.so is missing/);
  });

  it('cuda with its libraries installed beside the binding passes through', () => {
    expect(checkNodeProvider('cuda', env(['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']))).toBe('cuda');
  });

  it('an unknown provider lists the ones this binding knows', () => {
    expect(() => checkNodeProvider('rocm', env([]))).toThrow("onnxruntime-node has no execution provider 'rocm' on linux/x64; it knows: cpu, webgpu, cuda (installed separately), tensorrt (installed separately)");
  });

  it('the installed package: cpu is there, and its binding folder exists', () => {
    const real = installedProviderEnvironment();
    expect(checkNodeProvider('cpu', real)).toBe('cpu');
    expect(real.fileExists(join(real.bindingDir, 'onnxruntime_binding.node'))).toBe(true);
  });
});
