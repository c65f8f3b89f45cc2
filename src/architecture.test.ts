/**
 * The dependency rules of docs/ARCHITECTURE.md, checked on the import statements of every source
 * file, so a violation fails the tests instead of waiting for review.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './testkit/shared.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** [file relative to the repo, imported module (relative to the repo when local)] */
function imports(area: string): [string, string][] {
  const out: [string, string][] = [];
  for (const file of sourceFiles(join(REPO_ROOT, area))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      const target = spec.startsWith('.') ? relative(REPO_ROOT, resolve(dirname(file), spec)) : spec;
      out.push([relative(REPO_ROOT, file), target]);
    }
  }
  return out;
}

const local = (target: string) => target.startsWith('src/') || target.startsWith('workers/');

describe('dependency direction (docs/ARCHITECTURE.md)', () => {
  it('the import scanner sees real imports (so the rules below cannot pass vacuously)', () => {
    expect(imports('src/ui')).toContainEqual(['src/ui/workerClient.ts', 'comlink']);
    expect(imports('src/analysis')).toContainEqual(['src/analysis/heatmap.ts', 'src/math/bilinear.ts']);
    expect(imports('workers')).toContainEqual(['workers/clip.worker.ts', 'src/explorer/session.ts']);
    expect(imports('src/hub')).toContainEqual(['src/hub/download.ts', 'src/model/checkpoint/load.ts']);
  });
  it('src/math imports nothing local outside src/math', () => {
    expect(imports('src/math').filter(([, t]) => local(t) && !t.startsWith('src/math/'))).toEqual([]);
  });
  it('src/analysis imports only src/math and itself', () => {
    expect(imports('src/analysis').filter(([, t]) => local(t) && !t.startsWith('src/math/') && !t.startsWith('src/analysis/'))).toEqual([]);
  });
  it('src/ui never imports src/model, src/hub or onnxruntime', () => {
    expect(imports('src/ui').filter(([, t]) => t.startsWith('src/model/') || t.startsWith('src/hub/') || t.startsWith('onnxruntime'))).toEqual([]);
  });
  it('src/model never imports src/hub (the hub builds on the model)', () => {
    expect(imports('src/model').filter(([, t]) => t.startsWith('src/hub/'))).toEqual([]);
  });
  it('src/hub imports only src/model, src/math, src/api and itself', () => {
    const allowed = ['src/hub/', 'src/model/', 'src/math/', 'src/api/'];
    expect(imports('src/hub').filter(([, t]) => local(t) && !allowed.some((a) => t.startsWith(a)))).toEqual([]);
  });
  it('only src/model/runtime imports onnxruntime (plus tests and test kits)', () => {
    const offenders = ['src', 'workers'].flatMap(imports).filter(([f, t]) => t.startsWith('onnxruntime') && !f.startsWith('src/model/runtime/'));
    expect(offenders).toEqual([]);
  });
  it('browser-side modules never import node: builtins or .node.ts files', () => {
    const browserAreas = ['src/math', 'src/analysis', 'src/labels', 'src/explorer', 'src/verify', 'src/ui', 'src/api', 'workers'];
    const modelShared = ['src/model', 'src/hub'].flatMap(imports).filter(([f]) => !f.endsWith('.node.ts'));
    const offenders = [...browserAreas.flatMap(imports), ...modelShared].filter(
      ([f, t]) => !f.endsWith('.node.ts') && (t.startsWith('node:') || t.endsWith('.node.ts')),
    );
    expect(offenders).toEqual([]);
  });
  it('CLI commands import neither src/cli/main.ts nor one another (they share src/cli/command.ts)', () => {
    const offenders = imports('src/cli/commands').filter(([, t]) => t === 'src/cli/main.ts' || t.startsWith('src/cli/commands/'));
    expect(offenders).toEqual([]);
  });
  it('nothing outside the CLI and the test kit imports src/cli', () => {
    const areas = ['src/math', 'src/analysis', 'src/labels', 'src/explorer', 'src/ui', 'src/api', 'src/model', 'src/cache', 'workers'];
    expect(areas.flatMap(imports).filter(([, t]) => t.startsWith('src/cli/'))).toEqual([]);
  });
});
