/**
 * onnxruntime-node sessions for clipscope's graphs.
 *
 * The model is written into a fresh temp dir beside hard links to the checkpoint files (see
 * `stageModel` for the fallbacks); the dir is removed as soon as the session exists (the weights
 * are then in ORT's memory) or its creation fails.
 */
import { link, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../math/tensor.ts';
import type { ByteSource, ClipCheckpoint } from '../checkpoint/types.ts';
import { CheckpointError } from '../checkpoint/errors.ts';
import type { BuiltGraph } from '../onnx/builtGraph.ts';
import { runGraph, type RawOutput, type RawRun } from './graphRun.ts';
import type { GraphFeed } from '../onnx/graphSpec.ts';
import { materializeDerivedBlob } from '../onnx/externalData.ts';

export interface OrtNodeSessionOptions {
  /** threads for one operator (default 2) */
  intraOpNumThreads?: number;
  /** external-data location → path on disk; otherwise a ByteSource's `path` property is used, else its bytes are copied */
  filePaths?: ReadonlyMap<string, string>;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** parent folder of the short-lived staging dir (default: the OS temp dir) */
  tempRoot?: string;
  /** write ORT's optimised model here (diagnostics: e.g. to check constant folding) */
  optimizedModelFilePath?: string;
  /** onnxruntime-node execution provider (default 'cpu'); check it first with checkNodeProvider */
  executionProvider?: string;
  /** onnxruntime's profiler: a JSON trace of every node run, written by `endProfiling()` */
  profileFilePrefix?: string;
}

export interface OrtNodeSession {
  readonly graph: BuiltGraph;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** runs the graph; outputs keyed by name, shaped with the graph's shape letters */
  run(feeds: Record<string, GraphFeed>, outputNames?: readonly string[]): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
  /** with `profileFilePrefix`: stops the profiler and returns the trace file's path */
  endProfiling(): string;
}

function knownPath(src: ByteSource | undefined): string | undefined {
  const p = (src as { path?: unknown } | undefined)?.path;
  return typeof p === 'string' ? p : undefined;
}

interface StagedModel {
  readonly modelPath: string;
  /** files ORT gets from memory instead of from the model's directory */
  readonly inMemory: { path: string; data: Uint8Array }[];
}

async function readWhole(src: ByteSource): Promise<Uint8Array> {
  return src.read(0, src.size);
}

/**
 * Lays out the model in `dir`. ORT 1.30 refuses external data whose resolved path leaves the
 * model's directory (a symlink does), so each checkpoint file is hard-linked into `dir` (no copy,
 * still mmap-able); where that fails (another filesystem, no permission, no path) its bytes are
 * handed to ORT from memory through the `externalData` option. Derived blobs always go that way.
 */
async function stageModel(dir: string, graph: BuiltGraph, ckpt: ClipCheckpoint, filePaths?: ReadonlyMap<string, string>): Promise<StagedModel> {
  const inMemory: { path: string; data: Uint8Array }[] = [];
  for (const location of graph.externalData.placedLocations) {
    if (location !== basename(location)) throw new Error(`external-data location ${location} must be a plain file name`);
    const src = ckpt.files.get(location);
    const path = filePaths?.get(location) ?? knownPath(src);
    if (path) {
      try {
        await link(path, join(dir, location));
        continue;
      } catch {
        inMemory.push({ path: location, data: src ? await readWhole(src) : new Uint8Array(await readFile(path)) });
        continue;
      }
    }
    if (!src) throw new CheckpointError('missing-file', `the graph reads weights from ${location}, which is neither a checkpoint file nor in filePaths`, location);
    inMemory.push({ path: location, data: await readWhole(src) });
  }
  for (const blob of graph.externalData.derived) {
    inMemory.push({ path: blob.location, data: await materializeDerivedBlob(blob, ckpt.files) });
  }
  const modelPath = join(dir, `${graph.kind}.onnx`);
  await writeFile(modelPath, graph.model);
  return { modelPath, inMemory };
}

function toOrtTensor(name: string, feed: GraphFeed): ort.Tensor {
  if ('dtype' in feed && feed.dtype === 'int64') return new ort.Tensor('int64', feed.data, [...feed.dims]);
  const f = feed as Tensor<string, Float32Array>;
  if (!(f.data instanceof Float32Array)) throw new TypeError(`input ${name}: float32 data expected`);
  return new ort.Tensor('float32', f.data, [...f.dims]);
}

export async function createOrtNodeSession(graph: BuiltGraph, ckpt: ClipCheckpoint, options: OrtNodeSessionOptions = {}): Promise<OrtNodeSession> {
  const dir = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'clipscope-ort-'));
  let session: ort.InferenceSession;
  try {
    const staged = await stageModel(dir, graph, ckpt, options.filePaths);
    session = await ort.InferenceSession.create(staged.modelPath, {
      ...(staged.inMemory.length ? { externalData: staged.inMemory } : {}),
      executionProviders: [options.executionProvider ?? 'cpu'],
      intraOpNumThreads: options.intraOpNumThreads ?? 2,
      interOpNumThreads: 1,
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      ...(options.optimizedModelFilePath ? { optimizedModelFilePath: options.optimizedModelFilePath } : {}),
      ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const rawRun: RawRun = async (feeds, outputNames) => {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(name, feed);
    const results = outputNames ? await session.run(ortFeeds, [...outputNames]) : await session.run(ortFeeds);
    const out: Record<string, RawOutput> = {};
    for (const [name, value] of Object.entries(results)) {
      if (value.type !== 'float32') throw new TypeError(`output ${name}: float32 expected, got ${value.type}`);
      out[name] = { data: value.data as Float32Array, dims: value.dims };
    }
    return out;
  };
  return {
    graph,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run: (feeds, outputNames) => runGraph(graph, rawRun, feeds, outputNames),
    release: () => session.release(),
    endProfiling: () => {
      if (!options.profileFilePrefix) throw new Error('endProfiling: the session was created without profileFilePrefix');
      const prefix = options.profileFilePrefix;
      session.endProfiling();
      // ORT names the trace <prefix>_<timestamp>.json; the newest one is this session's
      const dir = dirname(prefix);
      const traces = readdirSync(dir).filter((f) => join(dir, f).startsWith(`${prefix}_`) && f.endsWith('.json')).map((f) => join(dir, f));
      const newest = traces.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
      if (!newest) throw new Error(`endProfiling: no trace ${prefix}_*.json was written`);
      return newest;
    },
  };
}
