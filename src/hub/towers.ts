/**
 * Which bytes of a safetensors file the chosen towers need, decided from the configs and the
 * header alone (before any weight is downloaded), with the loader's own weight plans — so a
 * partial download holds exactly what `loadCheckpoint` and the graph builders read.
 */
import { parseHfConfig, parseOpenClipConfig, tokenizerSpecials } from '../model/checkpoint/config.ts';
import { HF_TEXT_MARKER, hfWeightPlan, isIgnoredTensor, openClipTextPrefix, openClipWeightPlan, type WeightPlanEntry } from '../model/checkpoint/layout.ts';
import type { TensorInfo } from '../model/checkpoint/types.ts';
import type { TextArch, VisionArch } from '../model/arch.ts';
import type { Tower } from './hubClient.ts';
import type { ByteRange } from './ranges.ts';

export interface TowerArchs {
  readonly vision: VisionArch;
  readonly text?: TextArch;
}

/** the architecture a layout's config describes (text as the config says, before looking at tensors) */
export function archFromConfig(layout: 'hf' | 'openclip', configText: string, configName: string, vocabJson?: string): TowerArchs {
  const specials = vocabJson === undefined ? undefined : tokenizerSpecials(vocabJson);
  return layout === 'openclip' ? parseOpenClipConfig(configText, configName, specials) : parseHfConfig(configText, configName, specials);
}

/** weight-plan entries of the loader, split by tower, for the tensors a header holds */
export function plannedTensorsByTower(
  layout: 'hf' | 'openclip',
  archs: TowerArchs,
  tensorNames: { has(name: string): boolean },
): Record<Tower, Set<string>> {
  let plan: WeightPlanEntry[];
  if (layout === 'openclip') {
    const prefix = openClipTextPrefix(tensorNames);
    plan = openClipWeightPlan(archs.vision, prefix === undefined ? undefined : archs.text, prefix ?? '');
  } else {
    plan = hfWeightPlan(archs.vision, tensorNames.has(HF_TEXT_MARKER) ? archs.text : undefined);
  }
  const out: Record<Tower, Set<string>> = { vision: new Set(), text: new Set() };
  for (const e of plan) out[e.canonical.startsWith('v.') ? 'vision' : 'text'].add(e.tensor);
  return out;
}

/** the fingerprint's sampled data ranges: one definition, in the loader */
export { fingerprintSampleRanges } from '../model/checkpoint/load.ts';

export interface TowerBytes {
  /** byte ranges of the tensors of each tower in this file */
  readonly ranges: Record<Tower, ByteRange[]>;
  /** parameter count per tower in this file */
  readonly params: Record<Tower, number>;
  /** largest single tensor per tower, in bytes as stored */
  readonly largestTensor: Record<Tower, number>;
}

/** split one file's tensors by tower; tensors of neither tower (logit_scale, ids) are left out */
export function towerBytes(tensors: ReadonlyMap<string, TensorInfo>, byTower: Record<Tower, Set<string>>): TowerBytes {
  const ranges: Record<Tower, ByteRange[]> = { vision: [], text: [] };
  const params: Record<Tower, number> = { vision: 0, text: 0 };
  const largest: Record<Tower, number> = { vision: 0, text: 0 };
  for (const info of tensors.values()) {
    if (isIgnoredTensor(info.name)) continue;
    const tower: Tower | undefined = byTower.vision.has(info.name) ? 'vision' : byTower.text.has(info.name) ? 'text' : undefined;
    if (!tower) continue;
    ranges[tower].push({ start: info.byteOffset, end: info.byteOffset + info.byteLength });
    params[tower] += info.shape.reduce((a, b) => a * b, 1);
    largest[tower] = Math.max(largest[tower], info.byteLength);
  }
  return { ranges, params, largestTensor: largest };
}
