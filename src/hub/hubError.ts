/** A hub or cache failure a user can act on; `code` says which, the message says what to do. */
export type HubErrorCode =
  | 'not-cached'
  | 'not-found-or-private'
  | 'gated'
  | 'revision-not-found'
  | 'entry-not-found'
  | 'unreachable'
  | 'http'
  | 'interrupted'
  | 'verification-failed';

export class HubError extends Error {
  override name = 'HubError';
  constructor(
    readonly code: HubErrorCode,
    message: string,
    /** a transient failure worth another try (5xx, 429, a cut connection) */
    readonly retriable = false,
  ) {
    super(message);
  }
}
