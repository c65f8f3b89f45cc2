/** `--provider`: the onnxruntime-node execution provider a command's engine runs on. */
import { checkNodeProvider, ProviderUnavailableError } from '../model/runtime/nodeProviders.node.ts';
import type { OptionSpec } from './command.ts';
import { CliError, usageError } from './errors.ts';

export const PROVIDER_OPTION = {
  type: 'string',
  value: 'cpu|cuda|…',
  description: "onnxruntime-node execution provider; the npm package ships cpu, cuda and tensorrt need the libraries onnxruntime-node's install script downloads",
  default: 'cpu',
} as const satisfies OptionSpec;

/** the provider to pass to createNodeEngine, or a CliError naming what is missing */
export function parseProvider(value: string | undefined): string {
  try {
    return checkNodeProvider(value ?? 'cpu');
  } catch (err) {
    if (err instanceof ProviderUnavailableError) {
      const message = `--provider ${value}: ${err.message}`;
      throw err.unknownName ? usageError(message) : new CliError(message);
    }
    throw err;
  }
}
