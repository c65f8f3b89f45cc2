/**
 * The dependency rules of docs/ARCHITECTURE.md, checked on the import statements of every source
 * file, so a violation fails the tests instead of waiting for review.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTestCode, mermaidFlowchart, moduleArrows, moduleMapErrors, MODULES, RULES, type ModuleRule } from './testkit/architectureRules.node.ts';
import { importGraph, readSources } from './testkit/importGraph.node.ts';
import { REPO_ROOT } from './testkit/shared.ts';

const repo = importGraph(readSources(REPO_ROOT, ['src', 'workers', 'scripts', 'e2e', 'bin', 'deploy']));

/** [file relative to the repo, imported module (relative to the repo when local)] of the non-test files under `area` */
function imports(area: string): [string, string][] {
  return repo.edges.filter((e) => e.from.startsWith(`${area}/`) && !/\.test\.tsx?$/.test(e.from)).map((e) => [e.from, e.to]);
}

const local = (target: string) => target.startsWith('src/') || target.startsWith('workers/');

describe('dependency direction (docs/ARCHITECTURE.md)', () => {
  it('the import scanner sees real imports (so the rules below cannot pass vacuously)', () => {
    expect(imports('src/ui')).toContainEqual(['src/ui/workerClient.ts', 'comlink']);
    expect(imports('src/analysis')).toContainEqual(['src/analysis/heatmap.ts', 'src/math/bilinear.ts']);
    expect(imports('workers')).toContainEqual(['workers/clip.worker.ts', 'src/explorer/imageExplorer.ts']);
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

describe('the module map (src/testkit/architectureRules.node.ts, drawn in docs/ARCHITECTURE.md)', () => {
  it('moduleMapErrors(MODULES) is empty: every module allows only modules below it, so the map has no cycle', () => {
    expect(moduleMapErrors()).toEqual([]);
    expect(MODULES.length).toBeGreaterThan(15);
  });
  it('moduleMapErrors reports an allowed import that points up (so the check above can fail)', () => {
    const upward: ModuleRule[] = [
      { name: 'a', holds: '', imports: ['b'] },
      { name: 'b', holds: '', imports: [] },
    ];
    expect(moduleMapErrors(upward)).toEqual(['a allows b, which is not below it']);
  });
  it('the scan covers the repository: hundreds of files and production arrows of every kind', () => {
    expect(repo.files.length).toBeGreaterThan(300);
    expect(repo.edges.some((e) => e.typeOnly && !isTestCode(e.from))).toBe(true);
    expect(repo.edges.some((e) => e.dynamic && e.from === 'src/cli/main.ts')).toBe(true);
    expect(repo.edges).toContainEqual({ from: 'src/model/engine.ts', to: 'src/model/runtime/graphSession.ts', typeOnly: true, dynamic: false });
  });
  it.each(RULES.map((r) => [r.name, r] as const))('%s', (_, rule) => {
    expect(rule.check(repo)).toEqual([]);
  });
});

/** a small house that keeps every rule: one file per module, imports pointing down */
const CLEAN: Record<string, string> = {
  'src/api/types.ts': 'export interface VisionArch { width: number }',
  'src/math/tensor.ts': 'export const tensor = 1;',
  'src/analysis/heatmap.ts': "import { tensor } from '../math/tensor.ts';\nexport const h = tensor;",
  'src/model/arch.ts': "import type { VisionArch } from '../api/types.ts';\nexport type { VisionArch };",
  'src/model/onnx/graphSpec.ts': 'export const IMAGE_INPUT = "pixels";',
  'src/model/onnx/imageGraph.ts': "import { IMAGE_INPUT } from './graphSpec.ts';\nexport const g = IMAGE_INPUT;",
  'src/model/runtime/ortNode.node.ts': "import * as ort from 'onnxruntime-node';\nimport type { IMAGE_INPUT } from '../onnx/graphSpec.ts';\nexport const o = ort;",
  'src/model/engine.ts': "import { g } from './onnx/imageGraph.ts';\nexport const e = g;",
  'src/explorer/imageExplorer.ts': "import { e } from '../model/engine.ts';\nimport { h } from '../analysis/heatmap.ts';\nexport const s = [e, h];",
  'src/cache/atlas.ts': "import { e } from '../model/engine.ts';\nexport const a = e;",
  'src/cli/command.ts': 'export interface Command { summary: string }',
  'src/cli/commands/decompose.ts': "import type { Command } from '../command.ts';\nimport { a } from '../../cache/atlas.ts';\nexport const c: Command = { summary: String(a) };",
  'src/cli/main.ts': "export const load = () => import('./commands/decompose.ts');",
  'src/ui/workerClient.ts': "import * as Comlink from 'comlink';\nimport type { VisionArch } from '../api/types.ts';\nexport const w = Comlink;",
  'workers/clip.worker.ts': "import * as Comlink from 'comlink';\nimport { s } from '../src/explorer/imageExplorer.ts';\nComlink.expose(s);",
  'scripts/buildDemo.ts': "import { e } from '../src/model/engine.ts';\nexport const d = e;",
  'src/testkit/cli.node.ts': "import { load } from '../cli/main.ts';\nimport { vi } from 'vitest';\nexport const run = [load, vi];",
  'src/cache/atlas.test.ts': "import { run } from '../testkit/cli.node.ts';\nimport { a } from './atlas.ts';\nexport const t = [run, a];",
};

/** for each rule, the edit that breaks it (comments and strings that merely mention an import never count) */
const BREACHES: Record<string, Record<string, string>> = {
  'no import cycle': {
    'src/analysis/heatmap.ts': "import { tensor } from '../math/tensor.ts';\nimport type { R } from './roles.ts';\nexport const h = tensor;",
    'src/analysis/roles.ts': "import { h } from './heatmap.ts';\nexport type R = typeof h;",
  },
  'every production file belongs to a module': { 'src/newthing/compare.ts': 'export const x = 1;' },
  'production arrows point down': {
    'src/analysis/heatmap.ts': "import { tensor } from '../math/tensor.ts';\nimport type { a } from '../cache/atlas.ts';\nexport const h = tensor;",
  },
  'src/api imports nothing local': { 'src/api/types.ts': "import type { e } from '../model/engine.ts';\nexport interface VisionArch { width: number }" },
  'the graph contract lives with the graph builders': {
    'src/model/runtime/graphSpec.ts': 'export const IMAGE_INPUT = "pixels";',
    'src/model/onnx/imageGraph.ts': "import { IMAGE_INPUT } from '../runtime/graphSpec.ts';\nexport const g = IMAGE_INPUT;",
  },
  'comlink is imported only by': { 'src/explorer/imageExplorer.ts': "import { e } from '../model/engine.ts';\nimport { wrap } from 'comlink';\nexport const s = [e, wrap];" },
  'production code never imports test code': {
    'src/testkit/checkpointGenerator.ts': 'export const generate = 1;',
    'scripts/buildDemo.ts': "import { generate } from '../src/testkit/checkpointGenerator.ts';\nexport const d = generate;",
  },
  'CLI commands import neither': {
    'src/cli/commands/textspan.ts': "import { c } from './decompose.ts';\n// import { load } from '../main.ts'\nexport const t = c;",
  },
  'only src/model/runtime imports onnxruntime': { 'src/model/engine.ts': "import { g } from './onnx/imageGraph.ts';\nimport 'onnxruntime-web';\nexport const e = g;" },
  'browser-side code never imports node:': { 'src/analysis/heatmap.ts': "import { tensor } from '../math/tensor.ts';\nimport { readFileSync } from 'node:fs';\nexport const h = [tensor, readFileSync];" },
};

describe('each rule fails on a fixture that breaks it (so the rules above can fail)', () => {
  const ruleNamed = (prefix: string) => {
    const found = RULES.filter((r) => r.name.startsWith(prefix));
    expect(found, prefix).toHaveLength(1);
    return found[0];
  };
  it('the clean fixture keeps every rule', () => {
    const g = importGraph(CLEAN);
    for (const rule of RULES) expect(rule.check(g), rule.name).toEqual([]);
  });
  it('every rule has a breaching fixture', () => {
    expect(RULES.map((r) => Object.keys(BREACHES).filter((p) => r.name.startsWith(p)).length)).toEqual(RULES.map(() => 1));
  });
  it.each(Object.entries(BREACHES))('%s: the breach is reported by that rule alone', (prefix, edit) => {
    const g = importGraph({ ...CLEAN, ...edit });
    const rule = ruleNamed(prefix);
    expect(rule.check(g).length).toBeGreaterThan(0);
    // a breach may break the module map too (an upward arrow is also not in the map), never an unrelated rule
    const alsoBroken = RULES.filter((r) => r !== rule && r.check(g).length > 0).map((r) => r.name.slice(0, 40));
    expect(alsoBroken.every((n) => n.startsWith('production arrows point down') || n.startsWith('every production file'))).toBe(true);
  });
  it('a type-only import and a dynamic import are arrows; a comment is not', () => {
    const g = importGraph({
      'src/math/a.ts': "import type { B } from './b.ts';\n// import { c } from './c.ts'\nconst s = \"import d from './d.ts'\";\nexport const a = () => import('./e.ts');",
    });
    expect(g.edges).toEqual([
      { from: 'src/math/a.ts', to: 'src/math/b.ts', typeOnly: true, dynamic: false },
      { from: 'src/math/a.ts', to: 'src/math/e.ts', typeOnly: false, dynamic: true },
    ]);
  });
});

/** the text between `<!-- start -->` and `<!-- end -->` markers of a document */
function between(doc: string, start: string, end: string): string {
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return `(no ${start} … ${end} block)`;
  return doc.slice(i + start.length, j).trim();
}

describe('docs/ARCHITECTURE.md draws the house as built', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  it.each(['house', 'src/model'] as const)('its %s picture has exactly the module arrows of the code (on failure, paste the expected block)', (which) => {
    const drawn = between(doc, `<!-- arrows:${which} -->`, `<!-- /arrows:${which} -->`);
    expect(drawn).toBe(mermaidFlowchart(moduleArrows(repo, which)));
  });
  it('every module of the map is named in it', () => {
    for (const m of MODULES) expect(doc, m.name).toContain(m.name.replace(/^src\//, ''));
  });
});
