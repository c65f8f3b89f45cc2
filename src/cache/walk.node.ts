/**
 * The image files under a folder, recursively, in a stable order: '/'-separated paths relative to
 * the folder, sorted by UTF-16 code units (locale-independent, so every machine agrees). Hidden
 * entries (names starting with '.') are ignored; symbolic links to files are followed, links to
 * folders are not (no cycles).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Extensions taken as images. GIF, WebP, BMP and TIFF are listed so that such files are reported
 * as skipped (unsupported format) instead of silently ignored.
 */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp', '.tif', '.tiff'];

export function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function listImageFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(full, rel);
      } else if (isImageName(entry.name)) {
        if (entry.isFile()) found.push(rel);
        else if (entry.isSymbolicLink()) {
          try {
            if (statSync(full).isFile()) found.push(rel);
          } catch {
            found.push(rel); // a broken link: reported as unreadable when processed
          }
        }
      }
    }
  };
  visit(root, '');
  return found.sort(compareCodeUnits);
}
