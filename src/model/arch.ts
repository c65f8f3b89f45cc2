/**
 * Derived facts about a CLIP architecture. The architecture types themselves are plain data the
 * worker contract carries, so they live in src/api/architecture.ts (re-exported here).
 */
import type { VisionArch } from '../api/architecture.ts';

export type { Activation, PreprocessConfig, TextArch, VisionArch } from '../api/architecture.ts';

/** grid side G, patch count N and token count T = N + 1 */
export function visionGrid(v: VisionArch): { grid: number; patches: number; tokens: number } {
  const grid = Math.floor(v.imageSize / v.patchSize);
  return { grid, patches: grid * grid, tokens: grid * grid + 1 };
}
