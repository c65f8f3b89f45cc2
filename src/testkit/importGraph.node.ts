/**
 * The import graph of the repository, read with a real TypeScript parser (oxc), so comments and
 * strings never count and every form does: `import` (type-only too), `export … from`, and
 * `import('…')` with a literal. Used by src/architecture.test.ts; fixtures pass source texts
 * directly, so the same code reads the repo and the fixtures.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { parseSync } from 'oxc-parser';

export interface ImportEdge {
  /** importing file, relative to the repo root ('src/ui/workerClient.ts') */
  readonly from: string;
  /** a repo-relative path for a relative specifier ('src/math/tensor.ts'), else the bare specifier ('comlink', 'node:fs') */
  readonly to: string;
  /** `import type` / `export type`, or every name of the statement type-only: an arrow all the same */
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
}

export interface ImportGraph {
  /** every source file read, repo-relative */
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
}

const SOURCE = /\.(ts|tsx|js|mjs)$/;

/** the imports of one file; `path` (repo-relative) resolves its relative specifiers */
export function fileImports(path: string, text: string): ImportEdge[] {
  const lang = path.endsWith('.tsx') ? 'tsx' : path.endsWith('.ts') ? 'ts' : 'js';
  const parsed = parseSync(path, text, { lang, sourceType: 'module' });
  if (parsed.errors.length > 0) throw new Error(`${path}: cannot parse: ${parsed.errors[0].message}`);
  const resolve = (spec: string) => (spec.startsWith('.') ? posix.normalize(posix.join(posix.dirname(path), spec.replace(/\?.*$/, ''))) : spec);
  const edges: ImportEdge[] = [];
  for (const s of parsed.module.staticImports) {
    const typeOnly = s.entries.length > 0 && s.entries.every((e) => e.isType);
    edges.push({ from: path, to: resolve(s.moduleRequest.value), typeOnly, dynamic: false });
  }
  for (const s of parsed.module.staticExports) {
    const reexports = s.entries.filter((e) => e.moduleRequest);
    if (reexports.length === 0) continue;
    edges.push({ from: path, to: resolve(reexports[0].moduleRequest!.value), typeOnly: reexports.every((e) => e.isType), dynamic: false });
  }
  for (const d of parsed.module.dynamicImports) {
    const literal = /^(['"`])([^'"`$]+)\1$/.exec(text.slice(d.moduleRequest.start, d.moduleRequest.end));
    if (literal) edges.push({ from: path, to: resolve(literal[2]), typeOnly: false, dynamic: true });
  }
  return edges;
}

/** the graph of source texts keyed by repo-relative path (a fixture, or readSources' result) */
export function importGraph(sources: Readonly<Record<string, string>>): ImportGraph {
  const files = Object.keys(sources).sort();
  return { files, edges: files.flatMap((f) => fileImports(f, sources[f])) };
}

/** every source file under `areas` (folders relative to `root`), skipping node_modules and build output */
export function readSources(root: string, areas: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out[relative(root, path).split('\\').join('/')] = readFileSync(path, 'utf8');
    }
  };
  for (const area of areas) walk(join(root, area));
  return out;
}

/** the cycles of the graph among its files: strongly connected components of more than one file (Tarjan) */
export function importCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.to === e.from) continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of graph.files) if (!index.has(f)) visit(f);
  return cycles;
}
