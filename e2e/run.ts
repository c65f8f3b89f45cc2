/**
 * Runs the browser tests (node:test) in one process so the harness is built once.
 * Usage: node --import tsx e2e/run.ts [filter]
 */
import { readdirSync } from 'node:fs';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';
import { chromiumReadyOrExplain } from '../scripts/ensureChromium.ts';
import { buildHarness } from './lib/harness.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts') && (!filter || f.includes(filter)))
  .map((f) => `${dir}${f}`);

// Debian's chromium, installed when we may (root + apt); otherwise stop here with the command to run
if (!chromiumReadyOrExplain()) process.exit(1);

// Build the harness once here; test files (one subprocess each) then reuse it.
await buildHarness();
process.env.CLIPSCOPE_HARNESS_BUILT = '1';

let failed = 0;
let passed = 0;
let skipped = 0;
const stream = run({ files, concurrency: 1, timeout: 20 * 60_000 });
stream.on('test:pass', (e) => {
  if (e.details.type !== 'suite') (e.skip ? skipped++ : passed++);
});
stream.on('test:fail', (e) => {
  if (e.details.type !== 'suite') failed++;
});
stream.compose(new spec() as unknown as NodeJS.ReadWriteStream).pipe(process.stdout);
stream.on('end', () => {
  console.log(`browser tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exitCode = failed > 0 ? 1 : 0;
});
