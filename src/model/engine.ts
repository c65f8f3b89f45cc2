/**
 * ClipEngine: one loaded checkpoint plus lazily created onnxruntime sessions for its graphs.
 * Platform-neutral: the caller supplies the session factory (onnxruntime-node in the CLI and
 * tests, onnxruntime-web in the worker). Outputs are per image / per text (batch dim removed).
 */
import { ForegroundFirst } from './foregroundFirst.ts';
import { tensor, type Tensor } from '../math/tensor.ts';
import type { BuiltGraph } from './onnx/builtGraph.ts';
import { buildNeuronProjectionGraph } from './onnx/neuronProjectionGraph.ts';
import type { GraphPrecision } from './onnx/externalData.ts';
import { buildHeadProjectionGraph } from './onnx/headProjectionGraph.ts';
import { buildImageGraph } from './onnx/imageGraph.ts';
import { buildTextGraph } from './onnx/textGraph.ts';
import { buildTokenProjectionGraph, TOKEN_PROJECTION_OUTPUT } from './onnx/tokenProjectionGraph.ts';
import type { ClipCheckpoint } from './checkpoint/types.ts';
import type { ClipTokenizer } from './tokenizer/clipTokenizer.ts';
import { decompositionFromOutputs, headProjectionsFromOutputs, type Decomposition, type HeadProjectionOutputs } from './decomposition.ts';
import type { GraphFeed, ImageOutput, ImageOutputName } from './onnx/graphSpec.ts';
import type { GraphSession, SessionFactory } from './runtime/graphSession.ts';

export type { GraphFeed } from './onnx/graphSpec.ts';

export type { GraphSession, SessionFactory } from './runtime/graphSession.ts';

export interface DecomposeRequest {
  tokenLayers?: readonly number[];
  debugResidual?: boolean;
  /** also the second-order effects of this MLP layer's neurons (METHOD §9; not the last layer) */
  neuronLayer?: number;
}

export type { Decomposition, HeadProjectionOutputs } from './decomposition.ts';

/** what `neuronLayer` adds (METHOD §9) */
const NEURON_OUTPUTS = ['neuron_effects', 'neuron_bias_effect', 'mlp_second_order', 'neuron_post', 'neuron_token_weights'] as const;
type NeuronOutput = (typeof NEURON_OUTPUTS)[number];

/** the outputs a request adds to those always returned (a literal request types them as present) */
export type RequestedOutputs<R extends DecomposeRequest> =
  | (R extends { tokenLayers: readonly [] } ? never : R extends { tokenLayers: readonly number[] } ? 'tokens' : never)
  | (R extends { neuronLayer: number } ? NeuronOutput : never)
  | (R extends { debugResidual: true } ? 'resid' | 'embed_resid' | 'attn_out' | 'mlp_out' : never);

/** a decomposition with the outputs `K` present */
export type DecompositionWith<K extends ImageOutputName> = Decomposition & { readonly [N in K]: ImageOutput<N> };

function requestedOutputs(request: DecomposeRequest): ImageOutputName[] {
  return [
    ...(request.tokenLayers?.length ? (['tokens'] as const) : []),
    ...(request.neuronLayer !== undefined ? NEURON_OUTPUTS : []),
    ...(request.debugResidual ? (['resid', 'embed_resid', 'attn_out', 'mlp_out'] as const) : []),
  ];
}

/** drops the leading batch dim of a batch-1 output */
function unbatch(t: Tensor): Tensor {
  if (t.dims[0] !== 1) throw new Error(`expected a batch of 1, got dims [${t.dims.join(', ')}]`);
  const shape = t.shape.split(' ').slice(1).join(' ');
  return tensor(shape, t.data, t.dims.slice(1));
}

export interface ClipEngineOptions {
  /**
   * precision of the image and head-projection graphs (default 'f32'); the text graph stays f32, so
   * text embeddings (cached per model) do not depend on it
   */
  precision?: GraphPrecision;
}

export class ClipEngine {
  private readonly sessions = new Map<string, Promise<GraphSession>>();
  /** image and prompt requests before background text sets (foregroundFirst.ts) */
  private readonly foreground = new ForegroundFirst();
  private headProjectionCache?: Promise<HeadProjectionOutputs>;
  private readonly neuronProjectionCache = new Map<number, Promise<Record<string, Tensor>>>();
  private imagePrecision: GraphPrecision;
  /** decomposition runs started so far (prepareDecomposition's warm-up run is skipped once a photo ran) */
  private decompositionRuns = 0;
  private tokenizerOf?: ClipTokenizer;

  constructor(
    readonly checkpoint: ClipCheckpoint,
    private readonly createSession: SessionFactory,
    tokenizer?: ClipTokenizer,
    options: ClipEngineOptions = {},
  ) {
    this.tokenizerOf = tokenizer;
    this.imagePrecision = options.precision ?? 'f32';
  }

  /** the text tokenizer, once given (constructor or useTokenizer) */
  get tokenizer(): ClipTokenizer | undefined {
    return this.tokenizerOf;
  }

  /**
   * Gives the tokenizer after construction: the browser worker parses it while the image
   * session's weights are read (prepareDecomposition), not before. Text requests need it first.
   */
  useTokenizer(tokenizer: ClipTokenizer | undefined): void {
    this.tokenizerOf = tokenizer;
  }

  get precision(): GraphPrecision {
    return this.imagePrecision;
  }

  /** changes the image graphs' precision: the sessions are dropped and made again on the next request */
  async setPrecision(precision: GraphPrecision): Promise<void> {
    if (precision === this.imagePrecision) return;
    this.imagePrecision = precision;
    await this.release();
  }

  private session(key: string, build: () => BuiltGraph): Promise<GraphSession> {
    let s = this.sessions.get(key);
    if (!s) {
      s = Promise.resolve().then(() => this.createSession(build(), this.checkpoint));
      // a failed creation must not poison the cache
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  private checkPixels(pixels: Tensor<string, Float32Array>): void {
    const S = this.checkpoint.vision.imageSize;
    const ok = pixels.dims.length === 3 && pixels.dims[0] === 3 && pixels.dims[1] === S && pixels.dims[2] === S;
    if (!ok) throw new RangeError(`pixels must be [3, ${S}, ${S}] for this model, got [${pixels.dims.join(', ')}]`);
  }

  /** the unit image embedding through the plain graph (no decomposition outputs) */
  async embed(pixels: Tensor<string, Float32Array>): Promise<Tensor<'D'>> {
    return this.foreground.run(() => this.embedNow(pixels));
  }

  private async embedNow(pixels: Tensor<string, Float32Array>): Promise<Tensor<'D'>> {
    this.checkPixels(pixels);
    const s = await this.session('plain', () => buildImageGraph(this.checkpoint, { decompose: false, precision: this.imagePrecision }));
    const out = await s.run({ pixel_values: tensor('B C S S', pixels.data, [1, ...pixels.dims]) });
    return unbatch(out.embedding) as Tensor<'D'>;
  }

  /**
   * Foreground work that leads to a foreground request (an added photo: decoding, then
   * `decompose`): while it runs, background text steps wait and a prepared session skips its
   * warm-up run, as if the request were already queued.
   */
  imageWork<T>(work: () => Promise<T>): Promise<T> {
    return this.foreground.run(work);
  }

  /** the decomposed forward pass for one image */
  async decompose<const R extends DecomposeRequest = Record<never, never>>(pixels: Tensor<string, Float32Array>, request: R = {} as R): Promise<DecompositionWith<RequestedOutputs<R>>> {
    return this.foreground.run(() => this.decomposeNow(pixels, request));
  }

  /** the session of the decomposed graph for this request (one per distinct request) */
  private decompositionSession(request: DecomposeRequest): Promise<GraphSession> {
    const tokenLayers = [...(request.tokenLayers ?? [])];
    const debugResidual = Boolean(request.debugResidual);
    const { neuronLayer } = request;
    const key = `decompose:${tokenLayers.join(',')}:${debugResidual}:${neuronLayer ?? ''}`;
    return this.session(key, () => buildImageGraph(this.checkpoint, { decompose: true, tokenLayers, debugResidual, neuronLayer, precision: this.imagePrecision }));
  }

  /**
   * Creates the session `decompose(pixels, request)` uses before any image is given: the app calls
   * it as soon as a model is chosen, so the weights are read and onnxruntime's session is built
   * while the user picks a photo. With `warmUp`, one run on a blank image follows, unless another
   * request (a photo given meanwhile) is already waiting: a session's first run in onnxruntime-web
   * took about twice a steady one (measured in Chromium, ViT-B/16 shape). Foreground work: the
   * built-in text sets wait for it.
   */
  async prepareDecomposition(request: DecomposeRequest = {}, options: { warmUp?: boolean } = {}): Promise<void> {
    await this.foreground.run(async () => {
      const runsBefore = this.decompositionRuns;
      const s = await this.decompositionSession(request);
      if (!options.warmUp) return;
      // a WASM session is created in one blocking call: a photo sent meanwhile is still an unread
      // message, so let queued requests start before asking whether one waits
      await new Promise((r) => setTimeout(r, 0));
      // a photo waiting (or being decoded: imageWork) runs first; and a photo that already ran on
      // the new session (a WASM run blocks, so it can finish before this turn) was the warm-up
      if (this.foreground.count > 1 || this.decompositionRuns > runsBefore) return;
      const S = this.checkpoint.vision.imageSize;
      await s.run({ pixel_values: tensor('B C S S', new Float32Array(3 * S * S), [1, 3, S, S]) });
    });
  }

  private async decomposeNow<const R extends DecomposeRequest>(pixels: Tensor<string, Float32Array>, request: R): Promise<DecompositionWith<RequestedOutputs<R>>> {
    this.checkPixels(pixels);
    const s = await this.decompositionSession(request);
    this.decompositionRuns++;
    const out = await s.run({ pixel_values: tensor('B C S S', pixels.data, [1, ...pixels.dims]) });
    const result: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(out)) result[name] = unbatch(t);
    return decompositionFromOutputs(result, requestedOutputs(request)) as DecompositionWith<RequestedOutputs<R>>;
  }

  /** the per-model constants of METHOD §9's fast form for one MLP layer (neuron_q, neuron_out); computed once per layer */
  neuronProjections(layer: number): Promise<Record<string, Tensor>> {
    let cached = this.neuronProjectionCache.get(layer);
    if (!cached) {
      cached = this.foreground.run(() => this.session(`neuron-projection:${layer}`, () => buildNeuronProjectionGraph(this.checkpoint, layer)).then((s) => s.run({})));
      cached.catch(() => this.neuronProjectionCache.delete(layer));
      this.neuronProjectionCache.set(layer, cached);
    }
    return cached;
  }

  /** the per-model matrices of METHOD 2.6 (head_proj, gamma_proj, beta_proj, bout_proj); computed once */
  headProjections(): Promise<HeadProjectionOutputs> {
    // foreground: a first heatmap asked while the text sets embed needs these
    this.headProjectionCache ??= this.foreground.run(() => this.session('head-projection', () => buildHeadProjectionGraph(this.checkpoint, { precision: this.imagePrecision })).then(async (s) => headProjectionsFromOutputs(await s.run({}))));
    this.headProjectionCache.catch(() => (this.headProjectionCache = undefined));
    return this.headProjectionCache;
  }

  /**
   * One image's projected token matrix P [T, D] = Σ_{ℓ,h} M_{ℓ,h}ᵀ·cells_{ℓ,h} (tokenProjectionGraph.ts)
   * from its `cells` [L, T, H, E] and the head projections' `head_proj` [L, H, E, D]. Background
   * work: it starts only when no foreground request (decomposition, prompt) is running.
   */
  async projectTokens(cells: Tensor<'L T H E', Float32Array>, headProj: Tensor<'L H E D', Float32Array>): Promise<Tensor<'T D', Float32Array>> {
    await this.foreground.yield();
    const T = cells.dims[1];
    const s = await this.session(`token-projection:${T}`, () => buildTokenProjectionGraph(this.checkpoint, T));
    const out = await s.run({ cells, head_proj: headProj });
    return out[TOKEN_PROJECTION_OUTPUT] as Tensor<'T D', Float32Array>;
  }

  /**
   * Unit text embeddings [C, D]. Each batch is cut after its longest end token: under the causal
   * mask the pooled row does not depend on later positions, so this is exact and much cheaper.
   */
  async encodeText(texts: readonly string[], batchSize = 32): Promise<Tensor<'C D', Float32Array>> {
    return (await this.foreground.run(() => this.runText(texts, batchSize, false))).unit;
  }

  /**
   * For background work (the built-in text sets) between its steps: resolves once no decomposition,
   * plain forward or text request is running, so those never wait behind a whole text set.
   */
  yieldToForeground(): Promise<void> {
    return this.foreground.yield();
  }

  /** unnormalised text embeddings t = t̂·‖t‖ [C, D] (what published raw embeddings are) */
  async encodeTextUnnormalised(texts: readonly string[], batchSize = 32): Promise<Tensor<'C D', Float32Array>> {
    const { unit, norms } = await this.runText(texts, batchSize, true);
    const D = unit.dims[1];
    const raw = new Float32Array(unit.data.length);
    for (let r = 0; r < texts.length; r++) for (let d = 0; d < D; d++) raw[r * D + d] = unit.data[r * D + d] * norms[r];
    return tensor('C D', raw, unit.dims);
  }

  private async runText(texts: readonly string[], batchSize: number, withNorms: boolean) {
    const text = this.checkpoint.text;
    if (!text) throw new Error('this checkpoint has no text tower');
    if (!this.tokenizer) throw new Error('this checkpoint has no tokenizer files (vocab.json + merges.txt)');
    const D = text.embedDim;
    const result = new Float32Array(texts.length * D);
    const norms = new Float32Array(texts.length);
    const outputs = withNorms ? ['text_embedding', 'text_norm'] : ['text_embedding'];
    const s = await this.session('text', () => buildTextGraph(this.checkpoint));
    for (let start = 0; start < texts.length; start += batchSize) {
      const chunk = texts.slice(start, start + batchSize);
      const batch = this.tokenizer.tokenizeBatch(chunk, text.contextLength);
      const n = Math.max(...batch.eotIndex) + 1;
      const ids = new BigInt64Array(chunk.length * n);
      for (let r = 0; r < chunk.length; r++) {
        for (let i = 0; i < n; i++) ids[r * n + i] = BigInt(batch.ids[r * batch.contextLength + i]);
      }
      const eotRow = BigInt64Array.from(batch.eotIndex, (x, r) => BigInt(r * n + x));
      const out = await s.run(
        {
          input_ids: { dtype: 'int64', data: ids, dims: [chunk.length, n] },
          eot_row: { dtype: 'int64', data: eotRow, dims: [chunk.length] },
        },
        outputs,
      );
      result.set(out.text_embedding.data as Float32Array, start * D);
      if (withNorms) norms.set(out.text_norm.data as Float32Array, start);
    }
    return { unit: tensor('C D', result, [texts.length, D]), norms };
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.headProjectionCache = undefined;
    await Promise.all(all.map(async (s) => (await s.catch(() => undefined))?.release()));
  }
}
