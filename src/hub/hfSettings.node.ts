/**
 * Where the Python `huggingface_hub` keeps its cache and token, which hub it talks to and whether
 * it may go online, read from the same environment variables it reads, so clipscope and Python
 * tools share one cache:
 *
 *   cache     HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE (older name), else $HF_HOME/hub
 *   HF_HOME   HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface
 *   token     HF_TOKEN, else the file HF_TOKEN_PATH, else $HF_HOME/token
 *   endpoint  HF_ENDPOINT, else https://huggingface.co
 *   offline   HF_HUB_OFFLINE set to 1/ON/YES/TRUE
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export interface HfSettings {
  /** the hub cache folder holding `models--owner--name/` */
  cacheDir: string;
  endpoint: string;
  token?: string;
  offline: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `~` and `~/x` as the user's home, as Python's os.path.expanduser does for these variables */
function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

const TRUE_VALUES = new Set(['1', 'on', 'yes', 'true']);

function readToken(env: Env, hfHome: string, home: string): string | undefined {
  const fromEnv = env.HF_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const file = env.HF_TOKEN_PATH ? expandHome(env.HF_TOKEN_PATH, home) : join(hfHome, 'token');
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined; // no token file: anonymous, as huggingface_hub
  }
}

export function hfSettingsFromEnv(env: Env = process.env, home: string = homedir()): HfSettings {
  const set = (name: string): string | undefined => (env[name] ? expandHome(env[name]!, home) : undefined);
  const hfHome = set('HF_HOME') ?? join(set('XDG_CACHE_HOME') ?? join(home, '.cache'), 'huggingface');
  const token = readToken(env, hfHome, home);
  return {
    cacheDir: set('HF_HUB_CACHE') ?? set('HUGGINGFACE_HUB_CACHE') ?? join(hfHome, 'hub'),
    endpoint: (env.HF_ENDPOINT || DEFAULT_HF_ENDPOINT).replace(/\/+$/, ''),
    ...(token ? { token } : {}),
    offline: TRUE_VALUES.has((env.HF_HUB_OFFLINE ?? '').trim().toLowerCase()),
  };
}
