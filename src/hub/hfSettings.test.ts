import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hfSettingsFromEnv } from './hfSettings.node.ts';

const HOME = '/home/u';

describe('hfSettingsFromEnv reads the variables huggingface_hub reads, with its precedence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with nothing set: ~/.cache/huggingface/hub, the public hub, no token, online', () => {
    expect(hfSettingsFromEnv({}, HOME)).toEqual({ cacheDir: '/home/u/.cache/huggingface/hub', endpoint: 'https://huggingface.co', offline: false });
  });
  it('cache: HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > HF_HOME/hub > XDG_CACHE_HOME/huggingface/hub', () => {
    const all = { HF_HUB_CACHE: '/a', HUGGINGFACE_HUB_CACHE: '/b', HF_HOME: '/c', XDG_CACHE_HOME: '/d' };
    expect(hfSettingsFromEnv(all, HOME).cacheDir).toBe('/a');
    expect(hfSettingsFromEnv({ ...all, HF_HUB_CACHE: undefined }, HOME).cacheDir).toBe('/b');
    expect(hfSettingsFromEnv({ HF_HOME: '/c', XDG_CACHE_HOME: '/d' }, HOME).cacheDir).toBe('/c/hub');
    expect(hfSettingsFromEnv({ XDG_CACHE_HOME: '/d' }, HOME).cacheDir).toBe('/d/huggingface/hub');
    expect(hfSettingsFromEnv({ HF_HOME: '~/hf' }, HOME).cacheDir).toBe('/home/u/hf/hub');
  });
  it('HF_ENDPOINT replaces the hub (trailing slash dropped); HF_HUB_OFFLINE takes 1/ON/YES/TRUE', () => {
    expect(hfSettingsFromEnv({ HF_ENDPOINT: 'http://127.0.0.1:9/' }, HOME).endpoint).toBe('http://127.0.0.1:9');
    for (const v of ['1', 'ON', 'yes', 'True']) expect(hfSettingsFromEnv({ HF_HUB_OFFLINE: v }, HOME).offline).toBe(true);
    for (const v of ['0', '', 'no']) expect(hfSettingsFromEnv({ HF_HUB_OFFLINE: v }, HOME).offline).toBe(false);
  });
  it('token: HF_TOKEN > the file HF_TOKEN_PATH > $HF_HOME/token (trimmed)', () => {
    writeFileSync(join(dir, 'token'), 'hf_home_token\n');
    writeFileSync(join(dir, 'other'), '  hf_path_token \n');
    expect(hfSettingsFromEnv({ HF_HOME: dir }, HOME).token).toBe('hf_home_token');
    expect(hfSettingsFromEnv({ HF_HOME: dir, HF_TOKEN_PATH: join(dir, 'other') }, HOME).token).toBe('hf_path_token');
    expect(hfSettingsFromEnv({ HF_HOME: dir, HF_TOKEN_PATH: join(dir, 'other'), HF_TOKEN: 'hf_env' }, HOME).token).toBe('hf_env');
    expect(hfSettingsFromEnv({ HF_HOME: join(dir, 'none') }, HOME).token).toBeUndefined();
  });
});
