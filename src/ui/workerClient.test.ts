import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { CodedError, ERROR_CODES } from '../api/errors.ts';
import { OutOfMemoryError } from '../explorer/recovery.ts';
import { cancelledError, HubError } from '../hub/errors.ts';
import { ImageDecodeError } from '../model/preprocess/image.ts';
import { installErrorTransfer } from './workerClient.ts';

/** a worker stand-in: `throwing()` throws what the test hands it, across a real MessageChannel */
function remoteThrowing(err: unknown): { call(): Promise<never>; close(): void } {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose({ throwing: () => Promise.reject(err) }, port1);
  const remote = Comlink.wrap<{ throwing(): Promise<never> }>(port2);
  return { call: () => remote.throwing(), close: () => (port1.close(), port2.close()) };
}

async function thrownAcross(err: unknown): Promise<Record<string, unknown>> {
  const remote = remoteThrowing(err);
  try {
    await remote.call();
  } catch (received) {
    return received as Record<string, unknown>;
  } finally {
    remote.close();
  }
  throw new Error('the remote call did not throw');
}

describe('errors across the worker boundary (comlink)', () => {
  const builtIn = Comlink.transferHandlers.get('throw')!;
  afterEach(() => void Comlink.transferHandlers.set('throw', builtIn));

  it("comlink's built-in handler drops the code (why the coded handler exists)", async () => {
    const received = await thrownAcross(new HubError('cancelled', 'openai/clip: download cancelled'));
    expect(received.message).toBe('openai/clip: download cancelled');
    expect(received.code).toBeUndefined();
  });

  it('installErrorTransfer(): a HubError arrives with name, code, message and subject', async () => {
    installErrorTransfer();
    const received = await thrownAcross(new HubError('sha256-mismatch', 'model.safetensors: sha256 differs', 'model.safetensors'));
    expect(received).toBeInstanceOf(CodedError);
    expect(received).toMatchObject({ name: 'HubError', code: 'sha256-mismatch', message: 'model.safetensors: sha256 differs', subject: 'model.safetensors' });
  });

  it('installErrorTransfer(): a cancelled download is told by its code', async () => {
    installErrorTransfer();
    expect(await thrownAcross(cancelledError('openai/clip-vit-base-patch32'))).toMatchObject({ name: 'HubError', code: 'cancelled' });
  });

  it('installErrorTransfer(): decoding, out-of-memory and no-model errors keep their codes', async () => {
    installErrorTransfer();
    expect(await thrownAcross(new ImageDecodeError('truncated', 'truncated PNG: a.png'))).toMatchObject({ name: 'ImageDecodeError', code: 'truncated' });
    expect(await thrownAcross(new OutOfMemoryError(2 ** 30, 'wasm', new RangeError('Array buffer allocation failed')))).toMatchObject({ name: 'OutOfMemoryError', code: ERROR_CODES.outOfMemory });
    expect(await thrownAcross(new CodedError(ERROR_CODES.noModel, 'no model is loaded'))).toMatchObject({ code: 'no-model', message: 'no model is loaded' });
  });

  it('installErrorTransfer(): errors without a code arrive as unknown, platform allocation failures as out-of-memory', async () => {
    installErrorTransfer();
    expect(await thrownAcross(new Error('something odd'))).toMatchObject({ name: 'Error', code: 'unknown', message: 'something odd' });
    expect(await thrownAcross(new RangeError('Array buffer allocation failed'))).toMatchObject({ name: 'RangeError', code: 'out-of-memory' });
    expect(await thrownAcross('a thrown string')).toMatchObject({ code: 'unknown', message: 'a thrown string' });
  });
});
