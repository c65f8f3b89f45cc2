import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../../model/engine.node.ts';
import { initNodeImageDecoders } from '../../model/preprocess/decode.node.ts';
import { parseReferenceSet, PUBLISHED_OPENAI_VIT_B32 } from '../../verify/referenceSet.ts';
import { describeValue, formatVerifyReport } from '../../verify/reportText.ts';
import { verifyEngine, type CandidatePhoto } from '../../verify/verifyModel.ts';
import { defineCommand, MODEL_OPTION } from '../command.ts';
import { parseProvider, PROVIDER_OPTION } from '../provider.ts';
import { CliError } from '../errors.ts';
import { openModel } from '../model.ts';
import { writeJsonFile } from '../output.ts';

/** the app's example gallery, shipped in the repository beside the CLI */
const GALLERY = fileURLToPath(new URL('../../../public/gallery/', import.meta.url));
const IMAGE = /\.(png|jpe?g)$/i;

function photosIn(dir: string, origin: CandidatePhoto['origin']): CandidatePhoto[] {
  return readdirSync(dir)
    .filter((f) => IMAGE.test(f))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))), origin }));
}

export const verifyCommand = defineCommand({
  summary: "compare a model's similarities and embedding entries with published reference values, value by value",
  description: [
    'Runs the model on the reference photos (found among the gallery and --images by the sha256 of their pixels, not by name)',
    'and texts, and prints every published value beside the computed one, its difference and tolerance (docs/FORMATS.md §8).',
    'Exit 0 on PASS; exit 1 on FAIL, naming the values off.',
  ].join('\n'),
  options: {
    model: MODEL_OPTION,
    provider: PROVIDER_OPTION,
    images: { type: 'string', value: 'DIR', description: "more photos, e.g. scikit-image's page.png and motorcycle_right.png (they win over the gallery's copies)", default: "the app's example gallery only" },
    reference: { type: 'string', value: 'FILE', description: 'a reference file in clipscope\'s format', default: 'the published OpenAI ViT-B/32 values shipped with clipscope' },
    report: { type: 'string', value: 'FILE.json', description: 'also write the whole report as JSON', default: 'none' },
  },
  examples: ['clipscope verify --model openai/clip-vit-base-patch32', 'clipscope verify --model ./clip-vit-base-patch32 --images ./skimage-data --report verify.json'],
  async run(args) {
    const executionProvider = parseProvider(args.provider);
    if (args.images !== undefined && !(existsSync(args.images) && statSync(args.images).isDirectory())) throw new CliError(`--images must be a folder of photos, got: ${args.images}`);
    let ref = PUBLISHED_OPENAI_VIT_B32;
    if (args.reference !== undefined) {
      if (!existsSync(args.reference)) throw new CliError(`reference file not found: ${args.reference}`);
      ref = parseReferenceSet(readFileSync(args.reference, 'utf8'));
    }
    // the user's photos first: they win over the gallery's copies of the same pixels
    const candidates = [...(args.images !== undefined ? photosIn(args.images, 'given') : []), ...(existsSync(GALLERY) ? photosIn(GALLERY, 'gallery') : [])];
    const ckpt = await openModel(args.model);
    await initNodeImageDecoders();
    const engine = await createNodeEngine(ckpt, { executionProvider });
    try {
      const report = await verifyEngine(engine, ref, candidates, (p) => process.stderr.write(`${p.phase}\n`));
      process.stdout.write(formatVerifyReport(report));
      if (args.report !== undefined) await writeJsonFile(args.report, report);
      if (!report.pass) {
        const off = report.values.filter((v) => !v.pass);
        const named = off.slice(0, 8).map(describeValue).join('; ');
        throw new CliError(
          report.compared === 0 ? 'verification FAILED: no value could be compared (see the photos above)' : `verification FAILED: ${off.length} of ${report.compared} values off: ${named}${off.length > 8 ? '; …' : ''}`,
          1,
        );
      }
    } finally {
      await engine.release();
    }
  },
});
