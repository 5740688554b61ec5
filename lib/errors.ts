/**
 * Errors a user can act on. A UserError's message is a sentence for a finance officer or an
 * IT team, printed as-is by the CLI (exit code 1) and answered as 4xx by the API; anything
 * else is a bug or an outage, logged with its stack.
 */
export type UserErrorCode = 'invalid-input' | 'not-found' | 'conflict' | 'unavailable';

export class UserError extends Error {
  override name = 'UserError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
