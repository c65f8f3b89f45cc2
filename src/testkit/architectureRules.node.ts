/**
 * The dependency rules of docs/ARCHITECTURE.md as data and checks over an import graph, so that
 * src/architecture.test.ts applies them to the repository and to fixtures that break each one.
 *
 * Production code is grouped into modules (a folder, or one file); each module names the modules
 * it may import. That map is a DAG, so an arrow that is not in it points up or sideways. Test code
 * (tests, test kits, the browser-test harness, benches) sits above everything and may import any
 * production module, but nothing production imports it.
 */
import { importCycles, type ImportEdge, type ImportGraph } from './importGraph.node.ts';

export interface ModuleRule {
  /** a folder ('src/model/onnx') or a single file ('src/model/arch.ts'); a file belongs to the longest match */
  readonly name: string;
  /** what the module holds, for docs/ARCHITECTURE.md */
  readonly holds: string;
  /** modules it may import (besides itself) */
  readonly imports: readonly string[];
}

const MODEL_PARTS = ['src/model/arch.ts', 'src/model/io', 'src/model/checkpoint', 'src/model/tokenizer', 'src/model/preprocess', 'src/model/onnx', 'src/model/runtime'];
const MODEL = [...MODEL_PARTS, 'src/model'];

/** bottom to top; a module imports only modules listed before it */
export const MODULES: readonly ModuleRule[] = [
  { name: 'src/api', holds: 'the worker contract and the plain-data types crossing it', imports: [] },
  { name: 'src/math', holds: 'typed-array kernels, Tensor with its shape in the type', imports: [] },
  { name: 'src/analysis', holds: 'the paper’s analyses on decomposition parts', imports: ['src/math'] },
  { name: 'src/labels', holds: 'label sets, labels CSVs, description pools, the zero-shot classifier', imports: ['src/math', 'src/analysis'] },
  { name: 'src/model/arch.ts', holds: 'derived architecture facts (types in src/api)', imports: ['src/api'] },
  { name: 'src/model/io', holds: '.npy read/write', imports: ['src/math'] },
  { name: 'src/model/checkpoint', holds: 'checkpoint files, layouts, the demo-checkpoint generator', imports: ['src/math', 'src/model/arch.ts', 'src/model/io'] },
  { name: 'src/model/tokenizer', holds: 'CLIP BPE', imports: ['src/model/arch.ts', 'src/model/checkpoint'] },
  { name: 'src/model/preprocess', holds: 'image decoding and the evaluation transform', imports: ['src/math', 'src/model/arch.ts', 'src/model/io'] },
  { name: 'src/model/onnx', holds: 'graph builders and the graph contract (graphSpec.ts)', imports: ['src/math', 'src/model/arch.ts', 'src/model/checkpoint'] },
  { name: 'src/model/runtime', holds: 'onnxruntime sessions (the only onnxruntime importers)', imports: ['src/api', 'src/math', 'src/model/arch.ts', 'src/model/checkpoint', 'src/model/onnx'] },
  { name: 'src/model', holds: 'ClipEngine, text-embedding cache', imports: ['src/api', 'src/math', ...MODEL_PARTS] },
  { name: 'src/hub', holds: 'Hugging Face hub: browser downloads + storage, the Node cache', imports: ['src/api', 'src/math', 'src/model/arch.ts', 'src/model/checkpoint'] },
  { name: 'src/verify', holds: 'model verification against reference values (app and CLI)', imports: ['src/api', 'src/math', ...MODEL] },
  { name: 'src/cache', holds: 'the per-image analysis cache, atlas, retrieval', imports: ['src/math', 'src/analysis', 'src/labels', ...MODEL] },
  { name: 'src/explorer', holds: 'ImageExplorer, run in the worker', imports: ['src/api', 'src/math', 'src/analysis', 'src/labels', ...MODEL, 'src/hub', 'src/verify'] },
  { name: 'src/cli', holds: '`clipscope` commands (Node)', imports: ['src/api', 'src/math', 'src/analysis', 'src/labels', ...MODEL, 'src/hub', 'src/verify', 'src/cache', 'src/explorer'] },
  { name: 'workers', holds: 'the worker entry: comlink-exposed ClipscopeApi', imports: ['src/api', 'src/math', 'src/analysis', 'src/labels', ...MODEL, 'src/hub', 'src/verify', 'src/explorer'] },
  { name: 'src/ui', holds: 'React + d3 + zustand; talks to the worker only through workerClient.ts', imports: ['src/api', 'src/math', 'src/analysis'] },
  { name: 'scripts', holds: 'build steps: the demo checkpoint, public/data, the chromium check', imports: ['src/math', 'src/analysis', 'src/labels', ...MODEL, 'src/cache'] },
  { name: 'bin', holds: 'the `clipscope` executable', imports: ['src/cli'] },
];

/** tests, test kits, the browser-test harness and benches: above everything, imported by nothing production */
export function isTestCode(file: string): boolean {
  return (
    /\.test\.tsx?$/.test(file) ||
    file.startsWith('src/testkit/') ||
    /(^|\/)testing\//.test(file) ||
    file.startsWith('e2e/') ||
    file.startsWith('scripts/bench/') ||
    file.startsWith('deploy/')
  );
}

/** packages only tests may import */
const TEST_PACKAGES = ['vitest', 'playwright-core', 'fake-indexeddb', 'oxc-parser'];

const isLocal = (to: string) => /^(src|workers|scripts|bin|e2e|deploy)\//.test(to);

/** the module a production file belongs to (longest match), or undefined */
export function moduleOf(file: string): ModuleRule | undefined {
  let best: ModuleRule | undefined;
  for (const m of MODULES) {
    const match = file === m.name || file.startsWith(`${m.name}/`);
    if (match && (!best || m.name.length > best.name.length)) best = m;
  }
  return best;
}

const arrow = (e: ImportEdge) => `${e.from} -> ${e.to}${e.typeOnly ? ' (type-only)' : ''}${e.dynamic ? ' (dynamic)' : ''}`;
const production = (g: ImportGraph) => g.edges.filter((e) => !isTestCode(e.from));

export interface ArchitectureRule {
  readonly name: string;
  /** the breaches in `graph`, one line each; [] when the rule holds */
  check(graph: ImportGraph): string[];
}

/** the module map itself: known names, and every allowed import listed before its importer (so no cycle) */
export function moduleMapErrors(modules: readonly ModuleRule[] = MODULES): string[] {
  const position = new Map(modules.map((m, i) => [m.name, i]));
  return modules.flatMap((m, i) =>
    m.imports.flatMap((dep) => {
      const at = position.get(dep);
      if (at === undefined) return [`${m.name} allows unknown module ${dep}`];
      return at < i ? [] : [`${m.name} allows ${dep}, which is not below it`];
    }),
  );
}

export const RULES: readonly ArchitectureRule[] = [
  {
    name: 'no import cycle among the files of src/, workers/, scripts/, e2e/ and bin/ (type-only imports count)',
    check: (g) => importCycles(g).map((c) => `cycle: ${c.join(' -> ')}`),
  },
  {
    name: 'every production file belongs to a module of the map',
    check: (g) => g.files.filter((f) => !isTestCode(f) && !moduleOf(f)).map((f) => `${f} is in no module: add it to MODULES`),
  },
  {
    name: 'production arrows point down the module map (no upward or sideways import)',
    check: (g) =>
      production(g)
        .filter((e) => isLocal(e.to))
        .flatMap((e) => {
          const [from, to] = [moduleOf(e.from), moduleOf(e.to)];
          if (!from || !to || from === to || from.imports.includes(to.name)) return [];
          return [`${arrow(e)}: ${from.name} may not import ${to.name}`];
        }),
  },
  {
    name: 'src/api imports nothing local (the types it needs live in it)',
    check: (g) => g.edges.filter((e) => e.from.startsWith('src/api/') && !isTestCode(e.from) && isLocal(e.to) && !e.to.startsWith('src/api/')).map(arrow),
  },
  {
    name: 'the graph contract lives with the graph builders: src/model/onnx imports nothing from src/model/runtime',
    check: (g) => g.edges.filter((e) => e.from.startsWith('src/model/onnx/') && !isTestCode(e.from) && e.to.startsWith('src/model/runtime/')).map(arrow),
  },
  {
    name: 'comlink is imported only by the worker entry (workers/) and the UI worker client (src/ui/workerClient.ts)',
    check: (g) => production(g).filter((e) => e.to === 'comlink' && !e.from.startsWith('workers/') && e.from !== 'src/ui/workerClient.ts').map(arrow),
  },
  {
    name: 'production code never imports test code (test kits, tests, the e2e harness, benches, test packages)',
    check: (g) => production(g).filter((e) => (isLocal(e.to) && isTestCode(e.to)) || TEST_PACKAGES.includes(e.to)).map(arrow),
  },
  {
    name: 'CLI commands import neither src/cli/main.ts nor one another (they share src/cli/command.ts)',
    check: (g) =>
      production(g)
        .filter((e) => e.from.startsWith('src/cli/commands/') && (e.to === 'src/cli/main.ts' || e.to.startsWith('src/cli/commands/')))
        .map(arrow),
  },
  {
    name: 'only src/model/runtime imports onnxruntime',
    check: (g) => production(g).filter((e) => e.to.startsWith('onnxruntime') && !e.from.startsWith('src/model/runtime/')).map(arrow),
  },
  {
    name: 'browser-side code never imports node: builtins or .node.ts files',
    check: (g) => {
      const browserSide = (f: string) => !f.endsWith('.node.ts') && /^(src\/(math|analysis|labels|explorer|ui|api|model|hub|verify)|workers)\//.test(f);
      return production(g).filter((e) => browserSide(e.from) && (e.to.startsWith('node:') || e.to.endsWith('.node.ts'))).map(arrow);
    },
  },
];

/** the module a file is drawn in: src/model's parts collapse into src/model in the house picture */
const drawnAs = (m: ModuleRule) => (m.name.startsWith('src/model/') ? 'src/model' : m.name);

/** module-level arrows of production code as built, [importer, imported], sorted; `inside` picks src/model's parts */
export function moduleArrows(graph: ImportGraph, inside: 'house' | 'src/model'): [string, string][] {
  const arrows = new Set<string>();
  for (const e of production(graph)) {
    const [a, b] = [moduleOf(e.from), moduleOf(e.to)];
    if (!a || !b || a === b) continue;
    const [x, y] = [drawnAs(a), drawnAs(b)];
    if (inside === 'house' && x !== y) arrows.add(`${x}\t${y}`);
    // inside src/model, the files directly in it (engine.ts, textCache.ts, …) are drawn as src/model/*.ts
    const part = (m: ModuleRule) => (m.name === 'src/model' ? 'src/model/*.ts' : m.name);
    if (inside === 'src/model' && x === 'src/model' && y === 'src/model') arrows.add(`${part(a)}\t${part(b)}`);
  }
  return [...arrows].sort().map((s) => s.split('\t') as [string, string]);
}

/** a Mermaid flowchart of arrows, importers above what they import */
export function mermaidFlowchart(arrows: readonly (readonly [string, string])[]): string {
  const id = (name: string) => name.replace(/^src\//, '').replace(/[^A-Za-z0-9]/g, '_');
  const label = (name: string) => name.replace(/^src\//, '');
  const nodes = [...new Set(arrows.flat())].sort();
  return [
    '```mermaid',
    'flowchart TD',
    ...nodes.map((n) => `  ${id(n)}["${label(n)}"]`),
    ...arrows.map(([a, b]) => `  ${id(a)} --> ${id(b)}`),
    '```',
  ].join('\n');
}
