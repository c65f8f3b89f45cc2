/**
 * Error capture for tests of failures, shared by the Node unit tests and the browser tests: the
 * error a call throws (or a promise rejects with), checked to be of the expected class, so the test
 * can assert its code and message. Fails when the call succeeds or throws something else.
 */

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

export async function errorOf<E extends Error>(call: Promise<unknown> | (() => unknown), type: ErrorClass<E>): Promise<E> {
  let thrown: unknown;
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) throw new Error(`expected a ${type.name}, but the call succeeded`);
  if (!(thrown instanceof type)) throw new Error(`expected a ${type.name}, got ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`);
  return thrown;
}
