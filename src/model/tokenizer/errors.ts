/** Problems with tokenizer files or ids, with a code callers can act on. */
export type TokenizerErrorCode = 'bad-vocab' | 'bad-merges' | 'missing-special' | 'unknown-id' | 'bad-argument';

export class TokenizerError extends Error {
  override name = 'TokenizerError';
  constructor(
    readonly code: TokenizerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
