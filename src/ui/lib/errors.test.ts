import { describe, expect, it } from 'vitest';
import { explainError } from './errors.ts';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('explainError', () => {
  it('keeps the engine reason for an unsupported checkpoint', () => {
    const e = explainError(named('CheckpointError', "unsupported architecture: model_type 'siglip'"), 'model');
    expect(e.kind).toBe('unsupported-checkpoint');
    expect(e.detail).toBe("unsupported architecture: model_type 'siglip'");
  });

  it('tells a corrupt image from a non-image', () => {
    expect(explainError(named('ImageDecodeError', 'corrupt PNG: bad.png: invalid zlib data'), 'image', 'bad.png')).toMatchObject({ kind: 'corrupt-image', title: 'Corrupt image: bad.png' });
    expect(explainError(named('ImageDecodeError', 'not an image: x.png starts with "hell"'), 'image', 'x.png').kind).toBe('not-an-image');
  });

  it('recognises out-of-memory in any context', () => {
    expect(explainError(new RangeError('Array buffer allocation failed'), 'analysis').kind).toBe('out-of-memory');
    expect(explainError(new Error('[ORT] bad_alloc'), 'model').kind).toBe('out-of-memory');
  });

  it('calls network failures a failed download', () => {
    expect(explainError(new TypeError('Failed to fetch'), 'model').kind).toBe('download-failed');
    expect(explainError(new Error('GET /demo/model.safetensors: HTTP 404'), 'download', 'demo').title).toBe('Download failed demo');
  });

  it('falls back to a titled unknown error with the message kept', () => {
    const e = explainError('weird', 'analysis');
    expect(e).toMatchObject({ kind: 'unknown', title: 'The analysis failed', detail: 'weird' });
  });
});
