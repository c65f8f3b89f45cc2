import { describe, expect, it } from 'vitest';
import { CodedError } from '../../api/errors.ts';
import { explainError } from './errors.ts';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });
/** as an error arrives from the worker: class name, code, message (src/api/errors.ts) */
const arrived = (name: string, code: string, message: string, subject?: string) => new CodedError(code, message, subject, name);

describe('explainError', () => {
  it('keeps the engine reason for an unsupported checkpoint', () => {
    const e = explainError(named('CheckpointError', "unsupported architecture: model_type 'siglip'"), 'model');
    expect(e.kind).toBe('unsupported-checkpoint');
    expect(e.detail).toBe("unsupported architecture: model_type 'siglip'");
  });

  it('tells a corrupt image from a non-image', () => {
    expect(explainError(arrived('ImageDecodeError', 'corrupt', 'corrupt PNG: bad.png: invalid zlib data'), 'image', 'bad.png')).toMatchObject({ kind: 'corrupt-image', title: 'Corrupt image: bad.png' });
    expect(explainError(arrived('ImageDecodeError', 'not-an-image', 'not an image: x.png starts with "hell"'), 'image', 'x.png').kind).toBe('not-an-image');
  });

  it('recognises out-of-memory in any context', () => {
    expect(explainError(new RangeError('Array buffer allocation failed'), 'analysis').kind).toBe('out-of-memory');
    expect(explainError(new Error('[ORT] bad_alloc'), 'model').kind).toBe('out-of-memory');
  });

  it('calls network failures a failed download', () => {
    expect(explainError(new TypeError('Failed to fetch'), 'model').kind).toBe('download-failed');
    expect(explainError(new Error('GET /demo/model.safetensors: HTTP 404'), 'download', 'demo').title).toBe('Download failed demo');
  });

  it('a download refused for the storage quota is "not enough browser storage", with the numbers kept', () => {
    const e = explainError(new CodedError('storage-quota', 'a/b needs 605 MiB more …'), 'download', 'a/b');
    expect(e).toMatchObject({ kind: 'storage-full', title: 'Not enough browser storage for a/b', detail: 'a/b needs 605 MiB more …' });
    expect(e.hint).toMatch(/Delete stored models/);
  });

  it('falls back to a titled unknown error with the message kept', () => {
    const e = explainError('weird', 'analysis');
    expect(e).toMatchObject({ kind: 'unknown', title: 'The analysis failed', detail: 'weird' });
  });

  it('tells failures apart by class and code, never by the message', () => {
    // the words of one kind under the code of another: the code wins
    expect(explainError(arrived('Error', 'bad-request', 'out of memory? no: no image is loaded'), 'analysis').kind).toBe('bad-input');
    expect(explainError(new Error('no model is loaded'), 'analysis').kind).toBe('unknown');
    expect(explainError(arrived('CodedError', 'no-model', 'no model is loaded'), 'analysis').kind).toBe('no-model');
    expect(explainError(arrived('ImageDecodeError', 'truncated', 'an image that ends early'), 'image', 'a.png')).toMatchObject({ kind: 'corrupt-image', title: 'Corrupt image: a.png' });
    expect(explainError(arrived('TokenizerError', 'bad-merges', 'merges.txt line 3'), 'model').kind).toBe('unsupported-checkpoint');
    expect(explainError(arrived('AblationSyntaxError', 'ablation-syntax', 'L99 is out of range'), 'analysis').kind).toBe('bad-input');
    expect(explainError(arrived('OutOfMemoryError', 'out-of-memory', 'the model needs about 2.0 GB'), 'image').kind).toBe('out-of-memory');
  });

  it('a hub failure is a failed download, titled with the subject the error reports when the UI gave none', () => {
    expect(explainError(arrived('HubError', 'sha256-mismatch', 'sha256 differs', 'model.safetensors'), 'model')).toMatchObject({ kind: 'download-failed', title: 'Download failed model.safetensors' });
    expect(explainError(arrived('HubError', 'http', 'HTTP 503', 'model.safetensors'), 'model', 'openai/clip').title).toBe('Download failed openai/clip');
  });
});
