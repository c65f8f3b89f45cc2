/**
 * Every failure of a hub download or of stored-model access is a HubError with a code the UI can
 * act on (retry, pick other towers, free space) and a message naming the repo, file and byte range.
 */
export type HubErrorCode =
  | 'network'
  | 'http'
  | 'not-found'
  /** 401/403: without a token the hub says this for missing, private and gated repos alike */
  | 'unauthorized'
  | 'revision-not-found'
  | 'entry-not-found'
  | 'bad-listing'
  | 'size-mismatch'
  | 'sha256-mismatch'
  | 'range-mismatch'
  | 'cancelled'
  | 'not-fetched'
  | 'not-stored'
  | 'storage';

export class HubError extends Error {
  override name = 'HubError';
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

/** the error an aborted download rejects with */
export function cancelledError(what: string): HubError {
  return new HubError('cancelled', `${what}: download cancelled`);
}
