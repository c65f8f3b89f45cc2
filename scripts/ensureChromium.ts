/**
 * The browser tests need Debian's `chromium` (driven by playwright-core, which never downloads a
 * browser). Run before `npm test` (the `pretest` script) and by `e2e/run.ts`, so a machine without
 * it either gets it (as root with apt: installed, with one line saying so) or stops before any
 * test runs, with the exact command to run, instead of failing in the browser phase with a launch
 * error.
 *
 * Usage: node --import tsx scripts/ensureChromium.ts   (exit 0: chromium is there; 1: it is not)
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** what the check looks at and does, injected so a test can play any machine */
export interface ChromiumHost {
  /** CHROMIUM_PATH when set (e2e/lib/browser.ts launches that instead of DEBIAN_CHROMIUM) */
  readonly chromiumPath?: string;
  isExecutable(path: string): boolean;
  /** the effective user id; undefined where the platform has none (Windows) */
  uid(): number | undefined;
  /** the full path of a command on PATH, or undefined */
  which(command: string): string | undefined;
  /** runs a command with its output hidden; the exit status and what it wrote to stderr */
  run(command: string, args: readonly string[], env: Readonly<Record<string, string>>): { status: number; stderr: string };
  /** one line for the user */
  say(line: string): void;
}

export type ChromiumCheck =
  | { readonly ok: true; readonly path: string; readonly installed: boolean }
  | { readonly ok: false; readonly message: string };

/** the line a non-root user on Debian/Ubuntu runs */
export const INSTALL_COMMAND = 'sudo apt-get update && sudo apt-get install -y chromium';

export function ensureChromium(host: ChromiumHost): ChromiumCheck {
  if (host.chromiumPath) {
    if (host.isExecutable(host.chromiumPath)) return { ok: true, path: host.chromiumPath, installed: false };
    return { ok: false, message: `CHROMIUM_PATH=${host.chromiumPath} is not an executable file: point it at a Chromium binary, or unset it to use Debian's ${DEBIAN_CHROMIUM}` };
  }
  if (host.isExecutable(DEBIAN_CHROMIUM)) return { ok: true, path: DEBIAN_CHROMIUM, installed: false };

  const missing = `the browser tests need Debian's chromium at ${DEBIAN_CHROMIUM}, which is not installed`;
  const aptGet = host.which('apt-get');
  if (!aptGet) {
    return { ok: false, message: `${missing}, and apt-get is not available here: install Chromium and run CHROMIUM_PATH=/path/to/chromium npm test` };
  }
  if (host.uid() !== 0) return { ok: false, message: `${missing}. Install it, then run npm test again:\n  ${INSTALL_COMMAND}` };

  host.say(`npm test: installing Debian's chromium for the browser tests (apt-get install -y chromium)`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const r = host.run(aptGet, args, env);
    if (r.status !== 0) {
      const why = r.stderr.trim().split('\n').at(-1) ?? '';
      return { ok: false, message: `apt-get ${args[0]} failed (exit ${r.status}${why ? `: ${why}` : ''}); run it yourself, then npm test again:\n  apt-get update && apt-get install -y chromium` };
    }
  }
  if (!host.isExecutable(DEBIAN_CHROMIUM)) return { ok: false, message: `apt-get installed chromium but ${DEBIAN_CHROMIUM} is still missing` };
  return { ok: true, path: DEBIAN_CHROMIUM, installed: true };
}

/** this machine */
export const systemHost: ChromiumHost = {
  chromiumPath: process.env.CHROMIUM_PATH || undefined,
  isExecutable(path) {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  uid: () => process.getuid?.(),
  which(command) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (dir && systemHost.isExecutable(join(dir, command))) return join(dir, command);
    }
    return undefined;
  },
  run(command, args, env) {
    const r = spawnSync(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    return { status: r.status ?? 1, stderr: r.stderr ?? String(r.error ?? '') };
  },
  say: (line) => process.stderr.write(`${line}\n`),
};

/** ensureChromium on this machine; prints the reason and returns false when the tests cannot run */
export function chromiumReadyOrExplain(host: ChromiumHost = systemHost): boolean {
  const check = ensureChromium(host);
  if (!check.ok) process.stderr.write(`${check.message}\n`);
  return check.ok;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = chromiumReadyOrExplain() ? 0 : 1;
}
