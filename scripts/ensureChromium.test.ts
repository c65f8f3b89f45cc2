import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/testkit/shared.ts';
import { DEBIAN_CHROMIUM, ensureChromium, INSTALL_COMMAND, type ChromiumHost } from './ensureChromium.ts';

interface FakeMachine {
  chromium: boolean;
  uid: number;
  apt: boolean;
  /** exit status of `apt-get install` */
  installStatus?: number;
  chromiumPath?: string;
}

/** a machine as the check sees it; records what the check ran and said */
function fakeHost(m: FakeMachine) {
  const ran: { command: string; args: readonly string[]; env: Readonly<Record<string, string>> }[] = [];
  const said: string[] = [];
  const host: ChromiumHost = {
    chromiumPath: m.chromiumPath,
    isExecutable: (path) => path === DEBIAN_CHROMIUM && m.chromium,
    uid: () => m.uid,
    which: (command) => (command === 'apt-get' && m.apt ? '/usr/bin/apt-get' : undefined),
    run(command, args, env) {
      ran.push({ command, args, env });
      if (args[0] === 'install') {
        const status = m.installStatus ?? 0;
        if (status === 0) m.chromium = true;
        return { status, stderr: status === 0 ? '' : 'E: Unable to locate package chromium\n' };
      }
      return { status: 0, stderr: '' };
    },
    say: (line) => said.push(line),
  };
  return { host, ran, said };
}

describe('ensureChromium (run before npm test and the browser tests)', () => {
  it('ensureChromium with chromium installed runs nothing and says nothing', () => {
    const { host, ran, said } = fakeHost({ chromium: true, uid: 1000, apt: true });
    expect(ensureChromium(host)).toEqual({ ok: true, path: DEBIAN_CHROMIUM, installed: false });
    expect(ran).toEqual([]);
    expect(said).toEqual([]);
  });

  it('ensureChromium as root with apt installs chromium non-interactively, saying so in one line', () => {
    const { host, ran, said } = fakeHost({ chromium: false, uid: 0, apt: true });
    expect(ensureChromium(host)).toEqual({ ok: true, path: DEBIAN_CHROMIUM, installed: true });
    expect(said).toEqual(["npm test: installing Debian's chromium for the browser tests (apt-get install -y chromium)"]);
    expect(ran.map((r) => [r.command, ...r.args])).toEqual([
      ['/usr/bin/apt-get', 'update', '-qq'],
      ['/usr/bin/apt-get', 'install', '-y', '-qq', 'chromium'],
    ]);
    expect(ran.every((r) => r.env.DEBIAN_FRONTEND === 'noninteractive')).toBe(true);
  });

  it('ensureChromium as a non-root user stops before running anything, with the exact command to run', () => {
    const { host, ran, said } = fakeHost({ chromium: false, uid: 1000, apt: true });
    const check = ensureChromium(host);
    expect(check).toEqual({
      ok: false,
      message: `the browser tests need Debian's chromium at /usr/bin/chromium, which is not installed. Install it, then run npm test again:\n  ${INSTALL_COMMAND}`,
    });
    expect(INSTALL_COMMAND).toBe('sudo apt-get update && sudo apt-get install -y chromium');
    expect(ran).toEqual([]);
    expect(said).toEqual([]);
  });

  it('ensureChromium as root when apt-get fails names the failure and the command', () => {
    const { host, ran } = fakeHost({ chromium: false, uid: 0, apt: true, installStatus: 100 });
    const check = ensureChromium(host);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.message).toBe(
      'apt-get install failed (exit 100: E: Unable to locate package chromium); run it yourself, then npm test again:\n  apt-get update && apt-get install -y chromium',
    );
    expect(ran).toHaveLength(2);
  });

  it('ensureChromium without apt-get (not Debian) asks for CHROMIUM_PATH', () => {
    const { host, ran } = fakeHost({ chromium: false, uid: 0, apt: false });
    const check = ensureChromium(host);
    expect(!check.ok && check.message).toMatch(/apt-get is not available here: install Chromium and run CHROMIUM_PATH=\/path\/to\/chromium npm test$/);
    expect(ran).toEqual([]);
  });

  it('ensureChromium with CHROMIUM_PATH uses that binary and says when it is missing', () => {
    expect(ensureChromium(fakeHost({ chromium: true, uid: 0, apt: true, chromiumPath: DEBIAN_CHROMIUM }).host)).toMatchObject({ ok: true });
    const { host, ran } = fakeHost({ chromium: true, uid: 0, apt: true, chromiumPath: '/opt/none/chrome' });
    const check = ensureChromium(host);
    expect(!check.ok && check.message).toMatch(/^CHROMIUM_PATH=\/opt\/none\/chrome is not an executable file/);
    expect(ran).toEqual([]);
  });

  it('node scripts/ensureChromium.ts exits 1 with the reason on stderr when the browser is missing', async () => {
    const run = promisify(execFile);
    const script = ['--import', 'tsx', 'scripts/ensureChromium.ts'];
    const failed = await run(process.execPath, script, { cwd: REPO_ROOT, env: { ...process.env, CHROMIUM_PATH: '/opt/none/chrome' } }).then(
      () => undefined,
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect(failed?.stderr).toMatch(/^CHROMIUM_PATH=\/opt\/none\/chrome is not an executable file/);
    // pointed at an executable, it passes silently
    const ok = await run(process.execPath, script, { cwd: REPO_ROOT, env: { ...process.env, CHROMIUM_PATH: process.execPath } });
    expect(ok).toEqual({ stdout: '', stderr: '' });
  });
});
