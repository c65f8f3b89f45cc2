/**
 * `clipscope verify` end to end on generated checkpoints: against a reference file made by the
 * float64 oracle it PASSes; with GELU declared instead of QuickGELU, or with other normalisation
 * constants, it FAILs naming the values off; against the published OpenAI values a random model
 * FAILs with the per-value table.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../api/explorer.ts';
import { writeCheckpointDir } from '../../model/checkpoint/checkpointGenerator.node.ts';
import { runCli } from '../../testkit/cli.node.ts';
import { hasShared, sharedPath } from '../../testkit/shared.ts';
import { makeVerifyFixture, type VerifyFixture, type VerifyVariant } from '../../testkit/verifyFixture.ts';

describe('clipscope verify', () => {
  let dir: string;
  let fixture: VerifyFixture;
  const model = (v: VerifyVariant) => join(dir, v);
  const refFile = () => join(dir, 'reference.json');
  const report = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as VerifyReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clipscope-verify-'));
    fixture = await makeVerifyFixture();
    for (const [v, files] of Object.entries(fixture.checkpoints)) writeCheckpointDir(join(dir, v), files);
    writeFileSync(refFile(), JSON.stringify(fixture.reference));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the right checkpoint against the oracle reference file: PASS, every value listed', async () => {
    const r = await runCli(['verify', '--model', model('right'), '--reference', refFile(), '--report', join(dir, 'right.json')]);
    expect(r.code, r.stderr).toBe(0);
    const rep = report('right.json');
    expect(rep.pass).toBe(true);
    expect(rep.compared).toBe(6 * 8 + 15 + 15);
    expect(rep.groups.map((g) => [g.kind, g.compared, g.failing])).toEqual([
      ['similarity', 48, 0],
      ['image-embedding', 15, 0],
      ['text-embedding', 15, 0],
    ]);
    // one line per value, each marked ok
    expect(r.stdout.split('\n').filter((l) => / ok$/.test(l))).toHaveLength(78);
    expect(r.stdout).toMatch(/PASS: 78 of 78 values within their tolerance\n$/);
  }, 120_000);

  it.each(['gelu', 'mean-std'] as const)('one thing wrong (%s): FAIL, exit 1, naming the values off', async (variant) => {
    const r = await runCli(['verify', '--model', model(variant), '--reference', refFile(), '--report', join(dir, `${variant}.json`)]);
    expect(r.code).toBe(1);
    const rep = report(`${variant}.json`);
    const off = rep.values.filter((v) => !v.pass);
    expect(off.length).toBeGreaterThan(0);
    expect(rep.failing).toBe(off.length);
    for (const v of off) expect(Math.abs(v.computed - v.published)).toBeGreaterThan(v.tolerance);
    expect(r.stderr).toMatch(new RegExp(`clipscope: verification FAILED: ${off.length} of 78 values off: `));
    for (const v of off.slice(0, 8)) expect(r.stderr).toContain(v.label);
    for (const v of off) expect(r.stdout).toMatch(new RegExp(`${v.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .* OFF\\n`));
    if (variant === 'gelu') {
      // the activation changes the unnormalised embeddings of both towers
      expect(off.some((v) => v.kind === 'image-embedding')).toBe(true);
      expect(off.some((v) => v.kind === 'text-embedding')).toBe(true);
    } else {
      // the normalisation changes only the image side, and there by far
      expect(off.every((v) => v.kind !== 'text-embedding')).toBe(true);
      expect(rep.groups[1].failing).toBeGreaterThan(10);
    }
  }, 120_000);

  it('a random model against the published OpenAI values (no --reference): FAIL with the per-value table', async () => {
    const r = await runCli(['verify', '--model', model('right'), '--report', join(dir, 'published.json')]);
    expect(r.code).toBe(1);
    const rep = report('published.json');
    expect(rep.reference.name).toBe('OpenAI CLIP ViT-B/32: published values');
    expect(rep.groups.map((g) => g.compared)).toEqual([8 * 5, 15, 15]);
    expect(rep.pass).toBe(false);
    expect(r.stdout).toMatch(/cos\("This is a rocket standing o…", rocket\) +-?\d\.\d{5} +0\.3 /);
    expect(r.stdout).toMatch(/u\(astronaut\)\[0\] +-?\d\.\d{5} +0\.31812 /);
    expect(r.stdout).toMatch(/page: not found \(add page\.png to compare it\)/);
    expect(r.stdout).toMatch(/camera: cannot be compared — The notebook's figure shows the 1978 cameraman/);
    expect(r.stdout).toMatch(/tolerance: 2 decimals: typing a printed value in loses up to 0\.005/);
    expect(r.stdout.split('\n').filter((l) => / (ok|OFF)$/.test(l))).toHaveLength(70);
  }, 120_000);

  it.runIf(hasShared())('--images DIR adds photos found by their pixels whatever their names', async () => {
    const photos = join(dir, 'mine');
    mkdirSync(photos);
    copyFileSync(sharedPath('data/images/photos', 'page.png'), join(photos, 'scan 3.png'));
    copyFileSync(sharedPath('data/images/photos', 'retina.jpg'), join(photos, 'retina.jpg'));
    const r = await runCli(['verify', '--model', model('right'), '--images', photos, '--report', join(dir, 'mine.json')]);
    const rep = report('mine.json');
    expect(rep.photoStatus.find((p) => p.name === 'page')).toMatchObject({ status: 'given', matchedFile: 'scan 3.png' });
    expect(rep.unmatchedFiles).toEqual(['retina.jpg']);
    expect(rep.groups[0].compared).toBe(8 * 6);
    expect(r.stdout).toMatch(/page: given scan 3\.png/);
  }, 120_000);

  it('bad input: a missing --images folder or reference file, or a file that is no reference', async () => {
    expect((await runCli(['verify', '--model', model('right'), '--images', join(dir, 'nope')])).stderr).toMatch(/--images must be a folder of photos/);
    expect((await runCli(['verify', '--model', model('right'), '--reference', join(dir, 'nope.json')])).stderr).toMatch(/reference file not found/);
    writeFileSync(join(dir, 'other.json'), '{"x": 1}');
    const r = await runCli(['verify', '--model', model('right'), '--reference', join(dir, 'other.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^clipscope: not a clipscope reference file: the file lacks "format"/);
  });
});
