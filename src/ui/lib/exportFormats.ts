/**
 * What the explorer exports, formatted as files: an image's contributions (JSON, CSV), a head's
 * TEXTSPAN list (JSON, CSV), a layer's neuron ranking, a neuron's panel and an image's
 * explanation (METHOD §9, §10; JSON, CSV). Pure functions of the worker's summaries; numbers are written with 9
 * significant digits, enough to give back the exact float32 value.
 */
import type { ImageExplanation, NeuronPanel, NeuronRanking, TextExplanation, TextspanPanel } from '../../api/explorer.ts';

export interface Contributions {
  layers: number;
  heads: number;
  embedDim: number;
  heads_LHD: Float32Array;
  mlp_LD: Float32Array;
  embed_D: Float32Array;
  embedding_D: Float32Array;
}

export interface ExportContext {
  /** model fingerprint (or name) the numbers came from */
  model: string;
  image: string;
  /** the ablation set in force when exported ('' = none) */
  ablation?: string;
}

/** shortest decimal text that reads back as the same float32 */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 6; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === Math.fround(v)) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

/** RFC 4180: quote fields holding a comma, quote, CR or LF; double inner quotes */
export function csvField(value: string | number): string {
  const s = typeof value === 'number' ? formatFloat32(value) : value;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRow(fields: readonly (string | number)[]): string {
  return fields.map(csvField).join(',');
}

function checkSizes(c: Contributions): void {
  const { layers: L, heads: H, embedDim: D } = c;
  const want: [string, number, number][] = [
    ['heads_LHD', c.heads_LHD.length, L * H * D],
    ['mlp_LD', c.mlp_LD.length, L * D],
    ['embed_D', c.embed_D.length, D],
    ['embedding_D', c.embedding_D.length, D],
  ];
  for (const [name, got, n] of want) if (got !== n) throw new Error(`${name} has ${got} values, expected ${n} for L=${L} H=${H} D=${D}`);
}

function rows(data: Float32Array, offset: number, D: number): number[] {
  return Array.from(data.subarray(offset, offset + D), (v) => Number(formatFloat32(v)));
}

function norm(data: Float32Array, offset: number, D: number): number {
  let s = 0;
  for (let d = 0; d < D; d++) s += data[offset + d] ** 2;
  return Math.sqrt(s);
}

/** JSON: nested arrays heads[L][H][D], mlp[L][D], embed[D], embedding[D] */
export function contributionsToJson(c: Contributions, ctx: ExportContext): string {
  checkSizes(c);
  const { layers: L, heads: H, embedDim: D } = c;
  const doc = {
    format: 'clipscope.contributions/1',
    model: ctx.model,
    image: ctx.image,
    ablation: ctx.ablation ?? '',
    layers: L,
    headsPerLayer: H,
    embedDim: D,
    note: 'direct contributions to the image embedding before normalisation (METHOD 2): embed + Σ mlp + Σ heads (+ class-token terms) = embedding',
    embedding: rows(c.embedding_D, 0, D),
    embed: rows(c.embed_D, 0, D),
    mlp: Array.from({ length: L }, (_, l) => rows(c.mlp_LD, l * D, D)),
    heads: Array.from({ length: L }, (_, l) => Array.from({ length: H }, (_, h) => rows(c.heads_LHD, (l * H + h) * D, D))),
  };
  return `${JSON.stringify(doc)}\n`;
}

/** CSV: one row per component (`embed`, `mlp`, `head`, `embedding`) with its norm and D values */
export function contributionsToCsv(c: Contributions): string {
  checkSizes(c);
  const { layers: L, heads: H, embedDim: D } = c;
  const header = ['component', 'layer', 'head', 'norm', ...Array.from({ length: D }, (_, d) => `d${d}`)];
  const lines = [csvRow(header)];
  const push = (component: string, layer: number | '', head: number | '', data: Float32Array, offset: number) =>
    lines.push(csvRow([component, layer === '' ? '' : String(layer), head === '' ? '' : String(head), norm(data, offset, D), ...data.subarray(offset, offset + D)]));
  push('embed', '', '', c.embed_D, 0);
  for (let l = 0; l < L; l++) push('mlp', l, '', c.mlp_LD, l * D);
  for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) push('head', l, h, c.heads_LHD, (l * H + h) * D);
  push('embedding', '', '', c.embedding_D, 0);
  return `${lines.join('\r\n')}\r\n`;
}

export function textspanToJson(panel: TextspanPanel, ctx: Omit<ExportContext, 'image'>): string {
  return `${JSON.stringify({ format: 'clipscope.textspan/1', model: ctx.model, ...panel }, null, 2)}\n`;
}

export function textspanToCsv(panel: TextspanPanel): string {
  const lines = [csvRow(['layer', 'head', 'rank', 'text', 'property', 'variance_explained'])];
  panel.texts.forEach((t, i) => lines.push(csvRow([String(panel.layer), String(panel.head), String(i + 1), t.text, t.property ?? '', t.varianceExplained])));
  return `${lines.join('\r\n')}\r\n`;
}

/** the model as is: neuron effects ignore the what-if view's ablation set */
export function neuronRankingToJson(ranking: NeuronRanking, ctx: Pick<ExportContext, 'model'>): string {
  return `${JSON.stringify({ format: 'clipscope.neuron-ranking/1', model: ctx.model, ...ranking }, null, 2)}\n`;
}

/** one row per neuron, in rank order */
export function neuronRankingToCsv(ranking: NeuronRanking): string {
  const lines = [csvRow(['layer', 'rank', 'neuron', 'label', 'mean_norm', 'max_norm'])];
  ranking.neurons.forEach((n, i) => lines.push(csvRow([String(ranking.layer), String(i + 1), String(n.neuron), n.label, n.meanNorm, n.maxNorm])));
  return `${lines.join('\r\n')}\r\n`;
}

export function neuronPanelToJson(panel: NeuronPanel, ctx: Omit<ExportContext, 'image'>): string {
  return `${JSON.stringify({ format: 'clipscope.neuron/1', model: ctx.model, ...panel }, null, 2)}\n`;
}

export function explanationToJson(e: ImageExplanation, ctx: ExportContext): string {
  return `${JSON.stringify({ format: 'clipscope.explanation/1', model: ctx.model, image: ctx.image, ...e }, null, 2)}\n`;
}

/** METHOD §10 picks: one row per text in pick order, with its final coefficient and the cosine after it */
export function textExplanationToCsv(e: TextExplanation, target: string): string {
  const lines = [csvRow(['target', 'pick', 'index', 'text', 'coefficient', 'cosine'])];
  e.texts.forEach((t, i) => lines.push(csvRow([target, String(i + 1), String(t.index), t.text, t.coefficient, e.cosine[i]])));
  return `${lines.join('\r\n')}\r\n`;
}

/** a file name safe on every OS: `clipscope-<parts>.ext` */
export function exportFileName(parts: readonly string[], ext: string): string {
  const stem = ['clipscope', ...parts]
    .map((p) => p.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, ''))
    .filter(Boolean)
    .join('-');
  return `${stem.slice(0, 120)}.${ext}`;
}
