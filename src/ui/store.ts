/** App state (zustand). Holds ids and small summaries only; big tensors stay in the worker. */
import { create } from 'zustand';
import type { DecompositionSummary, ModelSummary, RuntimeInfo } from '../api/types.ts';

export interface HeadGridSummary {
  layers: number;
  heads: number;
  /** ‖c_head‖ per (layer, head), row-major [L,H] */
  norms: Float32Array;
}

export interface ImageEntry {
  id: string;
  name: string;
  summary?: DecompositionSummary;
  grid?: HeadGridSummary;
  error?: string;
}

export interface AppState {
  runtime?: RuntimeInfo;
  model?: ModelSummary;
  busy?: string;
  error?: string;
  images: ImageEntry[];
  selectedImage?: string;
  selectedHead?: { layer: number; head: number };
  set(patch: Partial<Omit<AppState, 'set' | 'upsertImage'>>): void;
  upsertImage(entry: ImageEntry): void;
}

export const useAppStore = create<AppState>((set) => ({
  images: [],
  set: (patch) => set(patch),
  upsertImage: (entry) =>
    set((s) => {
      const rest = s.images.filter((i) => i.id !== entry.id);
      return { images: [...rest, entry], selectedImage: entry.id };
    }),
}));

export const selectSelectedImage = (s: AppState): ImageEntry | undefined => s.images.find((i) => i.id === s.selectedImage);
