/**
 * `npm run bench`: every benchmark, one after another (the machine is shared and noisy: each
 * figure is a median and each comparison a ratio measured in one run).
 *
 *   npm run bench [-- --only node,chromium,app,text,neurons,textspan]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchEngineBrowser } from './engine.browser.bench.ts';
import { benchEngineNode } from './engine.node.bench.ts';
import { benchText } from './text.bench.ts';

const i = process.argv.indexOf('--only');
const only = i >= 0 ? new Set(process.argv[i + 1].split(',')) : undefined;
const want = (name: string) => !only || only.has(name);

const summary: Record<string, unknown> = {};
if (want('node')) summary.node = await benchEngineNode(10, 2);
if (want('chromium')) summary.chromium = await benchEngineBrowser(10);
if (want('app')) summary.app = await (await import('./app.browser.bench.ts')).benchAppBrowser(10);
if (want('mainthread')) summary.mainThread = await (await import('./mainThread.browser.bench.ts')).benchMainThread(3);
if (want('text')) summary.text = await benchText(1000, 32);
if (want('neurons')) summary.neurons = await (await import('./neurons.bench.ts')).benchNeurons(5);
if (want('textspan')) {
  const script = fileURLToPath(new URL('./textspan.bench.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--workers', '2'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`textspan bench exited with ${r.status}`);
}
console.log(JSON.stringify(summary, null, 2));
