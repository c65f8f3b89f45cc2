/**
 * Errors as they cross the worker boundary. Every error thrown in the worker reaches the UI as an
 * ErrorReport (name, code, message, subject) through a comlink transfer handler, so the UI tells
 * failures apart by their code, never by reading the message.
 *
 * The project's own error classes carry a `code` (CheckpointError, HubError, ImageDecodeError, …).
 * Failures of the platform (an allocation that failed in V8, the WASM heap or onnxruntime; a fetch
 * that never reached the server) have none: `errorReport` names them once, here, where they are first
 * reported, so no later reader has to parse a message.
 */

export interface ErrorReport {
  /** the error class's name (`CheckpointError`, `HubError`, `Error`, …) */
  readonly name: string;
  /** the class's own code, a platform code (`out-of-memory`, `network`), or `unknown` */
  readonly code: string;
  readonly message: string;
  /** what the error is about, when the thrower said (a file, an image) */
  readonly subject?: string;
}

/** codes every layer may throw or receive (the classes of each module add their own) */
export const ERROR_CODES = {
  /** the worker has no model yet */
  noModel: 'no-model',
  /** a request the worker cannot serve as asked (a missing image, an empty prompt list, …) */
  badRequest: 'bad-request',
  outOfMemory: 'out-of-memory',
  /** the network failed before any HTTP answer */
  network: 'network',
  /** the server answered with an HTTP error status */
  http: 'http',
  /** the user (or a model switch) stopped the work; what was done is kept */
  cancelled: 'cancelled',
  unknown: 'unknown',
} as const;

/** An error with a code; the UI receives every worker error as one (its name kept). */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly subject?: string,
    name = 'CodedError',
  ) {
    super(message);
    this.name = name;
  }
}

// what allocation failures say: V8 (ArrayBuffer), Emscripten (WASM heap), onnxruntime (C++), WebGPU
const OUT_OF_MEMORY = /out of memory|allocation failed|bad_alloc|failed to allocate|Array buffer allocation|\bOOM\b|memory access out of bounds|Maximum call stack|cannot enlarge memory|GPUOutOfMemoryError/i;
// what browsers' fetch says when no HTTP answer came (Chromium, Firefox, Safari)
const NO_ANSWER = /failed to fetch|networkerror|network error|load failed/i;

/** the code of a platform failure that carries none */
function platformCode(name: string, message: string): string {
  if (OUT_OF_MEMORY.test(message) || (name === 'RangeError' && /allocation|length/i.test(message))) return ERROR_CODES.outOfMemory;
  if (name === 'TypeError' && NO_ANSWER.test(message)) return ERROR_CODES.network;
  return ERROR_CODES.unknown;
}

const stringField = (o: object, key: string): string | undefined => {
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'string' && v ? v : undefined;
};

/** anything thrown, as a report: its own code when it has one (DOMException's numeric codes are not) */
export function errorReport(err: unknown): ErrorReport {
  if (!err || typeof err !== 'object') return { name: 'Error', code: ERROR_CODES.unknown, message: String(err) };
  const name = stringField(err, 'name') ?? 'Error';
  const message = stringField(err, 'message') ?? String(err);
  const code = stringField(err, 'code') ?? platformCode(name, message);
  const subject = stringField(err, 'subject') ?? stringField(err, 'file');
  return { name, code, message, ...(subject ? { subject } : {}) };
}

/** the code of anything thrown (see errorReport) */
export const errorCode = (err: unknown): string => errorReport(err).code;

/** what the receiving side throws for a report */
export function errorFromReport(r: ErrorReport): CodedError {
  return new CodedError(r.code, r.message, r.subject, r.name);
}

/** the shape of comlink's TransferHandler, restated so this module needs no comlink import */
export interface ThrowTransferHandler {
  canHandle(value: unknown): value is { value: unknown };
  serialize(value: { value: unknown }): [unknown, Transferable[]];
  deserialize(value: unknown): unknown;
}

/**
 * Comlink's handler for thrown values, with reports instead of {name, message}. Installed under the
 * name 'throw' on both ends (workers/clip.worker.ts and src/ui/workerClient.ts):
 * `transferHandlers.set('throw', codedThrowHandler(transferHandlers.get('throw')))`.
 */
export function codedThrowHandler(builtIn: { canHandle(value: unknown): boolean }): ThrowTransferHandler {
  return {
    canHandle: (value: unknown): value is { value: unknown } => builtIn.canHandle(value),
    serialize: ({ value }) => [errorReport(value), []],
    deserialize: (report) => {
      throw errorFromReport(report as ErrorReport);
    },
  };
}
