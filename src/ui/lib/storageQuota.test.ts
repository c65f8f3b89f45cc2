import { describe, expect, it } from 'vitest';
import { quotaMessage, quotaShortfall } from './storageQuota.ts';

const MB = 1024 * 1024;

describe('quotaShortfall(need, navigator.storage.estimate())', () => {
  it('is null when the download fits in quota − usage', () => {
    expect(quotaShortfall(100 * MB, { quota: 1000 * MB, usage: 900 * MB })).toBeNull();
  });

  it('gives the numbers when it does not', () => {
    expect(quotaShortfall(101 * MB, { quota: 1000 * MB, usage: 900 * MB })).toEqual({ need: 101 * MB, free: 100 * MB, quota: 1000 * MB, usage: 900 * MB });
    // usage above the quota (the browser lowered it): nothing is free
    expect(quotaShortfall(1, { quota: 10, usage: 20 })).toMatchObject({ free: 0 });
  });

  it('is null when the browser does not say (the download is tried)', () => {
    expect(quotaShortfall(10 ** 12, undefined)).toBeNull();
    expect(quotaShortfall(10 ** 12, { usage: 5 })).toBeNull();
  });

  it('quotaMessage names the repo, what is needed, what is free, the quota and the usage', () => {
    const s = quotaShortfall(605 * MB, { quota: 1000 * MB, usage: 600 * MB })!;
    const m = quotaMessage('openai/clip-vit-base-patch32', s);
    expect(m).toBe("openai/clip-vit-base-patch32 needs 605 MiB more in this browser's storage, but only 400 MiB is free (quota 1000 MiB, 600 MiB in use). Nothing was downloaded.");
  });
});
