/**
 * Locates the read-only project data in ../shared (see ../shared/README.md), and the gallery
 * photos the repository itself ships.
 * Tests that need it call `sharedPath(...)` inside `describe.runIf(hasShared())`; under CI=true a
 * missing ../shared is a failure, not a skip (`assertSharedUnderCi` runs in every such suite).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env.CLIPSCOPE_SHARED ?? resolve(repoRoot, '..', 'shared');

export function hasShared(): boolean {
  const present = existsSync(join(SHARED_DIR, 'README.md'));
  if (!present && process.env.CI === 'true') {
    throw new Error(`CI=true but the shared data folder is missing: ${SHARED_DIR}`);
  }
  if (!present) console.warn(`[clipscope] skipping tests that need ${SHARED_DIR} (not found)`);
  return present;
}

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

export const REPO_ROOT = repoRoot;

/** the app's gallery photos (public/gallery, in the repository: tests that need only these never skip) */
export const GALLERY_DIR = join(repoRoot, 'public', 'gallery');

export function galleryPath(name: string): string {
  return join(GALLERY_DIR, name);
}
