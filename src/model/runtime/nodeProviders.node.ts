/**
 * Which onnxruntime-node execution providers can run here. The npm package bundles the CPU (and
 * WebGPU) providers; CUDA and TensorRT are shared libraries that the package's install script
 * downloads beside its binding on linux/x64 (clipscope denies that script by default, so they are
 * absent unless the user ran it). A provider is usable when the binding lists it and, if it is not
 * bundled, its libraries are in the binding's folder; otherwise the error names what is missing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export interface ProviderEnvironment {
  /** what the binding reports (ort.listSupportedBackends()) */
  readonly backends: readonly { name: string; bundled: boolean }[];
  /** the folder holding onnxruntime_binding.node, where provider libraries are installed */
  readonly bindingDir: string;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  fileExists(path: string): boolean;
}

export function installedProviderEnvironment(): ProviderEnvironment {
  const pkgDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  return {
    backends: ort.listSupportedBackends(),
    bindingDir: join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch),
    platform: process.platform,
    arch: process.arch,
    fileExists: existsSync,
  };
}

export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
  /** true: no provider of that name exists here; false: it exists but its libraries are missing */
  constructor(message: string, readonly unknownName: boolean) {
    super(message);
  }
}

/** the shared libraries a non-bundled provider loads, named as the install script places them */
export function providerLibraries(provider: string, platform: NodeJS.Platform): string[] {
  const lib = (n: string) => (platform === 'win32' ? `onnxruntime_providers_${n}.dll` : `libonnxruntime_providers_${n}.so`);
  return [lib('shared'), lib(provider)];
}

/** returns `provider` when this onnxruntime-node can run it; else throws, naming what is missing */
export function checkNodeProvider(provider: string, env: ProviderEnvironment = installedProviderEnvironment()): string {
  const known = env.backends.find((b) => b.name === provider);
  if (!known) {
    const list = env.backends.map((b) => (b.bundled ? b.name : `${b.name} (installed separately)`)).join(', ');
    throw new ProviderUnavailableError(`onnxruntime-node has no execution provider '${provider}' on ${env.platform}/${env.arch}; it knows: ${list}`, true);
  }
  if (known.bundled) return provider;
  const missing = providerLibraries(provider, env.platform).filter((f) => !env.fileExists(join(env.bindingDir, f)));
  if (missing.length === 0) return provider;
  throw new ProviderUnavailableError(
    `execution provider '${provider}' is not installed: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing from ${env.bindingDir}. ` +
      `The npm package ships the CPU provider only; onnxruntime-node's install script downloads the ${provider} libraries ` +
      `(linux/x64, CUDA 12 + cuDNN 9 needed at run time): ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js`,
    false,
  );
}
