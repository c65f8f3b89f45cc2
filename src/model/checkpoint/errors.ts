/**
 * Every problem with a checkpoint is a CheckpointError with a code the UI and CLI can act on,
 * and a message that names the file, the tensor, and the expected and found values.
 */
export type CheckpointErrorCode =
  | 'missing-file'
  | 'truncated'
  | 'bad-header'
  | 'overlapping-ranges'
  | 'unknown-dtype'
  | 'missing-tensor'
  | 'wrong-shape'
  | 'pickle'
  | 'unsupported-architecture'
  | 'bad-config';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    readonly file?: string,
    readonly tensor?: string,
  ) {
    super(message);
  }
}
