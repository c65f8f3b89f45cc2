/**
 * Text encoding of 1,000 prompts with the ViT-B/16-shaped text tower (12 layers, width 512) in
 * onnxruntime-node, 2 threads: batches are cut after their longest end token (exact under the
 * causal mask), compared with encoding at the full context length.
 *
 *   node --import tsx scripts/bench/text.bench.ts [--prompts 1000] [--batch 32]
 */
import { createNodeEngine } from '../../src/model/engine.node.ts';
import { fmtMs, vitB16Checkpoint } from './common.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const SUBJECTS = ['dog', 'cat', 'red bicycle', 'mountain lake', 'city street at night', 'bowl of soup', 'old wooden door', 'violin', 'lighthouse', 'snowy forest'];
const FRAMES = ['a photo of a {}.', 'a blurry photo of a {}.', 'a drawing of a {}.', 'a close-up photo of the {}.', 'a painting of a {} in the style of an old master.'];

export function benchPrompts(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const s = SUBJECTS[i % SUBJECTS.length];
    const f = FRAMES[Math.floor(i / SUBJECTS.length) % FRAMES.length];
    out.push(`${f.replace('{}', s)} number ${i}`);
  }
  return out;
}

export async function benchText(count = arg('prompts', 1000), batch = arg('batch', 32)) {
  const { ckpt } = await vitB16Checkpoint();
  const engine = await createNodeEngine(ckpt, { intraOpNumThreads: 2 });
  if (!engine.tokenizer) throw new Error('the bench checkpoint has no tokenizer (../shared/data/vocab missing?)');
  const prompts = benchPrompts(count);
  await engine.encodeText(prompts.slice(0, batch), batch); // session + warm-up
  let t = performance.now();
  await engine.encodeText(prompts, batch);
  const truncatedMs = performance.now() - t;
  // the same prompts padded to the full context: what pooling at the end token saves
  const padded = prompts.map((p) => `${p}${' x'.repeat(70)}`.slice(0, 400));
  t = performance.now();
  await engine.encodeText(padded.slice(0, 200), batch);
  const fullPer200 = performance.now() - t;
  await engine.release();
  const result = { prompts: count, batch, totalMs: truncatedMs, perPromptMs: truncatedMs / count, fullContextPerPromptMs: fullPer200 / 200 };
  console.log(`[text] ${count} prompts, batch ${batch}: ${fmtMs(truncatedMs)} (${result.perPromptMs.toFixed(2)} ms/prompt); at full context length ${result.fullContextPerPromptMs.toFixed(2)} ms/prompt`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchText();
